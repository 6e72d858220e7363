/**
 * A small, fast, seedable PRNG for the simulator and fault injection: xoshiro128** (Blackman and Vigna),
 * its 128-bit state filled from a 32-bit seed by splitmix32. Same seed, same sequence, on every platform.
 * Not for cryptography. Each instance owns its state; there is no module-level generator.
 */
export declare class SeededRandom {
    private s0;
    private s1;
    private s2;
    private s3;
    /** `seed` is taken modulo 2^32 (`seed >>> 0`); every 32-bit value gives a distinct, well-mixed state. */
    constructor(seed: number);
    /** The next 32 random bits as an unsigned integer in [0, 2^32). */
    nextUint32(): number;
    /** A uniform number in [0, 1), with 32 bits of resolution. */
    next(): number;
    /** A uniform integer in [0, maxExclusive), without modulo bias; `maxExclusive` is an integer in [1, 2^32]. */
    int(maxExclusive: number): number;
    /** True with probability `p` (never for p <= 0, always for p >= 1); draws nothing when p <= 0. */
    chance(p: number): boolean;
}
