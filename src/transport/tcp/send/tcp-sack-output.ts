/**
 * What a SACK connection sends (RFC 6675, RFC 8985, RFC 6937): from its first data on, output goes
 * through here instead of TcpSender.output — the segments the scoreboard deems lost first, oldest first
 * (RFC 6675 NextSeg rule 1), then new data (rule 2), within what SackRecovery allows (cwnd less the
 * pipe; PRR in recovery) and the peer's window — and the timers that drive it: the tail loss probe
 * (RFC 8985 §7) and RACK's reordering timer (§6.3).
 *
 * It owns the connection's SackRecovery reference (made by LossRecovery at the first data) and decides
 * only the order and amount of what goes out; the sender does the sending and its bookkeeping (SND.NXT,
 * RTT timing, the retransmission and persist timers) through its narrow methods, and TcpConnection calls
 * this part where it would call the sender's output on a SACK connection.
 */

import type { ConnectionCounterName } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { TcpState } from '../connection/tcp-state.js';
import { type TcpTimers, TimerKind } from '../connection/tcp-timers.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import { RecoveryPhase, type SackRecovery } from '../recovery/sack-recovery.js';
import { SegmentFlag } from '../recovery/sent-segment-log.js';
import { seqDiff, seqGt, seqLe } from '../wire/seq.js';
import type { TcpSender } from './tcp-sender.js';

/** A whole-flight burst of at least this many segments is split in two once the path has lost something. */
const SPLIT_FLIGHT_MIN_SEGMENTS = 4;

export class TcpSackOutput {
  /** SACK-based recovery (the scoreboard every data segment is logged in), from the first data on. */
  private sack: SackRecovery | undefined;
  /** Silence probes sent since the last ACK. */
  private silenceProbes = 0;

  constructor(
    private readonly tcb: TcpControlBlock,
    private readonly sender: TcpSender,
    private readonly recovery: LossRecovery,
    private readonly timers: TcpTimers,
    private readonly counts: Record<ConnectionCounterName, number>,
    /** Tracing on: the sender's traceState records the probes. */
    private readonly tracing: boolean,
    /**
     * Silence probes per silence (config silenceProbes; reset by any ACK): at 1, 3, 7… PTOs after the last
     * send or ACK, so that a lost probe or a lost answer (5% each way is 10% for the pair) rarely leaves the
     * RTO to act.
     */
    private readonly maxSilenceProbes: number,
  ) {}

  /** The first data of a SACK connection: its scoreboard begins (SND.NXT never goes back from here on). */
  private startSack(): SackRecovery {
    const sack = this.recovery.enableSack();
    this.sack = sack;
    return sack;
  }

  /** TIME_WAIT (which sends no data again): lets the scoreboard go with its segment log. */
  releaseScoreboard(): void {
    this.sack = undefined;
    this.recovery.releaseSack();
  }

  /**
   * TcpSender.output for a SACK connection (`tcb.sackEnabled && tcb.synAcked`): first the segments deemed
   * lost, oldest first (RFC 6675 NextSeg rule 1), then new data (rule 2), within what SackRecovery allows
   * (cwnd less the pipe; PRR in recovery) and the peer's window; the same Nagle and SWS rules as without
   * SACK; then the FIN, the persist timer, and the tail loss probe armed.
   */
  output(state: TcpState, force: boolean): void {
    const sender = this.sender;
    const cc = sender.cc;
    if (state === TcpState.TIME_WAIT || cc === undefined) return;
    let sack = this.sack;
    if (sack === undefined) {
      // Nothing sent yet and nothing to send (an idle connection): the scoreboard waits for the first data.
      if (!sender.hasUnsent()) return;
      sack = this.startSack();
    }
    const tcb = this.tcb;
    const sendBuffer = sender.sendBuffer;
    const log = sack.log;
    const mss = tcb.sendMss;
    sender.maybeIdleRestart(cc);
    // 0: not decided yet; −1: no split; else the flight after which the super-segment ends.
    let splitAt = 0;
    for (;;) {
      const inFlight = seqDiff(tcb.sndNxt, tcb.sndUna);
      const allowance = sack.allowance(cc, inFlight);
      const lost = log.firstLostToRetransmit();
      if (lost >= 0) {
        const size = seqDiff(log.end(lost), log.start(lost));
        if (allowance < Math.min(size, mss)) break;
        sender.retransmitEntry(sack, lost);
        continue;
      }
      const avail = sendBuffer.size - inFlight;
      if (avail > 0) {
        let len = Math.min(avail, mss);
        let usable = tcb.sndWnd - inFlight;
        if (allowance < usable) usable = allowance;
        if (usable < len) len = usable;
        if (len <= 0) break;
        if (len < mss && !force && sender.holdsShort(len, avail, inFlight)) break; // SWS avoidance, Nagle
        if (splitAt === 0) splitAt = this.flightSplit(inFlight, Math.min(avail, usable), mss);
        sender.sendNew(inFlight, len, avail, sack);
        if (splitAt > 0 && inFlight + len >= splitAt) {
          sender.endSuperSegment();
          splitAt = -1;
        }
        continue;
      }
      if (tcb.finQueued && seqLe(tcb.sndNxt, tcb.finSeq)) sender.sendFinAlone(sack);
      break;
    }
    sender.persistIfStalled(state);
    this.armLossProbe(sack);
  }

  /**
   * Where to end the first super-segment of a burst that is the whole flight (nothing in flight before it),
   * or −1. A link that offloads segmentation delivers a super-segment to the peer as one packet, which it
   * acknowledges once: a flight written as one is acknowledged by one ACK, and if that ACK is lost nothing
   * clocks the next send until the probe timeout (2·SRTT + 2 ms, ten round trips on a sub-millisecond path).
   * Once the path has lost something, such a flight goes as two halves, each acknowledged, so a lost ACK
   * is covered by the other (as a wire delivers segments the peer acknowledges every second one). Never on a
   * clean path, where it would only cost a write.
   */
  private flightSplit(inFlight: number, burst: number, mss: number): number {
    if (inFlight !== 0 || burst < SPLIT_FLIGHT_MIN_SEGMENTS * mss) return -1;
    const counts = this.counts;
    if (counts.fastRetransmits === 0 && counts.timeouts === 0 && counts.tlpProbes === 0) return -1;
    return Math.floor(burst / mss / 2) * mss;
  }

  /**
   * With data in flight, a probe is due a PTO (RFC 8985 §7.2: 2·SRTT) after the last send or ACK: the tail
   * loss probe when nothing is known lost and no probe is out; otherwise (in recovery, after a timeout,
   * or with a tail loss probe unanswered) the silence probe, each one unanswered doubling the wait, at
   * most maxSilenceProbes until the next ACK. No timer otherwise.
   */
  private armLossProbe(sack: SackRecovery): void {
    const tcb = this.tcb;
    const inFlight = seqDiff(tcb.sndMax, tcb.sndUna);
    const tailProbe = sack.phase === RecoveryPhase.OPEN && !sack.tlp.pending;
    if (inFlight > 0 && (tailProbe || this.silenceProbes < this.maxSilenceProbes)) {
      const rto = this.sender.rto;
      const finInFlight = tcb.finQueued && seqGt(tcb.sndMax, tcb.finSeq);
      let pto = sack.tlp.timeout(rto.srtt ?? 0, inFlight, tcb.sendMss, rto.rto, finInFlight);
      if (!tailProbe) pto *= 2 ** Math.min(this.silenceProbes, 16);
      this.timers.set(TimerKind.LOSS_PROBE, pto);
    } else {
      this.timers.clear(TimerKind.LOSS_PROBE);
    }
  }

  /** After a SACK connection's ACK: RACK's reordering timer as it asked, and the probe timer. */
  afterAck(sack: SackRecovery): void {
    const reorder = sack.reorderTimeout;
    if (reorder > 0) this.timers.set(TimerKind.REORDER, reorder);
    else this.timers.clear(TimerKind.REORDER);
    this.silenceProbes = 0;
    this.armLossProbe(sack);
  }

  /**
   * RFC 8985 §7.3: the probe timer expired. New data if the peer's window has room for some (cwnd
   * aside), else the last segment again; then the retransmission timer takes over.
   */
  onLossProbeTimer(state: TcpState, now: number): void {
    const sack = this.sack;
    const tcb = this.tcb;
    const sender = this.sender;
    if (sack === undefined || state === TcpState.TIME_WAIT || state === TcpState.CLOSED) return;
    const inFlight = seqDiff(tcb.sndNxt, tcb.sndUna);
    if (inFlight === 0) return;
    if (sack.phase !== RecoveryPhase.OPEN || sack.tlp.pending) {
      this.silenceProbe(sack, now);
      return;
    }
    const avail = sender.sendBuffer.size - inFlight;
    // New data only as a whole segment (or the whole rest) the peer has room for, as Linux's
    // tcp_snd_wnd_test: a sliver of a window would be the silly window sender-side SWS avoidance forbids.
    const len = Math.min(avail, tcb.sendMss);
    if (avail > 0 && tcb.sndWnd - inFlight >= len) {
      sender.sendNew(inFlight, len, avail, sack);
      sack.tlp.sent(tcb.sndMax, false);
    } else {
      const last = sack.log.count - 1;
      if (last < 0 || (sack.log.flags(last) & SegmentFlag.SACKED) !== 0) return;
      sender.retransmitEntry(sack, last);
      sack.tlp.sent(tcb.sndMax, true);
    }
    this.counts.tlpProbes++;
    this.timers.set(TimerKind.RETRANSMIT, sack.rtoAfterProbe(now, sender.rto.rto));
    if (this.tracing) sender.traceState('tlp');
    // If this probe goes unanswered too, the silence probe follows a PTO later.
    this.armLossProbe(sack);
  }

  /**
   * No ACK for a PTO while the tail loss probe may not run (in recovery, after a timeout, or with a tail
   * loss probe already out): the first unacknowledged segment again, cwnd aside; again after twice the
   * wait if that goes unanswered too (the probe or its ACK may be lost), up to maxSilenceProbes.
   * Not in RFC 8985, which leaves this silence to the retransmission timer (at least 200 ms, then a cwnd
   * of one); measured against Linux 6.18 receivers, which at times hold their ACK — a hole filled in
   * recovery, in-order data — until a segment they already have arrives (answered at once, with a
   * D-SACK), this costs one segment instead of an RTO. If the segment was lost, this is its repair, as
   * the RTO's would be; if it arrived, the duplicate draws the ACK. The retransmission timer keeps its
   * deadline: the probe must not postpone the timeout it precedes (as after a tail loss probe).
   */
  private silenceProbe(sack: SackRecovery, now: number): void {
    if (this.silenceProbes >= this.maxSilenceProbes || sack.log.count === 0) return;
    const sender = this.sender;
    const timers = this.timers;
    const deadline = timers.deadline(TimerKind.RETRANSMIT);
    this.silenceProbes++;
    sender.retransmitEntry(sack, 0);
    if (deadline !== Number.POSITIVE_INFINITY) timers.set(TimerKind.RETRANSMIT, Math.max(deadline - now, 1));
    this.counts.silenceProbes++;
    if (this.tracing) sender.traceState('silence_probe');
    this.armLossProbe(sack);
  }

  /** RFC 8985 §6.3: RACK's reordering timer expired: look for losses again, and send what they free. */
  onReorderTimer(state: TcpState, now: number): void {
    const sack = this.sack;
    const sender = this.sender;
    const cc = sender.cc;
    if (sack === undefined || cc === undefined) return;
    const tcb = this.tcb;
    const effects = sack.onReorderTimer(now, tcb.sndUna, tcb.sndMax, sender.rto.srtt ?? 0, tcb.sendMss, cc);
    if (sack.reorderTimeout > 0) this.timers.set(TimerKind.REORDER, sack.reorderTimeout);
    if (effects !== 0 && this.tracing) sender.traceState('sack_recovery_enter');
    this.output(state, false);
  }
}
