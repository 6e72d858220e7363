/**
 * The fifth step of segment arrival (RFC 9293 §3.10.7.4), the ACK field, in the order TcpConnection
 * documents: the unacceptable ACK values (RFC 5961 §5.2) are answered and dropped; then the peer's SACK
 * blocks go to loss recovery; an ACK of new data has the sender free the queue and move SND.UNA, take
 * the RTT sample, loss recovery decide (recovery exit, partial ACK) and tell the congestion controller,
 * the sender restart its timer and retransmit the next hole if recovery said so, then update the send
 * window; a duplicate ACK is counted by loss recovery, which may start fast retransmit. What follows for
 * the state machine (our FIN acknowledged, the writer may resume) is returned as bits, for the
 * connection to act on: no callback into it, no allocation.
 */

import type { ConnectionCounterName } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { AckVerdict, type LossRecovery } from '../recovery/loss-recovery.js';
import { AckEffect, type SackRecovery } from '../recovery/sack-recovery.js';
import type { TcpTraceChannel } from '../trace/tcp-tracer.js';
import { seqAdd, seqDiff, seqGt, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import type { TcpSackOutput } from './tcp-sack-output.js';
import { FIN, SYN, type TcpSegmentEmitter } from './tcp-segment-emitter.js';
import type { TcpSender } from './tcp-sender.js';

/** What an ACK means for the connection (bits). */
export const AckResult = {
  /** The ACK value was unacceptable: the segment is dropped (a challenge ACK went out). */
  DROP: 1,
  /** It acknowledged our FIN. */
  FIN_ACKED: 2,
  /** The send queue has room again for a waiting writer. */
  WRITABLE: 4,
} as const;

export class TcpAckProcessor {
  constructor(
    private readonly tcb: TcpControlBlock,
    private readonly sender: TcpSender,
    private readonly sackOutput: TcpSackOutput,
    private readonly recovery: LossRecovery,
    private readonly emitter: TcpSegmentEmitter,
    private readonly counts: Record<ConnectionCounterName, number>,
    private readonly trace: TcpTraceChannel | undefined,
  ) {}

  /**
   * Fifth, the ACK field of an acceptable segment carrying `dataLength` bytes: returns AckResult bits
   * (DROP: the segment goes no further).
   */
  process(seg: TcpSegment, dataLength: number, now: number): number {
    const tcb = this.tcb;
    const sender = this.sender;
    const recovery = this.recovery;
    const ack = seg.ack;
    // An ACK of data never sent (RFC 9293), or older than the largest window the peer could still
    // legitimately be acknowledging (RFC 5961 §5.2): ACK and drop.
    if (seqGt(ack, tcb.sndMax)) {
      this.counts.dropAckUnsent++;
      this.emitter.sendChallengeAck();
      return AckResult.DROP;
    }
    if (seqLt(ack, seqAdd(tcb.sndUna, -Math.max(tcb.maxSndWnd, 1)))) {
      this.counts.dropAckTooOld++;
      this.emitter.sendChallengeAck();
      return AckResult.DROP;
    }
    sender.ackReceived();
    // A SYN's window is never scaled (RFC 7323 §2.2; Linux's SYN_RECV path does scale this one): a
    // simultaneous open's SYN-ACK comes through here.
    const window = (seg.flags & SYN) === 0 ? seg.window * (1 << tcb.sndShift) : seg.window;
    const sackRecovery = recovery.sack;
    if (sackRecovery !== undefined) {
      // The ACK of every segment of a download once the request is acknowledged: nothing of ours out or
      // waiting, nothing new acknowledged, no SACK blocks, the same window. Loss recovery, the timers and the
      // congestion controller have nothing to learn from it; only the window's bookkeeping (SND.WL1) moves.
      if (
        ack === tcb.sndUna &&
        ack === tcb.sndMax &&
        window === tcb.sndWnd &&
        (seg.flags & (SYN | FIN)) === 0 &&
        (seg.options.sack === undefined || seg.options.sack.length === 0) &&
        sackRecovery.quiet &&
        !sender.hasUnsent()
      ) {
        sender.updateWindow(seg, window);
        return 0;
      }
      return this.processWithSack(seg, dataLength, now, window, sackRecovery);
    }
    if (seqGt(ack, tcb.sndUna)) {
      const flightBefore = seqDiff(tcb.sndNxt, tcb.sndUna);
      const finAcked = tcb.finQueued && seqGt(ack, tcb.finSeq);
      const dataAcked = sender.acknowledge(ack, finAcked);
      const rtt = sender.sampleRtt(seg, now);
      const verdict = recovery.onNewAck(ack, dataAcked, flightBefore, now, rtt);
      if (verdict === AckVerdict.RECOVERY_EXIT && this.trace !== undefined)
        sender.traceState('recovery_exit');
      // RFC 6298 (5.2)/(5.3); in recovery only the first partial ACK restarts the timer (RFC 6582 §3.2
      // step 5, the "Impatient" variant of §4), so many holes end in a timeout rather than one RTT each.
      sender.restartTimerAfterAck(ack, verdict === AckVerdict.PARTIAL_ACK);
      // A synchronous link may bring the answer back inside the send: the bookkeeping above is done.
      if (verdict >= AckVerdict.PARTIAL_ACK_FIRST) sender.retransmitFirst();
      const writable = sender.sendBuffer.writerMayResume();
      sender.updateWindow(seg, window);
      return (writable ? AckResult.WRITABLE : 0) | (finAcked ? AckResult.FIN_ACKED : 0);
    }
    if (ack === tcb.sndUna) {
      // RFC 5681 §2: a duplicate ACK carries no data, no SYN/FIN, the same window, and there is data out.
      if (
        dataLength === 0 &&
        (seg.flags & (SYN | FIN)) === 0 &&
        window === tcb.sndWnd &&
        tcb.sndMax !== tcb.sndUna
      ) {
        if (recovery.onDuplicateAck()) {
          sender.retransmitFirst();
          if (this.trace !== undefined) sender.traceState('fast_retransmit');
        }
      } else if (dataLength > 0 || window !== tcb.sndWnd) {
        recovery.onAckNotDuplicate();
      }
      sender.updateWindow(seg, window);
    }
    return 0;
  }

  /**
   * The ACK field on a SACK connection (RFC 6675, RFC 8985): the scoreboard, RACK, the probe episode and
   * undo see every acceptable ACK, new or not; duplicate ACKs are counted but decide nothing (RACK does).
   */
  private processWithSack(
    seg: TcpSegment,
    dataLength: number,
    now: number,
    window: number,
    sackRecovery: SackRecovery,
  ): number {
    const tcb = this.tcb;
    const sender = this.sender;
    const cc = sender.cc;
    const ack = seg.ack;
    const priorUna = tcb.sndUna;
    const flightBefore = seqDiff(tcb.sndMax, priorUna);
    let result = 0;
    let dataAcked = 0;
    const advanced = seqGt(ack, priorUna);
    if (advanced) {
      const finAcked = tcb.finQueued && seqGt(ack, tcb.finSeq);
      dataAcked = sender.acknowledge(ack, finAcked);
      if (finAcked) result |= AckResult.FIN_ACKED;
    } else if (
      dataLength === 0 &&
      (seg.flags & (SYN | FIN)) === 0 &&
      window === tcb.sndWnd &&
      flightBefore !== 0
    ) {
      this.counts.dupAcks++;
    }
    if (cc !== undefined) {
      const ts = seg.options.timestamp;
      const srtt = sender.rto.srtt ?? 0;
      const effects = sackRecovery.onAck(
        ack,
        seg.options.sack,
        priorUna,
        tcb.sndMax,
        now,
        ts === undefined ? 0 : ts.echo,
        srtt,
        tcb.sendMss,
        cc,
      );
      // The scoreboard's sample (never-retransmitted segments, Karn); failing that, when SND.UNA moved, the
      // timestamp echo, valid for retransmissions too (RFC 7323 §4.1), as Linux: after a timeout every
      // segment was resent, and without it the backed-off RTO would stand until new data is acknowledged.
      let rtt = sender.sampleRttFromLog(sackRecovery.rack.ackRtt);
      if (rtt === undefined && advanced) rtt = sender.sampleRtt(seg, now);
      // Only a window that was in use may grow (RFC 7661 §4.2), and not during fast recovery (PRR's).
      if (dataAcked > 0 && sackRecovery.growsWindow && 2 * flightBefore >= cc.cwnd) {
        cc.onAck(dataAcked, now, seqDiff(tcb.sndMax, ack), rtt);
      }
      if (effects !== 0 && this.trace !== undefined) {
        if (effects & AckEffect.UNDONE) sender.traceState('undo');
        if (effects & AckEffect.RECOVERY_EXITED) sender.traceState('sack_recovery_exit');
        if (effects & AckEffect.PROBE_REPAIRED_LOSS) sender.traceState('tlp_loss');
        if (effects & AckEffect.RECOVERY_ENTERED) sender.traceState('sack_recovery_enter');
      }
    }
    if (advanced) sender.restartTimerAfterAck(ack, false);
    this.sackOutput.afterAck(sackRecovery);
    if (advanced && sender.sendBuffer.writerMayResume()) result |= AckResult.WRITABLE;
    sender.updateWindow(seg, window);
    return result;
  }
}
