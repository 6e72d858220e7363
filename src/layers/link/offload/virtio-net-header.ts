/**
 * struct virtio_net_hdr (<linux/virtio_net.h>), the 10 bytes a TUN or TAP device opened with IFF_VNET_HDR (or
 * a packet socket with PACKET_VNET_HDR) puts before every packet, both ways: whether the packet's checksum is
 * unfinished (NEEDS_CSUM, with where to finish it) and whether it is a GSO "super-packet" the other side cuts
 * into segments of `gsoSize` payload bytes.
 *
 * The fields are in the device's byte order, which for a TUN device is the host's unless TUNSETVNETLE/BE
 * says otherwise, and for a packet socket the host's; pilha runs on little-endian hosts (x86-64, arm64) and
 * sets neither, so little-endian.
 */

/** sizeof(struct virtio_net_hdr): the default TUNSETVNETHDRSZ. */
export const VIRTIO_NET_HDR_SIZE = 10;

/** flags: the checksum is partial; the reader finishes it from csumStart to the end, into csumStart + csumOffset. */
export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 0x01;
/** flags: the checksum was already verified. */
export const VIRTIO_NET_HDR_F_DATA_VALID = 0x02;

export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export const VIRTIO_NET_HDR_GSO_UDP = 3;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
/** gso_type bit: the segments carry ECN's CWR as the first one does. */
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;

export interface VirtioNetHeader {
  readonly flags: number;
  readonly gsoType: number;
  /** Bytes of headers (IP and TCP) copied into every segment. */
  readonly hdrLen: number;
  /** Payload bytes per segment. */
  readonly gsoSize: number;
  /** Where the checksummed bytes begin (the TCP header's offset). */
  readonly csumStart: number;
  /** Where the checksum field is, from csumStart (16 for TCP). */
  readonly csumOffset: number;
}

/** A header of zeros: a plain packet with a finished checksum. */
export const PLAIN_VIRTIO_NET_HEADER: VirtioNetHeader = {
  flags: 0,
  gsoType: VIRTIO_NET_HDR_GSO_NONE,
  hdrLen: 0,
  gsoSize: 0,
  csumStart: 0,
  csumOffset: 0,
};

/** Writes `header` into `out[offset, offset + 10)`. */
export function encodeVirtioNetHeader(header: VirtioNetHeader, out: Uint8Array, offset = 0): void {
  out[offset] = header.flags & 0xff;
  out[offset + 1] = header.gsoType & 0xff;
  putLe16(out, offset + 2, header.hdrLen);
  putLe16(out, offset + 4, header.gsoSize);
  putLe16(out, offset + 6, header.csumStart);
  putLe16(out, offset + 8, header.csumOffset);
}

/** The header at `bytes[offset]`, or undefined when fewer than 10 bytes are there. */
export function decodeVirtioNetHeader(bytes: Uint8Array, offset = 0): VirtioNetHeader | undefined {
  if (offset < 0 || bytes.length - offset < VIRTIO_NET_HDR_SIZE) return undefined;
  return {
    flags: bytes[offset]!,
    gsoType: bytes[offset + 1]!,
    hdrLen: le16(bytes, offset + 2),
    gsoSize: le16(bytes, offset + 4),
    csumStart: le16(bytes, offset + 6),
    csumOffset: le16(bytes, offset + 8),
  };
}

export function le16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

export function putLe16(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
}
