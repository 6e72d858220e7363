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
];
const NO_CHANNEL = { record() { } };
/** Tracing off (the default binding): nothing is recorded or written. */
export class NoopTcpTracer {
    enabled = false;
    channel() {
        return NO_CHANNEL;
    }
    flush() { }
    close() { }
}
export const NO_TCP_TRACER = new NoopTcpTracer();
//# sourceMappingURL=tcp-tracer.js.map