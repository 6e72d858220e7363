import { foldSum, internetChecksum, sumWords } from '../../../core/checksum.js';
import { le16, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, VIRTIO_NET_HDR_SIZE, } from './virtio-net-header.js';
/**
 * Turns one read from an IFF_VNET_HDR TUN device, `n` bytes at `bytes[at]` (header then packet), into a plain
 * IPv4 datagram at the same offset, in place; returns its length, or -1 when the header is malformed (a
 * partial checksum whose field lies outside the packet): the caller drops it, counted.
 *
 * - NEEDS_CSUM: the kernel left the checksum unfinished (its own packets never cross a wire): the field holds
 *   the pseudo-header sum; it is finished here, from csum_start to the end, as a device would. Finishing
 *   rather than trusting keeps every layer above unchanged (TCP verifies every checksum as before) and costs
 *   the reader thread, not the main thread.
 * - A GSO packet (gso_type other than NONE) is one large TCP segment: it is passed up whole, which is what
 *   GRO-fed Linux does too; the kernel writes its real IP total length, but one of 0 (a length that did not
 *   fit the field) is set from the read's length when that fits, with the header checksum fixed.
 */
export function unwrapVirtioNetPacket(bytes, at, n) {
    const length = n - VIRTIO_NET_HDR_SIZE;
    if (length <= 0)
        return -1;
    const p = at + VIRTIO_NET_HDR_SIZE;
    const flags = bytes[at];
    if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        const start = le16(bytes, at + 6);
        const field = start + le16(bytes, at + 8);
        if (start === 0 || field + 2 > length)
            return -1;
        const checksum = internetChecksum(bytes, p + start, p + length);
        bytes[p + field] = checksum >>> 8;
        bytes[p + field + 1] = checksum & 0xff;
    }
    if (bytes[at + 1] !== VIRTIO_NET_HDR_GSO_NONE && length >= 20 && bytes[p] >> 4 === 4) {
        if (bytes[p + 2] === 0 && bytes[p + 3] === 0 && length <= 0xffff) {
            bytes[p + 2] = length >>> 8;
            bytes[p + 3] = length & 0xff;
            const headerLength = (bytes[p] & 0x0f) * 4;
            bytes[p + 10] = 0;
            bytes[p + 11] = 0;
            const sum = ~foldSum(sumWords(bytes, p, p + headerLength)) & 0xffff;
            bytes[p + 10] = sum >>> 8;
            bytes[p + 11] = sum & 0xff;
        }
    }
    bytes.copyWithin(at, p, p + length);
    return length;
}
//# sourceMappingURL=virtio-net-receive.js.map