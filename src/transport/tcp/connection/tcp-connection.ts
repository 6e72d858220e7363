/**
 * One TCP connection (RFC 9293): takes the user calls (open, send, close, abort) and the timers,
 * and orchestrates the parts it is composed of, each owning its own state (no inheritance, no shared
 * protected fields):
 * - TcpControlBlock (tcp-control-block.ts): the RFC 9293 variables and negotiated options, a plain record
 *   every part shares (filled from the SYNs by tcp-syn-negotiation.ts);
 * - TcpLifecycle (tcp-lifecycle.ts): the state machine's transitions (TcpStateMachine, tcp-state.ts),
 *   entering ESTABLISHED, TIME_WAIT and CLOSED, and the notifications the socket hears;
 * - TcpSegmentArrival (tcp-segment-arrival.ts): SEGMENT ARRIVES, the steps of RFC 9293 §3.10.7, in the
 *   call order documented there;
 * - TcpSender (tcp-sender.ts): send queue, segmentation, Nagle/SWS, RTT and RTO, retransmission, send
 *   window, persist and keepalive probes; it holds the congestion controller (congestion/);
 * - TcpSackOutput (tcp-sack-output.ts): what a SACK connection sends, in what order (the scoreboard's lost
 *   segments first, then new data, as SACK recovery allows), the tail loss probe and RACK's reorder timer;
 * - TcpReceiver (tcp-receiver.ts): receive buffer, acceptability test, ACK policy, window, SACK/D-SACK;
 * - LossRecovery (../recovery/loss-recovery.ts): the one keeper of recovery state — duplicate ACKs, fast retransmit,
 *   NewReno partial ACKs and exit, timeout bookkeeping; it tells the congestion controller of each event;
 * - TcpAckProcessor (tcp-ack-processor.ts): the ACK field, calling sender and loss recovery in order;
 * - TcpSegmentEmitter (tcp-segment-emitter.ts): writes every segment (window and SACK from the receiver);
 * - TcpTimers (tcp-timers.ts) keeps the deadlines; TcpTimerDispatch (tcp-timer-dispatch.ts) does what each
 *   one that comes due means.
 * The parts hold direct references to each other and to the control block, set here once; nothing is
 * looked up, and no closure or object is made, per segment. Parts never call back into the connection:
 * what concerns its life goes through TcpLifecycle, the rest comes back as a return value (Acceptance,
 * AckResult, ProbeResult).
 *
 * Call order of a segment (TcpLayer.receive → receive): TcpSegmentArrival.receive (its header gives the
 * steps) → output (sender.output, or sackOutput.output on a SACK connection, then any ACK the receiver wants that nothing carried) → trace →
 * notifications (lifecycle). User calls (write, shutdown, abort, read) and timers (onTimer) come in from
 * the side. The socket hears about data, space and the end through its TcpConnectionHandler, always after
 * the connection's state is consistent again, so a handler may call back in.
 */

import { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../../core/ipv4-address.js';
import type { TcpListener } from '../listen/tcp-listener.js';
import type { AckBatchMember, TcpAckBatch } from '../receive/tcp-ack-batch.js';
import { TcpReceiver } from '../receive/tcp-receiver.js';
import { LossRecovery } from '../recovery/loss-recovery.js';
import { TcpAckProcessor } from '../send/tcp-ack-processor.js';
import { TcpSackOutput } from '../send/tcp-sack-output.js';
import { TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import { TcpSender } from '../send/tcp-sender.js';
import { type TcpConfig, windowShiftFor } from '../tcp-config.js';
import { synReopensTimeWait } from '../tcp-time-wait.js';
import type { TcpTraceChannel } from '../trace/tcp-tracer.js';
import { type Seq, seqAdd, seqGe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { connectionStats } from './tcp-connection-stats.js';
import {
  type ConnectionCounterName,
  newConnectionCounters,
  type TcpConnectionDeps,
  type TcpConnectionHandler,
  type TcpConnectionObserver,
  type TcpConnectionParams,
  type TcpConnectionStats,
} from './tcp-connection-types.js';
import { TcpControlBlock } from './tcp-control-block.js';
import { TcpLifecycle } from './tcp-lifecycle.js';
import type { TcpOutputScheduler } from './tcp-output-scheduler.js';
import { TcpSegmentArrival } from './tcp-segment-arrival.js';
import { canSend, TCP_STATE_NAMES, TcpState, TcpStateMachine } from './tcp-state.js';
import { setPathMss } from './tcp-syn-negotiation.js';
import { TcpTimerDispatch } from './tcp-timer-dispatch.js';
import { TcpTimers, TimerKind, type TimerTarget } from './tcp-timers.js';

export class TcpConnection implements TimerTarget, AckBatchMember {
  readonly localAddress: Ipv4Address;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  /** The demultiplexing key within the local port: remoteAddress · 65536 + remotePort. */
  readonly key: number;
  /** The listener that accepted this connection (passive opens), for the layer's queue accounting. */
  listener: TcpListener | undefined;
  /** Listed in the layer's ACK batch (tcp-ack-batch.ts). */
  ackBatched = false;

  // The parts (see the header comment), made once in the constructor.
  private readonly tcb: TcpControlBlock;
  private readonly sender: TcpSender;
  private readonly sackOutput: TcpSackOutput;
  private readonly receiver: TcpReceiver;
  private readonly recovery: LossRecovery;
  private readonly emitter: TcpSegmentEmitter;
  private readonly ackProcessor: TcpAckProcessor;
  private readonly timers: TcpTimers;
  private readonly sm: TcpStateMachine;
  private readonly life: TcpLifecycle<TcpConnection>;
  private readonly arrival: TcpSegmentArrival;
  private readonly timerDispatch: TcpTimerDispatch<TcpConnection>;

  /** Whether a flush is waiting in the stack's TcpOutputScheduler (kept by the scheduler). */
  outputDeferred = false;

  private readonly config: TcpConfig;
  private readonly outputScheduler: TcpOutputScheduler | undefined;
  private readonly counts: Record<ConnectionCounterName, number>;
  private readonly trace: TcpTraceChannel | undefined;
  private readonly ackBatch: TcpAckBatch | undefined;

  constructor(
    params: TcpConnectionParams,
    deps: TcpConnectionDeps,
    observer: TcpConnectionObserver<TcpConnection>,
  ) {
    this.localAddress = params.localAddress;
    this.localPort = params.localPort;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    this.key = params.remoteAddress * 65536 + params.remotePort;
    this.config = deps.config;
    this.ackBatch = deps.ackBatch;
    this.outputScheduler = deps.outputScheduler;
    const counts = newConnectionCounters();
    this.counts = counts;
    this.trace = deps.tracer.enabled
      ? deps.tracer.channel(
          `${formatIpv4(this.localAddress)}:${this.localPort}>${formatIpv4(this.remoteAddress)}:${this.remotePort}`,
        )
      : undefined;
    const tcb = new TcpControlBlock(params, windowShiftFor(deps.config.receiveBufferSize));
    this.tcb = tcb;
    this.timers = new TcpTimers(deps.clock, this, deps.timerGate);
    this.sm = new TcpStateMachine(deps.log, this);
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
    this.sackOutput = new TcpSackOutput(
      tcb,
      this.sender,
      this.recovery,
      this.timers,
      counts,
      this.trace !== undefined,
      this.config.silenceProbes,
    );
    this.ackProcessor = new TcpAckProcessor(
      tcb,
      this.sender,
      this.sackOutput,
      this.recovery,
      this.emitter,
      counts,
      this.trace,
    );
    this.life = new TcpLifecycle<TcpConnection>(
      this,
      observer,
      this.sm,
      tcb,
      deps.config,
      this.timers,
      this.sender,
      this.receiver,
      this.emitter,
      this.sackOutput,
    );
    this.arrival = new TcpSegmentArrival(
      tcb,
      deps,
      this.life,
      this.sender,
      this.receiver,
      this.recovery,
      this.emitter,
      this.ackProcessor,
      this.timers,
      this,
    );
    this.timerDispatch = new TcpTimerDispatch<TcpConnection>(
      this,
      tcb,
      deps.config,
      this.life,
      this.sender,
      this.receiver,
      this.emitter,
      this.sackOutput,
      this.recovery,
    );
  }

  get state(): TcpState {
    return this.sm.state;
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

  /**
   * The next in-order chunk for the application, or undefined. Call readDone() after. A Buffer it may keep,
   * unless isLent(chunk): then a view valid only until the segment being processed is done (setLending).
   */
  read(): Uint8Array | undefined {
    return this.receiver.receiveBuffer.read();
  }

  /**
   * Lending: in-order data that finds nothing waiting is queued as a view of the arriving segment instead of a
   * copy, for a reader that consumes it synchronously when told it is readable (TcpSocket.readInPlace).
   */
  setLending(on: boolean): void {
    this.receiver.receiveBuffer.lending = on;
  }

  /** Whether `chunk` from read() is lent: a view valid only while the segment it came in is processed. */
  isLent(chunk: Uint8Array): boolean {
    return this.receiver.receiveBuffer.isLent(chunk);
  }

  /** True once the peer's FIN was processed (whatever is still to be read before it). */
  get finReceived(): boolean {
    return this.arrival.finReceived;
  }

  /** True once the peer's FIN was received and every byte before it has been read. */
  get readEnded(): boolean {
    return this.arrival.finReceived && this.receiver.receiveBuffer.queued === 0;
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

  /** In TIME_WAIT: whether a SYN may open a new connection in its place (synReopensTimeWait). */
  reopenedBy(seg: TcpSegment): boolean {
    return synReopensTimeWait(seg, this.tcb.rcvNxt, this.tcb.tsEnabled ? this.tcb.tsRecent : undefined);
  }

  /** Whether this connection was opened actively (connect) rather than by a listener. */
  get isActiveOpen(): boolean {
    return this.life.activeOpen;
  }

  /** The error the connection closed with, if it did. */
  get error(): PilhaError | undefined {
    return this.life.error;
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
    this.life.setHandler(handler);
  }

  /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN out. */
  openActive(): void {
    this.life.activeOpen = true;
    this.life.transition('active-open');
    this.sender.sendSyn(false, false);
    const connectTimeout = this.config.connectTimeoutMs;
    if (connectTimeout > 0) this.timers.set(TimerKind.CONNECT, connectTimeout);
  }

  /** Passive open by a listener that received `syn` (RFC 9293 §3.10.7.2): → SYN_RECEIVED, SYN-ACK out. */
  openPassive(syn: TcpSegment): void {
    this.life.transition('passive-open');
    this.arrival.takeSyn(syn);
    this.life.transition('rcv-syn');
    this.sender.sendSyn(true, false);
  }

  /**
   * Passive open rebuilt from a valid SYN cookie (RFC 4987 §3.6): the layer sent the SYN-ACK (advertising
   * `window`) without keeping state, and `syn` is the client's SYN as the cookie and the ACK describe it.
   * Leaves the connection in SYN_RECEIVED with that SYN-ACK counted as sent (not timed: no RTT sample from
   * it), so the ACK that carried the cookie, and its data, are taken as after any other SYN-ACK.
   */
  openFromCookie(syn: TcpSegment, window: number): void {
    this.life.transition('passive-open');
    this.arrival.takeSyn(syn);
    this.life.transition('rcv-syn');
    this.tcb.sndNxt = seqAdd(this.tcb.iss, 1);
    this.tcb.sndMax = this.tcb.sndNxt;
    this.tcb.rcvAdvEdge = seqAdd(this.tcb.rcvNxt, window);
  }

  /** Queues data to send (RFC 9293 §3.10.2). Throws EPIPE once the sending side is closed. */
  write(chunk: Uint8Array): void {
    this.queue(chunk);
    this.flush();
  }

  /**
   * Takes over the writer's bytes still queued (copies them; those already sent in a kept super-segment are
   * read from there): call before the write's callback, after which the writer may reuse its buffers.
   */
  adoptWritten(): void {
    this.emitter.fillPendingBatch();
    this.sender.sendBuffer.adopt();
  }

  /** Queues without sending yet (a batch of writes); call flush() after. */
  queue(chunk: Uint8Array): void {
    if (!canSend(this.state) || this.tcb.finQueued || this.life.closeWhenEstablished) {
      throw new PilhaError('EPIPE', 'write after the connection was closed for sending');
    }
    this.sender.sendBuffer.push(chunk);
  }

  /**
   * Sends what windows and Nagle allow: now, or at the end of the task when less than a segment is unsent
   * (a small write: more writes, or the FIN of an end() that follows, can still join it in one segment).
   */
  flushSoon(): void {
    const scheduler = this.outputScheduler;
    if (scheduler !== undefined && this.sender.sendBuffer.size - this.tcb.bytesInFlight < this.tcb.sendMss)
      scheduler.defer(this);
    else this.flush();
  }

  /** The TcpOutputScheduler's call: the deferred output, then the window update readDone() left to it. */
  flushDeferred(): void {
    this.flush();
    if (!this.life.inInput && this.receiver.windowUpdateDue(this.sm.state)) this.emitter.sendAck();
  }

  /** Sends what windows and Nagle allow now. */
  flush(): void {
    if (!this.life.inInput && this.state >= TcpState.ESTABLISHED) {
      this.output(false);
      if (this.trace !== undefined) this.sender.traceState();
    }
  }

  /** CLOSE (RFC 9293 §3.10.4), the half-close of end(): FIN after everything queued. */
  shutdown(): void {
    switch (this.state) {
      case TcpState.SYN_SENT:
      case TcpState.SYN_RECEIVED:
        this.life.closeWhenEstablished = true;
        return;
      case TcpState.ESTABLISHED:
      case TcpState.CLOSE_WAIT:
        this.sender.queueFin();
        this.life.transition('close');
        // A deferred small write is still unsent: the FIN goes out with it, at the end of the task.
        if (!this.outputDeferred) this.flush();
        return;
      default:
        return; // LISTEN, CLOSED, or already closing
    }
  }

  /** ABORT (RFC 9293 §3.10.5): RST to the peer when it has a connection to reset, then CLOSED. */
  abort(): void {
    const s = this.state;
    if (s === TcpState.CLOSED) {
      // Reset already, kept for the data it held (a socket's to read, or the accept queue's): that goes too.
      this.receiver.receiveBuffer.clear();
      return;
    }
    if (
      s === TcpState.SYN_RECEIVED ||
      s === TcpState.ESTABLISHED ||
      s === TcpState.FIN_WAIT_1 ||
      s === TcpState.FIN_WAIT_2 ||
      s === TcpState.CLOSE_WAIT
    ) {
      this.emitter.sendReset(this.tcb.sndNxt, true);
    }
    this.life.enterClosed(undefined);
  }

  /**
   * The socket is closed gracefully (after end()): the connection finishes in the background. Unread
   * data, or data that arrives later, means the application lost something: RST, as Linux does.
   */
  release(): void {
    this.life.orphan();
    if (this.state === TcpState.CLOSED) {
      this.receiver.receiveBuffer.clear(); // nobody will read it: give its memory back to the budget
      return;
    }
    if (this.receiver.receiveBuffer.queued > 0) {
      this.abort();
      return;
    }
    if (this.life.handOverTimeWait()) return;
    if (this.state === TcpState.FIN_WAIT_2)
      this.timers.set(TimerKind.FIN_WAIT_2, this.config.finWait2TimeoutMs);
  }

  /**
   * After a batch of read()s: advertise the window if reading opened it a lot (one ACK, not one per chunk).
   * With a TcpOutputScheduler the ACK waits for the end of the task: the application usually answers what it
   * read within it (node:http emits the data a tick after reading it), and the answer carries the window.
   */
  readDone(): void {
    if (this.life.inInput || !this.receiver.windowUpdateDue(this.sm.state)) return;
    // During a read batch, the batch's one ACK carries the new window.
    if (this.receiver.windowUpdateWaits()) this.ackBatch!.defer(this);
    else if (this.outputScheduler !== undefined) this.outputScheduler.defer(this);
    else this.emitter.sendAck();
  }

  /** The link's read batch ended: the ACK that waited for it goes out, if no segment has carried it since. */
  flushBatchedAck(): void {
    if (this.sm.state === TcpState.CLOSED || !this.receiver.ackAtBatchEnd) return;
    this.emitter.sendAck();
    if (this.trace !== undefined) this.sender.traceState();
  }

  /** ICMP Destination Unreachable quoting our segment `quotedSeq`: TcpLifecycle.icmpUnreachable. */
  icmpUnreachable(quotedSeq: Seq, code: number): boolean {
    return this.life.icmpUnreachable(quotedSeq, code);
  }

  /** Whether `quotedSeq` is in flight (SND.UNA ≤ it < SND.MAX): an ICMP error quoting it may be true. */
  quotesInFlight(quotedSeq: Seq): boolean {
    return seqGe(quotedSeq, this.tcb.sndUna) && seqLt(quotedSeq, this.tcb.sndMax);
  }

  /**
   * The path MTU to the peer is now `pathMtu` (RFC 1191: lower after a validated "fragmentation needed", or back
   * up when that expired): the MSS and the congestion controller follow; a fall sends again, at once, what is in
   * flight and too long (TcpSender.resendOversize). Returns how much the MSS we send changed.
   */
  pathMtuChanged(pathMtu: number): number {
    const change = setPathMss(this.tcb, pathMtu, this.sender.cc);
    if (change >= 0 || this.state < TcpState.ESTABLISHED) return change;
    this.sender.resendOversize(this.recovery.sack);
    this.output(true);
    return change;
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
    this.life.expireTimeWait();
  }

  // ─── Segment arrival (RFC 9293 §3.10.7: tcp-segment-arrival.ts) ──────────────────────────────

  /**
   * A segment for this connection (the layer has demultiplexed it and verified its checksum). Its payload is
   * valid only during the call: data lent to a reader reading in place is copied before it returns if unread.
   */
  receive(seg: TcpSegment): void {
    const rb = this.receiver.receiveBuffer;
    if (!rb.lending) {
      this.receiveSegment(seg);
      return;
    }
    try {
      this.receiveSegment(seg);
    } finally {
      rb.settleLent();
    }
  }

  private receiveSegment(seg: TcpSegment): void {
    const life = this.life;
    if (life.state === TcpState.CLOSED) return;
    this.counts.segmentsReceived++;
    life.inInput = true;
    try {
      this.arrival.receive(seg);
    } finally {
      life.inInput = false;
    }
    // The state may have changed above; output() sends nothing in CLOSED.
    if (life.state >= TcpState.ESTABLISHED) this.output(false);
    if (this.trace !== undefined) this.sender.traceState();
    life.deliverNotifications();
  }

  // ─── Output ──────────────────────────────────────────────────────────────────────────────────────

  /** What the sender may send now (`force`: the persist timer's override of SWS avoidance), then a due ACK. */
  private output(force: boolean): void {
    const state = this.sm.state;
    if (state === TcpState.CLOSED) return;
    const tcb = this.tcb;
    if (tcb.sackEnabled && tcb.synAcked) this.sackOutput.output(state, force);
    else this.sender.output(state, force);
    const receiver = this.receiver;
    if (receiver.ackDue) this.emitter.sendAck();
    else if (receiver.ackAtBatchEnd) this.ackBatch!.defer(this);
  }

  // ─── Timers (what each does: tcp-timer-dispatch.ts) ─────────────────────────────────────────────

  onTimer(kind: TimerKind, now: number): void {
    if (this.timerDispatch.fire(kind, now)) this.output(true);
    if (this.trace !== undefined) this.sender.traceState();
    this.life.deliverNotifications();
  }
}
