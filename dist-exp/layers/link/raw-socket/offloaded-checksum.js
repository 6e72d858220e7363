import { foldSum, internetChecksum, sumWords } from '../../../core/checksum.js';
const IPPROTO_TCP = 6;
/**
 * Completes, in place, the TCP checksum of a segment that a local program sent and the kernel left unfinished.
 *
 * The kernel offloads TCP checksums (CHECKSUM_PARTIAL): it writes only the folded pseudo-header sum into the
 * field and leaves the rest to the device, and loopback never finishes it (nothing on the way can corrupt the
 * bytes). A raw socket hands such segments over as they are, so every segment `wget` sends to pilha on `lo`
 * carries a checksum that pilha's TCP would call bad. A field equal to that pseudo-header sum is finished here
 * as the device would have; any other field is left for TCP to verify. A correct checksum that happens to
 * equal the pseudo-header sum is recomputed to itself, so no correct segment is harmed.
 *
 * Returns whether it filled one in. Assumes an unfragmented IPv4 datagram carrying TCP (RawReceiveFilter).
 */
export function completeOffloadedTcpChecksum(datagram) {
    if (datagram.length < 20 || datagram[9] !== IPPROTO_TCP)
        return false;
    const headerLength = (datagram[0] & 0x0f) * 4;
    const totalLength = (datagram[2] << 8) | datagram[3];
    const tcpLength = totalLength - headerLength;
    // A length the buffer does not back is the IP layer's to drop, not this function's to read past.
    if (headerLength < 20 || totalLength > datagram.length || tcpLength < 20)
        return false;
    const pseudo = sumWords(datagram, 12, 20) + IPPROTO_TCP + tcpLength;
    const at = headerLength + 16;
    const field = (datagram[at] << 8) | datagram[at + 1];
    if (field !== foldSum(pseudo))
        return false;
    datagram[at] = 0;
    datagram[at + 1] = 0;
    const checksum = internetChecksum(datagram, headerLength, totalLength, pseudo);
    datagram[at] = checksum >>> 8;
    datagram[at + 1] = checksum & 0xff;
    return true;
}
//# sourceMappingURL=offloaded-checksum.js.map