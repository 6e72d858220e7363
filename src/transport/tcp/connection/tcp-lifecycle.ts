/**
 * Where one connection is in its life and what each step of it entails (RFC 9293 §3.3.2, §3.10): the
 * state machine's transitions (each told to the layer's observer), entering ESTABLISHED, TIME_WAIT and
 * CLOSED with what goes with them (timers, queues, the close error), and the notifications the socket
 * hears — gathered while a segment or a user call is processed, delivered once the connection is
 * consistent again, so a handler may call back in. It also keeps the flags that shape that life: opened
 * actively, asked to close before the handshake ended, orphaned by its socket.
 *
 * TcpConnection (user calls, timers) and TcpSegmentArrival (segments) move the connection through it;
 * it looks at no segment. `C` is the connection itself, handed untouched to the observer.
 */

import { PilhaError } from '../../../core/errors.js';
import { formatIpv4 } from '../../../core/ipv4-address.js';
import type { TcpReceiver } from '../receive/tcp-receiver.js';
import type { TcpSackOutput } from '../send/tcp-sack-output.js';
import type { TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import type { TcpSender } from '../send/tcp-sender.js';
import type { TcpConfig } from '../tcp-config.js';
import { type Seq, seqAdd } from '../wire/seq.js';
import type { TcpConnectionHandler, TcpConnectionObserver, TimeWaitState } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpEvent, TcpState, type TcpStateMachine } from './tcp-state.js';
import { type TcpTimers, TimerKind } from './tcp-timers.js';

/** What the socket is to hear about (bits), once the connection is consistent again. */
export const Notify = {
  CONNECT: 1,
  READABLE: 2,
  WRITABLE: 4,
  CLOSE: 8,
} as const;

const NO_HANDLER: TcpConnectionHandler = {
  onConnect() {},
  onReadable() {},
  onWritable() {},
  onClose() {},
};

export class TcpLifecycle<C> {
  private handler: TcpConnectionHandler = NO_HANDLER;
  private pending = 0;
  /** close() was called before the handshake finished: send FIN once established. */
  closeWhenEstablished = false;
  private finished = false;
  /** Inside receive(): user calls made from handlers defer their output to its end. */
  inInput = false;
  /** Opened by connect() (active open), not by a listener. */
  activeOpen = false;
  /** The socket is gone (closed gracefully): data that still arrives is answered with RST. */
  orphaned = false;
  /** Why the connection closed, when it was not a clean close. */
  private closeError: PilhaError | undefined;

  constructor(
    /** The connection, for the observer. */
    private readonly owner: C,
    private readonly observer: TcpConnectionObserver<C>,
    private readonly sm: TcpStateMachine,
    private readonly tcb: TcpControlBlock,
    private readonly config: TcpConfig,
    private readonly timers: TcpTimers,
    private readonly sender: TcpSender,
    private readonly receiver: TcpReceiver,
    private readonly emitter: TcpSegmentEmitter,
    private readonly sackOutput: TcpSackOutput,
  ) {}

  get state(): TcpState {
    return this.sm.state;
  }

  /** The error the connection closed with, if it did. */
  get error(): PilhaError | undefined {
    return this.closeError;
  }

  /** For error messages: the peer's address and port. */
  peerName(): string {
    return `${formatIpv4(this.tcb.remoteAddress)}:${this.tcb.remotePort}`;
  }

  /** Attaches the socket (undefined: none); it hears of everything from now on. */
  setHandler(handler: TcpConnectionHandler | undefined): void {
    this.handler = handler ?? NO_HANDLER;
  }

  /** The socket is gone (closed gracefully): nobody hears of anything any more. */
  orphan(): void {
    this.handler = NO_HANDLER;
    this.orphaned = true;
  }

  /** Tells the socket `bits` (Notify) at the next delivery. */
  notify(bits: number): void {
    this.pending |= bits;
  }

  transition(event: TcpEvent): void {
    const from = this.sm.apply(event);
    this.observer.onStateChange(this.owner, from, this.sm.state, this.orphaned);
  }

  /** The handshake completed (the transition is made): a FIN asked for meanwhile is queued now. */
  established(): void {
    this.sender.established();
    if (this.activeOpen) this.pending |= Notify.CONNECT;
    if (this.closeWhenEstablished) {
      this.closeWhenEstablished = false;
      this.sender.queueFin();
      this.transition('close');
    }
  }

  enterTimeWait(): void {
    const timers = this.timers;
    timers.clear(TimerKind.RETRANSMIT);
    timers.clear(TimerKind.PERSIST);
    timers.clear(TimerKind.KEEPALIVE);
    timers.clear(TimerKind.FIN_WAIT_2);
    timers.clear(TimerKind.LOSS_PROBE);
    timers.clear(TimerKind.REORDER);
    this.sender.sendBuffer.clear();
    // Up to 2·MSL in TIME_WAIT: keep nothing that only sending needs (thousands of these under churn).
    this.sackOutput.releaseScoreboard();
    // A TIME_WAIT table of size 0 holds none (Linux tcp_max_tw_buckets = 0): straight on to CLOSED.
    if (this.config.maxTimeWait === 0) {
      if (this.receiver.ackDue) this.emitter.sendAck(); // the ACK of the peer's FIN still goes out first
      this.expireTimeWait();
      return;
    }
    if (this.handOverTimeWait()) return;
    timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
  }

  /**
   * In TIME_WAIT without a socket, nothing needs the connection any more: a compact record of the layer
   * answers for it for 2·MSL (from now), and the connection closes. Returns whether that happened.
   */
  handOverTimeWait(): boolean {
    if (!this.orphaned || this.sm.state !== TcpState.TIME_WAIT || this.observer.takeTimeWait === undefined)
      return false;
    if (this.receiver.ackDue) this.emitter.sendAck(); // the ACK of the peer's FIN goes out first
    if (!this.observer.takeTimeWait(this.owner, this.timeWaitState())) return false;
    this.expireTimeWait();
    return true;
  }

  /** What a TIME_WAIT record keeps of this connection. */
  private timeWaitState(): TimeWaitState {
    const tcb = this.tcb;
    const windowField = this.receiver.advertiseWindow();
    return {
      localPort: tcb.localPort,
      remoteAddress: tcb.remoteAddress,
      remotePort: tcb.remotePort,
      sndNxt: tcb.sndNxt,
      oldestAckable: seqAdd(tcb.sndUna, -Math.max(tcb.maxSndWnd, 1)),
      rcvNxt: tcb.rcvNxt,
      rcvWnd: this.receiver.receiveWindow(),
      windowField,
      tsEnabled: tcb.tsEnabled,
      tsRecent: tcb.tsRecent,
      tsRecentAt: tcb.tsRecentAt,
      tsOffset: tcb.tsOffset,
    };
  }

  /** Ends TIME_WAIT now. */
  expireTimeWait(): void {
    if (this.sm.state !== TcpState.TIME_WAIT) return;
    this.transition('time-wait-expired');
    this.enterClosed(undefined);
  }

  /** Everything ends here (by reset, abort, timeout, or a transition that reached CLOSED): timers off, socket told. */
  enterClosed(error: PilhaError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    if (error !== undefined) this.closeError = error;
    // The buffers first: the layer, told of CLOSED, keeps a connection in its accept queue by what it holds.
    const state = this.sm.state;
    const synchronized = state !== TcpState.SYN_SENT && state !== TcpState.SYN_RECEIVED;
    // Without a handler, only a passive connection not orphaned can still get one: in the accept queue.
    const readerToCome = this.handler !== NO_HANDLER || (!this.orphaned && !this.activeOpen);
    if (error !== undefined && synchronized && readerToCome) {
      // As Linux (tcp_recvmsg takes queued data before the socket's error): what came in order before a
      // reset or a timeout is still for a socket to read, this one's or the one that accepts it from the
      // accept queue; the holes after it will not be filled now.
      this.receiver.receiveBuffer.clearOutOfOrder();
    } else if (this.handler === NO_HANDLER) {
      this.receiver.receiveBuffer.clear(); // no socket will ever read it (aborted, orphaned)
    }
    if (this.sm.state !== TcpState.CLOSED) this.transition('reset');
    this.timers.stop();
    this.sender.sendBuffer.clear();
    this.pending |= Notify.CLOSE;
    if (!this.inInput) this.deliverNotifications();
  }

  /**
   * ICMP Destination Unreachable quoting our segment with sequence number `quotedSeq` (RFC 5927 §4.1:
   * it must be one we sent). During the handshake, as Linux does (tcp_v4_err in SYN-SENT): protocol or port
   * unreachable refuses the connection, and network or host unreachable (from a router, or from pilha's own
   * ARP giving up on the neighbour) fails it as unreachable, instead of resending the SYN for a minute.
   * Returns whether the connection was closed.
   */
  icmpUnreachable(quotedSeq: Seq, code: number): boolean {
    if (this.sm.state !== TcpState.SYN_SENT || quotedSeq !== this.tcb.iss) return false;
    if (code === 2 || code === 3) {
      this.enterClosed(
        new PilhaError('ECONNREFUSED', `connection refused by ${this.peerName()} (ICMP unreachable)`),
      );
      return true;
    }
    if (code === 0 || code === 1) {
      this.enterClosed(
        new PilhaError('EHOSTUNREACH', `${this.peerName()} is unreachable (ICMP host unreachable)`),
      );
      return true;
    }
    return false;
  }

  /** A timeout closes the connection: ETIMEDOUT, with `what` timed out if it is not the connection itself. */
  timedOut(what?: string): void {
    const suffix = what === undefined ? '' : ` (${what})`;
    this.enterClosed(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out${suffix}`));
  }

  /** Tells the socket what happened since the last delivery; after CLOSE it hears nothing more. */
  deliverNotifications(): void {
    const n = this.pending;
    if (n === 0) return;
    this.pending = 0;
    const handler = this.handler;
    if (n & Notify.CONNECT) handler.onConnect();
    if (n & Notify.READABLE) handler.onReadable();
    if (n & Notify.WRITABLE) handler.onWritable();
    if (n & Notify.CLOSE) {
      this.handler = NO_HANDLER;
      handler.onClose(this.closeError);
    }
  }
}
