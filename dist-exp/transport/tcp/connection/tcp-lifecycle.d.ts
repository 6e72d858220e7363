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
import type { TcpReceiver } from '../receive/tcp-receiver.js';
import type { TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import type { TcpSender } from '../send/tcp-sender.js';
import type { TcpConfig } from '../tcp-config.js';
import type { TcpConnectionHandler, TcpConnectionObserver } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpEvent, TcpState, type TcpStateMachine } from './tcp-state.js';
import { type TcpTimers } from './tcp-timers.js';
/** What the socket is to hear about (bits), once the connection is consistent again. */
export declare const Notify: {
    readonly CONNECT: 1;
    readonly READABLE: 2;
    readonly WRITABLE: 4;
    readonly CLOSE: 8;
};
export declare class TcpLifecycle<C> {
    /** The connection, for the observer. */
    private readonly owner;
    private readonly observer;
    private readonly sm;
    private readonly tcb;
    private readonly config;
    private readonly timers;
    private readonly sender;
    private readonly receiver;
    private readonly emitter;
    private handler;
    private pending;
    /** close() was called before the handshake finished: send FIN once established. */
    closeWhenEstablished: boolean;
    private finished;
    /** Inside receive(): user calls made from handlers defer their output to its end. */
    inInput: boolean;
    /** Opened by connect() (active open), not by a listener. */
    activeOpen: boolean;
    /** The socket is gone (closed gracefully): data that still arrives is answered with RST. */
    orphaned: boolean;
    /** Why the connection closed, when it was not a clean close. */
    private closeError;
    constructor(
    /** The connection, for the observer. */
    owner: C, observer: TcpConnectionObserver<C>, sm: TcpStateMachine, tcb: TcpControlBlock, config: TcpConfig, timers: TcpTimers, sender: TcpSender, receiver: TcpReceiver, emitter: TcpSegmentEmitter);
    get state(): TcpState;
    /** The error the connection closed with, if it did. */
    get error(): PilhaError | undefined;
    /** For error messages: the peer's address and port. */
    peerName(): string;
    /** Attaches the socket (undefined: none); it hears of everything from now on. */
    setHandler(handler: TcpConnectionHandler | undefined): void;
    /** The socket is gone (closed gracefully): nobody hears of anything any more. */
    orphan(): void;
    /** Tells the socket `bits` (Notify) at the next delivery. */
    notify(bits: number): void;
    transition(event: TcpEvent): void;
    /** The handshake completed (the transition is made): a FIN asked for meanwhile is queued now. */
    established(): void;
    enterTimeWait(): void;
    /** Ends TIME_WAIT now. */
    expireTimeWait(): void;
    /** Everything ends here (by reset, abort, timeout, or a transition that reached CLOSED): timers off, socket told. */
    enterClosed(error: PilhaError | undefined): void;
    /** A timeout closes the connection: ETIMEDOUT, with `what` timed out if it is not the connection itself. */
    timedOut(what?: string): void;
    /** Tells the socket what happened since the last delivery; after CLOSE it hears nothing more. */
    deliverNotifications(): void;
}
