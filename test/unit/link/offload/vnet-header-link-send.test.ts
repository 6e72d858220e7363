import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { parseMac } from '../../../../src/core/mac-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import { ERRNO, type Libc } from '../../../../src/layers/link/fd/libc.js';
import {
  tcpChecksumValid,
  writeSuperSegmentChecksum,
} from '../../../../src/layers/link/offload/tcp-super-segment.js';
import { decodeVirtioNetHeader, le16 } from '../../../../src/layers/link/offload/virtio-net-header.js';
import type { OffloadState } from '../../../../src/layers/link/offload/vnet-header-link.js';
import { writeTcpHeader } from '../../../../src/transport/tcp/wire/tcp-segment-writer.js';
import { fakeLibc, TestPacketLink, TestTunLink } from './vnet-header-links.js';

/** A frame: an Ethernet header (to 02:..:02 from 02:..:01, IPv4) in front of `datagram`. */
function frameOf(datagram: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + datagram.length);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0], 0);
  f.set(datagram, 14);
  return f;
}

const ON: OffloadState = { vnetHeader: true, offload: true, receiveOffload: true };

function superSegment(payloadLength: number): Uint8Array {
  const d = new Uint8Array(40 + payloadLength);
  writeIpv4Header(d, 0, 20, 0, d.length, 1, 0, 64, 6, parseIpv4('10.77.0.2'), parseIpv4('10.77.0.1'));
  finishIpv4Checksum(d, 0, 20);
  writeTcpHeader(d, 20, 7000, 40000, 1, 1, 0x18, 500, 0);
  for (let i = 40; i < d.length; i++) d[i] = i & 0xff;
  writeSuperSegmentChecksum(d);
  return d;
}

describe('VnetHeaderLink send side with offload (TunLink, TapLink, PacketLink)', () => {
  it('writes a super-segment behind a GSO header, in one write', () => {
    const { libc, writes } = fakeLibc();
    const link = TestTunLink.make(libc, ON);
    const d = superSegment(3 * 1448);
    link.segmentation!.sendSegmented(d, 1448);
    expect(writes).toHaveLength(1);
    expect(decodeVirtioNetHeader(writes[0]!.header!)).toEqual({
      flags: 1,
      gsoType: 1,
      hdrLen: 40,
      gsoSize: 1448,
      csumStart: 20,
      csumOffset: 16,
    });
    expect(writes[0]!.datagram).toEqual(d);
    expect(link.stats()).toMatchObject({ txPackets: 1, txGsoPackets: 1, txGsoSegments: 3, offload: 1 });
  });

  it('a plain datagram goes behind a header of zeros; one segment goes with NEEDS_CSUM and no GSO', () => {
    const { libc, writes } = fakeLibc();
    const link = TestTunLink.make(libc, ON);
    link.send(new Uint8Array(60).fill(0x45, 0, 1));
    expect([...writes[0]!.header!]).toEqual(new Array(10).fill(0));
    link.segmentation!.sendSegmented(superSegment(1000), 1448);
    const h = decodeVirtioNetHeader(writes[1]!.header!)!;
    expect(h).toMatchObject({ flags: 1, gsoType: 0, gsoSize: 0, csumStart: 20, csumOffset: 16 });
    expect(link.stats()).toMatchObject({ txPackets: 2, txGsoPackets: 0 });
  });

  it('cuts the super-segment itself when the kernel refuses it (EINVAL): finished segments', () => {
    const { libc, writes } = fakeLibc(ERRNO.EINVAL);
    const link = TestTunLink.make(libc, ON);
    link.segmentation!.sendSegmented(superSegment(2 * 1448 + 10), 1448);
    expect(writes).toHaveLength(3);
    for (const w of writes) {
      expect([...w.header!]).toEqual(new Array(10).fill(0));
      expect(tcpChecksumValid(w.datagram)).toBe(true);
      expect(le16(w.datagram, 2)).toBeGreaterThan(0);
    }
    expect(link.stats()).toMatchObject({ txGsoFallbacks: 1, txPackets: 3, txDropError: 1 });
  });

  it('writes a super-segment in parts, headers then payload, in one writev: the same bytes and header', () => {
    const { libc, writes } = fakeLibc();
    const link = TestTunLink.make(libc, ON);
    const d = superSegment(3 * 1448);
    link.segmentation!.sendSegmentedParts!(d.subarray(0, 40), d.subarray(40), 1448);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.parts).toBe(true);
    expect(decodeVirtioNetHeader(writes[0]!.header!)).toMatchObject({
      gsoType: 1,
      hdrLen: 40,
      gsoSize: 1448,
    });
    expect(writes[0]!.datagram).toEqual(d);
    expect(link.stats()).toMatchObject({
      txPackets: 1,
      txBytes: d.length,
      txGsoPackets: 1,
      txGsoSegments: 3,
    });
    // Headers that are not exactly the IP and TCP headers are refused, counted.
    link.segmentation!.sendSegmentedParts!(d.subarray(0, 44), d.subarray(44), 1448);
    expect(writes).toHaveLength(1);
    expect(link.stats().txGsoBadSegments).toBe(1);
  });

  it('cuts a super-segment in parts itself when the kernel refuses it (EINVAL)', () => {
    const { libc, writes } = fakeLibc(ERRNO.EINVAL);
    const link = TestTunLink.make(libc, ON);
    const d = superSegment(2 * 1448 + 10);
    link.segmentation!.sendSegmentedParts!(d.subarray(0, 40), d.subarray(40), 1448);
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => tcpChecksumValid(w.datagram) && w.parts === undefined)).toBe(true);
    expect(link.stats()).toMatchObject({ txGsoFallbacks: 1, txPackets: 3 });
  });

  it('without offload: no segmentation, plain writes', () => {
    const { libc, writes } = fakeLibc();
    const link = TestTunLink.make(libc, { vnetHeader: false, offload: false, receiveOffload: false });
    expect(link.segmentation).toBeUndefined();
    link.send(new Uint8Array(40));
    expect(writes[0]!.header).toBeUndefined();
    expect(link.stats().offload).toBe(0);
  });

  const MAC = parseMac('02:00:00:00:00:01');
  const linksOfFrames = [
    ['a TAP device', (libc: Libc) => TestTunLink.make(libc, ON, MAC)],
    ['an AF_PACKET socket with PACKET_VNET_HDR', (libc: Libc) => TestPacketLink.make(libc, ON, MAC)],
  ] as const;
  for (const [what, make] of linksOfFrames) {
    describe(`on ${what}: super-segments as frames`, () => {
      it('writes the frame behind a GSO header whose hdr_len and csum_start count the Ethernet header', () => {
        const { libc, writes } = fakeLibc();
        const link = make(libc);
        expect(link.medium).toBe('ethernet');
        expect(link.segmentation!.maxDatagramBytes).toBe(14 + 65535);
        const f = frameOf(superSegment(3 * 1448));
        link.segmentation!.sendSegmented(f, 1448);
        expect(writes).toHaveLength(1);
        expect(decodeVirtioNetHeader(writes[0]!.header!)).toEqual({
          flags: 1,
          gsoType: 1,
          hdrLen: 54,
          gsoSize: 1448,
          csumStart: 34,
          csumOffset: 16,
        });
        expect(writes[0]!.datagram).toEqual(f);
        // In parts: the frame's headers (Ethernet, IP, TCP) and the payload.
        link.segmentation!.sendSegmentedParts!(f.subarray(0, 54), f.subarray(54), 1448);
        expect(writes[1]!.parts).toBe(true);
        expect(writes[1]!.datagram).toEqual(f);
        expect(decodeVirtioNetHeader(writes[1]!.header!)).toMatchObject({ hdrLen: 54, csumStart: 34 });
        // A plain frame (an ARP reply) behind a header of zeros.
        link.send(new Uint8Array(42));
        expect(writes[2]!.header).toEqual(new Uint8Array(10));
        expect(link.stats()).toMatchObject({ txPackets: 3, txGsoPackets: 2, txGsoSegments: 6, offload: 1 });
      });

      it('cuts it itself when the kernel refuses it: each segment a frame with the same header, checksum valid', () => {
        const { libc, writes } = fakeLibc(ERRNO.EINVAL);
        const link = make(libc);
        const f = frameOf(superSegment(2 * 1448 + 10));
        link.segmentation!.sendSegmented(f, 1448);
        expect(writes).toHaveLength(3);
        for (const w of writes) {
          expect(w.datagram.subarray(0, 14)).toEqual(f.subarray(0, 14));
          expect(tcpChecksumValid(w.datagram.subarray(14))).toBe(true);
          expect(w.datagram.length).toBeLessThanOrEqual(14 + 1500);
        }
        expect(link.stats()).toMatchObject({ txGsoFallbacks: 1, txPackets: 3 });
      });
    });
  }

  it('refuses (counted) what is no TCP super-segment', () => {
    const { libc, writes } = fakeLibc();
    const link = TestTunLink.make(libc, ON);
    link.segmentation!.sendSegmented(new Uint8Array(30), 1448);
    expect(writes).toHaveLength(0);
    expect(link.stats().txGsoBadSegments).toBe(1);
  });
});
