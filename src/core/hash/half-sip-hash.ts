/**
 * HalfSipHash-2-4 (Aumasson and Bernstein's SipHash on 32-bit words, the `hsiphash` of the Linux kernel): a
 * keyed pseudo-random function with a 64-bit key, fast on short inputs. pilha uses it where a hash must be
 * unpredictable to a sender of packets and cheap enough to run on every one of them (SYN cookies: a few
 * hundred nanoseconds where an HMAC from node:crypto costs microseconds and allocates).
 *
 * The message is whole 32-bit words, each read as the little-endian word of its four bytes (so the
 * reference test vectors for byte strings whose length is a multiple of 4 apply). Pure: no state, no
 * allocation.
 */

function rotl(x: number, b: number): number {
  return (x << b) | (x >>> (32 - b));
}

/**
 * HalfSipHash-2-4 of `words[0 .. count)` under the key (k0, k1); writes the 64-bit output as two words
 * into `out[at]` and `out[at + 1]` (the first is the first four output bytes, little-endian). With `wide`
 * false the 32-bit variant is computed and only `out[at]` is written. `out` may be `words` itself.
 */
export function halfSipHash24(
  k0: number,
  k1: number,
  words: ArrayLike<number>,
  count: number,
  out: Uint32Array,
  at = 0,
  wide = true,
): void {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  if (wide) v1 ^= 0xee;
  // One message word (and the final length word) through two compression rounds.
  for (let i = 0; i <= count; i++) {
    const m = i < count ? words[i]! | 0 : (count * 4) << 24;
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 = (v0 + v1) | 0;
      v1 = rotl(v1, 5) ^ v0;
      v0 = rotl(v0, 16);
      v2 = (v2 + v3) | 0;
      v3 = rotl(v3, 8) ^ v2;
      v0 = (v0 + v3) | 0;
      v3 = rotl(v3, 7) ^ v0;
      v2 = (v2 + v1) | 0;
      v1 = rotl(v1, 13) ^ v2;
      v2 = rotl(v2, 16);
    }
    v0 ^= m;
  }
  v2 ^= wide ? 0xee : 0xff;
  for (let half = 0; half < (wide ? 2 : 1); half++) {
    if (half === 1) v1 ^= 0xdd;
    // Four finalisation rounds per output word.
    for (let r = 0; r < 4; r++) {
      v0 = (v0 + v1) | 0;
      v1 = rotl(v1, 5) ^ v0;
      v0 = rotl(v0, 16);
      v2 = (v2 + v3) | 0;
      v3 = rotl(v3, 8) ^ v2;
      v0 = (v0 + v3) | 0;
      v3 = rotl(v3, 7) ^ v0;
      v2 = (v2 + v1) | 0;
      v1 = rotl(v1, 13) ^ v2;
      v2 = rotl(v2, 16);
    }
    out[at + half] = (v1 ^ v3) >>> 0;
  }
}
