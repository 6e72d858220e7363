/**
 * One TCP connection (RFC 9293): keeps the state machine, takes the user calls (open, send, close,
 * abort), dispatches the timers, tells the socket, and orchestrates the parts it is composed of, each
 * owning its own state (no inheritance, no shared protected fields):
 * - TcpControlBlock (tcp-control-block.ts): the RFC 9293 variables and negotiated options, a plain record
 *   every part shares (filled from the SYNs by tcp-syn-negotiation.ts);
 * - TcpSender (tcp-sender.ts): send queue, segmentation, Nagle/SWS, RTT and RTO, retransmission, send
 *   window, persist and keepalive probes; it holds the congestion controller (congestion/);
 * - TcpReceiver (tcp-receiver.ts): receive buffer, acceptability test, ACK policy, window advertisement,
 *   SACK/D-SACK blocks;
 * - LossRecovery (../recovery/loss-recovery.ts): the one keeper of recovery state — duplicate ACKs, fast retransmit,
 *   NewReno partial ACKs and exit, timeout bookkeeping; it tells the congestion controller of each event;
 * - TcpAckProcessor (tcp-ack-processor.ts): the ACK field, calling sender and loss recovery in order;
 * - TcpSegmentEmitter (tcp-segment-emitter.ts): writes every segment (window and SACK from the receiver);
 * - TcpTimers (tcp-timers.ts), TcpStateMachine (tcp-state.ts).
 * The parts hold direct references to each other and to the control block, set here once; nothing is
 * looked up, and no closure or object is made, per segment. Parts never call back into the connection:
 * what concerns the state machine comes back as a return value (Acceptance, AckResult, ProbeResult).
 *
 * Call order of a segment (TcpLayer.receive → receive): in SYN_SENT, receiveInSynSent; otherwise
 * receiveSynchronized:
 *   keepalive told (sender.heardFromPeer) →
 *   0. PAWS and 1. acceptability (receiver.checkAcceptable) → TS.Recent (receiver) →
 *   2. RST → 4. SYN (challenge ACKs, emitter) → SYN_RECEIVED's ACK of our SYN (state machine) →
 *   5. ACK (TcpAckProcessor.process): unacceptable ACK values dropped → the peer's SACK blocks to loss
 *      recovery → an ACK of new data: the sender frees the queue and moves SND.UNA → RTT sample (sender)
 *      → loss recovery decides (recovery exit, partial ACK) and drives the congestion controller →
 *      retransmission timer (sender) → the next hole retransmitted if loss recovery said so → send
 *      window (sender); or a duplicate ACK: loss recovery counts it, the sender fast-retransmits if it
 *      says so → our FIN acknowledged (state machine) →
 *   trim to the window → 7. text (receiver.processText) → 8. FIN (checkFin, state machine) →
 *   output (sender.output, then any ACK the receiver wants that nothing carried) → trace → notifications.
 * User calls (write, shutdown, abort, read) and timers (onTimer) come in from the side. The socket hears
 * about data, space and the end through its TcpConnectionHandler, always after the connection's state is
 * consistent again, so a handler may call back in.
 */

import { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../../core/ipv4-address.js';
import type { Logger } from '../../../core/logger.js';
import type { TcpListener } from '../listen/tcp-listener.js';
import { LossRecovery } from '../recovery/loss-recovery.js';
import { type TcpConfig, windowShiftFor } from '../tcp-config.js';
import type { TcpTraceChannel } from '../trace/tcp-tracer.js';
import { type Seq, seqAdd, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { AckResult, TcpAckProcessor } from './tcp-ack-processor.js';
import { connectionStats } from './tcp-connection-stats.js';
import {
  CONNECTION_COUNTERS,
  type ConnectionCounterName,
  type TcpConnectionDeps,
  type TcpConnectionHandler,
  type TcpConnectionObserver,
  type TcpConnectionParams,
  type TcpConnectionStats,
} from './tcp-connection-types.js';
import { TcpControlBlock } from './tcp-control-block.js';
import { Acceptance, TcpReceiver, TextResult } from './tcp-receiver.js';
import { ACK, FIN, RST, SYN, TcpSegmentEmitter } from './tcp-segment-emitter.js';
import { ProbeResult, TcpSender } from './tcp-sender.js';
import { canSend, TCP_STATE_NAMES, type TcpEvent, TcpState, TcpStateMachine } from './tcp-state.js';
import { negotiateSyn } from './tcp-syn-negotiation.js';
import { TcpTimers, TimerKind, type TimerTarget } from './tcp-timers.js';

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

export class TcpConnection implements TimerTarget {
  readonly localAddress: Ipv4Address;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  /** The demultiplexing key within the local port: remoteAddress · 65536 + remotePort. */
  readonly key: number;
  /** The listener that accepted this connection (passive opens), for the layer's queue accounting. */
  listener: TcpListener | undefined;

  // The parts (see the header comment), made once in the constructor.
  private readonly tcb: TcpControlBlock;
  private readonly sender: TcpSender;
  private readonly receiver: TcpReceiver;
  private readonly recovery: LossRecovery;
  private readonly emitter: TcpSegmentEmitter;
  private readonly ackProcessor: TcpAckProcessor;
  private readonly timers: TcpTimers;
  private readonly sm: TcpStateMachine;

  private readonly config: TcpConfig;
  private readonly deps: TcpConnectionDeps;
  private readonly log: Logger;
  private readonly counts: Record<ConnectionCounterName, number>;
  private readonly trace: TcpTraceChannel | undefined;

  private handler: TcpConnectionHandler = NO_HANDLER;
  private notify = 0;
  /** close() was called before the handshake finished: send FIN once established. */
  private closeWhenEstablished = false;
  private finished = false;
  /** Inside receive(): user calls made from handlers defer their output to its end. */
  private inInput = false;
  /** Opened by connect() (active open), not by a listener. */
  private activeOpen = false;
  /** The socket is gone (closed gracefully): data that still arrives is answered with RST. */
  private orphaned = false;
  /** The peer's FIN has been processed. */
  private finReceived = false;
  /** Why the connection closed, when it was not a clean close. */
  private closeError: PilhaError | undefined;

  constructor(
    params: TcpConnectionParams,
    deps: TcpConnectionDeps,
    private readonly observer: TcpConnectionObserver<TcpConnection>,
  ) {
    this.localAddress = params.localAddress;
    this.localPort = params.localPort;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    this.key = params.remoteAddress * 65536 + params.remotePort;
    this.deps = deps;
    this.config = deps.config;
    this.log = deps.log;
    const counts = {} as Record<ConnectionCounterName, number>;
    for (const name of CONNECTION_COUNTERS) counts[name] = 0;
    this.counts = counts;
    this.trace = deps.tracer.enabled
      ? deps.tracer.channel(
          `${formatIpv4(this.localAddress)}:${this.localPort}>${formatIpv4(this.remoteAddress)}:${this.remotePort}`,
        )
      : undefined;
    const tcb = new TcpControlBlock(params, windowShiftFor(deps.config.receiveBufferSize));
    this.tcb = tcb;
    this.timers = new TcpTimers(deps.clock, this);
    this.sm = new TcpStateMachine(deps.log, () => this.describe());
    this.receiver = new TcpReceiver(tcb, deps, this.timers, counts);
    const sendBuffer = TcpSender.createSendBuffer(deps);
    this.emitter = new TcpSegmentEmitter(tcb, deps, counts, this.receiver, sendBuffer);
    this.recovery = new LossRecovery(tcb, counts);
    this.sender = new TcpSender(
      tcb,
      deps,
      this.emitter,
      sendBuffer,
      this.timers,
      counts,
      this.trace,
      this.recovery,
    );
    this.ackProcessor = new TcpAckProcessor(
      tcb,
      this.sender,
      this.recovery,
      this.emitter,
      counts,
      this.trace,
    );
  }

  get state(): TcpState {
    return this.sm.state;
  }

  private peerName(): string {
    return `${formatIpv4(this.remoteAddress)}:${this.remotePort}`;
  }

  /** For log lines. */
  describe(): Record<string, unknown> {
    return {
      local: this.localPort,
      remote: `${formatIpv4(this.remoteAddress)}:${this.remotePort}`,
      state: TCP_STATE_NAMES[this.sm.state],
    };
  }

  // ─── What the application side reads ─────────────────────────────────────────────────────────────

  /** The next in-order chunk for the application (a Buffer it may keep), or undefined. Call readDone() after. */
  read(): Uint8Array | undefined {
    return this.receiver.receiveBuffer.read();
  }

  /** True once the peer's FIN was received and every byte before it has been read. */
  get readEnded(): boolean {
    return this.finReceived && this.receiver.receiveBuffer.queued === 0;
  }

  get readableBytes(): number {
    return this.receiver.receiveBuffer.queued;
  }

  /** Whether the send queue is at capacity (a writer should wait for onWritable). */
  get sendBufferFull(): boolean {
    return this.sender.sendBuffer.full;
  }

  /**
   * After a write: whether the writer must wait for onWritable (the send queue is at its limit, which
   * memory pressure may have lowered). onWritable follows once ACKs make room, whatever the limit is then.
   */
  writerMustWait(): boolean {
    return this.sender.sendBuffer.mustWait();
  }

  get writeQueued(): number {
    return this.sender.sendBuffer.size;
  }

  /** RCV.NXT (for TIME_WAIT reuse by a new SYN). */
  get receiveNext(): Seq {
    return this.tcb.rcvNxt;
  }

  /** Whether this connection was opened actively (connect) rather than by a listener. */
  get isActiveOpen(): boolean {
    return this.activeOpen;
  }

  /** The error the connection closed with, if it did. */
  get error(): PilhaError | undefined {
    return this.closeError;
  }

  /** What `ss -ti` shows for this connection. */
  stats(): TcpConnectionStats {
    return connectionStats(this.sm.state, this.tcb, this.sender, this.receiver.receiveBuffer, this.counts);
  }

  /** The counters the layer adds to its totals when the connection ends. */
  counters(): Readonly<Record<ConnectionCounterName, number>> {
    return this.counts;
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
    this.sender.sendSyn(false, false);
    const connectTimeout = this.config.connectTimeoutMs;
    if (connectTimeout > 0) this.timers.set(TimerKind.CONNECT, connectTimeout);
  }

  /** Passive open by a listener that received `syn` (RFC 9293 §3.10.7.2): → SYN_RECEIVED, SYN-ACK out. */
  openPassive(syn: TcpSegment): void {
    this.transition('passive-open');
    this.takeSyn(syn);
    this.transition('rcv-syn');
    this.sender.sendSyn(true, false);
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
    this.tcb.sndNxt = seqAdd(this.tcb.iss, 1);
    this.tcb.sndMax = this.tcb.sndNxt;
  }

  /** Queues data to send (RFC 9293 §3.10.2). Throws EPIPE once the sending side is closed. */
  write(chunk: Uint8Array): void {
    this.queue(chunk);
    this.flush();
  }

  /** Queues without sending yet (a batch of writes); call flush() after. */
  queue(chunk: Uint8Array): void {
    if (!canSend(this.state) || this.tcb.finQueued || this.closeWhenEstablished) {
      throw new PilhaError('EPIPE', 'write after the connection was closed for sending');
    }
    this.sender.sendBuffer.push(chunk);
  }

  /** Sends what windows and Nagle allow now. */
  flush(): void {
    if (!this.inInput && this.state >= TcpState.ESTABLISHED) {
      this.output(false);
      if (this.trace !== undefined) this.sender.traceState();
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
        this.sender.queueFin();
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
      this.emitter.sendReset(this.tcb.sndNxt, true);
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
      this.receiver.receiveBuffer.clear(); // nobody will read it: give its memory back to the budget
      return;
    }
    if (this.receiver.receiveBuffer.queued > 0) {
      this.abort();
      return;
    }
    if (this.state === TcpState.FIN_WAIT_2)
      this.timers.set(TimerKind.FIN_WAIT_2, this.config.finWait2TimeoutMs);
  }

  /** After a batch of read()s: advertise the window if reading opened it a lot (one ACK, not one per chunk). */
  readDone(): void {
    if (!this.inInput && this.receiver.windowUpdateDue(this.sm.state)) this.emitter.sendAck();
  }

  /**
   * ICMP Destination Unreachable quoting our segment with sequence number `quotedSeq` (RFC 5927 §4.1:
   * it must be one we sent). Protocol or port unreachable during the handshake refuses the connection,
   * as Linux does; returns whether the connection was closed.
   */
  icmpUnreachable(quotedSeq: Seq, code: number): boolean {
    if (this.state !== TcpState.SYN_SENT || quotedSeq !== this.tcb.iss) return false;
    if (code !== 2 && code !== 3) return false;
    this.enterClosed(
      new PilhaError('ECONNREFUSED', `connection refused by ${this.peerName()} (ICMP unreachable)`),
    );
    return true;
  }

  setNoDelay(noDelay: boolean): void {
    this.sender.noDelay = noDelay;
    if (noDelay) this.flush();
  }

  /** SO_KEEPALIVE: probe after `idleMs` (default from config) without a segment from the peer. */
  setKeepAlive(enable: boolean, idleMs?: number): void {
    this.sender.setKeepAlive(enable, idleMs, this.state);
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
    if ((this.state as TcpState) >= TcpState.ESTABLISHED) this.output(false);
    if (this.trace !== undefined) this.sender.traceState();
    this.deliverNotifications();
  }

  /** RFC 9293 §3.10.7.3, SYN-SENT. */
  private receiveInSynSent(seg: TcpSegment): void {
    const flags = seg.flags;
    if (flags & ACK) {
      // An ACK of something we never sent: RST it (unless it is a RST itself).
      if (seqLe(seg.ack, this.tcb.iss) || seqGt(seg.ack, this.tcb.sndMax)) {
        if (!(flags & RST)) this.emitter.sendResetTo(seg.ack);
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
      this.tcb.sndUna = seg.ack;
      this.sender.sampleRtt(seg, this.deps.clock.now());
    }
    if (seqGt(this.tcb.sndUna, this.tcb.iss)) {
      // Our SYN is acknowledged: ESTABLISHED (takeSyn took the SYN-ACK's unscaled window).
      this.tcb.synAcked = true;
      this.tcb.sndWl2 = seg.ack;
      this.timers.clear(TimerKind.RETRANSMIT);
      this.timers.clear(TimerKind.CONNECT);
      this.transition('rcv-syn-ack');
      this.established();
      this.receiver.requestAck();
      // The FIN sits after the SYN-ACK's data: its offset is taken before processText moves RCV.NXT past it.
      const finAt = this.receiver.receiveBuffer.nextOffset + seg.payload.length;
      if (seg.payload.length > 0 && this.receiver.processText(seqAdd(seg.seq, 1), seg.payload))
        this.notify |= NOTIFY_READABLE;
      if (seg.flags & FIN) this.receiver.receiveBuffer.markFin(finAt);
      this.checkFin();
    } else {
      // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN-RECEIVED, and our SYN again with an ACK.
      this.transition('rcv-syn');
      this.sender.sendSyn(true, false);
    }
  }

  /** RFC 9293 §3.10.7.4, every state from SYN-RECEIVED on. */
  private receiveSynchronized(seg: TcpSegment): void {
    const flags = seg.flags;
    const now = this.deps.clock.now();
    const state = this.state;
    const tcb = this.tcb;
    const receiver = this.receiver;
    this.sender.heardFromPeer(now);

    // A retransmitted SYN while we wait for the ACK of our SYN-ACK: send the SYN-ACK again.
    if (state === TcpState.SYN_RECEIVED && (flags & (SYN | ACK | RST)) === SYN && seg.seq === tcb.irs) {
      this.sender.sendSyn(true, true);
      return;
    }

    let payload = seg.payload;
    let fin = (flags & FIN) !== 0;
    const segLen = payload.length + (flags & SYN ? 1 : 0) + (fin ? 1 : 0);
    const rcvNxt = tcb.rcvNxt;
    const rcvWnd = receiver.receiveWindow();

    // 0. PAWS, 1. the acceptability test (the receiver's window).
    const acceptance = receiver.checkAcceptable(seg, segLen, rcvWnd, now);
    if (acceptance !== Acceptance.ACCEPT) {
      if (acceptance === Acceptance.ACK_ONLY) {
        payload = EMPTY;
        fin = false;
      } else {
        if (acceptance === Acceptance.DROP) return;
        if (acceptance === Acceptance.DROP_OUT_OF_WINDOW && state === TcpState.TIME_WAIT && fin)
          this.timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
        this.emitter.sendAckForDropped(segLen > 0 && !(flags & SYN));
        return;
      }
    }
    receiver.updateTsRecent(seg, now);

    // 2. RST (RFC 5961 §3.2): exactly RCV.NXT resets; anywhere else in the window gets a challenge ACK.
    if (flags & RST) {
      if (seg.seq === rcvNxt) this.receiveReset();
      else this.emitter.sendChallengeAck();
      return;
    }
    // 4. SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, whatever its sequence number.
    if (flags & SYN) {
      this.emitter.sendChallengeAck();
      return;
    }
    // 5. ACK.
    if (!(flags & ACK)) return;
    if (state === TcpState.SYN_RECEIVED) {
      if (!(seqLt(tcb.sndUna, seg.ack) && seqLe(seg.ack, tcb.sndMax))) {
        this.emitter.sendResetTo(seg.ack);
        return;
      }
      this.transition('rcv-ack-of-syn');
      this.established();
    }
    const acked = this.ackProcessor.process(seg, payload.length, now);
    if (acked & AckResult.DROP) return;
    if (acked & AckResult.WRITABLE) this.notify |= NOTIFY_WRITABLE;
    if (acked & AckResult.FIN_ACKED) this.ourFinAcked();
    if (this.state === TcpState.CLOSED) return;

    // Trim to the window, 7. text, 8. FIN recorded where it sits (receiver).
    const s = this.state;
    const textAllowed = s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2;
    const text = receiver.receiveText(
      seg.seq,
      payload,
      fin,
      rcvNxt,
      rcvWnd,
      textAllowed,
      this.orphaned,
      this.finReceived,
    );
    if (text & TextResult.UNREAD) {
      // Linux's TCPAbortOnData: the socket is gone and nobody will read this.
      this.emitter.sendReset(tcb.sndNxt, true);
      this.enterClosed(undefined);
      return;
    }
    if (text & TextResult.READABLE) this.notify |= NOTIFY_READABLE;
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
    if (this.finReceived || !this.receiver.receiveBuffer.finReached) return;
    this.finReceived = true;
    this.tcb.rcvNxt = seqAdd(this.tcb.rcvNxt, 1);
    this.receiver.requestAck();
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

  // ─── Output ──────────────────────────────────────────────────────────────────────────────────────

  /** What the sender may send now (`force`: the persist timer's override of SWS avoidance), then a due ACK. */
  private output(force: boolean): void {
    const state = this.sm.state;
    if (state === TcpState.CLOSED) return;
    this.sender.output(state, force);
    if (this.receiver.ackDue) this.emitter.sendAck();
  }

  // ─── Timers ──────────────────────────────────────────────────────────────────────────────────────

  onTimer(kind: TimerKind, now: number): void {
    switch (kind) {
      case TimerKind.RETRANSMIT:
        this.onRetransmitTimer();
        break;
      case TimerKind.DELAYED_ACK:
        if (this.receiver.ackPending) this.emitter.sendAck();
        break;
      case TimerKind.PERSIST:
        this.onProbeResult(this.sender.onPersistTimer(this.state, this.orphaned), 'zero window');
        break;
      case TimerKind.KEEPALIVE:
        this.onProbeResult(this.sender.onKeepaliveTimer(this.state, now), 'keepalive');
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
      case TimerKind.LOSS_PROBE:
        this.sender.onLossProbeTimer(this.state);
        break;
      case TimerKind.REORDER:
        if (this.state >= TcpState.ESTABLISHED) this.sender.onReorderTimer(this.state, now);
        break;
      default:
        kind satisfies never;
    }
    if (this.trace !== undefined) this.sender.traceState();
    this.deliverNotifications();
  }

  /** The retransmission timer: the SYN again (with its own limits), or RFC 6298 (5.4)–(5.6) for data. */
  private onRetransmitTimer(): void {
    const s = this.state;
    const sender = this.sender;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
      sender.retries++;
      const limit =
        s === TcpState.SYN_SENT || this.activeOpen ? this.config.synRetries : this.synAckRetryLimit();
      if (sender.retries > limit) {
        if (this.activeOpen) {
          this.enterClosed(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out`));
        } else {
          this.enterClosed(undefined);
        }
        return;
      }
      sender.retransmitSyn(s === TcpState.SYN_RECEIVED);
      return;
    }
    if (this.tcb.sndUna === this.tcb.sndMax || s === TcpState.CLOSED || s === TcpState.TIME_WAIT) return;
    sender.retries++;
    if (sender.retries > this.config.maxRetransmits) {
      this.enterClosed(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out`));
      return;
    }
    // Loss recovery first (it reads SND.MAX and the flight), then the sender goes back to SND.UNA.
    this.recovery.onTimeout();
    sender.retransmissionTimeout();
  }

  private onProbeResult(result: ProbeResult, what: string): void {
    if (result === ProbeResult.GIVE_UP) {
      this.enterClosed(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out (${what})`));
    } else if (result === ProbeResult.FORCE_OUTPUT) {
      this.output(true);
    }
  }

  /** A half-open connection's SYN-ACK timed out: its listener says how many more tries it gets. */
  private synAckRetryLimit(): number {
    const { synAckRetries, synAckRetriesUnderPressure } = this.config;
    return this.listener?.synAckRetryLimit(synAckRetries, synAckRetriesUnderPressure) ?? synAckRetries;
  }

  // ─── Transitions ─────────────────────────────────────────────────────────────────────────────────

  /** Takes the peer's SYN (tcp-syn-negotiation.ts); the congestion controller follows from the MSS. */
  private takeSyn(syn: TcpSegment): void {
    const clamped = negotiateSyn(this.tcb, syn, this.config, this.deps.clock.now());
    if (clamped && this.log.isLevelEnabled('debug')) {
      this.log.debug(
        { ...this.describe(), shift: syn.options.windowScale },
        'peer window scale clamped to 14',
      );
    }
    const cc = this.deps.congestion.create(this.tcb.sendMss);
    this.sender.cc = cc;
    this.recovery.useCongestionController(cc);
  }

  private established(): void {
    this.sender.established();
    if (this.activeOpen) this.notify |= NOTIFY_CONNECT;
    if (this.closeWhenEstablished) {
      this.closeWhenEstablished = false;
      this.sender.queueFin();
      this.transition('close');
    }
  }

  private enterTimeWait(): void {
    this.timers.clear(TimerKind.RETRANSMIT);
    this.timers.clear(TimerKind.PERSIST);
    this.timers.clear(TimerKind.KEEPALIVE);
    this.timers.clear(TimerKind.FIN_WAIT_2);
    this.timers.clear(TimerKind.LOSS_PROBE);
    this.timers.clear(TimerKind.REORDER);
    this.sender.sendBuffer.clear();
    // A TIME_WAIT table of size 0 holds none (Linux tcp_max_tw_buckets = 0): straight on to CLOSED.
    if (this.config.maxTimeWait === 0) {
      if (this.receiver.ackDue) this.emitter.sendAck(); // the ACK of the peer's FIN still goes out first
      this.expireTimeWait();
      return;
    }
    this.timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
  }

  /** Everything ends here (by reset, abort, timeout, or a transition that reached CLOSED): timers off, socket told. */
  private enterClosed(error: PilhaError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    if (this.state !== TcpState.CLOSED) this.transition('reset');
    this.timers.stop();
    this.sender.sendBuffer.clear();
    if (error !== undefined) {
      this.closeError = error;
      this.receiver.receiveBuffer.clear();
    } else if (this.handler === NO_HANDLER) {
      this.receiver.receiveBuffer.clear(); // no socket will ever read it (aborted in the accept queue, orphaned)
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
