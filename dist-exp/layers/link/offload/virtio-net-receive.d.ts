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
export declare function unwrapVirtioNetPacket(bytes: Uint8Array, at: number, n: number): number;
