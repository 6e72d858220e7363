/**
 * Proportional Rate Reduction (RFC 6937, with the slow-start reduction bound, PRR-SSRB, as Linux): how
 * much may be sent on each ACK during loss recovery, so that the window shrinks from the flight at the
 * start of recovery to ssthresh smoothly — sending in proportion to what is delivered — instead of
 * going silent for half a window and then bursting. Once the pipe is below ssthresh it grows back to
 * it no faster than slow start.
 *
 * Two things as Linux's tcp_cwnd_reduction rather than the RFC's byte arithmetic, because at the small
 * windows of a lossy path they decide whether anything is sent at all:
 * - what an ACK allows (sndcnt) is rounded up to whole segments, as Linux counts in packets: a byte
 *   allowance below one MSS would otherwise let nothing out, so no later segment is delivered to show RACK
 *   that a retransmission was lost, and only the retransmission timer repairs it;
 * - the result is a window (the pipe at the ACK plus sndcnt, Linux's cwnd = in_flight + sndcnt), not a
 *   budget: when RACK later deems a retransmission lost, the pipe shrinks and the freed room lets the
 *   segment go again without waiting for another ACK. An ACK that delivers nothing leaves the window.
 */
export declare class ProportionalRateReduction {
    /** RecoverFS: the flight when recovery began. */
    private recoverFs;
    /** Bytes delivered to the peer (acknowledged or SACKed) since recovery began. */
    private delivered;
    /** Bytes sent since recovery began. */
    private sent;
    /** The pipe PRR allows, bytes: the pipe at the last ACK plus what that ACK let out. */
    private window;
    /** Recovery begins with `flight` bytes outstanding. */
    begin(flight: number): void;
    /**
     * An ACK during recovery delivered `deliveredBytes` (cumulatively or by SACK); `pipe` is the flight
     * estimate after it. Sets the window `allowance` measures against.
     */
    onAck(deliveredBytes: number, pipe: number, ssthresh: number, mss: number): void;
    /** Bytes that may be sent now, with `pipe` bytes in flight (RFC 6675 SetPipe). */
    allowance(pipe: number): number;
    /** `bytes` went out during recovery. */
    onSend(bytes: number): void;
}
