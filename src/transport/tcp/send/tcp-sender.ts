/**
 * The sending half of a connection. Owns the send queue and everything about what goes out and when:
 * segmentation at the effective MSS under the peer's window and the congestion window, Nagle (RFC 896)
 * and sender-side silly window avoidance (RFC 9293 §3.8.6.2.1), the SYN and its retransmissions, RTT
 * sampling with Karn's rule and the RTO estimator (RFC 6298), the retransmission of the first
 * unacknowledged segment (on timeout, go-back-N from SND.UNA, RFC 5681 §3.1; on loss recovery's word),
 * the send window (SND.WND/WL1/WL2), zero-window (persist) and keepalive probes.
 *
 * It decides nothing about loss: LossRecovery does, and TcpConnection has the sender act on it. On a SACK
 * connection, TcpSackOutput (tcp-sack-output.ts) decides what goes out and in what order, and has it sent
 * through the narrow methods here (sendNew, sendFinAlone, retransmitEntry, persistIfStalled). Every
 * segment is written by TcpSegmentEmitter. The congestion controller is made when the SYNs fix the MSS
 * (TcpConnection hands it to useCongestionController).
 */

import type { Clock } from '../../../core/clock.js';
import type { CongestionController } from '../../congestion/congestion-controller.js';
import { settleFields } from '../../settled-fields.js';
import type { ConnectionCounterName, TcpConnectionDeps } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { TcpState } from '../connection/tcp-state.js';
import { type TcpTimers, TimerKind } from '../connection/tcp-timers.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import type { SackRecovery } from '../recovery/sack-recovery.js';
import { SegmentFlag } from '../recovery/sent-segment-log.js';
import type { TcpConfig } from '../tcp-config.js';
import type { TcpTraceChannel, TcpTraceEvent } from '../trace/tcp-tracer.js';
import { type Seq, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { RtoEstimator } from './rto-estimator.js';
import { SendBuffer } from './send-buffer.js';
import { ACK, FIN, PSH, SYN, type TcpSegmentEmitter } from './tcp-segment-emitter.js';

/** RFC 7765 §3 rrthresh: RTO restart applies with fewer segments than this outstanding. */
const RTO_RESTART_THRESHOLD = 4;
/** RFC 6298 (5.7): RTO once data flows if the SYN was retransmitted and no RTT was measured. */
const RTO_AFTER_SYN_LOSS_MS = 3000;

/** What a probe timer (persist, keepalive) asks of the connection. */
export const ProbeResult = {
  CONTINUE: 0,
  /** Too many probes went unanswered: the connection times out. */
  GIVE_UP: 1,
  /** The window is open but small: send what it allows now, overriding silly window avoidance. */
  FORCE_OUTPUT: 2,
} as const;
export type ProbeResult = (typeof ProbeResult)[keyof typeof ProbeResult];

/** settleFields lists (constants: a class is settled once, on its first object). */
const SENDER_DOUBLE_FIELDS = ['rttStart', 'lastDataSentAt', 'lastReceivedAt'];
const SENDER_LATE_FIELDS = ['synRetransmitted', 'keepAlive'];

export class TcpSender {
  readonly sendBuffer: SendBuffer;
  /** The congestion controller, from the SYN exchange on. */
  cc: CongestionController | undefined;
  private rtoEstimator: RtoEstimator;
  private readonly clock: Clock;
  private readonly config: TcpConfig;
  /** Nagle off (setNoDelay). */
  noDelay = false;
  /** Consecutive expirations of the retransmission timer without progress. */
  retries = 0;
  private synRetransmitted = false;
  // Karn's algorithm (RFC 6298 §3): one segment timed at a time, never a retransmitted one.
  private rttTiming = false;
  private rttSeq: Seq;
  private rttStart = 0;
  /** Clock time of the last segment that carried data, or -1 before any (for RFC 5681 §4.1). */
  private lastDataSentAt = -1;
  private persistBackoff = 0;
  /** Zero-window probes sent without an ACK in between. */
  private persistUnanswered = 0;
  private keepAlive = false;
  private keepaliveIdleMs: number;
  private keepaliveProbesSent = 0;
  /** Clock time of the last segment from the peer (keepalive idle time). */
  private lastReceivedAt: number;

  constructor(
    private readonly tcb: TcpControlBlock,
    deps: TcpConnectionDeps,
    private readonly emitter: TcpSegmentEmitter,
    sendBuffer: SendBuffer,
    private readonly timers: TcpTimers,
    private readonly counts: Record<ConnectionCounterName, number>,
    /** `--trace`: this connection's channel, or undefined when tracing is off (then every hook is one check). */
    private readonly trace: TcpTraceChannel | undefined,
    /** Holds the SackRecovery of a SACK connection, from its first data on (for the timeout). */
    private readonly recovery: LossRecovery,
  ) {
    const config = deps.config;
    this.clock = deps.clock;
    this.config = config;
    this.sendBuffer = sendBuffer;
    this.rttSeq = tcb.iss;
    this.rtoEstimator = new RtoEstimator({
      initialRtoMs: config.initialRtoMs,
      minRtoMs: config.minRtoMs,
      maxRtoMs: config.maxRtoMs,
    });
    this.keepaliveIdleMs = config.keepaliveIdleMs;
    this.lastReceivedAt = deps.clock.now();
    settleFields(this, SENDER_DOUBLE_FIELDS, SENDER_LATE_FIELDS);
  }

  /** The RTO estimator (srtt, rttvar, rto, backoffs). */
  get rto(): RtoEstimator {
    return this.rtoEstimator;
  }

  /** Makes a send queue for a connection (the sender owns it; the emitter only copies out of it). */
  static createSendBuffer(deps: TcpConnectionDeps): SendBuffer {
    const config = deps.config;
    return new SendBuffer(config.sendBufferSize, deps.memory, config.sendBufferMin, deps.sendRings);
  }

  /** Tells the trace (if any) cwnd, ssthresh, bytes in flight, srtt and rto; it records them if they changed. */
  traceState(event?: TcpTraceEvent): void {
    const trace = this.trace;
    const cc = this.cc;
    if (trace === undefined || cc === undefined) return;
    const rto = this.rtoEstimator;
    trace.record(cc.cwnd, cc.ssthresh, this.tcb.bytesInFlight, rto.srtt, rto.rto, event);
  }

  // ─── Handshake ───────────────────────────────────────────────────────────────────────────────────

  /** SYN (active open) or SYN-ACK (passive or simultaneous open), first time or again. */
  sendSyn(withAck: boolean, retransmission: boolean): void {
    const tcb = this.tcb;
    const now = this.clock.now();
    if (retransmission) {
      this.synRetransmitted = true;
      this.rttTiming = false;
    } else {
      this.rttTiming = true;
      this.rttSeq = seqAdd(tcb.iss, 1);
      this.rttStart = now;
    }
    // Bookkeeping first, then the send: a synchronous link may bring the answer back inside emit().
    tcb.sndNxt = seqAdd(tcb.iss, 1);
    tcb.sndMax = tcb.sndNxt;
    this.timers.set(TimerKind.RETRANSMIT, this.rtoEstimator.rto);
    this.emitter.emit(withAck ? SYN | ACK : SYN, tcb.iss, 0, 0);
  }

  /** The SYN retransmission timer expired (SYN_SENT, SYN_RECEIVED): back off and send it again. */
  retransmitSyn(withAck: boolean): void {
    this.counts.timeouts++;
    this.rtoEstimator.backoff();
    this.sendSyn(withAck, true);
  }

  /** The handshake completed: RFC 6298 (5.7), a lost SYN without an RTT sample leaves an RTO of 3 s. */
  established(): void {
    this.retries = 0;
    if (this.synRetransmitted && this.rtoEstimator.srtt === undefined) {
      this.rtoEstimator = new RtoEstimator({
        initialRtoMs: Math.max(RTO_AFTER_SYN_LOSS_MS, this.config.minRtoMs),
        minRtoMs: this.config.minRtoMs,
        maxRtoMs: this.config.maxRtoMs,
      });
    }
  }

  // ─── Segments out ────────────────────────────────────────────────────────────────────────────────

  /** Queues our FIN after everything written so far. */
  queueFin(): void {
    const tcb = this.tcb;
    tcb.finQueued = true;
    // The first data byte is ISS + 1; before our SYN is acknowledged SND.UNA is still ISS.
    tcb.finSeq = seqAdd(tcb.sndUna, this.sendBuffer.size + (tcb.synAcked ? 0 : 1));
  }

  /** Unsent data, or a FIN not yet sent. */
  hasUnsent(): boolean {
    const tcb = this.tcb;
    return (
      this.sendBuffer.size > seqDiff(tcb.sndNxt, tcb.sndUna) ||
      (tcb.finQueued && seqLe(tcb.sndNxt, tcb.finSeq))
    );
  }

  /**
   * Sends what the windows allow (RFC 9293 §3.8.6, RFC 5681): segments of up to sendMss from SND.NXT,
   * within min(SND.WND, cwnd) of SND.UNA; a short tail waits for Nagle unless noDelay or a FIN is
   * queued; a short window-limited segment waits for sender SWS avoidance unless `force` (the
   * persist timer's override). Then the FIN. (The connection sends a due ACK that nothing carried.)
   * Without SACK only: a SACK connection's output is TcpSackOutput.output.
   */
  output(state: TcpState, force: boolean): void {
    const cc = this.cc;
    if (state === TcpState.TIME_WAIT || cc === undefined) return;
    const tcb = this.tcb;
    const sendBuffer = this.sendBuffer;
    const mss = tcb.sendMss;
    this.maybeIdleRestart(cc);
    const recovery = this.recovery;
    const cwnd = cc.cwnd + recovery.limitedTransmitSegments() * mss;
    this.emitter.superSegmentLimit = recovery.superSegmentLimit(Math.min(cwnd, tcb.sndWnd), mss);
    for (;;) {
      const inFlight = seqDiff(tcb.sndNxt, tcb.sndUna);
      const avail = sendBuffer.size - inFlight;
      let wnd = tcb.sndWnd;
      if (cwnd < wnd) wnd = cwnd;
      const usable = wnd - inFlight;
      if (avail > 0) {
        let len = Math.min(avail, mss);
        if (usable < len) len = usable;
        if (len <= 0) break;
        if (len < mss && !force && this.holdsShort(len, avail, inFlight)) break;
        this.sendNew(inFlight, len, avail, undefined);
        continue;
      }
      if (tcb.finQueued && seqLe(tcb.sndNxt, tcb.finSeq)) this.sendFinAlone(undefined);
      break;
    }
    this.persistIfStalled(state);
  }

  /**
   * Whether a short segment of `len` bytes (of `avail` unsent) waits, unless forced by the persist timer.
   * Window-limited (len < avail): sender SWS avoidance, for a window of at least half the largest offered.
   * The tail of what is queued: Nagle (RFC 896, RFC 9293 §3.7.4) with Minshall's variant, as Linux: it waits
   * only while a short segment sent before it is unacknowledged, unless noDelay or a FIN is queued. A short
   * tail after full-sized segments goes at once: held for their ACK, it met the peer's delayed ACK of a lone
   * full segment (40 ms at the end of each 100 MiB wget at MTU 65000, a third of the transfer).
   */
  holdsShort(len: number, avail: number, inFlight: number): boolean {
    const tcb = this.tcb;
    if (len < avail) return len < tcb.maxSndWnd / 2;
    return (
      !this.noDelay &&
      inFlight > 0 &&
      !tcb.finQueued &&
      seqGt(tcb.sndSml, tcb.sndUna) &&
      seqLe(tcb.sndSml, tcb.sndNxt)
    );
  }

  /** Nothing in flight, something to send, and the window will not let it go: persist. */
  persistIfStalled(state: TcpState): void {
    const tcb = this.tcb;
    if (tcb.sndNxt === tcb.sndUna && this.hasUnsent() && state >= TcpState.ESTABLISHED) {
      this.timers.ensure(TimerKind.PERSIST, this.persistDelay());
    }
  }

  /** RFC 5681 §4.1: after more than one RTO without sending data, restart from the restart window. */
  maybeIdleRestart(cc: CongestionController): void {
    const tcb = this.tcb;
    if (
      this.lastDataSentAt >= 0 &&
      tcb.sndNxt === tcb.sndUna &&
      this.sendBuffer.size > 0 &&
      this.clock.now() - this.lastDataSentAt > this.rtoEstimator.rto
    ) {
      cc.onIdleRestart();
      this.counts.idleRestarts++;
      if (this.trace !== undefined) this.traceState('idle_restart');
    }
  }

  /** Ends the super-segment being gathered (TcpSackOutput splits a whole flight in two). */
  endSuperSegment(): void {
    this.emitter.endSuperSegment();
  }

  /**
   * Sends `len` new bytes at SND.NXT (`inFlight` = SND.NXT − SND.UNA, `avail` the unsent bytes): PSH on
   * the last of the queue, and the FIN with it when queued and the peer's window has room for it.
   * With SACK, the segment goes into the scoreboard.
   */
  sendNew(inFlight: number, len: number, avail: number, sack: SackRecovery | undefined): void {
    const tcb = this.tcb;
    const seqNum = tcb.sndNxt;
    let flags = ACK;
    let seqLen = len;
    if (len === avail) {
      flags |= PSH;
      if (tcb.finQueued && seqDiff(seqAdd(tcb.sndUna, tcb.sndWnd), seqAdd(seqNum, len)) >= 1) {
        flags |= FIN;
        seqLen++;
      }
    }
    if (len < tcb.sendMss) tcb.sndSml = seqAdd(seqNum, len);
    // One clock reading per segment, for its send time, the scoreboard and its TSval alike.
    const now = this.clock.now();
    this.afterSend(seqNum, seqLen, len, now);
    if (sack !== undefined) sack.sentNew(seqNum, seqAdd(seqNum, seqLen), now);
    this.emitter.emit(flags, seqNum, inFlight, len, now);
  }

  /**
   * The queued FIN alone at SND.NXT (everything before it is sent): it needs a byte of the peer's window
   * but, as in Linux, not of cwnd. With SACK, it goes into the scoreboard.
   */
  sendFinAlone(sack: SackRecovery | undefined): void {
    const tcb = this.tcb;
    if (seqDiff(seqAdd(tcb.sndUna, tcb.sndWnd), tcb.sndNxt) >= 1) {
      const seqNum = tcb.sndNxt;
      const now = this.clock.now();
      this.afterSend(seqNum, 1, 0, now);
      if (sack !== undefined) sack.sentNew(seqNum, seqAdd(seqNum, 1), now);
      this.emitter.emit(ACK | FIN, seqNum, 0, 0, now);
    }
  }

  // ─── Retransmission ──────────────────────────────────────────────────────────────────────────────

  /** Sends scoreboard entry `i` again, as it was (with the FIN if it carried it). */
  retransmitEntry(sack: SackRecovery, i: number): void {
    const tcb = this.tcb;
    const log = sack.log;
    const start = log.start(i);
    const end = log.end(i);
    let len = seqDiff(end, start);
    let flags = ACK;
    if (tcb.finQueued && seqDiff(end, tcb.finSeq) === 1) {
      flags |= FIN;
      len--;
    }
    const now = this.clock.now();
    this.counts.retransmitted++;
    this.rttTiming = false;
    sack.sentAgain(i, now, tcb.tsEnabled ? tcb.retransmitTsValue(now, log.timeSent(i)) : undefined);
    // The first unacknowledged segment sent again restarts the timer (as Linux): its RTO counts from now.
    if (i === 0 || !this.timers.isSet(TimerKind.RETRANSMIT))
      this.timers.set(TimerKind.RETRANSMIT, this.rtoEstimator.rto);
    // The same clock reading: the TSval on the wire is the one the scoreboard and the undo keep.
    this.emitter.emit(flags, start, seqDiff(start, tcb.sndUna), len, now);
  }

  /** An RTT sample taken from the scoreboard's transmit times (−1: none): feeds the RTO estimator. */
  sampleRttFromLog(rtt: number): number | undefined {
    if (rtt < 0) return undefined;
    this.rttTiming = false;
    this.rtoEstimator.sample(rtt);
    return rtt;
  }

  private afterSend(seqNum: Seq, seqLen: number, dataLength: number, now: number): void {
    const tcb = this.tcb;
    const end = seqAdd(seqNum, seqLen);
    tcb.sndNxt = end;
    if (dataLength > 0) this.lastDataSentAt = now;
    if (seqGt(end, tcb.sndMax)) {
      if (seqGe(seqNum, tcb.sndMax)) {
        this.counts.bytesSent += dataLength;
        // RFC 6298 §3 / Karn: time this segment if none is being timed (it is new data).
        if (!this.rttTiming) {
          this.rttTiming = true;
          this.rttSeq = end;
          this.rttStart = now;
        }
      } else {
        this.counts.retransmitted++;
        this.counts.bytesSent += seqDiff(end, tcb.sndMax);
      }
      tcb.sndMax = end;
    } else {
      this.counts.retransmitted++;
    }
    // RFC 6298 (5.1): start the timer when sending data if it is not running.
    if (!this.timers.isSet(TimerKind.RETRANSMIT))
      this.timers.set(TimerKind.RETRANSMIT, this.rtoEstimator.rto);
    this.timers.clear(TimerKind.PERSIST);
  }

  /**
   * Sends the first unacknowledged segment again (fast retransmit, partial ACK, timeout): at most an MSS of
   * what was sent before (SND.UNA to SND.MAX), never data queued since, which the windows have not
   * cleared and which SND.MAX does not cover (an ACK of it would then look like an ACK of unsent data).
   */
  retransmitFirst(): void {
    const tcb = this.tcb;
    const queued = this.sendBuffer.size;
    let sent = seqDiff(tcb.sndMax, tcb.sndUna);
    if (tcb.finQueued && seqGt(tcb.sndMax, tcb.finSeq)) sent--;
    const len = Math.min(queued, tcb.sendMss, sent);
    let flags = ACK;
    let seqLen = len;
    if (len === queued) {
      if (len > 0) flags |= PSH;
      if (tcb.finQueued && seqDiff(tcb.finSeq, tcb.sndUna) === len && seqGt(tcb.sndMax, tcb.finSeq)) {
        flags |= FIN;
        seqLen++;
      }
    }
    if (seqLen === 0) return;
    const start = tcb.sndUna;
    this.counts.retransmitted++;
    this.rttTiming = false; // Karn: no RTT sample from a retransmitted segment
    const end = seqAdd(start, seqLen);
    if (seqLt(tcb.sndNxt, end)) tcb.sndNxt = end;
    this.emitter.emit(flags, start, 0, len);
  }

  /**
   * The MSS was lowered to fit a smaller path MTU (RFC 1191): what is in flight and longer was dropped by the
   * router that said so, and goes again at the new size, as Linux's tcp_simple_retransmit — a repair, not a
   * congestion signal (no window reduction, no backoff). With SACK the scoreboard's oversized entries are cut
   * and deemed lost (the SACK output sends them first); without, SND.NXT goes back to SND.UNA.
   */
  resendOversize(sack: SackRecovery | undefined): void {
    const tcb = this.tcb;
    if (tcb.sndMax === tcb.sndUna) return;
    this.rttTiming = false; // Karn: the timed segment may be among those sent again
    if (sack !== undefined) {
      sack.log.cutOversize(tcb.sendMss);
      // As Linux clears undo_marker here: an undo would forget the pieces' loss marks.
      sack.undo.end();
    } else {
      tcb.sndNxt = tcb.sndUna;
      this.recovery.onGoBack();
    }
  }

  /**
   * RFC 6298 (5.4)–(5.6) and RFC 5681 §3.1: the retransmission timer expired with data outstanding (loss
   * recovery has been told): back off, go back to SND.UNA and send the first segment again.
   */
  retransmissionTimeout(): void {
    const tcb = this.tcb;
    this.counts.timeouts++;
    this.rtoEstimator.backoff();
    this.rttTiming = false;
    this.timers.set(TimerKind.RETRANSMIT, this.rtoEstimator.rto);
    const sack = this.recovery.sack;
    const first = sack === undefined ? -1 : sack.log.firstLostToRetransmit();
    if (sack !== undefined && first >= 0) {
      // With SACK, SND.NXT stays: the scoreboard says what is lost (all but the SACKed), sent oldest first.
      this.timers.clear(TimerKind.LOSS_PROBE);
      this.retransmitEntry(sack, first);
    } else {
      tcb.sndNxt = tcb.sndUna; // go back: everything past SND.UNA is sent again as cwnd allows
      this.retransmitFirst();
    }
    if (this.trace !== undefined) this.traceState('timeout');
  }

  // ─── ACKs in ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * An ACK of new data (SND.UNA < `ack` ≤ SND.MAX), `finAcked` when it covers our FIN: frees the send
   * queue, moves SND.UNA (and SND.NXT if it was behind). Returns the data bytes acknowledged.
   */
  acknowledge(ack: Seq, finAcked: boolean): number {
    const tcb = this.tcb;
    let dataAcked = seqDiff(ack, tcb.sndUna);
    if (!tcb.synAcked) {
      dataAcked--; // our SYN
      tcb.synAcked = true;
    }
    if (finAcked) dataAcked--;
    if (dataAcked > 0) this.sendBuffer.acknowledge(dataAcked);
    else dataAcked = 0;
    tcb.sndUna = ack;
    if (seqLt(tcb.sndNxt, ack)) tcb.sndNxt = ack;
    this.counts.bytesAcked += dataAcked;
    this.retries = 0;
    return dataAcked;
  }

  /** Any acceptable ACK answers the zero-window probes sent so far. */
  ackReceived(): void {
    this.persistUnanswered = 0;
  }

  /**
   * RFC 6298 (5.2)/(5.3) after an ACK of new data: stop the timer when everything is acknowledged,
   * otherwise restart it unless `keepRunning` (a later partial ACK in recovery, RFC 6582 §3.2 step 5).
   */
  restartTimerAfterAck(ack: Seq, keepRunning: boolean): void {
    if (ack === this.tcb.sndMax) this.timers.clear(TimerKind.RETRANSMIT);
    else if (!keepRunning) this.timers.set(TimerKind.RETRANSMIT, this.rtoAfterAck());
  }

  /**
   * The retransmission timer's delay after an ACK of new data. RFC 7765 (RTO restart): with fewer than
   * rrthresh segments outstanding and nothing new to send, restarting a full RTO from the ACK would add
   * the time the oldest of them has already waited, and a lost tail would cost RTO plus up to an RTT; the
   * timer instead runs out RTO after the earliest outstanding segment was (last) sent, at least 1 ms
   * from now. Otherwise RFC 6298 (5.3): a full RTO. Only with SACK, whose scoreboard keeps per-segment
   * send times (SACKed segments count as delivered, not outstanding).
   */
  private rtoAfterAck(): number {
    const rto = this.rtoEstimator.rto;
    const sack = this.recovery.sack;
    if (sack === undefined || this.hasUnsent()) return rto;
    const log = sack.log;
    if (log.count - log.sackedSegments >= RTO_RESTART_THRESHOLD) return rto;
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < log.count; i++) {
      if ((log.flags(i) & SegmentFlag.SACKED) === 0 && log.timeSent(i) < earliest) earliest = log.timeSent(i);
    }
    if (earliest === Number.POSITIVE_INFINITY) return rto;
    return Math.max(earliest + rto - this.clock.now(), 1);
  }

  /**
   * An RTT sample from this ACK, if it gives one: the timestamp echo when timestamps are in use
   * (RFC 7323 §4.1, valid even for retransmissions), otherwise the timed segment if it is covered and
   * was not retransmitted (Karn). Feeds the RTO estimator.
   */
  sampleRtt(seg: TcpSegment, now: number): number | undefined {
    let rtt: number | undefined;
    const ts = seg.options.timestamp;
    if (this.tcb.tsEnabled && ts !== undefined && ts.echo !== 0) {
      const elapsed = (this.tcb.tsValue(this.clock.now()) - ts.echo) | 0;
      if (elapsed >= 0) rtt = elapsed;
      this.rttTiming = false;
    } else if (this.rttTiming && seqGe(seg.ack, this.rttSeq)) {
      rtt = now - this.rttStart;
      this.rttTiming = false;
    }
    if (rtt !== undefined) this.rtoEstimator.sample(rtt);
    return rtt;
  }

  /** RFC 9293 §3.10.7.4: only a segment newer than the last window update may change the send window. */
  updateWindow(seg: TcpSegment, window: number): void {
    const tcb = this.tcb;
    if (seqLt(tcb.sndWl1, seg.seq) || (tcb.sndWl1 === seg.seq && seqLe(tcb.sndWl2, seg.ack))) {
      tcb.sndWnd = window;
      tcb.sndWl1 = seg.seq;
      tcb.sndWl2 = seg.ack;
      if (window > tcb.maxSndWnd) tcb.maxSndWnd = window;
      if (window > 0) {
        this.timers.clear(TimerKind.PERSIST);
        this.persistBackoff = 0;
      }
    }
  }

  // ─── Probes ──────────────────────────────────────────────────────────────────────────────────────

  private persistDelay(): number {
    const base = Math.max(this.rtoEstimator.rto, this.config.minRtoMs);
    return Math.min(base * 2 ** Math.min(this.persistBackoff, 30), this.config.maxRtoMs);
  }

  /** The persist timer expired. `orphaned`: the socket is gone (fewer probes are allowed). */
  onPersistTimer(state: TcpState, orphaned: boolean): ProbeResult {
    const tcb = this.tcb;
    if (state < TcpState.ESTABLISHED || state === TcpState.TIME_WAIT) return ProbeResult.CONTINUE;
    if (!this.hasUnsent() || tcb.sndNxt !== tcb.sndUna) return ProbeResult.CONTINUE;
    if (tcb.sndWnd > 0) {
      // The window is open but too small for the sender's silly-window avoidance: send anyway.
      return ProbeResult.FORCE_OUTPUT;
    }
    // RFC 9293 §3.8.6.1: probe the zero window. Like Linux, with an old sequence number and no data,
    // which any receiver must answer with an ACK carrying its current window.
    this.persistUnanswered++;
    // An orphaned connection (the socket is gone) may not probe a closed window for ever, even if every
    // probe is answered: as Linux's tcp_orphan_retries, it gives up after maxRetransmits probes.
    if (
      this.persistUnanswered > this.config.maxRetransmits ||
      (orphaned && this.persistBackoff >= this.config.maxRetransmits)
    ) {
      return ProbeResult.GIVE_UP;
    }
    this.emitter.sendProbe();
    this.persistBackoff++;
    this.timers.set(TimerKind.PERSIST, this.persistDelay());
    return ProbeResult.CONTINUE;
  }

  /** SO_KEEPALIVE: probe after `idleMs` (default from config) without a segment from the peer. */
  setKeepAlive(enable: boolean, idleMs: number | undefined, state: TcpState): void {
    this.keepAlive = enable;
    if (idleMs !== undefined && idleMs > 0) this.keepaliveIdleMs = idleMs;
    if (enable && state !== TcpState.CLOSED) this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs);
    else this.timers.clear(TimerKind.KEEPALIVE);
  }

  /** A segment came from the peer at `now`: it is alive; the keepalive idle time starts again. */
  heardFromPeer(now: number): void {
    this.lastReceivedAt = now;
    this.keepaliveProbesSent = 0;
    if (this.keepAlive) this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs);
  }

  onKeepaliveTimer(state: TcpState, now: number): ProbeResult {
    if (!this.keepAlive || (state !== TcpState.ESTABLISHED && state !== TcpState.CLOSE_WAIT))
      return ProbeResult.CONTINUE;
    const idle = now - this.lastReceivedAt;
    if (this.keepaliveProbesSent === 0 && idle < this.keepaliveIdleMs) {
      this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs - idle);
      return ProbeResult.CONTINUE;
    }
    if (this.keepaliveProbesSent >= this.config.keepaliveProbes) return ProbeResult.GIVE_UP;
    this.keepaliveProbesSent++;
    this.emitter.sendProbe();
    this.timers.set(TimerKind.KEEPALIVE, this.config.keepaliveIntervalMs);
    return ProbeResult.CONTINUE;
  }
}
