const IPPROTO_TCP = 6;
/**
 * Which datagrams a raw IPPROTO_TCP socket hands pilha: the socket sees every TCP segment the host receives,
 * and pilha takes only whole (unfragmented) IPv4 datagrams carrying TCP to its own address and one of its
 * claimed ports. Everything else is other programs' traffic, or pilha's own outgoing segments looping back
 * (those are *from* its port), and is none of pilha's business. Pure: bytes in, a yes or no out.
 */
export class RawReceiveFilter {
    address;
    /** One byte per port: a lookup per datagram with no hashing. */
    claimed = new Uint8Array(65_536);
    constructor(address, ports) {
        this.address = address;
        for (const port of ports)
            this.claimed[port] = 1;
    }
    accepts(datagram) {
        const length = datagram.length;
        if (length < 20)
            return false;
        const first = datagram[0];
        if (first >>> 4 !== 4)
            return false;
        const headerLength = (first & 0x0f) * 4;
        // The destination port is the TCP header's bytes 2-3: they must be in the buffer.
        if (headerLength < 20 || length < headerLength + 4)
            return false;
        if (datagram[9] !== IPPROTO_TCP)
            return false;
        // MF or a fragment offset: the kernel reassembles before raw delivery, so this is not a whole datagram.
        if ((((datagram[6] << 8) | datagram[7]) & 0x3fff) !== 0)
            return false;
        const destination = ((datagram[16] << 24) | (datagram[17] << 16) | (datagram[18] << 8) | datagram[19]) >>> 0;
        if (destination !== this.address >>> 0)
            return false;
        const port = (datagram[headerLength + 2] << 8) | datagram[headerLength + 3];
        return this.claimed[port] === 1;
    }
}
//# sourceMappingURL=raw-receive-filter.js.map