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
export declare function completeOffloadedTcpChecksum(datagram: Uint8Array): boolean;
