import { describe, expect, it } from 'vitest';
import { DETERMINISTIC_BYTES_MAX, deterministicBytes } from '../../../src/app/deterministic-bytes.js';
import { DeterministicBytesCache } from '../../../src/app/deterministic-bytes-cache.js';

const BLOCK = 64 * 1024;

describe('DeterministicBytesCache', () => {
  it('serves exactly the stream, at aligned and unaligned slices', () => {
    const cache = new DeterministicBytesCache(4 * BLOCK);
    for (const [offset, length] of [
      [0, 1],
      [0, BLOCK],
      [0, 3 * BLOCK + 17],
      [5, BLOCK],
      [BLOCK - 3, 6],
      [2 * BLOCK + 1, 5 * BLOCK + 3], // runs past the cached blocks
      [DETERMINISTIC_BYTES_MAX - 9, 9],
    ] as const) {
      const chunks = [...cache.chunks(offset, length)];
      expect(Buffer.concat(chunks).equals(deterministicBytes(offset, length)), `${offset}+${length}`).toBe(
        true,
      );
      expect(chunks.every((c) => c.length > 0 && c.length <= BLOCK)).toBe(true);
      expect(cache.bytes(offset, length).equals(deterministicBytes(offset, length))).toBe(true);
    }
  });

  it('generates a block once and then hands out views of it, up to its limit', () => {
    const cache = new DeterministicBytesCache(2 * BLOCK);
    const [a] = [...cache.chunks(0, BLOCK)];
    const [b] = [...cache.chunks(0, BLOCK)];
    expect(b).toBe(a);
    const [c] = [...cache.chunks(100, 10)];
    expect(c!.buffer).toBe(a!.buffer);
    expect([...cache.chunks(0, 4 * BLOCK)]).toHaveLength(4);
    expect(cache.heldBytes).toBe(2 * BLOCK);
    const [, , third] = [...cache.chunks(0, 3 * BLOCK)];
    const [, , again] = [...cache.chunks(0, 3 * BLOCK)];
    expect(again).not.toBe(third);
    expect(again!.equals(third!)).toBe(true);
  });

  it('with a limit of 0 holds nothing', () => {
    const cache = new DeterministicBytesCache(0);
    expect(Buffer.concat([...cache.chunks(0, 3 * BLOCK)]).equals(deterministicBytes(0, 3 * BLOCK))).toBe(
      true,
    );
    expect(cache.heldBytes).toBe(0);
  });

  it('rejects slices outside the stream', () => {
    const cache = new DeterministicBytesCache();
    expect(() => [...cache.chunks(-1, 1)]).toThrow(RangeError);
    expect(() => cache.bytes(-1, 1)).toThrow(RangeError);
    expect(() => cache.bytes(0.5, 1)).toThrow(RangeError);
    expect(() => [...cache.chunks(DETERMINISTIC_BYTES_MAX, 1)]).toThrow(RangeError);
    expect([...cache.chunks(7, 0)]).toEqual([]);
    expect(() => new DeterministicBytesCache(-1)).toThrow(RangeError);
  });
});
