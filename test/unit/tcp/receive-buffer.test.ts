import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiveBuffer, ReceiveResult } from '../../../src/transport/tcp/receive/receive-buffer.js';

function range(n: number, from = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
}

function readAll(b: ReceiveBuffer): number[] {
  const out: number[] = [];
  for (let c = b.read(); c !== undefined; c = b.read()) out.push(...c);
  return out;
}

describe('ReceiveBuffer', () => {
  it('delivers in-order data, copying it out of the caller buffer', () => {
    const b = new ReceiveBuffer(1000, 8);
    const data = range(10);
    expect(b.insert(0, data)).toBe(ReceiveResult.IN_ORDER);
    data.fill(0);
    expect(b.nextOffset).toBe(10);
    expect(b.queued).toBe(10);
    expect(b.free).toBe(990);
    expect(readAll(b)).toEqual(Array.from(range(10)));
    expect(b.queued).toBe(0);
  });

  it('keeps out-of-order ranges, merges them, and delivers them when the hole fills', () => {
    const b = new ReceiveBuffer(1000, 8);
    expect(b.insert(20, range(10, 20))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(b.insert(40, range(10, 40))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(b.insert(30, range(10, 30))).toBe(ReceiveResult.OUT_OF_ORDER); // bridges the two
    expect(b.outOfOrder()).toEqual([[20, 50]]);
    expect(b.insert(15, range(10, 15))).toBe(ReceiveResult.OUT_OF_ORDER); // overlaps the front
    expect(b.outOfOrder()).toEqual([[15, 50]]);
    expect(b.outOfOrderBytes).toBe(35);
    expect(b.insert(0, range(18))).toBe(ReceiveResult.IN_ORDER); // overlaps the range
    expect(b.nextOffset).toBe(50);
    expect(b.outOfOrderRanges).toBe(0);
    expect(readAll(b)).toEqual(Array.from(range(50)));
  });

  it('discards duplicates: before the next offset, and already held', () => {
    const b = new ReceiveBuffer(1000, 8);
    b.insert(0, range(10));
    expect(b.insert(0, range(10))).toBe(ReceiveResult.DUPLICATE);
    expect(b.insert(5, range(10, 5))).toBe(ReceiveResult.IN_ORDER);
    expect(b.nextOffset).toBe(15);
    b.insert(30, range(5, 30));
    expect(b.insert(30, range(5, 30))).toBe(ReceiveResult.DUPLICATE);
    expect(b.insert(31, range(2, 31))).toBe(ReceiveResult.DUPLICATE);
    expect(readAll(b)).toEqual(Array.from(range(15)));
  });

  it('bounds ranges and bytes, but always takes the segment at the next offset', () => {
    const b = new ReceiveBuffer(1000, 2, 25);
    expect(b.insert(10, range(5, 10))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(b.insert(20, range(5, 20))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(b.insert(30, range(5, 30))).toBe(ReceiveResult.DROPPED); // a third range
    expect(b.insert(15, range(21, 15))).toBe(ReceiveResult.DROPPED); // 26 bytes held would exceed 25
    expect(b.insert(0, range(10))).toBe(ReceiveResult.IN_ORDER);
    expect(b.nextOffset).toBe(15);
    expect(b.insert(15, range(50, 15))).toBe(ReceiveResult.IN_ORDER);
    expect(readAll(b)).toEqual(Array.from(range(65)));
  });

  it('tracks the FIN: reached once the data before it is in', () => {
    const b = new ReceiveBuffer(1000, 8);
    b.markFin(20);
    b.insert(10, range(10, 10));
    expect(b.finReached).toBe(false);
    b.insert(0, range(10));
    expect(b.finReached).toBe(true);
  });

  it('property: any order and duplication of the segments of a stream gives back the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 60, size: 'max' }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (sizes, picks, base) => {
          const segments: Array<[number, number]> = [];
          let at = 0;
          for (const s of sizes) {
            segments.push([at, s]);
            at += s;
          }
          const total = at;
          // Send in a shuffled, duplicated order, then everything once more in order as the retransmissions.
          const order = picks.map((p) => segments[p % segments.length]!);
          const b = new ReceiveBuffer(10_000, 64);
          const got: number[] = [];
          for (const [off, len] of [...order, ...segments]) {
            b.insert(off, range(len, base + off));
            for (let c = b.read(); c !== undefined; c = b.read()) got.push(...c);
          }
          expect(got).toEqual(Array.from(range(total, base)));
          expect(b.outOfOrderRanges).toBe(0);
        },
      ),
    );
  });
});
