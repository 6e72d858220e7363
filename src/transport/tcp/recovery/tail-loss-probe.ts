/**
 * The tail loss probe (RFC 8985 §7): when the last segments of a flight are lost, no later segment is
 * delivered to make RACK see it, and only the retransmission timer (at least 200 ms) would. Instead, two
 * RTTs after the last send with no ACK, the sender probes — new data if it may send some, else the last
 * segment again — so that the peer's ACK (with SACK) lets RACK repair the tail in one RTT.
 *
 * This class keeps the timing and one probe episode: whether the probe was a retransmission and whether a
 * D-SACK showed it unneeded; an episode whose retransmitted probe was needed repaired a loss and must cost
 * a window reduction (§7.4.2).
 */

import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import { type Seq, seq, seqGe } from '../wire/seq.js';

/** RFC 8985 §7.2 WCDelAckT: a lone segment may be held by the peer's delayed-ACK timer this long. */
export const WORST_CASE_DELAYED_ACK_MS = 200;
/** Linux's TCP_TIMEOUT_MIN (2 ms): the probe never fires sooner than this after 2·SRTT. */
const PTO_SLACK_MS = 2;
/**
 * The least PTO once our FIN is in flight. A probe that repeats the FIN after its ACK was already on its way
 * (a loaded event loop holds an ACK for milliseconds) draws a second ACK, which arrives after LAST-ACK has
 * closed the connection and is answered with an RST. Before the FIN, a spurious probe costs one segment (and
 * its D-SACK undoes nothing, as no window was reduced); after it, waiting this long costs nothing but the
 * close. 10 ms is far below the 200 ms RTO it replaces.
 */
const MIN_PTO_AFTER_FIN_MS = 10;

/** What an ACK says about the probe episode. */
export const ProbeOutcome = {
  NONE: 0,
  /** The retransmitted probe repaired a lost segment: reduce the window. */
  LOSS_REPAIRED: 1,
  /** The probe was acknowledged and no loss is implied (new data, or a D-SACKed retransmission). */
  NO_LOSS: 2,
} as const;
export type ProbeOutcome = (typeof ProbeOutcome)[keyof typeof ProbeOutcome];

/** settleFields lists (constants: a class is settled once, on its first object). */
const TLP_LATE_FIELDS = ['endSeq', 'open', 'retransmission', 'dsacked'];

export class TailLossProbe {
  /** TLP.end_seq: SND.MAX after the probe; meaningful while an episode is open. */
  private endSeq: Seq = seq(0);
  private open = false;
  private retransmission = false;
  private dsacked = false;

  constructor() {
    // Written first when the first probe goes out, maybe long after the code reading them was optimised.
    settleFields(this, NO_FIELDS, TLP_LATE_FIELDS);
  }

  /** Whether a probe was sent and its ACK has not come yet (one probe at a time, §7.2). */
  get pending(): boolean {
    return this.open;
  }

  /**
   * RFC 8985 §7.2 PTO: 2·SRTT, plus the peer's worst-case delayed ACK when one segment is in flight (it has
   * no second segment to ACK at once), else Linux's slack (TCP_TIMEOUT_MIN); at least MIN_PTO_AFTER_FIN_MS
   * when `finInFlight`; never later than the retransmission timer. `srtt` 0 means no sample: then the RTO
   * decides. On a sub-millisecond path the PTO is about 2 ms, as Linux's: a tail loss, or an ACK lost after a
   * flight the peer acknowledges once (a super-segment), costs that, not ten times as much.
   */
  timeout(srtt: number, flight: number, mss: number, rto: number, finInFlight = false): number {
    if (srtt <= 0) return rto;
    let pto = 2 * srtt + (flight <= mss ? WORST_CASE_DELAYED_ACK_MS : PTO_SLACK_MS);
    if (finInFlight && pto < MIN_PTO_AFTER_FIN_MS) pto = MIN_PTO_AFTER_FIN_MS;
    if (pto > rto) pto = rto;
    return pto;
  }

  /** A probe went out; `sndMax` is SND.MAX after it. */
  sent(sndMax: Seq, retransmission: boolean): void {
    this.open = true;
    this.endSeq = sndMax;
    this.retransmission = retransmission;
    this.dsacked = false;
  }

  /** A D-SACK arrived while the episode is open: the probe's copy (or the original) was not needed. */
  onDsack(): void {
    if (this.open && this.retransmission) this.dsacked = true;
  }

  /**
   * A cumulative ACK (`advanced`: it moved SND.UNA). As Linux's tcp_process_tlp_ack: a D-SACK for the probe,
   * or a pure duplicate at its end, says both copies arrived (no loss); only an ACK beyond the probe's end
   * without one says the probe repaired a loss. An ACK just at its end leaves the episode open: the answer to
   * the duplicate may still come.
   */
  onAck(ack: Seq, advanced: boolean): ProbeOutcome {
    if (!this.open || !seqGe(ack, this.endSeq)) return ProbeOutcome.NONE;
    if (!this.retransmission || this.dsacked || (!advanced && ack === this.endSeq)) {
      this.open = false;
      return ProbeOutcome.NO_LOSS;
    }
    if (ack === this.endSeq) return ProbeOutcome.NONE;
    this.open = false;
    return ProbeOutcome.LOSS_REPAIRED;
  }

  /** A timeout or a recovery supersedes the episode. */
  cancel(): void {
    this.open = false;
  }
}
