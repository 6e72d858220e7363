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
export class ProportionalRateReduction {
    /** RecoverFS: the flight when recovery began. */
    recoverFs = 1;
    /** Bytes delivered to the peer (acknowledged or SACKed) since recovery began. */
    delivered = 0;
    /** Bytes sent since recovery began. */
    sent = 0;
    /** The pipe PRR allows, bytes: the pipe at the last ACK plus what that ACK let out. */
    window = 0;
    /** Recovery begins with `flight` bytes outstanding. */
    begin(flight) {
        this.recoverFs = Math.max(flight, 1);
        this.delivered = 0;
        this.sent = 0;
        this.window = 0;
    }
    /**
     * An ACK during recovery delivered `deliveredBytes` (cumulatively or by SACK); `pipe` is the flight
     * estimate after it. Sets the window `allowance` measures against.
     */
    onAck(deliveredBytes, pipe, ssthresh, mss) {
        // As Linux: an ACK that delivers nothing changes nothing (but the first, which starts recovery).
        if (deliveredBytes <= 0 && this.sent > 0)
            return;
        this.delivered += deliveredBytes;
        let sndcnt;
        if (pipe > ssthresh) {
            // Proportional part: deliver ssthresh/RecoverFS of what the peer took.
            sndcnt = Math.ceil((this.delivered * ssthresh) / this.recoverFs) - this.sent;
        }
        else {
            // Slow-start reduction bound: at most what was delivered, plus one segment.
            const limit = Math.max(this.delivered - this.sent, deliveredBytes) + mss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        // Whole segments, as Linux counts: a part of one would send nothing.
        if (sndcnt > 0)
            sndcnt = Math.ceil(sndcnt / mss) * mss;
        // RFC 6937 §3 (and Linux): the first ACK of recovery may always send one segment — the fast retransmit.
        if (sndcnt < mss && this.sent === 0)
            sndcnt = mss;
        this.window = pipe + Math.max(sndcnt, 0);
    }
    /** Bytes that may be sent now, with `pipe` bytes in flight (RFC 6675 SetPipe). */
    allowance(pipe) {
        return this.window - pipe;
    }
    /** `bytes` went out during recovery. */
    onSend(bytes) {
        this.sent += bytes;
    }
}
//# sourceMappingURL=proportional-rate-reduction.js.map