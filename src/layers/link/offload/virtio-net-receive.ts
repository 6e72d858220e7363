import { internetChecksum } from '../../../core/checksum.js';
import {
  le16,
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_SIZE,
} from './virtio-net-header.js';

/** IPv4's protocol number for TCP. */
const TCP = 6;
/** An Ethernet frame's EtherType for IPv4 (after its two MAC addresses). */
const ETHERTYPE_IPV4_HIGH = 0x08;
const ETHERTYPE_OFFSET = 12;
/** Where TCP's checksum field is in its header (the csum_offset the kernel gives for TCP). */
const TCP_CHECKSUM_OFFSET = 16;

/**
 * Turns one read with a virtio_net_hdr (from an IFF_VNET_HDR TUN device), `n` bytes at `bytes[at]` (header then
 * packet), into a plain IPv4 datagram in place, where it was read: at `at + VIRTIO_NET_HDR_SIZE` (a 64 KB
 * packet is not moved). From a TAP device or a PACKET_VNET_HDR socket the packet is an Ethernet frame:
 * `linkHeaderBytes` (14) come before its IP header. Returns its length, or -1 when the header is malformed (a
 * partial checksum whose field lies outside the packet) or the packet did not fit the read: the caller drops
 * it, counted.
 *
 * - NEEDS_CSUM: the kernel left the checksum unfinished (its own packets never cross a wire): the field holds
 *   the pseudo-header sum. With `finishChecksum` it is finished here, from csum_start to the end, as a device
 *   would, and every layer above sees the packet as on a wire. Without, it stays unfinished: for a receiver
 *   that takes the kernel's word for it (checksumVouched), the one pass over 64 KB it would cost is saved.
 * - A GSO packet (gso_type other than NONE) is one large TCP segment: it is passed up whole, which is what
 *   GRO-fed Linux does too; the kernel writes its real IP total length. One of 0 says the packet is longer
 *   than the field can say (BIG TCP: a far end with gso_ipv4_max_size above 64 KB), so a read of at most
 *   64 KB cut it: dropped, since a checksum taken on the kernel's word would pass its first 64 KB as whole.
 */
export function unwrapVirtioNetPacket(
  bytes: Uint8Array,
  at: number,
  n: number,
  finishChecksum = true,
  linkHeaderBytes = 0,
): number {
  const length = n - VIRTIO_NET_HDR_SIZE;
  if (length <= 0) return -1;
  const p = at + VIRTIO_NET_HDR_SIZE;
  const flags = bytes[at]!;
  if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
    const start = le16(bytes, at + 6);
    const field = start + le16(bytes, at + 8);
    if (start === 0 || field + 2 > length) return -1;
    if (finishChecksum) {
      const checksum = internetChecksum(bytes, p + start, p + length);
      bytes[p + field] = checksum >>> 8;
      bytes[p + field + 1] = checksum & 0xff;
    }
  }
  const ip = p + linkHeaderBytes;
  if (
    bytes[at + 1]! !== VIRTIO_NET_HDR_GSO_NONE &&
    length - linkHeaderBytes >= 20 &&
    bytes[ip]! >> 4 === 4 &&
    bytes[ip + 2] === 0 &&
    bytes[ip + 3] === 0
  ) {
    return -1;
  }
  return length;
}

/**
 * Whether the kernel vouches for the TCP checksum of the read at `bytes[at]` (`n` bytes, header included): an
 * unfragmented IPv4 TCP packet that the kernel either made itself and left unfinished (NEEDS_CSUM over the
 * whole TCP segment, its field TCP's) or verified already (DATA_VALID). Such a packet was never on a wire
 * since the kernel's stack had it whole: checking its checksum again can find nothing. From a TAP device
 * (`linkHeaderBytes` 14) the packet is an Ethernet frame, which must carry IPv4.
 */
export function checksumVouched(bytes: Uint8Array, at: number, n: number, linkHeaderBytes = 0): boolean {
  const p = at + VIRTIO_NET_HDR_SIZE + linkHeaderBytes;
  if (n - VIRTIO_NET_HDR_SIZE - linkHeaderBytes < 20 || bytes[p]! >> 4 !== 4 || bytes[p + 9] !== TCP)
    return false;
  if (
    linkHeaderBytes > 0 &&
    (bytes[p - linkHeaderBytes + ETHERTYPE_OFFSET] !== ETHERTYPE_IPV4_HIGH ||
      bytes[p - linkHeaderBytes + ETHERTYPE_OFFSET + 1] !== 0)
  ) {
    return false;
  }
  if (((bytes[p + 6]! & 0x3f) | bytes[p + 7]!) !== 0) return false; // a fragment (MF or an offset)
  const flags = bytes[at]!;
  if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
    const ihl = (bytes[p]! & 0x0f) * 4;
    return le16(bytes, at + 6) === linkHeaderBytes + ihl && le16(bytes, at + 8) === TCP_CHECKSUM_OFFSET;
  }
  return (flags & VIRTIO_NET_HDR_F_DATA_VALID) !== 0;
}
