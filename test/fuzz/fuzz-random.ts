/** Drawing helpers over pilha's SeededRandom, so every choice the fuzzer makes follows from its seed. */

import { SeededRandom } from '../../src/core/seeded-random.js';

export class FuzzRandom extends SeededRandom {
  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An index into `weights`, each chosen with probability proportional to its weight. */
  weighted(weights: readonly number[], total: number): number {
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.nextUint32() & 0xff;
    return out;
  }

  /** A length skewed towards small values and edges: 0, 1, a few bytes, or up to `max`. */
  length(max: number): number {
    switch (this.int(6)) {
      case 0:
        return 0;
      case 1:
        return Math.min(1, max);
      case 2:
        return this.range(0, Math.min(16, max));
      case 3:
        return max;
      default:
        return this.range(0, max);
    }
  }

  /** A 32-bit value near `base`, or anywhere. */
  near32(base: number, spread: number): number {
    return this.chance(0.15) ? this.nextUint32() : (base + this.range(-spread, spread)) >>> 0;
  }
}
