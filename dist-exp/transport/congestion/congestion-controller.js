/**
 * The seam between a connection and its congestion control algorithm (one controller per
 * connection, made by a factory bound in the container). A controller owns its state and is told
 * about events, with the values it needs; it never reaches back into the connection. Loss
 * detection and recovery bookkeeping (duplicate-ACK counting, what to retransmit, when recovery
 * ends) belong to the connection's LossRecovery (tcp/recovery/loss-recovery.ts), the one keeper of
 * recovery state; the controller only sizes the window. It is told when an episode begins
 * (onFastRetransmit) and ends (onRecoveryExit, onRetransmissionTimeout, restore). Between those calls a
 * controller keeps a flag of its own, because RFC 5681 §3.2 sizes the window differently inside an
 * episode: an ACK of new data does not grow cwnd (onAck), a duplicate ACK inflates it (onDuplicateAck),
 * a repeated onFastRetransmit does not cut twice, onPartialAck and onRecoveryExit outside one change
 * nothing. The flag never decides when recovery starts or ends (LossRecovery and SackRecovery do, and
 * call these methods accordingly); it keeps a controller's arithmetic whole on its own, as its unit tests
 * drive it. It is no part of this interface.
 *
 * All sizes are bytes; `now` is Clock milliseconds.
 */
/**
 * RFC 5681 §3.1 "arbitrarily high" initial ssthresh; the value Linux uses
 * (TCP_INFINITE_SSTHRESH), finite so that it prints and serialises.
 */
export const INITIAL_SSTHRESH = 0x7fffffff;
/**
 * The initial window, IW = min(4·SMSS, max(2·SMSS, 4380 bytes)) (RFC 3390 §1; the same as the
 * table in RFC 5681 §3.1: 2, 3 or 4 segments by SMSS).
 */
export function initialWindow(mss) {
    return Math.min(4 * mss, Math.max(2 * mss, 4380));
}
/** Checks a sender MSS given to a factory: a positive integer. */
export function checkMss(mss) {
    if (!Number.isInteger(mss) || mss <= 0)
        throw new RangeError(`MSS must be a positive integer, got ${mss}`);
    return mss;
}
/**
 * RFC 6582 §3.2 step 3, the window after a partial ACK in fast recovery: deflated by the new data
 * acknowledged, one SMSS added back when at least one SMSS was (for the retransmission that follows),
 * never below one SMSS. The same for every controller with RFC 5681/6582 fast recovery.
 */
export function windowAfterPartialAck(cwnd, ackedBytes, mss) {
    let deflated = cwnd - ackedBytes;
    if (ackedBytes >= mss)
        deflated += mss;
    return Math.max(deflated, mss);
}
//# sourceMappingURL=congestion-controller.js.map