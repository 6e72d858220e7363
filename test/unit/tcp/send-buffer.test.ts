import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';

function range(n: number, from = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
}

describe('SendBuffer', () => {
  it('keeps chunks by reference and copies segments across chunk boundaries', () => {
    const b = new SendBuffer(100);
    const first = range(10);
    b.push(first);
    b.push(range(10, 10));
    b.push(range(10, 20));
    expect(b.size).toBe(30);
    expect(b.free).toBe(70);
    const out = new Uint8Array(32);
    b.copyTo(5, 20, out, 2);
    expect(Array.from(out.subarray(2, 22))).toEqual(Array.from(range(20, 5)));
    // A view inside one chunk is zero-copy.
    const view = b.view(2, 5);
    expect(view.buffer).toBe(first.buffer);
    expect(Array.from(view)).toEqual([2, 3, 4, 5, 6]);
    // Across chunks it is a copy with the right bytes.
    expect(Array.from(b.view(8, 4))).toEqual([8, 9, 10, 11]);
  });

  it('acknowledge() drops bytes from the front, within and across chunks', () => {
    const b = new SendBuffer(100);
    for (let i = 0; i < 5; i++) b.push(range(10, i * 10));
    b.acknowledge(3);
    expect(Array.from(b.view(0, 4))).toEqual([3, 4, 5, 6]);
    b.acknowledge(20);
    expect(b.size).toBe(27);
    expect(Array.from(b.view(0, 3))).toEqual([23, 24, 25]);
    b.acknowledge(27);
    expect(b.size).toBe(0);
    expect(() => b.acknowledge(1)).toThrow(RangeError);
  });

  it('is bounded: full at capacity, yet one big chunk is taken whole', () => {
    const b = new SendBuffer(64);
    b.push(range(200));
    expect(b.full).toBe(true);
    expect(b.free).toBe(0);
    b.acknowledge(150);
    expect(b.full).toBe(false);
    expect(b.free).toBe(14);
  });

  it('property: any pushes, copies and acknowledgments match a flat reference', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 50 }) }),
            fc.record({ op: fc.constant('ack' as const), n: fc.integer({ min: 0, max: 60 }) }),
            fc.record({
              op: fc.constant('copy' as const),
              at: fc.nat(100),
              n: fc.integer({ min: 0, max: 70 }),
            }),
          ),
          { maxLength: 80, size: 'max' },
        ),
        (ops) => {
          const b = new SendBuffer(1000);
          let ref: number[] = [];
          let next = 0;
          for (const o of ops) {
            if (o.op === 'push') {
              const chunk = range(o.n, next);
              next += o.n;
              b.push(chunk);
              ref.push(...chunk);
            } else if (o.op === 'ack') {
              const n = Math.min(o.n, ref.length);
              b.acknowledge(n);
              ref = ref.slice(n);
            } else {
              const at = Math.min(o.at, ref.length);
              const n = Math.min(o.n, ref.length - at);
              const out = new Uint8Array(n);
              b.copyTo(at, n, out, 0);
              expect(Array.from(out)).toEqual(ref.slice(at, at + n));
            }
            expect(b.size).toBe(ref.length);
          }
        },
      ),
    );
  });
});
