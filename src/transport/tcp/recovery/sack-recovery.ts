/**
 * Loss recovery for a connection whose peer sends SACK blocks, as Linux does it by default: RACK-TLP
 * (RFC 8985) decides what is lost, the per-segment scoreboard (RFC 6675's, in SentSegmentLog) what is in
 * flight and what to send again, Proportional Rate Reduction (RFC 6937) how fast while in recovery, and
 * spurious retransmissions are undone (RFC 3522 timestamps, D-SACK).
 *
 * Phases, as Linux's: OPEN (nothing known lost), RECOVERY (fast recovery: losses found by RACK, repaired
 * under PRR, until everything sent before it began is acknowledged), LOSS (after a retransmission timeout:
 * everything not SACKed is resent in slow start, until the same point).
 *
 * The connection owns the wire and the timers; it tells this class what was sent and what came back, and
 * asks it what may be sent and what to send again. No allocation per ACK or per segment.
 */

import type { CongestionController } from '../../congestion/congestion-controller.js';
import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import { type Seq, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { SackBlock } from '../wire/tcp-header.js';
import { ProportionalRateReduction } from './proportional-rate-reduction.js';
import { RackLossDetector } from './rack-loss-detector.js';
import { RecoveryUndo } from './recovery-undo.js';
import { SentSegmentLog } from './sent-segment-log.js';
import { ProbeOutcome, TailLossProbe } from './tail-loss-probe.js';

export const RecoveryPhase = { OPEN: 0, RECOVERY: 1, LOSS: 2 } as const;
export type RecoveryPhase = (typeof RecoveryPhase)[keyof typeof RecoveryPhase];

/** The connection counters this class advances (the connection's own record is passed in). */
export interface SackRecoveryCounters {
  fastRetransmits: number;
  dsacksReceived: number;
  sackBlocksIgnored: number;
  tlpProbes: number;
  tlpLossRepairs: number;
  undos: number;
}

/** What an ACK changed that the connection must act on (trace events, timers). Bits. */
export const AckEffect = {
  RECOVERY_ENTERED: 1,
  RECOVERY_EXITED: 2,
  UNDONE: 4,
  /** A loss repaired by a tail loss probe cost a window reduction. */
  PROBE_REPAIRED_LOSS: 8,
} as const;

/** settleFields list (a constant: a class is settled once, on its first object): written first by a recovery. */
const SACK_RECOVERY_LATE_FIELDS = ['recoveryPoint'];

export class SackRecovery {
  readonly log = new SentSegmentLog();
  readonly rack: RackLossDetector;
  readonly tlp = new TailLossProbe();
  readonly undo = new RecoveryUndo();
  private readonly prr = new ProportionalRateReduction();
  phase: RecoveryPhase = RecoveryPhase.OPEN;
  /** RFC 6675 RecoveryPoint: SND.MAX when RECOVERY or LOSS began; the phase ends when SND.UNA reaches it. */
  private recoveryPoint: Seq;
  /** Set by onAck: milliseconds until RACK's reordering timer should fire, or 0. */
  reorderTimeout = 0;

  constructor(
    iss: Seq,
    private readonly counts: SackRecoveryCounters,
  ) {
    this.rack = new RackLossDetector(iss);
    this.recoveryPoint = iss;
    settleFields(this, NO_FIELDS, SACK_RECOVERY_LATE_FIELDS);
  }

  /** A segment [start, end) went out for the first time. */
  sentNew(start: Seq, end: Seq, now: number): void {
    this.log.append(start, end, now);
    if (this.phase === RecoveryPhase.RECOVERY) this.prr.onSend(seqDiff(end, start));
  }

  /** Entry `i` of the log went out again, carrying TSval `tsval` (undefined without timestamps). */
  sentAgain(i: number, now: number, tsval: number | undefined): void {
    const log = this.log;
    if (this.phase === RecoveryPhase.RECOVERY) this.prr.onSend(seqDiff(log.end(i), log.start(i)));
    log.retransmitted(i, now, tsval ?? 0);
    this.undo.retransmitted(tsval);
  }

  /**
   * Bytes that may be sent now, new or again: in RECOVERY what PRR allows; otherwise cwnd less the pipe
   * (RFC 6675 §5 step (C), which with no loss is cwnd less the flight).
   */
  allowance(cc: CongestionController, flight: number): number {
    const pipe = this.log.pipe(flight);
    if (this.phase === RecoveryPhase.RECOVERY) return this.prr.allowance(pipe);
    return cc.cwnd - pipe;
  }

  /**
   * Nothing of ours is outstanding and no episode is open (no recovery, no probe awaiting its answer, no
   * reordering timer): an ACK of nothing new, without SACK blocks, would change nothing here.
   */
  get quiet(): boolean {
    return (
      this.log.count === 0 &&
      this.phase === RecoveryPhase.OPEN &&
      !this.tlp.pending &&
      this.reorderTimeout === 0
    );
  }

  /** Whether the congestion controller may grow the window on this ACK (not during fast recovery). */
  get growsWindow(): boolean {
    return this.phase !== RecoveryPhase.RECOVERY;
  }

  /**
   * One acceptable ACK (SND.UNA ≤ `ack` ≤ SND.MAX): `blocks` its SACK blocks, `priorUna` SND.UNA before it,
   * `tsecr` its timestamp echo (0 without). Updates the scoreboard, RACK, the probe episode and the phase.
   * Returns AckEffect bits; `reorderTimeout` says when to look again for losses.
   */
  onAck(
    ack: Seq,
    blocks: readonly SackBlock[] | undefined,
    priorUna: Seq,
    sndMax: Seq,
    now: number,
    tsecr: number,
    srtt: number,
    mss: number,
    cc: CongestionController,
  ): number {
    let effects = 0;
    const log = this.log;
    const rack = this.rack;
    // RFC 2883 §4: a first block below the ACK, or within the second, reports a duplicate.
    let firstBlock = 0;
    if (blocks !== undefined && blocks.length > 0) {
      const b0 = blocks[0]!;
      const b1 = blocks.length > 1 ? blocks[1]! : undefined;
      if (
        seqLt(b0.left, b0.right) &&
        (seqLe(b0.right, ack) || (b1 !== undefined && seqGe(b0.left, b1.left) && seqLe(b0.right, b1.right)))
      ) {
        firstBlock = 1;
        this.counts.dsacksReceived++;
        rack.onDsack(priorUna, sndMax);
        this.tlp.onDsack();
        if (this.undo.spuriousByDsack(b0.left, b0.right, priorUna)) effects |= this.undoNow(cc);
      }
    }
    rack.beginAck(now, tsecr);
    let delivered = log.acknowledge(ack, rack);
    if (blocks !== undefined) {
      rack.beginSackBlocks();
      for (let i = firstBlock; i < blocks.length; i++) {
        const b = blocks[i]!;
        // Linux's tcp_is_sackblock_valid: a block must lie above the cumulative ACK and within what was sent,
        // left below right; any other is ignored (TCPSACKDiscard). Else a forged or mangled block, read
        // across the wrap, would mark the whole flight delivered and leave a timeout nothing to resend.
        if (!seqLt(b.left, b.right) || !seqGt(b.left, ack) || seqGt(b.right, sndMax)) {
          this.counts.sackBlocksIgnored++;
          continue;
        }
        delivered += log.sack(b.left, b.right, rack);
      }
    }
    // Eifel (RFC 3522): an echo older than the first retransmission says an original filled the hole. In
    // fast recovery, as Linux, only when it ends or no retransmission is still out: a late original may
    // fill one hole while others were really lost. After a timeout, the first ACK may tell.
    if (
      seqGt(ack, priorUna) &&
      this.phase !== RecoveryPhase.OPEN &&
      (this.phase === RecoveryPhase.LOSS || seqGe(ack, this.recoveryPoint) || log.retransmittedBytes === 0) &&
      this.undo.spuriousByTimestamp(tsecr)
    ) {
      effects |= this.undoNow(cc);
    }
    const flight = seqDiff(sndMax, ack);
    if (
      this.tlp.onAck(ack, seqGt(ack, priorUna)) === ProbeOutcome.LOSS_REPAIRED &&
      this.phase === RecoveryPhase.OPEN
    ) {
      // RFC 8985 §7.4.2: the probe repaired a loss — one window reduction, as a recovery would make.
      this.counts.tlpLossRepairs++;
      this.undo.begin(cc, true, ack);
      cc.onFastRetransmit(flight);
      cc.onRecoveryExit();
      effects |= AckEffect.PROBE_REPAIRED_LOSS;
    }
    if (this.phase !== RecoveryPhase.OPEN && seqGe(ack, this.recoveryPoint)) {
      if (this.phase === RecoveryPhase.RECOVERY) cc.onRecoveryExit();
      this.phase = RecoveryPhase.OPEN;
      rack.onRecoveryEnd();
      effects |= AckEffect.RECOVERY_EXITED;
    }
    // Nothing outstanding (a download's ACKs of the request): no loss to look for, and no window to compute.
    this.reorderTimeout =
      log.count === 0
        ? 0
        : rack.detectLosses(
            log,
            now,
            rack.reorderWindow(this.phase !== RecoveryPhase.OPEN, log.sackedSegments, srtt),
          );
    if (this.phase === RecoveryPhase.OPEN && log.hasLostToRetransmit) {
      // RFC 6675 §5 / RFC 8985: a loss is known — fast recovery, with one window reduction.
      this.counts.fastRetransmits++;
      this.undo.begin(cc, true, ack);
      cc.onFastRetransmit(flight);
      this.prr.begin(flight);
      this.tlp.cancel();
      this.phase = RecoveryPhase.RECOVERY;
      this.recoveryPoint = sndMax;
      effects |= AckEffect.RECOVERY_ENTERED;
    }
    if (this.phase === RecoveryPhase.RECOVERY) this.prr.onAck(delivered, log.pipe(flight), cc.ssthresh, mss);
    return effects;
  }

  /**
   * RACK's reordering timer expired (RFC 8985 §6.3): look for losses again. Returns AckEffect bits
   * (RECOVERY_ENTERED when it found the first loss).
   */
  onReorderTimer(
    now: number,
    ack: Seq,
    sndMax: Seq,
    srtt: number,
    mss: number,
    cc: CongestionController,
  ): number {
    const log = this.log;
    const reoWnd = this.rack.reorderWindow(this.phase !== RecoveryPhase.OPEN, log.sackedSegments, srtt);
    this.reorderTimeout = this.rack.detectLosses(log, now, reoWnd);
    if (this.phase !== RecoveryPhase.OPEN || !log.hasLostToRetransmit) return 0;
    const flight = seqDiff(sndMax, ack);
    this.counts.fastRetransmits++;
    this.undo.begin(cc, true, ack);
    cc.onFastRetransmit(flight);
    this.prr.begin(flight);
    this.prr.onAck(0, log.pipe(flight), cc.ssthresh, mss);
    this.tlp.cancel();
    this.phase = RecoveryPhase.RECOVERY;
    this.recoveryPoint = sndMax;
    return AckEffect.RECOVERY_ENTERED;
  }

  /**
   * The retransmission timer's delay after a tail loss probe sent at `now`: RTO from when the oldest
   * outstanding segment was sent, not from the probe (Linux's tcp_rearm_rto with a probe pending, RFC 8985
   * §7.3: the probe must not postpone the timeout it is meant to precede). At least 1 ms.
   */
  rtoAfterProbe(now: number, rto: number): number {
    const log = this.log;
    if (log.count === 0) return rto;
    return Math.max(log.timeSent(0) + rto - now, 1);
  }

  /**
   * The retransmission timer expired (RFC 6675 §5.1, RFC 8985 §6.3): everything not SACKed is lost and is
   * sent again in slow start (the connection tells the controller). Call before the controller's timeout.
   */
  onTimeout(sndUna: Seq, sndMax: Seq, cc: CongestionController): void {
    this.undo.begin(cc, this.phase === RecoveryPhase.OPEN, sndUna);
    this.log.markAllLost();
    this.tlp.cancel();
    this.phase = RecoveryPhase.LOSS;
    this.recoveryPoint = sndMax;
  }

  /** The evidence says the retransmissions were not needed: restore the window, forget the loss marks. */
  private undoNow(cc: CongestionController): number {
    if (!this.undo.canUndo) return 0;
    this.undo.undo(cc);
    this.log.unmarkLost();
    this.counts.undos++;
    if (this.phase !== RecoveryPhase.OPEN) {
      this.phase = RecoveryPhase.OPEN;
      this.rack.onRecoveryEnd();
    }
    return AckEffect.UNDONE;
  }
}
