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
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';
import {
  checksumVouched,
  unwrapVirtioNetPacket,
} from '../../../../src/layers/link/offload/virtio-net-receive.js';
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
  it('finishes a partial (NEEDS_CSUM) checksum in place, behind the header, leaving what is before it', () => {
    const { buf, at, n, length } = read(100, false);
    const p = at + VIRTIO_NET_HDR_SIZE;
    expect(tcpChecksumValid(buf.slice(p))).toBe(false);
    const header = buf.slice(0, p);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(length);
    expect(tcpChecksumValid(buf.subarray(p, p + length))).toBe(true);
    expect(buf.subarray(0, p)).toEqual(header);
  });

  it('leaves a partial checksum unfinished when asked not to finish it', () => {
    const { buf, at, n, length } = read(100, false);
    const before = buf.slice();
    expect(unwrapVirtioNetPacket(buf, at, n, false)).toBe(length);
    expect(buf).toEqual(before);
  });

  it('passes a 64 KB GSO packet up whole, its checksum finished', () => {
    const { buf, at, n, length } = read(65535 - 40, true);
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(65535);
    const d = buf.subarray(at + VIRTIO_NET_HDR_SIZE, at + VIRTIO_NET_HDR_SIZE + length);
    expect((d[2]! << 8) | d[3]!).toBe(65535);
    expect(tcpChecksumValid(d)).toBe(true);
  });

  it('drops a GSO packet of total length 0 (longer than 64 KB: the read cut it), finished or not', () => {
    for (const finish of [true, false]) {
      const { buf, at, n } = read(20_000, true, 0);
      expect(unwrapVirtioNetPacket(buf, at, n, finish)).toBe(-1);
    }
  });

  it('leaves a plain packet (header of zeros) as it is', () => {
    const { buf, at, n, length } = read(10, false);
    encodeVirtioNetHeader(PLAIN_VIRTIO_NET_HEADER, buf, at);
    const before = buf.slice();
    expect(unwrapVirtioNetPacket(buf, at, n)).toBe(length);
    expect(buf).toEqual(before);
  });

  it('refuses a partial checksum outside the packet, and a read of the header alone, finishing or not', () => {
    for (const finish of [true, false]) {
      const { buf, at, n } = read(10, false);
      buf[at + 8] = 200; // csum_offset past the end
      expect(unwrapVirtioNetPacket(buf, at, n, finish)).toBe(-1);
      const zero = read(10, false);
      zero.buf[zero.at + 6] = 0; // csum_start 0
      zero.buf[zero.at + 7] = 0;
      expect(unwrapVirtioNetPacket(zero.buf, zero.at, zero.n, finish)).toBe(-1);
      expect(unwrapVirtioNetPacket(new Uint8Array(10), 0, 10, finish)).toBe(-1);
    }
  });
});

describe('checksumVouched', () => {
  it("takes the kernel's word for a partial TCP checksum over the whole segment, and for a verified one", () => {
    const partial = read(100, true);
    expect(checksumVouched(partial.buf, partial.at, partial.n)).toBe(true);
    const verified = read(100, false);
    verified.buf[verified.at] = VIRTIO_NET_HDR_F_DATA_VALID;
    expect(checksumVouched(verified.buf, verified.at, verified.n)).toBe(true);
  });

  it('does not for a plain header, a partial sum elsewhere, another protocol, a fragment or a short read', () => {
    const plain = read(100, false);
    encodeVirtioNetHeader(PLAIN_VIRTIO_NET_HEADER, plain.buf, plain.at);
    expect(checksumVouched(plain.buf, plain.at, plain.n)).toBe(false);
    const offset = read(100, false);
    offset.buf[offset.at + 8] = 6; // csum_offset 6: UDP's field, not TCP's
    expect(checksumVouched(offset.buf, offset.at, offset.n)).toBe(false);
    const start = read(100, false);
    start.buf[start.at + 6] = 24; // csum_start past the IP header
    expect(checksumVouched(start.buf, start.at, start.n)).toBe(false);
    const udp = read(100, false);
    udp.buf[udp.at + VIRTIO_NET_HDR_SIZE + 9] = 17;
    expect(checksumVouched(udp.buf, udp.at, udp.n)).toBe(false);
    const fragment = read(100, false);
    fragment.buf[fragment.at + VIRTIO_NET_HDR_SIZE + 6] = 0x20; // MF
    expect(checksumVouched(fragment.buf, fragment.at, fragment.n)).toBe(false);
    const later = read(100, false);
    later.buf[later.at + VIRTIO_NET_HDR_SIZE + 7] = 1; // fragment offset 8
    expect(checksumVouched(later.buf, later.at, later.n)).toBe(false);
    const short = read(100, false);
    expect(checksumVouched(short.buf, short.at, VIRTIO_NET_HDR_SIZE + 19)).toBe(false);
  });
});

/**
 * The same read from a TAP device: an Ethernet header (EtherType `etherType`) between the virtio_net_hdr and
 * the datagram, which csum_start and hdr_len count.
 */
function frameRead(payloadLength: number, gso: boolean, totalLengthField?: number, etherType = 0x0800) {
  const r = read(payloadLength, gso, totalLengthField);
  const p = r.at + VIRTIO_NET_HDR_SIZE;
  const buf = new Uint8Array(r.buf.length + 14);
  buf.set(r.buf.subarray(0, p), 0);
  buf.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, etherType >>> 8, etherType & 0xff], p);
  buf.set(r.buf.subarray(p), p + 14);
  buf[r.at + 2] = 54; // hdr_len
  buf[r.at + 6] = 34; // csum_start
  return { buf, at: r.at, n: r.n + 14, length: r.length + 14, ip: p + 14 };
}

describe('reads from a TAP device (frames)', () => {
  it('finishes a partial checksum behind the Ethernet header, and drops a GSO frame of total length 0', () => {
    for (const finish of [true, false]) {
      const whole = frameRead(20_000, true);
      expect(unwrapVirtioNetPacket(whole.buf, whole.at, whole.n, finish, 14)).toBe(whole.length);
      const d = whole.buf.subarray(whole.ip, whole.ip + whole.length - 14);
      expect(ipv4HeaderChecksumValid(d)).toBe(true);
      expect(tcpChecksumValid(d)).toBe(finish);
      expect(whole.buf[whole.ip - 2]).toBe(0x08);
      const cut = frameRead(20_000, true, 0);
      expect(unwrapVirtioNetPacket(cut.buf, cut.at, cut.n, finish, 14)).toBe(-1);
    }
  });

  it("takes the kernel's word for an IPv4 frame's TCP checksum, counting the Ethernet header", () => {
    const f = frameRead(100, true);
    expect(checksumVouched(f.buf, f.at, f.n, 14)).toBe(true);
    // Read as if there were no Ethernet header: the MACs are no IPv4 header.
    expect(checksumVouched(f.buf, f.at, f.n)).toBe(false);
    // Another EtherType, or csum_start without the Ethernet header: no.
    const arp = frameRead(100, true, undefined, 0x0806);
    expect(checksumVouched(arp.buf, arp.at, arp.n, 14)).toBe(false);
    const start = frameRead(100, true);
    start.buf[start.at + 6] = 20;
    expect(checksumVouched(start.buf, start.at, start.n, 14)).toBe(false);
  });
});
