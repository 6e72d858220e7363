import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import {
  ipv4HeaderChecksumValid,
  tcpChecksumValid,
  tcpPseudoHeaderSum,
} from '../../../../src/layers/link/offload/tcp-super-segment.js';
import {
  encodeVirtioNetHeader,
  PLAIN_VIRTIO_NET_HEADER,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';
import { unwrapVirtioNetPacket } from '../../../../src/layers/link/offload/virtio-net-receive.js';
import { writeTcpHeader } from '../../../../src/transport/tcp/wire/tcp-segment-writer.js';

const SRC = parseIpv4('10.77.0.1');
const DST = parseIpv4('10.77.0.2');

/** A read as the kernel gives it: `at` bytes of something else, the header, then a TCP datagram whose checksum is partial. */
function read(payloadLength: number, gso: boolean, totalLengthField?: number, at = 6) {
  const length = 40 + payloadLength;
  const buf = new Uint8Array(at + VIRTIO_NET_HDR_SIZE + length).fill(0xee, 0, at);
  const p = at + VIRTIO_NET_HDR_SIZE;
  const d = buf.subarray(p);
  writeIpv4Header(d, 0, 20, 0, totalLengthField ?? length, 7, 0x4000, 64, 6, SRC, DST);
  finishIpv4Checksum(d, 0, 20);
  writeTcpHeader(d, 20, 40000, 7000, 1, 2, 0x10, 500, 0);
  for (let i = 0; i < payloadLength; i++) d[40 + i] = (i * 13) & 0xff;
  // What the kernel leaves in a CHECKSUM_PARTIAL segment: the folded pseudo-header sum.
  const sum = tcpPseudoHeaderSum(d, length - 20);
  d[36] = sum >>> 8;
  d[37] = sum & 0xff;
  encodeVirtioNetHeader(
    {
      flags: VIRTIO_NET_HDR_F_NEEDS_CSUM,
      gsoType: gso ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE,
      hdrLen: 40,
      gsoSize: gso ? 1448 : 0,
      csumStart: 20,
      csumOffset: 16,
    },
    buf,
    at,
  );
  return { buf, at, n: VIRTIO_NET_HDR_SIZE + length, length };
}

describe('unwrapVirtioNetPacket', () => {
  it('finishes a partial (NEEDS_CSUM) checksum and moves the packet over the header, leaving what is before it', () => {
    const { buf, at, n, length } = read(100, false);
    expect(tcpChecksumValid(buf.slice(at + VIRTIO_NET_HDR_SIZE))).toBe(false);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(length);
    const d = buf.subarray(at, at + length);
    expect(tcpChecksumValid(d)).toBe(true);
    expect([...buf.subarray(0, at)]).toEqual(new Array(at).fill(0xee));
  });

  it('passes a 64 KB GSO packet up whole, its checksum finished', () => {
    const { buf, at, n, length } = read(65535 - 40, true);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(65535);
    const d = buf.subarray(at, at + length);
    expect((d[2]! << 8) | d[3]!).toBe(65535);
    expect(tcpChecksumValid(d)).toBe(true);
  });

  it('sets a GSO packet total length of 0 from the read, with the header checksum fixed', () => {
    const { buf, at, n, length } = read(20_000, true, 0);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(length);
    const d = buf.subarray(at, at + length);
    expect((d[2]! << 8) | d[3]!).toBe(length);
    expect(ipv4HeaderChecksumValid(d)).toBe(true);
    expect(tcpChecksumValid(d)).toBe(true);
  });

  it('leaves a plain packet (header of zeros) as it is', () => {
    const { buf, at, n, length } = read(10, false);
    encodeVirtioNetHeader(PLAIN_VIRTIO_NET_HEADER, buf, at);
    const before = buf.slice(at + VIRTIO_NET_HDR_SIZE, at + n);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(length);
    expect(buf.subarray(at, at + length)).toEqual(before);
  });

  it('refuses a partial checksum outside the packet, and a read of the header alone', () => {
    const { buf, at, n } = read(10, false);
    buf[at + 8] = 200; // csum_offset past the end
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(-1);
    const zero = read(10, false);
    zero.buf[zero.at + 6] = 0; // csum_start 0
    zero.buf[zero.at + 7] = 0;
    expect(unwrapVirtioNetPacket(zero.buf, zero.at, zero.n)).toBe(-1);
    expect(unwrapVirtioNetPacket(new Uint8Array(10), 0, 10)).toBe(-1);
  });
});
