import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../../src/core/checksum.js';
import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import {
  ipv4HeaderChecksumValid,
  splitSuperSegment,
  superSegmentCount,
  superSegmentRange,
  tcpChecksumValid,
  tcpPseudoHeaderSum,
  writeSuperSegmentChecksum,
} from '../../../../src/layers/link/offload/tcp-super-segment.js';
import {
  writeTcpHeader,
  writeTimestampOption,
} from '../../../../src/transport/tcp/wire/tcp-segment-writer.js';

const SRC = parseIpv4('10.0.0.2');
const DST = parseIpv4('10.0.0.1');
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const CWR = 0x80;

/** A super-segment of `payload` at seq 0xfffff000 (it wraps), with timestamps, checksum per the field rule. */
function superSegment(payload: Uint8Array, flags: number): Uint8Array {
  const headers = 20 + 20 + 12;
  const d = new Uint8Array(headers + payload.length);
  writeIpv4Header(d, 0, 20, 0, d.length, 0xfffe, 0x4000, 64, 6, SRC, DST);
  finishIpv4Checksum(d, 0, 20);
  writeTcpHeader(d, 20, 80, 40000, 0xfffff000, 12345, flags, 502, 12);
  writeTimestampOption(d, 40, 1000, 2000);
  d.set(payload, headers);
  writeSuperSegmentChecksum(d);
  return d;
}

function pattern(length: number): Uint8Array {
  const p = new Uint8Array(length);
  for (let i = 0; i < length; i++) p[i] = (i * 7 + (i >> 8)) & 0xff;
  return p;
}

describe('super-segment checksum field', () => {
  it('holds the folded, not inverted, pseudo-header sum over the whole TCP length', () => {
    const d = superSegment(pattern(3000), ACK);
    const field = (d[36]! << 8) | d[37]!;
    expect(field).toBe(tcpPseudoHeaderSum(d, d.length - 20));
    // Independently: src + dst words + protocol + length, folded.
    let sum = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 6 + (d.length - 20);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(field).toBe(sum);
  });
});

describe('splitSuperSegment (the kernel split)', () => {
  const mss = 1448;

  for (const [payloadLength, flags] of [
    [mss * 45, ACK | PSH],
    [mss * 44 + 17, ACK | PSH | FIN],
    [mss * 2, ACK],
    [mss, ACK | PSH],
    [65535 - 52, ACK],
  ] as const) {
    it(`${payloadLength} bytes, flags ${flags}: every segment's checksums verify, lengths and sequence fixed`, () => {
      const payload = pattern(payloadLength);
      const segments = splitSuperSegment(superSegment(payload, flags), mss)!;
      expect(segments).toHaveLength(Math.ceil(payloadLength / mss));
      const joined: number[] = [];
      segments.forEach((s, i) => {
        const last = i === segments.length - 1;
        expect(ipv4HeaderChecksumValid(s)).toBe(true);
        expect(tcpChecksumValid(s)).toBe(true);
        expect((s[2]! << 8) | s[3]!).toBe(s.length);
        expect(s.length - 52).toBe(last ? payloadLength - mss * i : mss);
        expect((s[4]! << 8) | s[5]!).toBe((0xfffe + i) & 0xffff);
        const seq = ((s[24]! << 24) | (s[25]! << 16) | (s[26]! << 8) | s[27]!) >>> 0;
        expect(seq).toBe((0xfffff000 + i * mss) >>> 0);
        expect(s[33]).toBe(last ? flags : flags & ~(PSH | FIN));
        joined.push(...s.subarray(52));
      });
      expect(Uint8Array.from(joined)).toEqual(payload);
    });
  }

  it('a wrong field (inverted, or a segment-length sum) gives every segment a bad checksum', () => {
    const good = superSegment(pattern(mss * 3), ACK);
    const inverted = good.slice();
    const field = (good[36]! << 8) | good[37]!;
    inverted[36] = (~field >>> 8) & 0xff;
    inverted[37] = ~field & 0xff;
    for (const s of splitSuperSegment(inverted, mss)!) expect(tcpChecksumValid(s)).toBe(false);
    const perSegment = good.slice();
    const wrong = tcpPseudoHeaderSum(good, 32 + mss);
    perSegment[36] = wrong >>> 8;
    perSegment[37] = wrong & 0xff;
    for (const s of splitSuperSegment(perSegment, mss)!) expect(tcpChecksumValid(s)).toBe(false);
    // A fully computed checksum (what a non-offloaded segment carries) is wrong too.
    const full = good.slice();
    full[36] = 0;
    full[37] = 0;
    const c = internetChecksum(full, 20, full.length, tcpPseudoHeaderSum(full, full.length - 20));
    full[36] = c >>> 8;
    full[37] = c & 0xff;
    expect(splitSuperSegment(full, mss)!.some((s) => tcpChecksumValid(s))).toBe(false);
  });

  it('refuses what is not a TCP super-segment with payload', () => {
    const d = superSegment(new Uint8Array(0), ACK);
    expect(splitSuperSegment(d, mss)).toBeUndefined();
    const udp = superSegment(pattern(10), ACK);
    udp[9] = 17;
    expect(splitSuperSegment(udp, mss)).toBeUndefined();
    expect(splitSuperSegment(superSegment(pattern(10), ACK).subarray(0, 30), mss)).toBeUndefined();
  });
});

describe('superSegmentRange (a sub-range that leaves as one smaller super-segment)', () => {
  const mss = 1448;

  for (const [payloadLength, flags] of [
    [mss * 7 + 100, ACK | PSH | FIN | CWR],
    [mss * 6, ACK | PSH],
  ] as const) {
    it(`${payloadLength} bytes, flags ${flags}: the kernel cuts from every sub-range the original's segments`, () => {
      const original = superSegment(pattern(payloadLength), flags);
      const segments = splitSuperSegment(original, mss)!;
      const n = segments.length;
      expect(superSegmentCount(original, mss)).toBe(n);
      for (let first = 0; first < n; first++) {
        for (let count = 1; first + count <= n; count++) {
          const range = superSegmentRange(original, mss, first, count);
          // Its own headers follow the field rule for its length...
          expect(ipv4HeaderChecksumValid(range)).toBe(true);
          expect((range[2]! << 8) | range[3]!).toBe(range.length);
          expect((range[36]! << 8) | range[37]!).toBe(tcpPseudoHeaderSum(range, range.length - 20));
          const lastIncluded = first + count === n;
          expect(range[33]! & (PSH | FIN)).toBe(lastIncluded ? flags & (PSH | FIN) : 0);
          expect(range[33]! & CWR).toBe(first === 0 ? flags & CWR : 0);
          // ...and what the kernel cuts from it is byte for byte the original's segments first..first+count-1.
          expect(superSegmentCount(range, mss)).toBe(count);
          const cut = splitSuperSegment(range, mss)!;
          expect(cut).toEqual(segments.slice(first, first + count));
          for (const s of cut) expect(tcpChecksumValid(s)).toBe(true);
        }
      }
    });
  }

  it('a sub-range of the whole is the original, byte for byte', () => {
    const original = superSegment(pattern(mss * 3 + 5), ACK | PSH);
    expect(superSegmentRange(original, mss, 0, 4)).toEqual(original);
  });
});
