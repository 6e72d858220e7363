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
/**
 * HalfSipHash-2-4 of `words[0 .. count)` under the key (k0, k1); writes the 64-bit output as two words
 * into `out[at]` and `out[at + 1]` (the first is the first four output bytes, little-endian). With `wide`
 * false the 32-bit variant is computed and only `out[at]` is written. `out` may be `words` itself.
 */
export declare function halfSipHash24(k0: number, k1: number, words: ArrayLike<number>, count: number, out: Uint32Array, at?: number, wide?: boolean): void;
