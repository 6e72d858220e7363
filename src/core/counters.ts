/**
 * Named counters for one layer: packets in and out, drops per reason. Plain object fields,
 * so an increment on the hot path is a property add and a snapshot is a spread.
 */
export class Counters<K extends string> {
  readonly values: Record<K, number>;

  constructor(names: readonly K[]) {
    const values = {} as Record<K, number>;
    for (const n of names) values[n] = 0;
    this.values = values;
  }

  inc(name: K, by = 1): void {
    this.values[name] += by;
  }

  get(name: K): number {
    return this.values[name];
  }

  snapshot(): Record<K, number> {
    return { ...this.values };
  }

  /** Only the non-zero counters, for compact summaries. */
  nonZero(): Partial<Record<K, number>> {
    const out: Partial<Record<K, number>> = {};
    for (const k of Object.keys(this.values) as K[]) if (this.values[k] !== 0) out[k] = this.values[k];
    return out;
  }
}
