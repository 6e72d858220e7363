import { describe, expect, it } from 'vitest';
import {
  decodeVirtioNetHeader,
  encodeVirtioNetHeader,
  PLAIN_VIRTIO_NET_HEADER,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';

describe('virtio_net_hdr', () => {
  it('encodes the fields little-endian in the kernel layout', () => {
    const out = new Uint8Array(VIRTIO_NET_HDR_SIZE);
    encodeVirtioNetHeader(
      {
        flags: VIRTIO_NET_HDR_F_NEEDS_CSUM,
        gsoType: VIRTIO_NET_HDR_GSO_TCPV4,
        hdrLen: 52,
        gsoSize: 1448,
        csumStart: 20,
        csumOffset: 16,
      },
      out,
    );
    // u8 flags, u8 gso_type, le16 hdr_len, le16 gso_size, le16 csum_start, le16 csum_offset
    expect([...out]).toEqual([1, 1, 52, 0, 0xa8, 0x05, 20, 0, 16, 0]);
  });

  it('round-trips, at an offset', () => {
    const header = { flags: 1, gsoType: 4, hdrLen: 0x1234, gsoSize: 0xfedc, csumStart: 40, csumOffset: 6 };
    const out = new Uint8Array(3 + VIRTIO_NET_HDR_SIZE);
    encodeVirtioNetHeader(header, out, 3);
    expect(decodeVirtioNetHeader(out, 3)).toEqual(header);
  });

  it('a plain header is ten zero bytes', () => {
    const out = new Uint8Array(VIRTIO_NET_HDR_SIZE).fill(0xff);
    encodeVirtioNetHeader(PLAIN_VIRTIO_NET_HEADER, out);
    expect([...out]).toEqual(new Array(10).fill(0));
  });

  it('decodes nothing from fewer than ten bytes', () => {
    expect(decodeVirtioNetHeader(new Uint8Array(9))).toBeUndefined();
    expect(decodeVirtioNetHeader(new Uint8Array(12), 3)).toBeUndefined();
  });
});
