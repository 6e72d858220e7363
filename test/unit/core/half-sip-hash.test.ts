import { describe, expect, it } from 'vitest';
import { halfSipHash24 } from '../../../src/core/hash/half-sip-hash.js';

// The reference vectors (github.com/veorq/SipHash, vectors.h): key bytes 00..07, message bytes 00..n-1.
const K0 = 0x03020100;
const K1 = 0x07060504;
const MESSAGE = [0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c];

function le(bytes: number[], at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

describe('HalfSipHash-2-4', () => {
  it('gives the reference 32-bit tags for 0, 4 and 8 message bytes', () => {
    const out = new Uint32Array(1);
    const expected = [
      [0xa9, 0x35, 0x9f, 0x5b],
      [0x2a, 0x6e, 0x46, 0x89],
      [0xd0, 0xb8, 0x84, 0x8f],
    ];
    for (const [i, tag] of expected.entries()) {
      halfSipHash24(K0, K1, MESSAGE, i, out, 0, false);
      expect(out[0], `${i * 4} bytes`).toBe(le(tag, 0));
    }
  });

  it('gives the reference 64-bit tags for 0 and 8 message bytes', () => {
    const out = new Uint32Array(2);
    const expected: [number, number[]][] = [
      [0, [0x21, 0x8d, 0x1f, 0x59, 0xb9, 0xb8, 0x3c, 0xc8]],
      [2, [0xed, 0xfe, 0xe8, 0x20, 0xbc, 0xe4, 0x85, 0x8c]],
    ];
    for (const [words, tag] of expected) {
      halfSipHash24(K0, K1, MESSAGE, words, out);
      expect([out[0], out[1]], `${words * 4} bytes`).toEqual([le(tag, 0), le(tag, 4)]);
    }
  });

  it('may write its output over its own input', () => {
    const separate = new Uint32Array(2);
    halfSipHash24(1, 2, MESSAGE, 4, separate);
    const shared = new Uint32Array([...MESSAGE, 0, 0]);
    halfSipHash24(1, 2, shared, 4, shared, 4);
    expect([shared[4], shared[5]]).toEqual([separate[0], separate[1]]);
  });
});
