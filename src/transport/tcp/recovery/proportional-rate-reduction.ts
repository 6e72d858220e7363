/**
 * Proportional Rate Reduction (RFC 6937, with the slow-start reduction bound, PRR-SSRB, as Linux): how
 * much may be sent on each ACK during loss recovery, so that the window shrinks from the flight at the
 * start of recovery to ssthresh smoothly — sending in proportion to what is delivered — instead of
 * going silent for half a window and then bursting. Once the pipe is below ssthresh it grows back to
 * it no faster than slow start.
 */
export class ProportionalRateReduction {
  /** RecoverFS: the flight when recovery began. */
  private recoverFs = 1;
  /** Bytes delivered to the peer (acknowledged or SACKed) since recovery began. */
  private delivered = 0;
  /** Bytes sent since recovery began. */
  private sent = 0;
  /** What may be sent now (RFC 6937 sndcnt), bytes. */
  allowance = 0;

  /** Recovery begins with `flight` bytes outstanding. */
  begin(flight: number): void {
    this.recoverFs = Math.max(flight, 1);
    this.delivered = 0;
    this.sent = 0;
    this.allowance = 0;
  }

  /**
   * An ACK during recovery delivered `deliveredBytes` (cumulatively or by SACK); `pipe` is the flight
   * estimate after it. Sets `allowance`.
   */
  onAck(deliveredBytes: number, pipe: number, ssthresh: number, mss: number): void {
    this.delivered += deliveredBytes;
    let sndcnt: number;
    if (pipe > ssthresh) {
      // Proportional part: deliver ssthresh/RecoverFS of what the peer took.
      sndcnt = Math.ceil((this.delivered * ssthresh) / this.recoverFs) - this.sent;
    } else {
      // Slow-start reduction bound: at most what was delivered, plus one segment.
      const limit = Math.max(this.delivered - this.sent, deliveredBytes) + mss;
      sndcnt = Math.min(ssthresh - pipe, limit);
    }
    // RFC 6937 §3 (and Linux): the first ACK of recovery may always send one segment — the fast retransmit.
    if (sndcnt < mss && this.sent === 0) sndcnt = mss;
    this.allowance = Math.max(sndcnt, 0);
  }

  /** `bytes` went out during recovery. */
  onSend(bytes: number): void {
    this.sent += bytes;
    this.allowance -= bytes;
  }
}
