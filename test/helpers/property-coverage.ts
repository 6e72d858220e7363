/**
 * Showing that a property test reaches the cases it names. fast-check's default size keeps arrays to about
 * ten elements whatever their maxLength, so a property over "any buffer up to 3000 bytes" may never see 64;
 * a coverage test samples the property's own arbitrary as fc.assert draws it (same bias, same number of
 * runs) from a fixed seed, and asserts the distribution.
 */
import fc from 'fast-check';

/** The values `arb` yields over a run of `numRuns`, deterministically (fixed seed). */
export function sampleRun<T>(arb: fc.Arbitrary<T>, numRuns: number, seed = 42): T[] {
  return fc.sample(arb, { numRuns, seed });
}

/** How many values fall in each bucket; buckets never met are absent. */
export function histogram<T>(values: readonly T[], bucket: (value: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const key = bucket(v);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
