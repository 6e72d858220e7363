/** Offset of the checksum field in the TCP header: virtio's csum_offset for TCP. */
export declare const TCP_CHECKSUM_OFFSET = 16;
/** The folded pseudo-header sum for `tcpLength` bytes of TCP in the IPv4 datagram `d` (addresses at 12..20). */
export declare function tcpPseudoHeaderSum(d: Uint8Array, tcpLength: number): number;
/**
 * Writes the super-segment's checksum field: the folded pseudo-header sum over the whole TCP length (header
 * and every segment's payload), not inverted. `d` is the whole datagram, IP total length already written.
 */
export declare function writeSuperSegmentChecksum(d: Uint8Array): void;
/** Whether the TCP checksum of the (unfragmented) IPv4 datagram `d` is right. */
export declare function tcpChecksumValid(d: Uint8Array): boolean;
/** Whether the IPv4 header checksum of `d` is right. */
export declare function ipv4HeaderChecksumValid(d: Uint8Array): boolean;
/**
 * Cuts a super-segment into the segments a kernel makes of it (tcp4_gso_segment): each gets the headers,
 * `segmentSize` payload bytes (the last what is left), its sequence number, IP identification (the first's
 * plus its index), total length and header checksum; PSH and FIN only on the last, CWR only on the first.
 * Each TCP checksum is derived, as the kernel derives it, from the super-segment's field adjusted by the
 * segment's length and finished over the segment's bytes: a wrong field gives wrong checksums here too.
 * Returns undefined for a datagram that is not an unfragmented IPv4 TCP super-segment with payload.
 */
export declare function splitSuperSegment(d: Uint8Array, segmentSize: number): Uint8Array[] | undefined;
