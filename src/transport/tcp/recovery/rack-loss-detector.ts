/**
 * RACK (RFC 8985 §6): time-based loss detection. A segment is deemed lost when a segment sent after it
 * has been delivered (SACKed or acknowledged) and more than one RTT plus a reordering window has passed
 * since it was sent — not after a count of duplicate ACKs, so a lost retransmission is found too, and
 * a reordered segment is not retransmitted if it arrives within the window.
 *
 * Times are Clock milliseconds taken from the sender's own transmit times (sub-millisecond on a real
 * clock), not from the timestamp option, whose millisecond ticks cannot measure a loopback RTT.
 *
 * The reordering window (§6.2 step 4): zero until reordering has been seen while in recovery or once
 * DupThresh segments are SACKed (so a loss is repaired at once); otherwise min_RTT/4 times a multiplier
 * that each D-SACK raises (§6.2 step 4, at most once per round trip) and that returns to 1 after 16
 * recoveries without one, never above SRTT.
 */

import { settleFields } from '../../settled-fields.js';
import { type Seq, seqGt, seqLt } from '../wire/seq.js';
import { type DeliveryListener, SegmentFlag, type SentSegmentLog } from './sent-segment-log.js';

/** RFC 8985 §6.2: DupThresh for the SACKed-segments test. */
const DUP_THRESH = 3;
/** RFC 8985 §6.2 step 4: recoveries after which the multiplier goes back to 1. */
const REO_WND_PERSIST = 16;

/** settleFields lists (constants: a class is settled once, on its first object). */
const RACK_DOUBLE_FIELDS = ['rtt', 'now', 'ackRtt', 'tsecr'];
const RACK_LATE_FIELDS = [
  'endSeq',
  'fack',
  'dsackRoundEnd',
  'reorderingSeen',
  'dsackRoundSet',
  'xmitAt',
  'minRtt',
  'reoWndMult',
  'reoWndPersist',
];

export class RackLossDetector implements DeliveryListener {
  /** RACK.xmit_ts: the send time of the most recently sent segment known delivered, or −∞. */
  xmitAt = Number.NEGATIVE_INFINITY;
  /** RACK.end_seq of that segment. */
  endSeq: Seq;
  /** RACK.rtt: the RTT measured from that segment. */
  rtt = 0;
  /** RACK.fack: the highest sequence number delivered (SACKed or acknowledged). */
  fack: Seq;
  /** The lowest RTT measured (RACK's min_RTT; over the connection's life). */
  minRtt = Number.POSITIVE_INFINITY;
  /** RACK.reordering_seen: a segment was delivered below one delivered earlier and sent later. */
  reorderingSeen = false;
  private reoWndMult = 1;
  private reoWndPersist = REO_WND_PERSIST;
  /** SND.MAX when the multiplier was last raised: one raise per round trip. */
  private dsackRoundEnd: Seq;
  private dsackRoundSet = false;
  /** Set by the caller before each delivery pass: the Clock time of the ACK. */
  private now = 0;

  constructor(iss: Seq) {
    this.endSeq = iss;
    this.fack = iss;
    this.dsackRoundEnd = iss;
    settleFields(this, RACK_DOUBLE_FIELDS, RACK_LATE_FIELDS);
  }

  /**
   * The RTT sample of the last ACK for the RTO estimator, or −1: from the oldest segment it delivered that
   * was never retransmitted (Karn), cumulatively acknowledged ones first, as Linux's seq_rtt. Measured on
   * the Clock, so sub-millisecond paths get sub-millisecond samples (the timestamp option ticks in ms).
   */
  ackRtt = -1;

  /** The ACK's timestamp echo (0: none), for RFC 8985 §6.2 step 2. */
  private tsecr = 0;

  /** Before passing an ACK's deliveries to the log: when it arrived and its timestamp echo (0 when it has none). */
  beginAck(now: number, tsecr = 0): void {
    this.now = now;
    this.ackRtt = -1;
    this.tsecr = tsecr;
  }

  /** The cumulative part of the ACK is done; its SACK blocks follow, to which its echo says nothing. */
  beginSackBlocks(): void {
    this.tsecr = 0;
  }

  /** RFC 8985 §6.2 steps 1–3 for one delivered entry of `log`. */
  delivered(i: number, log: SentSegmentLog): void {
    const sentAt = log.timeSent(i);
    const end = log.end(i);
    const rtt = this.now - sentAt;
    // Step 2: an ACK of a retransmitted segment may be for an earlier copy — a late original after a
    // reordering, which would otherwise make RACK.xmit_ts the retransmission's time and everything sent
    // before it look lost. An RTT below min_RTT says so (as Linux's tcp_rack_advance); so does, for a
    // cumulative ACK, an echo older than the retransmission's TSval. Not for a SACK: its echo is the last
    // in-order segment's (RFC 7323 §4.3), never the SACKed one's, and trusting it would keep every SACKed
    // retransmission from advancing RACK — a retransmission lost again would then be found by the
    // retransmission timer alone, whatever was delivered after it.
    if ((log.flags(i) & SegmentFlag.EVER_RETRANSMITTED) !== 0) {
      if (rtt < this.minRtt) return;
      const tsecr = this.tsecr;
      if (tsecr !== 0 && ((tsecr - log.lastTsval(i)) | 0) < 0) return;
    }
    if ((log.flags(i) & SegmentFlag.EVER_RETRANSMITTED) === 0) {
      if (rtt < this.minRtt) this.minRtt = rtt;
      if (this.ackRtt < 0) this.ackRtt = rtt;
    }
    // Step 3: delivered below what was delivered before, and never retransmitted: reordering.
    if (seqLt(end, this.fack) && (log.flags(i) & SegmentFlag.EVER_RETRANSMITTED) === 0) {
      this.reorderingSeen = true;
    } else if (seqGt(end, this.fack)) {
      this.fack = end;
    }
    if (sentAt > this.xmitAt || (sentAt === this.xmitAt && seqGt(end, this.endSeq))) {
      this.xmitAt = sentAt;
      this.endSeq = end;
      this.rtt = rtt;
    }
  }

  /** A D-SACK arrived (§6.2 step 4): widen the window, once per round trip; `sndMax` ends the round. */
  onDsack(sndUna: Seq, sndMax: Seq): void {
    if (this.dsackRoundSet && seqLt(sndUna, this.dsackRoundEnd)) return;
    this.reoWndMult++;
    this.reoWndPersist = REO_WND_PERSIST;
    this.dsackRoundEnd = sndMax;
    this.dsackRoundSet = true;
  }

  /** A loss recovery ended: after 16 without a D-SACK the multiplier returns to 1. */
  onRecoveryEnd(): void {
    if (--this.reoWndPersist <= 0) {
      this.reoWndMult = 1;
      this.reoWndPersist = REO_WND_PERSIST;
    }
  }

  /** RACK.reo_wnd now (§6.2 step 4). */
  reorderWindow(inRecovery: boolean, sackedSegments: number, srtt: number): number {
    if (!this.reorderingSeen && (inRecovery || sackedSegments >= DUP_THRESH)) return 0;
    if (this.minRtt === Number.POSITIVE_INFINITY) return 0;
    return Math.min((this.minRtt / 4) * this.reoWndMult, srtt);
  }

  /**
   * RFC 8985 §6.2 step 5: marks lost every entry sent before RACK.xmit_ts whose time is up. Returns the
   * milliseconds until the next one would be (for the reordering timer), or 0 when none waits.
   */
  detectLosses(log: SentSegmentLog, now: number, reoWnd: number): number {
    if (this.xmitAt === Number.NEGATIVE_INFINITY) return 0;
    let timeout = 0;
    const n = log.count;
    for (let i = 0; i < n; i++) {
      const f = log.flags(i);
      if ((f & SegmentFlag.SACKED) !== 0) continue;
      // Lost and not yet sent again: already marked.
      if ((f & (SegmentFlag.LOST | SegmentFlag.RETRANSMITTED)) === SegmentFlag.LOST) continue;
      const sentAt = log.timeSent(i);
      const before = sentAt < this.xmitAt || (sentAt === this.xmitAt && seqLt(log.end(i), this.endSeq));
      if (!before) {
        // Entries never retransmitted were sent in sequence order, and a later one was sent later still:
        // none past this one can be older than RACK.xmit_ts. Retransmitted ones may be; keep looking.
        if ((f & SegmentFlag.EVER_RETRANSMITTED) === 0) break;
        continue;
      }
      const remaining = sentAt + this.rtt + reoWnd - now;
      if (remaining <= 0) log.markLost(i);
      else if (remaining > timeout) timeout = remaining;
    }
    return timeout;
  }
}
