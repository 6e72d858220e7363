import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readSeq,
  type Seq,
  seq,
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  seqMax,
  seqMin,
  seqToUnsigned,
} from '../../../src/transport/tcp/wire/seq.js';

const anySeq = fc.integer({ min: 0, max: 0xffffffff }).map(seq);
/** Distances the signed comparison can represent: (-2^31, 2^31). */
const distance = fc.integer({ min: -0x7fffffff, max: 0x7fffffff });

/** Held as a signed 32-bit integer: a small integer (Smi) in a V8 field, never a heap number. */
function isStored(x: Seq): boolean {
  return Number.isInteger(x) && x >= -0x80000000 && x <= 0x7fffffff;
}

describe('seq', () => {
  it('holds values as signed 32-bit and shows them unsigned', () => {
    expect(seq(-1)).toBe(-1);
    expect(seq(0xffffffff)).toBe(-1);
    expect(seqToUnsigned(seq(-1))).toBe(0xffffffff);
    expect(seq(0x100000000)).toBe(0);
    expect(seq(0x1_0000_0005)).toBe(5);
    expect(seq(0x80000000)).toBe(-0x80000000);
    expect(seqToUnsigned(seq(0x80000000))).toBe(0x80000000);
    expect(seq(0x7fffffff)).toBe(0x7fffffff);
  });

  it('wraps on addition at 2^32', () => {
    expect(seqAdd(seq(0xffffffff), 1)).toBe(0);
    expect(seqAdd(seq(0xfffffff0), 0x20)).toBe(0x10);
    expect(seqToUnsigned(seqAdd(seq(5), -10))).toBe(0xfffffffb);
    expect(seqAdd(seq(0x7fffffff), 1)).toBe(seq(0x80000000));
    expect(seqAdd(seq(0), 0)).toBe(0);
  });

  it('reads a big-endian field as the same number seq() makes of it', () => {
    const bytes = Uint8Array.of(9, 0xf5, 0xd5, 0xbc, 0xfa, 0x00, 0x00, 0x00, 0x05);
    expect(readSeq(bytes, 1)).toBe(seq(0xf5d5bcfa));
    expect(seqToUnsigned(readSeq(bytes, 1))).toBe(0xf5d5bcfa);
    expect(readSeq(bytes, 5)).toBe(5);
  });

  it('takes the signed difference across the wrap', () => {
    expect(seqDiff(seq(0x10), seq(0xfffffff0))).toBe(0x20);
    expect(seqDiff(seq(0xfffffff0), seq(0x10))).toBe(-0x20);
    expect(seqDiff(seq(7), seq(7))).toBe(0);
  });

  it('compares across the wrap', () => {
    const before = seq(0xfffffff0);
    const after = seq(0x10);
    expect(seqLt(before, after)).toBe(true);
    expect(seqLe(before, after)).toBe(true);
    expect(seqGt(after, before)).toBe(true);
    expect(seqGe(after, before)).toBe(true);
    expect(seqLt(after, before)).toBe(false);
    expect(seqGt(before, after)).toBe(false);
    expect(seqLe(after, after)).toBe(true);
    expect(seqGe(after, after)).toBe(true);
    expect(seqLt(after, after)).toBe(false);
    expect(seqMax(before, after)).toBe(after);
    expect(seqMin(before, after)).toBe(before);
  });

  it('tests window membership across the wrap', () => {
    const start = seq(0xfffffffe);
    expect(seqInWindow(seq(0xfffffffe), start, 4)).toBe(true);
    expect(seqInWindow(seq(0xffffffff), start, 4)).toBe(true);
    expect(seqInWindow(seq(0), start, 4)).toBe(true);
    expect(seqInWindow(seq(1), start, 4)).toBe(true);
    expect(seqInWindow(seq(2), start, 4)).toBe(false);
    expect(seqInWindow(seq(0xfffffffd), start, 4)).toBe(false);
    expect(seqInWindow(start, start, 0)).toBe(false);
  });

  describe('properties', () => {
    it('add then diff gives back the distance', () => {
      fc.assert(
        fc.property(anySeq, distance, (a, d) => {
          const b = seqAdd(a, d);
          expect(isStored(b)).toBe(true);
          expect(seqDiff(b, a)).toBe(d);
          expect(seqDiff(a, b)).toBe(0 - d); // 0 - d, not -d: no negative zero
        }),
      );
    });

    it('orders by the sign of the distance', () => {
      fc.assert(
        fc.property(anySeq, distance, (a, d) => {
          const b = seqAdd(a, d);
          expect(seqLt(a, b)).toBe(d > 0);
          expect(seqLe(a, b)).toBe(d >= 0);
          expect(seqGt(a, b)).toBe(d < 0);
          expect(seqGe(a, b)).toBe(d <= 0);
          // Exactly one of <, =, > holds.
          expect(Number(seqLt(a, b)) + Number(a === b) + Number(seqGt(a, b))).toBe(1);
          expect(seqMax(a, b)).toBe(d >= 0 ? b : a);
          expect(seqMin(a, b)).toBe(d >= 0 ? a : b);
        }),
      );
    });

    it('addition is associative modulo 2^32', () => {
      fc.assert(
        fc.property(anySeq, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), distance, (a, m, n) => {
          expect(seqAdd(seqAdd(a, m), n)).toBe(seqAdd(a, m + n));
          expect(isStored(seqAdd(a, m))).toBe(true);
        }),
      );
    });

    it('a window holds exactly the offsets below its length', () => {
      fc.assert(
        fc.property(
          anySeq,
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0, max: 0xffffffff }),
          (start, offset, len) => {
            expect(seqInWindow(seqAdd(start, offset), start, len)).toBe(offset < len);
          },
        ),
      );
    });
  });
});
