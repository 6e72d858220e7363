import { describe, expect, it } from 'vitest';
import { sipHash24, sipHashKey } from '../../../src/core/hash/sip-hash.js';

/** The reference vectors' input: bytes 0, 1, …, n - 1, as little-endian words. */
function referenceWords(n: number): number[] {
  return Array.from({ length: n / 4 }, (_, i) => {
    const b = 4 * i;
    return (b | ((b + 1) << 8) | ((b + 2) << 16) | ((b + 3) << 24)) >>> 0;
  });
}

function hex(out: Uint32Array): string {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(out[0]!, 0);
  b.writeUInt32LE(out[1]!, 4);
  return b.toString('hex');
}

/** SipHash-2-4 with BigInt, straight from the paper, over bytes: the cross-check. */
function referenceSipHash(key: Uint8Array, message: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & mask;
  const le = (bytes: Uint8Array, at: number, n: number) => {
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[at + i]!);
    return x;
  };
  const k0 = le(key, 0, 8);
  const k1 = le(key, 8, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & mask;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & mask;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & mask;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & mask;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const full = message.length - (message.length % 8);
  const blocks: bigint[] = [];
  for (let at = 0; at < full; at += 8) blocks.push(le(message, at, 8));
  blocks.push(le(message, full, message.length - full) | (BigInt(message.length & 0xff) << 56n));
  for (const m of blocks) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

describe('SipHash-2-4', () => {
  const key = sipHashKey(Uint8Array.from({ length: 16 }, (_, i) => i));

  it('gives the reference vectors (key 00…0f, message 00…n-1)', () => {
    const out = new Uint32Array(2);
    const vectors: Array<[number, string]> = [
      [0, '310e0edd47db6f72'],
      [4, 'b7877127e09427cf'],
      [8, '6224939a79f5f593'],
      [12, 'fbe50e86bc8f1e75'],
    ];
    for (const [n, want] of vectors) {
      sipHash24(key, referenceWords(n), n / 4, out);
      expect(hex(out), `${n} bytes`).toBe(want);
    }
  });

  it('agrees with a BigInt transcription of the paper on random keys and messages of 0 to 9 words', () => {
    const out = new Uint32Array(2);
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let trial = 0; trial < 300; trial++) {
      const keyBytes = Uint8Array.from({ length: 16 }, () => next() >>> 24);
      const words = Array.from({ length: trial % 10 }, () => next());
      const message = new Uint8Array(words.length * 4);
      const view = new DataView(message.buffer);
      for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i]!, true);
      sipHash24(sipHashKey(keyBytes), words, words.length, out);
      const want = referenceSipHash(keyBytes, message);
      expect(BigInt(out[0]!) | (BigInt(out[1]!) << 32n)).toBe(want);
    }
  });

  it('refuses a key shorter than 16 bytes', () => {
    expect(() => sipHashKey(new Uint8Array(8))).toThrow(RangeError);
  });
});
