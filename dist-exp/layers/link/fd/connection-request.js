const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
/**
 * Whether the `length` bytes at `at` are an IPv4 TCP segment opening a connection (SYN without ACK): a
 * classifier's peek, as a priority qdisc makes, not a parse (the IP layer still checks everything). Anything
 * short, odd, fragmented past its first piece, or not IPv4 TCP is "no". The fd reader uses it to drop new
 * connection requests first when its backlog is long.
 */
export function isConnectionRequest(bytes, at, length) {
    if (length < 20 || bytes[at] >>> 4 !== 4 || bytes[at + 9] !== 6)
        return false;
    if ((((bytes[at + 6] << 8) | bytes[at + 7]) & 0x1fff) !== 0)
        return false; // a later fragment
    const flagsAt = (bytes[at] & 0x0f) * 4 + 13;
    return flagsAt < length && (bytes[at + flagsAt] & (TCP_SYN | TCP_ACK)) === TCP_SYN;
}
const ETHERTYPE_IPV4 = 0x0800;
/** An Ethernet header: destination, source, EtherType. */
const ETHERNET_HEADER_BYTES = 14;
/**
 * isConnectionRequest for a link of `linkHeaderBytes`-byte headers before the IP datagram: 0 for an IP link,
 * 14 for an Ethernet one (then only untagged IPv4 frames can be one; a VLAN-tagged frame is "no").
 */
export function isConnectionRequestOnLink(bytes, at, length, linkHeaderBytes) {
    if (linkHeaderBytes === 0)
        return isConnectionRequest(bytes, at, length);
    if (length < ETHERNET_HEADER_BYTES || ((bytes[at + 12] << 8) | bytes[at + 13]) !== ETHERTYPE_IPV4)
        return false;
    return isConnectionRequest(bytes, at + linkHeaderBytes, length - linkHeaderBytes);
}
//# sourceMappingURL=connection-request.js.map