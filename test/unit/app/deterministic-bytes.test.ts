import { describe, expect, it } from 'vitest';
import {
  DETERMINISTIC_BYTES_MAX,
  deterministicBytes,
  deterministicChunks,
  deterministicWord,
} from '../../../src/app/deterministic-bytes.js';
import { referenceBytes, referenceWord } from './reference-bytes.js';

describe('deterministicBytes', () => {
  it('follows its written definition (pinned first bytes)', () => {
    expect(deterministicWord(0)).toBe(referenceWord(0));
    expect(Buffer.from(deterministicBytes(0, 16)).toString('hex')).toBe(
      Buffer.from(referenceBytes(0, 16)).toString('hex'),
    );
    // Pinned so that the stream never changes under a test suite that recomputes it the same wrong way.
    expect(deterministicBytes(0, 8).toString('hex')).toBe('52e5fc016c89f7a4');
  });

  it('matches the reference at aligned, unaligned and odd-length slices', () => {
    for (const [offset, length] of [
      [0, 4096],
      [1, 7],
      [2, 1],
      [3, 4093],
      [65_535, 5],
      [1_000_001, 999],
      [DETERMINISTIC_BYTES_MAX - 9, 9],
    ] as const) {
      expect(
        Buffer.compare(deterministicBytes(offset, length), Buffer.from(referenceBytes(offset, length))),
        `${offset}+${length}`,
      ).toBe(0);
    }
  });

  it('is seekable: slices concatenate to the whole', () => {
    const whole = deterministicBytes(0, 10_000);
    const parts = [deterministicBytes(0, 3), deterministicBytes(3, 4998), deterministicBytes(5001, 4999)];
    expect(Buffer.compare(Buffer.concat(parts), whole)).toBe(0);
  });

  it('chunks cover exactly the requested slice', () => {
    const chunks = [...deterministicChunks(0, 200_003, 65_536)];
    expect(chunks.map((c) => c.length)).toEqual([65_536, 65_536, 65_536, 3395]);
    expect(Buffer.compare(Buffer.concat(chunks), deterministicBytes(0, 200_003))).toBe(0);
    const fromMiddle = [...deterministicChunks(1001, 70_000)];
    expect(fromMiddle.map((c) => c.length)).toEqual([65_536, 4464]);
    expect(Buffer.compare(Buffer.concat(fromMiddle), deterministicBytes(1001, 70_000))).toBe(0);
    expect([...deterministicChunks(5, 0)]).toEqual([]);
    expect(() => [...deterministicChunks(0, 10, 0)]).toThrow(RangeError);
  });

  it('rejects offsets and lengths outside the stream', () => {
    expect(() => deterministicBytes(-1, 1)).toThrow(RangeError);
    expect(() => deterministicBytes(0.5, 1)).toThrow(RangeError);
    expect(() => deterministicBytes(DETERMINISTIC_BYTES_MAX, 1)).toThrow(RangeError);
    expect(deterministicBytes(DETERMINISTIC_BYTES_MAX, 0).length).toBe(0);
  });

  it('looks random: byte values are spread evenly', () => {
    const bytes = deterministicBytes(0, 256 * 1024);
    const counts = new Array<number>(256).fill(0);
    for (const b of bytes) counts[b]!++;
    // 1024 expected per value; a chi-square with 255 degrees of freedom stays far below 400.
    const chi = counts.reduce((sum, c) => sum + (c - 1024) ** 2 / 1024, 0);
    expect(chi).toBeLessThan(400);
  });
});
