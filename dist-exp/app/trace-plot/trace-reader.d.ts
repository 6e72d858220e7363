/**
 * Reads a `--trace` file (JSON lines, json-lines-tcp-tracer.ts) into one column set per connection, in
 * file order. Lines that are not trace records (blank, truncated by a killed process, edited) are skipped
 * and counted, never thrown: a trace cut short still plots.
 */
/** One connection's records as columns (times in ms since the trace began; srtt NaN before a sample). */
export interface ConnectionTrace {
    readonly conn: string;
    readonly t: number[];
    readonly cwnd: number[];
    readonly ssthresh: number[];
    readonly inflight: number[];
    readonly srtt: number[];
    readonly rto: number[];
    /** The records that name an event, as indices into the columns. */
    readonly events: {
        readonly index: number;
        readonly event: string;
    }[];
}
export interface TraceFile {
    /** Connections in the order their first record appears. */
    readonly connections: ConnectionTrace[];
    readonly records: number;
    readonly skippedLines: number;
}
/** Reads `path` line by line (a trace of a long transfer need not fit in one string). */
export declare function readTraceFile(path: string): Promise<TraceFile>;
