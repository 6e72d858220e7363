import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import {
  encodeTcpSegment,
  NO_TCP_OPTIONS,
  parseTcpSegment,
  TcpFlags,
} from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  finishTcpChecksum,
  synOptionsLength,
  tcpOptionsLengthFor,
  writeSynOptions,
  writeTcpHeader,
  writeTcpOptions,
  writeTimestampOption,
} from '../../../src/transport/tcp/wire/tcp-segment-writer.js';

const SRC = parseIpv4('10.1.0.1');
const DST = parseIpv4('10.1.0.2');

describe('the hot-path segment writer', () => {
  it('writes exactly what the codec emits, for data segments with and without timestamps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.option(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }))),
        fc.uint8Array({ maxLength: 100, size: 'max' }),
        (srcPort, dstPort, s, a, flags, window, ts, payload) => {
          const options = ts === null ? NO_TCP_OPTIONS : { timestamp: { value: ts[0], echo: ts[1] } };
          const expected = encodeTcpSegment(
            { srcPort, dstPort, seq: seq(s), ack: seq(a), flags, window, urgentPointer: 0, options, payload },
            SRC,
            DST,
          );
          const optionsLength = ts === null ? 0 : 12;
          const out = new Uint8Array(7 + 20 + optionsLength + payload.length).fill(0xee);
          writeTcpHeader(out, 7, srcPort, dstPort, s, a, flags, window, optionsLength);
          if (ts !== null) writeTimestampOption(out, 27, ts[0], ts[1]);
          out.set(payload, 27 + optionsLength);
          finishTcpChecksum(out, 7, 20 + optionsLength + payload.length, SRC, DST);
          expect(Array.from(out.subarray(7))).toEqual(Array.from(expected));
        },
      ),
    );
  });

  it('writes SYN options that parse back, and the same bytes as the codec', () => {
    for (const [ts, shift, sack] of [
      [true, 7, false],
      [true, -1, false],
      [false, 0, false],
      [false, -1, false],
      [true, 7, true],
      [false, 7, true],
      [false, -1, true],
    ] as const) {
      const length = synOptionsLength(ts, shift, sack);
      const out = new Uint8Array(20 + length);
      writeTcpHeader(out, 0, 1, 2, 3, 4, TcpFlags.SYN, 65_535, length);
      expect(writeSynOptions(out, 20, 1460, ts, 11, 22, shift, sack)).toBe(length);
      finishTcpChecksum(out, 0, out.length, SRC, DST);
      const seg = parseTcpSegment(out, SRC, DST);
      if (typeof seg === 'string') throw new Error(seg);
      const options = {
        mss: 1460,
        ...(sack ? { sackPermitted: true } : {}),
        ...(ts ? { timestamp: { value: 11, echo: 22 } } : {}),
        ...(shift >= 0 ? { windowScale: shift } : {}),
      };
      expect(seg.options).toEqual(options);
      const codec = encodeTcpSegment(
        {
          srcPort: 1,
          dstPort: 2,
          seq: seq(3),
          ack: seq(4),
          flags: TcpFlags.SYN,
          window: 65_535,
          urgentPointer: 0,
          options,
          payload: new Uint8Array(0),
        },
        SRC,
        DST,
      );
      expect(Array.from(out)).toEqual(Array.from(codec));
    }
  });

  it('writes SACK blocks (with and without timestamps) as the codec does, and they parse back', () => {
    for (const ts of [true, false]) {
      for (let blocks = 1; blocks <= (ts ? 3 : 4); blocks++) {
        const edges = new Uint32Array(8);
        for (let i = 0; i < 2 * blocks; i++) edges[i] = (0xfffff000 + i * 1000) >>> 0;
        const length = tcpOptionsLengthFor(-1, false, ts, -1, blocks);
        const out = new Uint8Array(20 + length);
        writeTcpHeader(out, 0, 1, 2, 3, 4, TcpFlags.ACK, 100, length);
        expect(writeTcpOptions(out, 20, -1, false, ts, 11, 22, -1, edges, blocks)).toBe(length);
        finishTcpChecksum(out, 0, out.length, SRC, DST);
        const seg = parseTcpSegment(out, SRC, DST);
        if (typeof seg === 'string') throw new Error(seg);
        const sack = [];
        for (let i = 0; i < blocks; i++)
          sack.push({ left: seq(edges[2 * i]!), right: seq(edges[2 * i + 1]!) });
        const options = { ...(ts ? { timestamp: { value: 11, echo: 22 } } : {}), sack };
        expect(seg.options).toEqual(options);
        const codec = encodeTcpSegment(
          {
            srcPort: 1,
            dstPort: 2,
            seq: seq(3),
            ack: seq(4),
            flags: TcpFlags.ACK,
            window: 100,
            urgentPointer: 0,
            options,
            payload: new Uint8Array(0),
          },
          SRC,
          DST,
        );
        expect(Array.from(out)).toEqual(Array.from(codec));
      }
    }
  });
});
