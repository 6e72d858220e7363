import { VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE } from '../offload/virtio-net-header.js';
import { unwrapVirtioNetPacket } from '../offload/virtio-net-receive.js';
import { CONTROL } from './fd-reader-protocol.js';

/**
 * The largest datagram an IPv4 total-length field allows: every read can take a whole one (behind its link
 * header, on a link of frames).
 */
const READ_CAPACITY = 65535;

/**
 * Where and how much both readers read: `readCapacity` bytes (the largest packet, `maxPacket`, behind its
 * virtio_net_hdr) at `pad` bytes into a record's `headroom`, so that the datagram after the header starts on a
 * 4-byte boundary, as one without a header does (the checksum's wide path reads aligned words).
 */
export function readLayout(
  vnetHeaderBytes: number,
  linkHeaderBytes: number,
): { headroom: number; pad: number; maxPacket: number; readCapacity: number } {
  const headroom = (vnetHeaderBytes + 3) & ~3;
  const maxPacket = READ_CAPACITY + linkHeaderBytes;
  return { headroom, pad: headroom - vnetHeaderBytes, maxPacket, readCapacity: maxPacket + vnetHeaderBytes };
}

/**
 * Takes one read of `n` bytes at `bytes[at]` behind a virtio_net_hdr, as both readers do (the worker's and the
 * main thread's): the datagram is unwrapped where it was read, its checksum finished unless `vouched` (the
 * kernel's word taken: checksumVouched), and the read counted in `control` (GSO_READS; CHECKSUMS_TRUSTED or
 * CHECKSUMS_COMPLETED). Returns the datagram's length (it starts VIRTIO_NET_HDR_SIZE bytes in), or -1 when the
 * header was malformed or the packet longer than `maxPacket` (the caller counts the drop).
 */
export function takeVnetRead(
  bytes: Uint8Array,
  at: number,
  n: number,
  vouched: boolean,
  linkHeaderBytes: number,
  maxPacket: number,
  control: Int32Array,
): number {
  const gso = bytes[at + 1] !== VIRTIO_NET_HDR_GSO_NONE;
  const partial = (bytes[at]! & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0;
  const length = unwrapVirtioNetPacket(bytes, at, n, !vouched, linkHeaderBytes);
  if (length < 0 || length > maxPacket) return -1;
  if (gso) Atomics.add(control, CONTROL.GSO_READS, 1);
  // Trusted: unfinished (NEEDS_CSUM) or verified by the kernel (DATA_VALID), and taken so; completed: an
  // unfinished one finished here.
  if (vouched) Atomics.add(control, CONTROL.CHECKSUMS_TRUSTED, 1);
  else if (partial) Atomics.add(control, CONTROL.CHECKSUMS_COMPLETED, 1);
  return length;
}
