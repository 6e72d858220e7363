/**
 * Thins one series of a trace for drawing, keeping its shape: first only the points where the value
 * changes (a trace series is a step function), then, if that is still more than the budget, M4
 * aggregation (the first, last, lowest and highest point of each time bucket), so every peak and every
 * collapse of cwnd survives however long the transfer was.
 */
export interface Series {
    readonly t: number[];
    readonly value: number[];
}
/**
 * `t` ascending (file order; a tie or a step back is kept as it is). `ignore(v)` drops points without
 * a value to draw (ssthresh before the first loss). At most about 4 · `buckets` points come out.
 */
export declare function downsampleSeries(t: readonly number[], value: readonly number[], buckets: number, ignore?: (v: number) => boolean): Series;
