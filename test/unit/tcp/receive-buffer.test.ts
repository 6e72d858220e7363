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
  it('property: in-order chunks read in any rhythm (backlogs past the kept slots and the compaction included) come back in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 1500 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (steps) => {
          const b = new ReceiveBuffer(1_000_000, 8);
          let sent = 0;
          const got: number[] = [];
          for (const [inserts, reads] of steps) {
            for (let i = 0; i < inserts; i++) b.insert(sent, range(1, sent++));
            for (let i = 0; i < reads; i++) {
              const c = b.read();
              if (c === undefined) break;
              got.push(...c);
            }
          }
          got.push(...readAll(b));
          expect(got).toEqual(Array.from(range(sent)));
          expect(b.queued).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  describe('lending (a reader reading in place)', () => {
    it('queues in-order data that finds nothing waiting as the caller view itself, not a copy', () => {
      const rb = new ReceiveBuffer(1024, 8);
      rb.lending = true;
      const segment = Uint8Array.from([9, 1, 2, 3]);
      expect(rb.insert(0, segment.subarray(1))).toBe(ReceiveResult.IN_ORDER);
      const chunk = rb.read()!;
      expect(rb.isLent(chunk)).toBe(true);
      expect(chunk.buffer).toBe(segment.buffer);
      expect(Array.from(chunk)).toEqual([1, 2, 3]);
      rb.settleLent();
      expect(rb.isLent(chunk)).toBe(false);
    });

    it('settleLent copies a lent view left unread, so the caller may reuse its memory', () => {
      const rb = new ReceiveBuffer(1024, 8);
      rb.lending = true;
      const segment = Uint8Array.from([1, 2, 3]);
      rb.insert(0, segment);
      rb.insert(3, Uint8Array.from([4, 5]));
      rb.settleLent();
      segment.fill(0); // the ring slot reused
      const first = rb.read()!;
      expect(first.buffer).not.toBe(segment.buffer);
      expect(rb.isLent(first)).toBe(false);
      expect([...first, ...rb.read()!]).toEqual([1, 2, 3, 4, 5]);
    });

    it('copies when data already waits, when the bytes start before the next offset, and when not lending', () => {
      const rb = new ReceiveBuffer(1024, 8);
      rb.lending = true;
      rb.insert(0, Uint8Array.from([1, 2]));
      rb.settleLent();
      const second = Uint8Array.from([3, 4]);
      rb.insert(2, second); // the first chunk is still unread: this one may be read after the segment is done
      expect(rb.read()!.buffer).not.toBe(second.buffer);
      expect(rb.read()!.buffer).not.toBe(second.buffer);
      const overlapping = Uint8Array.from([3, 4, 5, 6]);
      rb.insert(2, overlapping);
      const tail = rb.read()!;
      expect(Array.from(tail)).toEqual([5, 6]);
      expect(tail.buffer).toBe(overlapping.buffer); // lent: its new bytes as a view
      rb.settleLent();
      rb.lending = false;
      const plain = Uint8Array.from([7]);
      rb.insert(6, plain);
      expect(rb.read()!.buffer).not.toBe(plain.buffer);
    });

    it('out-of-order data is always copied, lending or not', () => {
      const rb = new ReceiveBuffer(1024, 8);
      rb.lending = true;
      const later = Uint8Array.from([3, 4]);
      expect(rb.insert(2, later)).toBe(ReceiveResult.OUT_OF_ORDER);
      later.fill(0);
      rb.insert(0, Uint8Array.from([1, 2]));
      rb.settleLent();
      expect([...rb.read()!, ...rb.read()!]).toEqual([1, 2, 3, 4]);
    });
  });
});
