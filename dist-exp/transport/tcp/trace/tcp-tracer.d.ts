/**
 * The seam through which a connection reports its congestion state for `--trace FILE`: cwnd, ssthresh,
 * bytes in flight, srtt and rto, and the loss-recovery events that move them. A stack gets the no-op
 * tracer unless a trace file is configured; a connection then holds no channel at all, and each hook
 * costs one field check (no closure, no allocation). With a tracer, each connection gets one channel,
 * which writes a record only when a value changed or an event happened.
 */
/**
 * Events a trace record may name. Fixed here so that later loss-recovery work adds emitters, not names;
 * `pilha plot` marks every one of them.
 */
export declare const TCP_TRACE_EVENTS: readonly ["fast_retransmit", "timeout", "recovery_exit", "sack_recovery_enter", "sack_recovery_exit", "tlp", "silence_probe", "tlp_loss", "undo", "idle_restart"];
export type TcpTraceEvent = (typeof TCP_TRACE_EVENTS)[number];
/** One connection's trace: told the values at each hook, it records what changed. */
export interface TcpTraceChannel {
    /**
     * The connection's values now (bytes; srtt and rto in ms, srtt undefined before the first sample).
     * Recorded when any differs from the last record, or always when `event` is given.
     */
    record(cwnd: number, ssthresh: number, inflight: number, srtt: number | undefined, rto: number, event?: TcpTraceEvent): void;
}
export interface TcpTracer {
    /** False for the no-op tracer: connections then open no channel, and their hooks do nothing. */
    readonly enabled: boolean;
    /** A channel for one connection, named `local>remote` (e.g. "10.77.0.2:7000>10.77.0.1:45678"). */
    channel(conn: string): TcpTraceChannel;
    /** Writes out what is buffered. */
    flush(): void;
    /** Flushes and releases the file; later records are dropped. */
    close(): void;
}
/** Tracing off (the default binding): nothing is recorded or written. */
export declare class NoopTcpTracer implements TcpTracer {
    readonly enabled = false;
    channel(): TcpTraceChannel;
    flush(): void;
    close(): void;
}
export declare const NO_TCP_TRACER: TcpTracer;
