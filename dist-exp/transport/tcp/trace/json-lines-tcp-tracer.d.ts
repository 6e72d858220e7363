/**
 * `--trace FILE`: each connection's congestion state as JSON lines, one record per change —
 *
 *   {"t":12.5,"conn":"10.77.0.2:7000>10.77.0.1:45678","cwnd":14480,"ssthresh":2147483647,
 *    "inflight":2896,"srtt":0.41,"rto":200,"event":"fast_retransmit"}
 *
 * `t` is Clock milliseconds since the tracer was made (virtual time in simulations); srtt is null before
 * the first RTT sample; `event` is present only on event records (TCP_TRACE_EVENTS). Lines accumulate in
 * a buffer that goes to the sink in one write when it fills, when a record comes a flush interval after
 * the last write, and on flush()/close(), so a busy connection costs a string per change, not a syscall.
 */
import type { Clock } from '../../../core/clock.js';
import type { TcpTraceChannel, TcpTracer } from './tcp-tracer.js';
/** Where the text goes: a file (fileTraceSink), or an array in tests. */
export interface TraceSink {
    write(text: string): void;
    close(): void;
}
export interface JsonLinesTcpTracerOptions {
    /** Characters buffered before a write (default 64 Ki). */
    readonly bufferChars?: number;
    /** A record at least this long (Clock ms) after the last write flushes too, so `tail -f` follows (default 1000). */
    readonly flushIntervalMs?: number;
}
/** Opens (truncates) `path` for a trace; a path that cannot be opened is the user's mistake (EBADOPTION). */
export declare function fileTraceSink(path: string): TraceSink;
export declare class JsonLinesTcpTracer implements TcpTracer {
    private readonly clock;
    private readonly sink;
    readonly enabled = true;
    private readonly start;
    private readonly bufferChars;
    private readonly flushIntervalMs;
    private pending;
    private lastFlushAt;
    private closed;
    constructor(clock: Clock, sink: TraceSink, options?: JsonLinesTcpTracerOptions);
    channel(conn: string): TcpTraceChannel;
    /** Appends one record (called by a channel), the time taken now. */
    append(fields: string): void;
    flush(): void;
    close(): void;
}
