export const MARTIAN_SOURCES = [
    'dropSourceOurs',
    'dropSourceZero',
    'dropSourceBroadcast',
    'dropSourceMulticast',
    'dropSourceReserved',
    'dropSourceLoopback',
];
const LIMITED_BROADCAST = 0xffffffff;
/** The directed broadcast of `address`'s subnet, or -1 for /31 and /32 (RFC 3021: no broadcast) or no prefix. */
export function directedBroadcast(address, prefixLength) {
    if (prefixLength === undefined || prefixLength > 30)
        return -1;
    const hostBits = prefixLength === 0 ? 0xffffffff : 0xffffffff >>> prefixLength;
    return (address | hostBits) >>> 0;
}
/**
 * Whether a datagram from `src` must be dropped, and why; undefined when the source is acceptable. A host
 * must not accept (RFC 1122 §3.2.1.3) a source of {0, *} (0.0.0.0 is used as a source only by a host
 * learning its address, which pilha never answers), a broadcast (limited or directed), a class D (multicast)
 * or class E (reserved) address, or {127, *} arriving from a link that is not loopback. Its own address as a
 * source is a spoof (or a loop): answering it would make pilha talk to itself, a SYN-ACK to its own SYN. On a
 * loopback link both are how local programs reach it, and are accepted.
 */
export function martianSource(src, host) {
    const first = src >>> 24;
    if (first === 0)
        return 'dropSourceZero';
    if (first === 127 && host.loopback !== true)
        return 'dropSourceLoopback';
    if (first >= 224) {
        if (src === LIMITED_BROADCAST)
            return 'dropSourceBroadcast';
        return first < 240 ? 'dropSourceMulticast' : 'dropSourceReserved';
    }
    if (src === host.address && host.loopback !== true)
        return 'dropSourceOurs';
    if (src === host.directedBroadcast)
        return 'dropSourceBroadcast';
    return undefined;
}
//# sourceMappingURL=martian-source.js.map