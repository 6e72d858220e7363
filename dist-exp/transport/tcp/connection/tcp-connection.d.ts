/**
 * One TCP connection (RFC 9293): takes the user calls (open, send, close, abort), dispatches the timers,
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
 * - TcpReceiver (tcp-receiver.ts): receive buffer, acceptability test, ACK policy, window advertisement,
 *   SACK/D-SACK blocks;
 * - LossRecovery (../recovery/loss-recovery.ts): the one keeper of recovery state — duplicate ACKs, fast retransmit,
 *   NewReno partial ACKs and exit, timeout bookkeeping; it tells the congestion controller of each event;
 * - TcpAckProcessor (tcp-ack-processor.ts): the ACK field, calling sender and loss recovery in order;
 * - TcpSegmentEmitter (tcp-segment-emitter.ts): writes every segment (window and SACK from the receiver);
 * - TcpTimers (tcp-timers.ts).
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
import { type Ipv4Address } from '../../../core/ipv4-address.js';
import type { TcpListener } from '../listen/tcp-listener.js';
import { type Seq } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { type ConnectionCounterName, type TcpConnectionDeps, type TcpConnectionHandler, type TcpConnectionObserver, type TcpConnectionParams, type TcpConnectionStats } from './tcp-connection-types.js';
import { TcpState } from './tcp-state.js';
import { TimerKind, type TimerTarget } from './tcp-timers.js';
export declare class TcpConnection implements TimerTarget {
    readonly localAddress: Ipv4Address;
    readonly localPort: number;
    readonly remoteAddress: Ipv4Address;
    readonly remotePort: number;
    /** The demultiplexing key within the local port: remoteAddress · 65536 + remotePort. */
    readonly key: number;
    /** The listener that accepted this connection (passive opens), for the layer's queue accounting. */
    listener: TcpListener | undefined;
    private readonly tcb;
    private readonly sender;
    private readonly sackOutput;
    private readonly receiver;
    private readonly recovery;
    private readonly emitter;
    private readonly ackProcessor;
    private readonly timers;
    private readonly sm;
    private readonly life;
    private readonly arrival;
    private readonly config;
    private readonly counts;
    private readonly trace;
    constructor(params: TcpConnectionParams, deps: TcpConnectionDeps, observer: TcpConnectionObserver<TcpConnection>);
    get state(): TcpState;
    /** For log lines. */
    describe(): Record<string, unknown>;
    /** The next in-order chunk for the application (a Buffer it may keep), or undefined. Call readDone() after. */
    read(): Uint8Array | undefined;
    /** True once the peer's FIN was received and every byte before it has been read. */
    get readEnded(): boolean;
    get readableBytes(): number;
    /** Whether the send queue is at capacity (a writer should wait for onWritable). */
    get sendBufferFull(): boolean;
    /**
     * After a write: whether the writer must wait for onWritable (the send queue is at its limit, which
     * memory pressure may have lowered). onWritable follows once ACKs make room, whatever the limit is then.
     */
    writerMustWait(): boolean;
    get writeQueued(): number;
    /** RCV.NXT (for TIME_WAIT reuse by a new SYN). */
    get receiveNext(): Seq;
    /** Whether this connection was opened actively (connect) rather than by a listener. */
    get isActiveOpen(): boolean;
    /** The error the connection closed with, if it did. */
    get error(): PilhaError | undefined;
    /** What `ss -ti` shows for this connection. */
    stats(): TcpConnectionStats;
    /** The counters the layer adds to its totals when the connection ends. */
    counters(): Readonly<Record<ConnectionCounterName, number>>;
    /** Attaches the socket; it hears of everything from now on (and should read what is already queued). */
    setHandler(handler: TcpConnectionHandler | undefined): void;
    /** Active open (RFC 9293 §3.10.1): CLOSED → SYN_SENT, SYN out. */
    openActive(): void;
    /** Passive open by a listener that received `syn` (RFC 9293 §3.10.7.2): → SYN_RECEIVED, SYN-ACK out. */
    openPassive(syn: TcpSegment): void;
    /**
     * Passive open rebuilt from a valid SYN cookie (RFC 4987 §3.6): the layer sent the SYN-ACK without
     * keeping state, and `syn` is the client's SYN as the cookie and the ACK describe it. Leaves the
     * connection in SYN_RECEIVED with that SYN-ACK counted as sent (not timed: no RTT sample from it), so
     * the ACK that carried the cookie completes the handshake as any other would.
     */
    openFromCookie(syn: TcpSegment): void;
    /** Queues data to send (RFC 9293 §3.10.2). Throws EPIPE once the sending side is closed. */
    write(chunk: Uint8Array): void;
    /**
     * Takes over the writer's bytes still queued (copies them; those already sent in a kept super-segment are
     * read from there): call before the write's callback, after which the writer may reuse its buffers.
     */
    adoptWritten(): void;
    /** Queues without sending yet (a batch of writes); call flush() after. */
    queue(chunk: Uint8Array): void;
    /** Sends what windows and Nagle allow now. */
    flush(): void;
    /** CLOSE (RFC 9293 §3.10.4), the half-close of end(): FIN after everything queued. */
    shutdown(): void;
    /** ABORT (RFC 9293 §3.10.5): RST to the peer when it has a connection to reset, then CLOSED. */
    abort(): void;
    /**
     * The socket is closed gracefully (after end()): the connection finishes in the background. Unread
     * data, or data that arrives later, means the application lost something: RST, as Linux does.
     */
    release(): void;
    /** After a batch of read()s: advertise the window if reading opened it a lot (one ACK, not one per chunk). */
    readDone(): void;
    /**
     * ICMP Destination Unreachable quoting our segment with sequence number `quotedSeq` (RFC 5927 §4.1:
     * it must be one we sent). During the handshake, as Linux does (tcp_v4_err in SYN-SENT): protocol or port
     * unreachable refuses the connection, and network or host unreachable (from a router, or from pilha's own
     * ARP giving up on the neighbour) fails it as unreachable, instead of resending the SYN for a minute.
     * Returns whether the connection was closed.
     */
    icmpUnreachable(quotedSeq: Seq, code: number): boolean;
    setNoDelay(noDelay: boolean): void;
    /** SO_KEEPALIVE: probe after `idleMs` (default from config) without a segment from the peer. */
    setKeepAlive(enable: boolean, idleMs?: number): void;
    /** Ends TIME_WAIT now (the layer recycles the oldest entry when its table is full). */
    expireTimeWait(): void;
    /** A segment for this connection (the layer has demultiplexed it and verified its checksum). */
    receive(seg: TcpSegment): void;
    /** What the sender may send now (`force`: the persist timer's override of SWS avoidance), then a due ACK. */
    private output;
    onTimer(kind: TimerKind, now: number): void;
    /** The retransmission timer: the SYN again (with its own limits), or RFC 6298 (5.4)–(5.6) for data. */
    private onRetransmitTimer;
    private onProbeResult;
    /** A half-open connection's SYN-ACK timed out: its listener says how many more tries it gets. */
    private synAckRetryLimit;
}
