/**
 * One TCP connection (RFC 9293): the segment-arrival processing of §3.10.7, the user calls (open, send,
 * close, abort) and the timers, on top of TcpReceiver (tcp-receiver.ts: segment text into the receive
 * buffer, and when to ACK it), TcpSender (tcp-sender.ts: what goes out, retransmission) and
 * TcpControlBlock (tcp-control-block.ts: the variables and building blocks).
 *
 * Call order: TcpLayer.receive → TcpConnection.receive → (SYN_SENT) receiveInSynSent, or
 * receiveSynchronized: sequence check → RST → SYN → ACK (processAck) → text (processText) → FIN →
 * output → notifications. User calls (write, shutdown, abort, read) and timers (onTimer) come in from
 * the side. The socket hears about data, space and the end through its TcpConnectionHandler, always
 * after the connection's state is consistent again, so a handler may call back in.
 */

import { PilhaError } from '../../../core/errors.js';
import type { TcpListener } from '../listen/tcp-listener.js';
import { type Seq, seqAdd, seqDiff, seqGt, seqInWindow, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { RtoEstimator } from './rto-estimator.js';
import type {
  TcpConnectionDeps,
  TcpConnectionHandler,
  TcpConnectionObserver,
  TcpConnectionParams,
} from './tcp-connection-types.js';
import { TcpReceiver } from './tcp-receiver.js';
import { ACK, FIN, RST, SYN } from './tcp-sender.js';
import { canSend, type TcpEvent, TcpState } from './tcp-state.js';
import { TimerKind } from './tcp-timers.js';

/** RFC 6298 (5.7): RTO once data flows if the SYN was retransmitted and no RTT was measured. */
const RTO_AFTER_SYN_LOSS_MS = 3000;
/** RFC 7323 §5.5: TS.Recent idle this long is invalid (the peer's clock may have wrapped): 24 days. */
const PAWS_IDLE_MS = 24 * 24 * 60 * 60 * 1000;

const NOTIFY_CONNECT = 1;
const NOTIFY_READABLE = 2;
const NOTIFY_WRITABLE = 4;
const NOTIFY_CLOSE = 8;

const NO_HANDLER: TcpConnectionHandler = {
  onConnect() {},
  onReadable() {},
  onWritable() {},
  onClose() {},
};

export class TcpConnection extends TcpReceiver {
  /** The listener that accepted this connection (passive opens), for the layer's queue accounting. */
  listener: TcpListener | undefined;
  private handler: TcpConnectionHandler = NO_HANDLER;
  private notify = 0;
  /** close() was called before the handshake finished: send FIN once established. */
  private closeWhenEstablished = false;
  private finished = false;

  constructor(
    params: TcpConnectionParams,
    deps: TcpConnectionDeps,
    private readonly observer: TcpConnectionObserver<TcpConnection>,
  ) {
    super(params, deps);
  }

  // ─── User calls ──────────────────────────────────────────────────────────────────────────────────

  /** Attaches the socket; it hears of everything from now on (and should read what is already queued). */
  setHandler(handler: TcpConnectionHandler | undefined): void {
    this.handler = handler ?? NO_HANDLER;
  }

  /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN out. */
  openActive(): void {
    this.activeOpen = true;
    this.transition('active-open');
    this.sendSyn(false, false);
    const connectTimeout = this.config.connectTimeoutMs;
    if (connectTimeout > 0) this.timers.set(TimerKind.CONNECT, connectTimeout);
  }

  /** Passive open by a listener that received `syn` (RFC 9293 §3.10.7.2): → SYN_RECEIVED, SYN-ACK out. */
  openPassive(syn: TcpSegment): void {
    this.transition('passive-open');
    this.takeSyn(syn);
    this.transition('rcv-syn');
    this.sendSyn(true, false);
  }

  /**
   * Passive open rebuilt from a valid SYN cookie (RFC 4987 §3.6): the layer sent the SYN-ACK without
   * keeping state, and `syn` is the client's SYN as the cookie and the ACK describe it. Leaves the
   * connection in SYN_RECEIVED with that SYN-ACK counted as sent (not timed: no RTT sample from it), so
   * the ACK that carried the cookie completes the handshake as any other would.
   */
  openFromCookie(syn: TcpSegment): void {
    this.transition('passive-open');
    this.takeSyn(syn);
    this.transition('rcv-syn');
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
  }

  /** Queues data to send (RFC 9293 §3.10.2). Throws EPIPE once the sending side is closed. */
  write(chunk: Uint8Array): void {
    this.queue(chunk);
    this.flush();
  }

  /** Queues without sending yet (a batch of writes); call flush() after. */
  queue(chunk: Uint8Array): void {
    if (!canSend(this.state) || this.finQueued || this.closeWhenEstablished) {
      throw new PilhaError('EPIPE', 'write after the connection was closed for sending');
    }
    this.sendBuffer.push(chunk);
  }

  /** Sends what windows and Nagle allow now. */
  flush(): void {
    if (!this.inInput && this.state >= TcpState.ESTABLISHED) {
      this.output();
      if (this.trace !== undefined) this.traceState();
    }
  }

  /** CLOSE (RFC 9293 §3.10.4), the half-close of end(): FIN after everything queued. */
  shutdown(): void {
    switch (this.state) {
      case TcpState.SYN_SENT:
      case TcpState.SYN_RECEIVED:
        this.closeWhenEstablished = true;
        return;
      case TcpState.ESTABLISHED:
      case TcpState.CLOSE_WAIT:
        this.queueFin();
        this.transition('close');
        this.flush();
        return;
      default:
        return; // LISTEN, CLOSED, or already closing
    }
  }

  /** ABORT (RFC 9293 §3.10.5): RST to the peer when it has a connection to reset, then CLOSED. */
  abort(): void {
    const s = this.state;
    if (s === TcpState.CLOSED) return;
    if (
      s === TcpState.SYN_RECEIVED ||
      s === TcpState.ESTABLISHED ||
      s === TcpState.FIN_WAIT_1 ||
      s === TcpState.FIN_WAIT_2 ||
      s === TcpState.CLOSE_WAIT
    ) {
      this.sendReset(this.sndNxt, true);
    }
    this.enterClosed(undefined);
  }

  /**
   * The socket is closed gracefully (after end()): the connection finishes in the background. Unread
   * data, or data that arrives later, means the application lost something: RST, as Linux does.
   */
  release(): void {
    this.handler = NO_HANDLER;
    this.orphaned = true;
    if (this.state === TcpState.CLOSED) {
      this.receiveBuffer.clear(); // nobody will read it: give its memory back to the budget
      return;
    }
    if (this.receiveBuffer.queued > 0) {
      this.abort();
      return;
    }
    if (this.state === TcpState.FIN_WAIT_2)
      this.timers.set(TimerKind.FIN_WAIT_2, this.config.finWait2TimeoutMs);
  }

  /** After a batch of read()s: advertise the window if reading opened it a lot (one ACK, not one per chunk). */
  readDone(): void {
    if (!this.inInput) this.maybeWindowUpdate();
  }

  /**
   * ICMP Destination Unreachable quoting our segment with sequence number `quotedSeq` (RFC 5927 §4.1:
   * it must be one we sent). Protocol or port unreachable during the handshake refuses the connection,
   * as Linux does; returns whether the connection was closed.
   */
  icmpUnreachable(quotedSeq: Seq, code: number): boolean {
    if (this.state !== TcpState.SYN_SENT || quotedSeq !== this.iss) return false;
    if (code !== 2 && code !== 3) return false;
    this.enterClosed(
      new PilhaError('ECONNREFUSED', `connection refused by ${this.peerName()} (ICMP unreachable)`),
    );
    return true;
  }

  setNoDelay(noDelay: boolean): void {
    this.noDelay = noDelay;
    if (noDelay) this.flush();
  }

  /** SO_KEEPALIVE: probe after `idleMs` (default from config) without a segment from the peer. */
  setKeepAlive(enable: boolean, idleMs?: number): void {
    this.keepAlive = enable;
    if (idleMs !== undefined && idleMs > 0) this.keepaliveIdleMs = idleMs;
    if (enable && this.state !== TcpState.CLOSED) this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs);
    else this.timers.clear(TimerKind.KEEPALIVE);
  }

  /** Ends TIME_WAIT now (the layer recycles the oldest entry when its table is full). */
  expireTimeWait(): void {
    if (this.state !== TcpState.TIME_WAIT) return;
    this.transition('time-wait-expired');
    this.enterClosed(undefined);
  }

  // ─── Segment arrival (RFC 9293 §3.10.7) ────────────────────────────────────────────────────────

  /** A segment for this connection (the layer has demultiplexed it and verified its checksum). */
  receive(seg: TcpSegment): void {
    if (this.state === TcpState.CLOSED) return;
    this.counts.segmentsReceived++;
    this.inInput = true;
    try {
      if (this.state === TcpState.SYN_SENT) this.receiveInSynSent(seg);
      else this.receiveSynchronized(seg);
    } finally {
      this.inInput = false;
    }
    // The state may have changed above; output() sends nothing in CLOSED.
    if ((this.state as TcpState) >= TcpState.ESTABLISHED) this.output();
    if (this.trace !== undefined) this.traceState();
    this.deliverNotifications();
  }

  /** RFC 9293 §3.10.7.3, SYN-SENT. */
  private receiveInSynSent(seg: TcpSegment): void {
    const flags = seg.flags;
    if (flags & ACK) {
      // An ACK of something we never sent: RST it (unless it is a RST itself).
      if (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndMax)) {
        if (!(flags & RST)) this.sendResetTo(seg.ack);
        return;
      }
    }
    if (flags & RST) {
      // RFC 5961 §3: in SYN-SENT a RST is valid when it acknowledges our SYN. RST+ACK never opens.
      if (flags & ACK)
        this.enterClosed(new PilhaError('ECONNREFUSED', `connection refused by ${this.peerName()}`));
      return;
    }
    if (!(flags & SYN)) return;
    this.takeSyn(seg);
    if (flags & ACK) {
      this.sndUna = seg.ack;
      this.sampleRtt(seg, this.clock.now());
    }
    if (seqGt(this.sndUna, this.iss)) {
      // Our SYN is acknowledged: ESTABLISHED (takeSyn took the SYN-ACK's unscaled window).
      this.synAcked = true;
      this.sndWl2 = seg.ack;
      this.timers.clear(TimerKind.RETRANSMIT);
      this.timers.clear(TimerKind.CONNECT);
      this.transition('rcv-syn-ack');
      this.established();
      this.ackNow = true;
      // The FIN sits after the SYN-ACK's data: its offset is taken before processText moves RCV.NXT past it.
      const finAt = this.receiveBuffer.nextOffset + seg.payload.length;
      if (seg.payload.length > 0 && this.processText(seqAdd(seg.seq, 1), seg.payload))
        this.notify |= NOTIFY_READABLE;
      if (seg.flags & FIN) this.receiveBuffer.markFin(finAt);
      this.checkFin();
    } else {
      // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN-RECEIVED, and our SYN again with an ACK.
      this.transition('rcv-syn');
      this.sendSyn(true, false);
    }
  }

  /** RFC 9293 §3.10.7.4, every state from SYN-RECEIVED on. */
  private receiveSynchronized(seg: TcpSegment): void {
    const flags = seg.flags;
    const now = this.clock.now();
    const state = this.state;
    this.lastReceivedAt = now;
    this.keepaliveProbesSent = 0;
    if (this.keepAlive) this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs);

    // A retransmitted SYN while we wait for the ACK of our SYN-ACK: send the SYN-ACK again.
    if (state === TcpState.SYN_RECEIVED && (flags & (SYN | ACK | RST)) === SYN && seg.seq === this.irs) {
      this.sendSyn(true, true);
      return;
    }

    let payload = seg.payload;
    let fin = (flags & FIN) !== 0;
    const segLen = payload.length + (flags & SYN ? 1 : 0) + (fin ? 1 : 0);
    const rcvNxt = this.rcvNxt;
    const rcvWnd = this.receiveWindow();

    // 0. PAWS (RFC 7323 §5.3 R1): a timestamp older than TS.Recent is an old duplicate, whatever its
    // sequence number says (it may be from 4 GiB ago). A RST is exempt (§5.3 R1; RFC 5961 checks it).
    const ts = seg.options.timestamp;
    if (
      this.tsEnabled &&
      ts !== undefined &&
      !(flags & RST) &&
      ((ts.value - this.tsRecent) | 0) < 0 &&
      now - this.tsRecentAt < PAWS_IDLE_MS
    ) {
      this.counts.dropPaws++;
      if (!(flags & SYN)) this.noteOldDuplicate(seg.seq, payload.length);
      this.sendAckForDropped(segLen > 0 && !(flags & SYN));
      return;
    }

    // 1. Sequence number check (§3.10.7.4, the four cases of the acceptability test).
    let acceptable: boolean;
    if (segLen === 0) acceptable = rcvWnd === 0 ? seg.seq === rcvNxt : seqInWindow(seg.seq, rcvNxt, rcvWnd);
    else
      acceptable =
        rcvWnd > 0 &&
        (seqInWindow(seg.seq, rcvNxt, rcvWnd) || seqInWindow(seqAdd(seg.seq, segLen - 1), rcvNxt, rcvWnd));
    if (!acceptable) {
      // RFC 5961 §3.2: a RST outside the window is dropped silently — and a RST is never answered.
      if (flags & RST) {
        this.counts.dropRstOutOfWindow++;
        return;
      }
      // A zero window still takes the ACK of a segment at RCV.NXT (§3.10.7.4: "special allowance").
      if (!(rcvWnd === 0 && seg.seq === rcvNxt && flags & ACK)) {
        this.counts.dropOutOfWindow++;
        if (state === TcpState.TIME_WAIT && fin) this.timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
        // RFC 2883 §4.1.1: a retransmission of data already received is reported as a D-SACK.
        if (!(flags & SYN) && seqLe(seqAdd(seg.seq, payload.length), rcvNxt)) {
          this.noteOldDuplicate(seg.seq, payload.length);
        }
        this.sendAckForDropped(segLen > 0 && !(flags & SYN));
        return;
      }
      payload = EMPTY;
      fin = false;
      this.ackNow = true;
    }
    this.updateTsRecent(seg);

    // 2. RST (RFC 5961 §3.2): exactly RCV.NXT resets; anywhere else in the window gets a challenge ACK.
    if (flags & RST) {
      if (seg.seq === rcvNxt) this.receiveReset();
      else this.sendChallengeAck();
      return;
    }
    // 4. SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, whatever its sequence number.
    if (flags & SYN) {
      this.sendChallengeAck();
      return;
    }
    // 5. ACK.
    if (!(flags & ACK)) return;
    if (state === TcpState.SYN_RECEIVED) {
      if (!(seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndMax))) {
        this.sendResetTo(seg.ack);
        return;
      }
      this.transition('rcv-ack-of-syn');
      this.established();
    }
    if (!this.processAck(seg, payload.length, now)) return;
    if (this.state === TcpState.CLOSED) return;

    // Trim to what is new and what fits (the FIN goes if its byte does not).
    let dataSeq = seg.seq;
    const skip = seqDiff(rcvNxt, dataSeq);
    if (skip > 0) {
      this.noteOldDuplicate(dataSeq, payload.length); // RFC 2883 §4.4: the old part is a D-SACK
      payload = skip >= payload.length ? EMPTY : payload.subarray(skip);
      dataSeq = rcvNxt;
    }
    const room = rcvWnd - seqDiff(dataSeq, rcvNxt);
    if (payload.length > room) {
      payload = room > 0 ? payload.subarray(0, room) : EMPTY;
      fin = false;
    }

    // 7. Segment text.
    if (payload.length > 0) {
      const s = this.state;
      if (s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2) {
        if (this.orphaned) {
          // Linux's TCPAbortOnData: nobody will read this.
          this.sendReset(this.sndNxt, true);
          this.enterClosed(undefined);
          return;
        }
        if (this.processText(dataSeq, payload)) this.notify |= NOTIFY_READABLE;
      }
    }
    // 8. FIN (recorded where it sits; processed once everything before it is in).
    if (fin && !this.finReceived) {
      this.receiveBuffer.markFin(
        this.receiveBuffer.nextOffset + seqDiff(dataSeq, this.rcvNxt) + payload.length,
      );
      if (!this.receiveBuffer.finReached) this.ackNow = true;
    }
    this.checkFin();
  }

  /** RFC 9293 §3.10.7.4 second: the reset of a synchronized connection. */
  private receiveReset(): void {
    const s = this.state;
    if (s === TcpState.SYN_RECEIVED && !this.activeOpen) {
      // Back to LISTEN, which for us means: this half-open connection is gone, its slot free.
      this.enterClosed(undefined);
      return;
    }
    if (s === TcpState.SYN_RECEIVED) {
      this.enterClosed(new PilhaError('ECONNREFUSED', `connection refused by ${this.peerName()}`));
      return;
    }
    if (s === TcpState.CLOSING || s === TcpState.LAST_ACK || s === TcpState.TIME_WAIT) {
      this.enterClosed(undefined);
      return;
    }
    this.enterClosed(new PilhaError('ECONNRESET', `connection reset by ${this.peerName()}`));
  }

  /** Fifth, the ACK field. Returns false when the segment must be dropped. */
  private processAck(seg: TcpSegment, dataLength: number, now: number): boolean {
    const ack = seg.ack;
    // An ACK of data never sent (RFC 9293), or older than the largest window the peer could still
    // legitimately be acknowledging (RFC 5961 §5.2): ACK and drop.
    if (seqGt(ack, this.sndMax)) {
      this.counts.dropAckUnsent++;
      this.sendChallengeAck();
      return false;
    }
    if (seqLt(ack, seqAdd(this.sndUna, -Math.max(this.maxSndWnd, 1)))) {
      this.counts.dropAckTooOld++;
      this.sendChallengeAck();
      return false;
    }
    const window = seg.window * (1 << this.sndShift);
    if (seqGt(ack, this.sndUna)) {
      this.persistUnanswered = 0;
      const finAcked = this.newAck(seg, now);
      if (this.sendBuffer.writerMayResume()) this.notify |= NOTIFY_WRITABLE;
      this.updateWindow(seg, window);
      if (finAcked) this.ourFinAcked();
      return true;
    }
    this.persistUnanswered = 0;
    if (ack === this.sndUna) {
      // RFC 5681 §2: a duplicate ACK carries no data, no SYN/FIN, the same window, and there is data out.
      if (
        dataLength === 0 &&
        (seg.flags & (SYN | FIN)) === 0 &&
        window === this.sndWnd &&
        this.sndMax !== this.sndUna
      ) {
        this.duplicateAck();
      } else if (dataLength > 0 || window !== this.sndWnd) {
        this.dupAcks = 0;
      }
      this.updateWindow(seg, window);
    }
    return true;
  }

  private updateWindow(seg: TcpSegment, window: number): void {
    // RFC 9293 §3.10.7.4: only a segment newer than the last window update may change the window.
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, seg.ack))) {
      this.sndWnd = window;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      if (window > this.maxSndWnd) this.maxSndWnd = window;
      if (window > 0) {
        this.timers.clear(TimerKind.PERSIST);
        this.persistBackoff = 0;
      }
    }
  }

  /** Our FIN is acknowledged (RFC 9293 §3.10.7.4, FIN-WAIT-1, CLOSING, LAST-ACK). */
  private ourFinAcked(): void {
    switch (this.state) {
      case TcpState.FIN_WAIT_1:
        this.transition('rcv-ack-of-fin');
        if (this.orphaned) this.timers.set(TimerKind.FIN_WAIT_2, this.config.finWait2TimeoutMs);
        return;
      case TcpState.CLOSING:
        this.transition('rcv-ack-of-fin');
        this.enterTimeWait();
        return;
      case TcpState.LAST_ACK:
        this.transition('rcv-ack-of-fin');
        this.enterClosed(undefined);
        return;
      default:
        return;
    }
  }

  /** Eighth, the FIN, once every byte before it is in (RFC 9293 §3.10.7.4). */
  private checkFin(): void {
    if (this.finReceived || !this.receiveBuffer.finReached) return;
    this.finReceived = true;
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.ackNow = true;
    this.notify |= NOTIFY_READABLE;
    switch (this.state) {
      case TcpState.SYN_RECEIVED:
      case TcpState.ESTABLISHED:
        this.transition('rcv-fin');
        return;
      case TcpState.FIN_WAIT_1:
        this.transition('rcv-fin');
        return;
      case TcpState.FIN_WAIT_2:
        this.transition('rcv-fin');
        this.enterTimeWait();
        return;
      default:
        return;
    }
  }

  // ─── Timers ──────────────────────────────────────────────────────────────────────────────────────

  override onTimer(kind: TimerKind, now: number): void {
    switch (kind) {
      case TimerKind.RETRANSMIT:
        this.onRetransmitTimer();
        break;
      case TimerKind.DELAYED_ACK:
        if (this.ackPendingBytes > 0 || this.ackNow) this.sendAck();
        break;
      case TimerKind.PERSIST:
        this.onPersistTimer();
        break;
      case TimerKind.KEEPALIVE:
        this.onKeepaliveTimer(now);
        break;
      case TimerKind.TIME_WAIT:
        this.expireTimeWait();
        break;
      case TimerKind.CONNECT:
        if (this.state === TcpState.SYN_SENT || (this.activeOpen && this.state === TcpState.SYN_RECEIVED)) {
          this.enterClosed(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out`));
        }
        break;
      case TimerKind.FIN_WAIT_2:
        if (this.state === TcpState.FIN_WAIT_2) this.enterClosed(undefined);
        break;
      default:
        kind satisfies never;
    }
    if (this.trace !== undefined) this.traceState();
    this.deliverNotifications();
  }

  /** A half-open connection's SYN-ACK timed out: its listener says how many more tries it gets. */
  protected override synAckRetryLimit(): number {
    const { synAckRetries, synAckRetriesUnderPressure } = this.config;
    return this.listener?.synAckRetryLimit(synAckRetries, synAckRetriesUnderPressure) ?? synAckRetries;
  }

  // ─── Transitions ─────────────────────────────────────────────────────────────────────────────────

  private established(): void {
    this.retries = 0;
    if (this.synRetransmitted && this.rto.srtt === undefined) {
      this.rto = new RtoEstimator({
        initialRtoMs: Math.max(RTO_AFTER_SYN_LOSS_MS, this.config.minRtoMs),
        minRtoMs: this.config.minRtoMs,
        maxRtoMs: this.config.maxRtoMs,
      });
    }
    if (this.activeOpen) this.notify |= NOTIFY_CONNECT;
    if (this.closeWhenEstablished) {
      this.closeWhenEstablished = false;
      this.queueFin();
      this.transition('close');
    }
  }

  private enterTimeWait(): void {
    this.timers.clear(TimerKind.RETRANSMIT);
    this.timers.clear(TimerKind.PERSIST);
    this.timers.clear(TimerKind.KEEPALIVE);
    this.timers.clear(TimerKind.FIN_WAIT_2);
    this.sendBuffer.clear();
    // A TIME_WAIT table of size 0 holds none (Linux tcp_max_tw_buckets = 0): straight on to CLOSED.
    if (this.config.maxTimeWait === 0) {
      if (this.ackNow) this.sendAck(); // the ACK of the peer's FIN still goes out first
      this.expireTimeWait();
      return;
    }
    this.timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
  }

  /** Everything ends here (by reset, abort, timeout, or a transition that reached CLOSED): timers off, socket told. */
  protected fail(error: PilhaError | undefined): void {
    this.enterClosed(error);
  }

  private enterClosed(error: PilhaError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    if (this.state !== TcpState.CLOSED) this.transition('reset');
    this.timers.stop();
    this.sendBuffer.clear();
    if (error !== undefined) {
      this.closeError = error;
      this.receiveBuffer.clear();
    } else if (this.handler === NO_HANDLER) {
      this.receiveBuffer.clear(); // no socket will ever read it (aborted in the accept queue, orphaned)
    }
    this.notify |= NOTIFY_CLOSE;
    if (!this.inInput) this.deliverNotifications();
  }

  private transition(event: TcpEvent): void {
    const from = this.sm.apply(event);
    this.observer.onStateChange(this, from, this.sm.state);
  }

  private deliverNotifications(): void {
    const n = this.notify;
    if (n === 0) return;
    this.notify = 0;
    const handler = this.handler;
    if (n & NOTIFY_CONNECT) handler.onConnect();
    if (n & NOTIFY_READABLE) handler.onReadable();
    if (n & NOTIFY_WRITABLE) handler.onWritable();
    if (n & NOTIFY_CLOSE) {
      this.handler = NO_HANDLER;
      handler.onClose(this.closeError);
    }
  }
}

const EMPTY = new Uint8Array(0);
