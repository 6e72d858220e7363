/**
 * SipHash-2-4 (Aumasson and Bernstein): a keyed pseudo-random function with a 128-bit key and a 64-bit
 * output, the one Linux computes initial sequence numbers with (secure_tcp_seq). Its 64-bit words are held
 * as pairs of 32-bit halves, so it runs on plain numbers: no BigInt, no allocation, a few hundred
 * nanoseconds for a 4-tuple, where a SHA-256 from node:crypto cost pilha http about 4 µs per connection.
 *
 * The message is whole 32-bit words, each the little-endian word of its four bytes (the reference test
 * vectors for byte strings whose length is a multiple of 4 apply). Pure: no state.
 */

/** The key as four 32-bit words: k0 (low, high), k1 (low, high), each 64-bit half little-endian. */
export type SipHashKey = readonly [number, number, number, number];

/** The key from 16 bytes (the reference's byte order). */
export function sipHashKey(bytes: Uint8Array): SipHashKey {
  if (bytes.length < 16) throw new RangeError('a SipHash key is 16 bytes');
  const w = (i: number) =>
    (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
  return [w(0), w(4), w(8), w(12)];
}

/**
 * SipHash-2-4 of `words[0 .. count)` under `key`; writes the 64-bit output into `out[0]` (low 32 bits) and
 * `out[1]` (high 32 bits).
 */
export function sipHash24(key: SipHashKey, words: ArrayLike<number>, count: number, out: Uint32Array): void {
  // v0..v3 as (high, low) halves; the constants are "somepseudorandomlygeneratedbytes".
  let v0h = (key[1] ^ 0x736f6d65) >>> 0;
  let v0l = (key[0] ^ 0x70736575) >>> 0;
  let v1h = (key[3] ^ 0x646f7261) >>> 0;
  let v1l = (key[2] ^ 0x6e646f6d) >>> 0;
  let v2h = (key[1] ^ 0x6c796765) >>> 0;
  let v2l = (key[0] ^ 0x6e657261) >>> 0;
  let v3h = (key[3] ^ 0x74656462) >>> 0;
  let v3l = (key[2] ^ 0x79746573) >>> 0;
  // Message blocks of two words (8 bytes), then the last block: the word left over (if any) and the length
  // byte on top. Two compression rounds per block (v3 ^= m before them, v0 ^= m after), then four rounds
  // of finalization.
  const blocks = count >>> 1;
  const compression = 2 * (blocks + 1);
  let mh = 0;
  let ml = 0;
  for (let r = 0; r < compression + 4; r++) {
    if (r < compression && r % 2 === 0) {
      const block = r >>> 1;
      if (block < blocks) {
        ml = words[2 * block]! >>> 0;
        mh = words[2 * block + 1]! >>> 0;
      } else {
        ml = count % 2 === 1 ? words[count - 1]! >>> 0 : 0;
        mh = ((count * 4) << 24) >>> 0;
      }
      v3h = (v3h ^ mh) >>> 0;
      v3l = (v3l ^ ml) >>> 0;
    }
    if (r === compression) v2l = (v2l ^ 0xff) >>> 0;
    // SipRound.
    let lo = (v0l + v1l) >>> 0;
    v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    let th = ((v1h << 13) | (v1l >>> 19)) >>> 0;
    v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
    v1h = th;
    v1h = (v1h ^ v0h) >>> 0;
    v1l = (v1l ^ v0l) >>> 0;
    th = v0h;
    v0h = v0l;
    v0l = th;
    lo = (v2l + v3l) >>> 0;
    v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    th = ((v3h << 16) | (v3l >>> 16)) >>> 0;
    v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
    v3h = th;
    v3h = (v3h ^ v2h) >>> 0;
    v3l = (v3l ^ v2l) >>> 0;
    lo = (v0l + v3l) >>> 0;
    v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
    v0l = lo;
    th = ((v3h << 21) | (v3l >>> 11)) >>> 0;
    v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
    v3h = th;
    v3h = (v3h ^ v0h) >>> 0;
    v3l = (v3l ^ v0l) >>> 0;
    lo = (v2l + v1l) >>> 0;
    v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
    v2l = lo;
    th = ((v1h << 17) | (v1l >>> 15)) >>> 0;
    v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
    v1h = th;
    v1h = (v1h ^ v2h) >>> 0;
    v1l = (v1l ^ v2l) >>> 0;
    th = v2h;
    v2h = v2l;
    v2l = th;
    if (r < compression && r % 2 === 1) {
      v0h = (v0h ^ mh) >>> 0;
      v0l = (v0l ^ ml) >>> 0;
    }
  }
  out[0] = v0l ^ v1l ^ v2l ^ v3l;
  out[1] = v0h ^ v1h ^ v2h ^ v3h;
}
