/**
 * A small, fast, seedable PRNG for the simulator and fault injection: xoshiro128** (Blackman and Vigna),
 * its 128-bit state filled from a 32-bit seed by splitmix32. Same seed, same sequence, on every platform.
 * Not for cryptography. Each instance owns its state; there is no module-level generator.
 */
export class SeededRandom {
    s0;
    s1;
    s2;
    s3;
    /** `seed` is taken modulo 2^32 (`seed >>> 0`); every 32-bit value gives a distinct, well-mixed state. */
    constructor(seed) {
        let x = seed >>> 0;
        const splitmix32 = () => {
            x = (x + 0x9e3779b9) >>> 0;
            let z = x;
            z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
            z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
            return (z ^ (z >>> 15)) >>> 0;
        };
        this.s0 = splitmix32();
        this.s1 = splitmix32();
        this.s2 = splitmix32();
        this.s3 = splitmix32();
        // xoshiro must not start from the all-zero state (splitmix32 practically never yields it).
        if ((this.s0 | this.s1 | this.s2 | this.s3) === 0)
            this.s0 = 1;
    }
    /** The next 32 random bits as an unsigned integer in [0, 2^32). */
    nextUint32() {
        const s0 = this.s0;
        const s1 = this.s1;
        const s2 = this.s2 ^ s0;
        const s3 = this.s3 ^ s1;
        const m = Math.imul(s1, 5);
        const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        this.s0 = s0 ^ s3;
        this.s1 = s1 ^ s2;
        this.s2 = s2 ^ (s1 << 9);
        this.s3 = (s3 << 11) | (s3 >>> 21);
        return result;
    }
    /** A uniform number in [0, 1), with 32 bits of resolution. */
    next() {
        return this.nextUint32() / 0x100000000;
    }
    /** A uniform integer in [0, maxExclusive), without modulo bias; `maxExclusive` is an integer in [1, 2^32]. */
    int(maxExclusive) {
        if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 0x100000000) {
            throw new RangeError(`SeededRandom.int: bound must be an integer in [1, 2^32], got ${maxExclusive}`);
        }
        // Reject the top partial block of 2^32 so that every residue is equally likely.
        const limit = 0x100000000 - (0x100000000 % maxExclusive);
        for (;;) {
            const r = this.nextUint32();
            if (r < limit)
                return r % maxExclusive;
        }
    }
    /** True with probability `p` (never for p <= 0, always for p >= 1); draws nothing when p <= 0. */
    chance(p) {
        return p > 0 && this.next() < p;
    }
}
//# sourceMappingURL=seeded-random.js.map