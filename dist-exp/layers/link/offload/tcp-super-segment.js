/**
 * TCP "super-segments" for segmentation offload (GSO/TSO): one IPv4 datagram carrying the payload of several
 * consecutive segments behind one IP and one TCP header, which the device (here the kernel's TUN driver) cuts
 * into segments of `segmentSize` payload bytes. Pure functions: the checksum field such a datagram must carry,
 * and the split the kernel makes of it (for links and decorators that must show segments as on the wire, a
 * fallback, and tests).
 *
 * The field rule: a super-segment goes out with its checksum unfinished (CHECKSUM_PARTIAL): its TCP checksum
 * field holds the folded, not inverted, sum of the pseudo-header over the WHOLE super-segment's TCP length.
 * The kernel adjusts that sum by each segment's length and finishes it over the segment's bytes; any other
 * value gives every segment a bad checksum on a forwarded path (local delivery does not look).
 */
import { foldSum, internetChecksum, sumWords } from '../../../core/checksum.js';
const IPPROTO_TCP = 6;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;
/** Offset of the checksum field in the TCP header: virtio's csum_offset for TCP. */
export const TCP_CHECKSUM_OFFSET = 16;
/** The folded pseudo-header sum for `tcpLength` bytes of TCP in the IPv4 datagram `d` (addresses at 12..20). */
export function tcpPseudoHeaderSum(d, tcpLength) {
    return foldSum(sumWords(d, 12, 20) + IPPROTO_TCP + tcpLength);
}
/**
 * Writes the super-segment's checksum field: the folded pseudo-header sum over the whole TCP length (header
 * and every segment's payload), not inverted. `d` is the whole datagram, IP total length already written.
 */
export function writeSuperSegmentChecksum(d) {
    const ipHeaderLength = (d[0] & 0x0f) * 4;
    const totalLength = (d[2] << 8) | d[3];
    const sum = tcpPseudoHeaderSum(d, totalLength - ipHeaderLength);
    d[ipHeaderLength + TCP_CHECKSUM_OFFSET] = sum >>> 8;
    d[ipHeaderLength + TCP_CHECKSUM_OFFSET + 1] = sum & 0xff;
}
/** Whether the TCP checksum of the (unfragmented) IPv4 datagram `d` is right. */
export function tcpChecksumValid(d) {
    if (d.length < 40 || d[9] !== IPPROTO_TCP)
        return false;
    const ipHeaderLength = (d[0] & 0x0f) * 4;
    const totalLength = (d[2] << 8) | d[3];
    if (totalLength > d.length || totalLength < ipHeaderLength + 20)
        return false;
    const pseudo = sumWords(d, 12, 20) + IPPROTO_TCP + (totalLength - ipHeaderLength);
    return internetChecksum(d, ipHeaderLength, totalLength, pseudo) === 0;
}
/** Whether the IPv4 header checksum of `d` is right. */
export function ipv4HeaderChecksumValid(d) {
    const ipHeaderLength = (d[0] & 0x0f) * 4;
    return d.length >= ipHeaderLength && internetChecksum(d, 0, ipHeaderLength) === 0;
}
/**
 * Cuts a super-segment into the segments a kernel makes of it (tcp4_gso_segment): each gets the headers,
 * `segmentSize` payload bytes (the last what is left), its sequence number, IP identification (the first's
 * plus its index), total length and header checksum; PSH and FIN only on the last, CWR only on the first.
 * Each TCP checksum is derived, as the kernel derives it, from the super-segment's field adjusted by the
 * segment's length and finished over the segment's bytes: a wrong field gives wrong checksums here too.
 * Returns undefined for a datagram that is not an unfragmented IPv4 TCP super-segment with payload.
 */
export function splitSuperSegment(d, segmentSize) {
    if (d.length < 40 || d[0] >> 4 !== 4 || d[9] !== IPPROTO_TCP || segmentSize <= 0)
        return undefined;
    const ipHeaderLength = (d[0] & 0x0f) * 4;
    const totalLength = (d[2] << 8) | d[3];
    if (ipHeaderLength < 20 || totalLength > d.length || totalLength < ipHeaderLength + 20)
        return undefined;
    const tcpHeaderLength = (d[ipHeaderLength + 12] >> 4) * 4;
    const headersLength = ipHeaderLength + tcpHeaderLength;
    if (tcpHeaderLength < 20 || headersLength > totalLength)
        return undefined;
    const payloadLength = totalLength - headersLength;
    if (payloadLength === 0)
        return undefined;
    const superTcpLength = totalLength - ipHeaderLength;
    const at = ipHeaderLength + TCP_CHECKSUM_OFFSET;
    const field = (d[at] << 8) | d[at + 1];
    const flagsAt = ipHeaderLength + 13;
    const flags = d[flagsAt];
    const seq0 = readU32(d, ipHeaderLength + 4);
    const id0 = (d[4] << 8) | d[5];
    const segments = [];
    for (let offset = 0, i = 0; offset < payloadLength; offset += segmentSize, i++) {
        const length = Math.min(segmentSize, payloadLength - offset);
        const last = offset + length === payloadLength;
        const s = new Uint8Array(headersLength + length);
        s.set(d.subarray(0, headersLength));
        s.set(d.subarray(headersLength + offset, headersLength + offset + length), headersLength);
        const total = headersLength + length;
        s[2] = total >>> 8;
        s[3] = total & 0xff;
        const id = (id0 + i) & 0xffff;
        s[4] = id >>> 8;
        s[5] = id & 0xff;
        s[10] = 0;
        s[11] = 0;
        const ipChecksum = internetChecksum(s, 0, ipHeaderLength);
        s[10] = ipChecksum >>> 8;
        s[11] = ipChecksum & 0xff;
        writeU32(s, ipHeaderLength + 4, (seq0 + offset) >>> 0);
        let segmentFlags = flags;
        if (!last)
            segmentFlags &= ~(TCP_PSH | TCP_FIN);
        if (i > 0)
            segmentFlags &= ~TCP_CWR;
        s[flagsAt] = segmentFlags;
        // The field less the super-segment's TCP length plus this segment's (one's complement arithmetic).
        const tcpLength = total - ipHeaderLength;
        const partial = foldSum(field + (~superTcpLength & 0xffff) + tcpLength);
        s[at] = 0;
        s[at + 1] = 0;
        const checksum = internetChecksum(s, ipHeaderLength, total, partial);
        s[at] = checksum >>> 8;
        s[at + 1] = checksum & 0xff;
        segments.push(s);
    }
    return segments;
}
function readU32(d, at) {
    return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}
function writeU32(d, at, value) {
    d[at] = value >>> 24;
    d[at + 1] = (value >>> 16) & 0xff;
    d[at + 2] = (value >>> 8) & 0xff;
    d[at + 3] = value & 0xff;
}
//# sourceMappingURL=tcp-super-segment.js.map