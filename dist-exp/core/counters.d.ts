/**
 * Named counters for one layer: packets in and out, drops per reason. Plain object fields,
 * so an increment on the hot path is a property add and a snapshot is a spread.
 */
export declare class Counters<K extends string> {
    readonly values: Record<K, number>;
    constructor(names: readonly K[]);
    inc(name: K, by?: number): void;
    get(name: K): number;
    snapshot(): Record<K, number>;
    /** Only the non-zero counters, for compact summaries. */
    nonZero(): Partial<Record<K, number>>;
}
