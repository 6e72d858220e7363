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
export const TCP_TRACE_EVENTS = [
  /** Third duplicate ACK: fast retransmit, and (NewReno) loss recovery begins (RFC 5681 §3.2, RFC 6582). */
  'fast_retransmit',
  /** The retransmission timer expired with data outstanding (RFC 6298 §5, RFC 5681 §3.1). */
  'timeout',
  /** Loss recovery ended: an ACK covered everything sent before it began (RFC 6582 §3.2 step 3). */
  'recovery_exit',
  /** SACK-based loss recovery began or ended (RFC 6675). */
  'sack_recovery_enter',
  'sack_recovery_exit',
  /** A tail loss probe was sent (RFC 8985 §7). */
  'tlp',
  /** No ACK for a PTO where no tail loss probe may run: the first unacknowledged segment went again. */
  'silence_probe',
  /** A retransmitted tail loss probe repaired a loss: one window reduction (RFC 8985 §7.4.2). */
  'tlp_loss',
  /** A retransmission proved spurious and the window was restored (RFC 3522, RFC 4015, D-SACK). */
  'undo',
  /** cwnd cut to the restart window after an idle period (RFC 5681 §4.1). */
  'idle_restart',
] as const;

export type TcpTraceEvent = (typeof TCP_TRACE_EVENTS)[number];

/** One connection's trace: told the values at each hook, it records what changed. */
export interface TcpTraceChannel {
  /**
   * The connection's values now (bytes; srtt and rto in ms, srtt undefined before the first sample).
   * Recorded when any differs from the last record, or always when `event` is given.
   */
  record(
    cwnd: number,
    ssthresh: number,
    inflight: number,
    srtt: number | undefined,
    rto: number,
    event?: TcpTraceEvent,
  ): void;
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

const NO_CHANNEL: TcpTraceChannel = { record() {} };

/** Tracing off (the default binding): nothing is recorded or written. */
export class NoopTcpTracer implements TcpTracer {
  readonly enabled = false;
  channel(): TcpTraceChannel {
    return NO_CHANNEL;
  }
  flush(): void {}
  close(): void {}
}

export const NO_TCP_TRACER: TcpTracer = new NoopTcpTracer();
