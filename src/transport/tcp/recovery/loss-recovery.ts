/**
 * Loss recovery of one connection: the only keeper of recovery state (duplicate-ACK count, whether a
 * recovery episode is on, RFC 6582's `recover`). It decides fast retransmit (RFC 5681 §3.2, the third
 * duplicate ACK), what a new ACK means in recovery (RFC 6582 §3.2: partial ACK → retransmit the next
 * hole; full ACK → exit; plain Reno exits on any), and what a retransmission timeout resets. It tells the
 * congestion controller of each event, with the values it needs (the controller's own notion of "in
 * recovery" only mirrors these calls for its window arithmetic; it decides nothing).
 *
 * Two ways, by what the SYNs negotiated:
 * - without SACK, RFC 6582 NewReno (plain RFC 5681 Reno if the controller says so), here: onNewAck(ack,
 *   dataAcked, flightBefore, now, rtt) → AckVerdict; onDuplicateAck() → fast retransmit or not;
 *   onAckNotDuplicate(); onTimeout();
 * - with SACK, what Linux does by default — RACK-TLP, the per-segment scoreboard, PRR and undo — in a
 *   SackRecovery (sack-recovery.ts) made by enableSack() when the connection first sends data
 *   (so idle connections carry none). The ACK processor and the sender then talk to it directly; this
 *   class still takes the timeout (onTimeout) so that both ways start from one place.
 *
 * It sends nothing: its answers say what to retransmit, and TcpConnection has the sender do it, in the
 * order documented there.
 */

import type { CongestionController } from '../../congestion/congestion-controller.js';
import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import type { ConnectionCounterName } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { type Seq, seqDiff, seqGe } from '../wire/seq.js';
import { SackRecovery } from './sack-recovery.js';

/** What an ACK of new data asks of the connection after loss recovery has seen it. */
export const AckVerdict = {
  /** Nothing special: restart (or stop) the retransmission timer. */
  NONE: 0,
  /** Recovery ended with this ACK (for the trace); timer as NONE. */
  RECOVERY_EXIT: 1,
  /** The first partial ACK of this recovery (RFC 6582 §3.2 step 3): restart the timer, retransmit the first segment. */
  PARTIAL_ACK_FIRST: 2,
  /** A later partial ACK: retransmit the first segment, keep the timer running (step 5, "Impatient"). */
  PARTIAL_ACK: 3,
} as const;
export type AckVerdict = (typeof AckVerdict)[keyof typeof AckVerdict];

/** RFC 5681 §3.2: the duplicate ACK that starts fast retransmit. */
const DUP_THRESH = 3;
/** RFC 3042: the first duplicate ACKs that each let one new segment out beyond cwnd. */
const LIMITED_TRANSMIT_SEGMENTS = 2;
/** Without SACK, the fewest super-segments a window goes out in (superSegmentLimit). */
const WRITES_PER_WINDOW = 4;

/** settleFields lists (constants: a class is settled once, on its first object). */
const LOSS_RECOVERY_LATE_FIELDS = [
  'recover',
  'recovering',
  'recoverPending',
  'partialAckSeen',
  'flightAtFirstDuplicate',
];

export class LossRecovery {
  /** The controller, from the SYN exchange on (the MSS it needs is known then). */
  private cc: CongestionController | undefined;
  private dupAcks = 0;
  /** The flight when the first duplicate ACK came: RFC 5681 §3.2 step 2's FlightSize, limited transmit not in it. */
  private flightAtFirstDuplicate = 0;
  private recovering = false;
  /** RFC 6582 `recover`: SND.MAX when loss recovery (or the last timeout) began. */
  private recover: Seq;
  /** SND.UNA has not reached `recover` yet (it is only meaningful until then). */
  private recoverPending = false;
  /** A partial ACK has come in this recovery (RFC 6582 §3.2 step 5: only the first resets the timer). */
  private partialAckSeen = false;
  private sackRecovery: SackRecovery | undefined;

  constructor(
    private readonly tcb: TcpControlBlock,
    private readonly counts: Record<ConnectionCounterName, number>,
  ) {
    this.recover = tcb.iss;
    settleFields(this, NO_FIELDS, LOSS_RECOVERY_LATE_FIELDS);
  }

  /** The connection's controller, once the SYNs have set the MSS. */
  useCongestionController(cc: CongestionController): void {
    this.cc = cc;
  }

  /** A recovery episode (fast retransmit until its exit or a timeout) is on. */
  get inRecovery(): boolean {
    return this.recovering;
  }

  /** SACK-based recovery, from enableSack() on. */
  get sack(): SackRecovery | undefined {
    return this.sackRecovery;
  }

  /** A SACK connection is about to send its first data: from now on its losses are SACK's to handle. */
  enableSack(): SackRecovery {
    if (this.sackRecovery === undefined) this.sackRecovery = new SackRecovery(this.tcb.sndUna, this.counts);
    return this.sackRecovery;
  }

  /** TIME_WAIT: nothing is sent again, so the scoreboard (and its segment log) goes now, not in 2·MSL. */
  releaseSack(): void {
    this.sackRecovery = undefined;
  }

  /**
   * An ACK of new data (SND.UNA already moved to `ack`; `dataAcked` bytes freed, `flightBefore` the flight
   * before it, `rtt` its sample if any): tells the controller, and decides the recovery's course.
   */
  onNewAck(
    ack: Seq,
    dataAcked: number,
    flightBefore: number,
    now: number,
    rtt: number | undefined,
  ): AckVerdict {
    const cc = this.cc;
    let verdict: AckVerdict = AckVerdict.NONE;
    if (cc !== undefined) {
      const inFlight = seqDiff(this.tcb.sndNxt, ack);
      if (this.recovering) {
        cc.onAck(dataAcked, now, inFlight, rtt);
        const fullAck = seqGe(ack, this.recover);
        if (fullAck || cc.exitsRecoveryOnPartialAck) {
          cc.onRecoveryExit();
          this.recovering = false;
          // Plain Reno (RFC 5681) keeps no `recover`: three more duplicate ACKs may start recovery again.
          if (!fullAck) this.recoverPending = false;
          verdict = AckVerdict.RECOVERY_EXIT;
        } else {
          // RFC 6582 §3.2 step 3: a partial ACK — the next hole is lost too; the connection sends it, and
          // cwnd deflates by what was acknowledged (plus one SMSS back).
          cc.onPartialAck(dataAcked);
          verdict = this.partialAckSeen ? AckVerdict.PARTIAL_ACK : AckVerdict.PARTIAL_ACK_FIRST;
          this.partialAckSeen = true;
        }
      } else if (dataAcked > 0 && 2 * flightBefore >= cc.cwnd) {
        // Only a window that was in use may grow (RFC 7661 §4.2, as Linux's tcp_is_cwnd_limited): an
        // application- or receiver-limited sender would otherwise inflate cwnd without bound.
        cc.onAck(dataAcked, now, inFlight, rtt);
      }
    }
    // SND.UNA has caught up with `recover`: it no longer holds fast retransmit back (and is not compared
    // again, so it cannot flip sign once SND.UNA is 2^31 past it, after 2 GiB without loss).
    if (this.recoverPending && seqGe(ack, this.recover)) this.recoverPending = false;
    this.dupAcks = 0;
    return verdict;
  }

  /**
   * A duplicate ACK (RFC 5681 §2 definition). Returns true when it starts fast retransmit and recovery:
   * the connection then retransmits the first unacknowledged segment.
   */
  onDuplicateAck(): boolean {
    const tcb = this.tcb;
    if (++this.dupAcks === 1) this.flightAtFirstDuplicate = seqDiff(tcb.sndMax, tcb.sndUna);
    this.counts.dupAcks++;
    const cc = this.cc;
    if (cc === undefined) return false;
    cc.onDuplicateAck();
    if (this.recovering || this.dupAcks !== DUP_THRESH) return false;
    // RFC 6582 §3.2 step 2: not for duplicates of what a timeout already resent.
    if (this.recoverPending && !seqGe(tcb.sndUna, this.recover)) return false;
    this.counts.fastRetransmits++;
    // RFC 5681 §3.2 step 2: what limited transmit sent is not in the FlightSize that ssthresh halves.
    cc.onFastRetransmit(this.flightAtFirstDuplicate);
    this.recovering = true;
    this.partialAckSeen = false;
    this.recover = tcb.sndMax;
    this.recoverPending = true;
    return true;
  }

  /**
   * Limited transmit (RFC 3042, which RFC 5681 §3.2 says SHOULD be used): segments beyond cwnd that the
   * duplicate ACKs before fast retransmit let out, one each, so that a small window still draws the third.
   * None in recovery, nor while a timeout's go-back is under way.
   */
  limitedTransmitSegments(): number {
    if (this.recovering || this.recoverPending) return 0;
    return Math.min(this.dupAcks, LIMITED_TRANSMIT_SEGMENTS);
  }

  /**
   * Without SACK, segments per super-segment on a link that offloads segmentation, for a usable `window`.
   * The peer receives a super-segment as one packet, and a packet past a hole draws one duplicate ACK
   * however many segments it holds: a window written as one or two would leave fast retransmit nothing
   * to count, and every loss to the retransmission timeout (a kernel peer without SACK at 2% loss: 276
   * timeouts, 20 fast retransmits, 20 MB in 60 s). So a window goes in at least four writes, and from
   * the first duplicate ACK until recovery ends one segment per write, as a wire delivers them: limited
   * transmit and recovery's window inflation count on one duplicate ACK per segment sent.
   */
  superSegmentLimit(window: number, mss: number): number {
    if (this.dupAcks > 0 || this.recovering) return 1;
    const limit = Math.floor(window / (WRITES_PER_WINDOW * mss));
    return Math.max(limit, 1);
  }

  /** An ACK at SND.UNA that is no duplicate (it carries data, or changes the window): the count restarts. */
  onAckNotDuplicate(): void {
    this.dupAcks = 0;
  }

  /**
   * Without SACK, the sender goes back to SND.UNA to send the flight again at a smaller MSS (a path MTU
   * report, TcpSender.resendOversize): no congestion response, but, as after a timeout, no fast retransmit for
   * the duplicate ACKs that what was delivered of the old flight draws (Linux enters CA_Loss with high_seq).
   */
  onGoBack(): void {
    this.dupAcks = 0;
    this.recover = this.tcb.sndMax;
    this.recoverPending = true;
  }

  /**
   * RFC 6298 (5.4)–(5.6), RFC 5681 §3.1: the retransmission timer expired with data outstanding (the
   * sender then goes back to SND.UNA). Recovery ends; nothing sent before now is fast-retransmitted.
   */
  onTimeout(): void {
    const tcb = this.tcb;
    const cc = this.cc;
    // SACK: everything not SACKed is lost (the scoreboard first: undo remembers the window before the cut).
    if (this.sackRecovery !== undefined && cc !== undefined)
      this.sackRecovery.onTimeout(tcb.sndUna, tcb.sndMax, cc);
    cc?.onRetransmissionTimeout(seqDiff(tcb.sndMax, tcb.sndUna));
    this.recovering = false;
    this.dupAcks = 0;
    this.recover = tcb.sndMax; // RFC 6582 §3.2 step 1: no fast retransmit for what was sent before
    this.recoverPending = true;
  }
}
