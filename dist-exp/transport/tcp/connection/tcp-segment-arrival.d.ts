/**
 * SEGMENT ARRIVES (RFC 9293 §3.10.7) for a connection past LISTEN: the steps a segment goes through in
 * SYN-SENT (§3.10.7.3) and in every synchronized state (§3.10.7.4), calling the parts in order and moving
 * the connection through its TcpLifecycle (transitions, ESTABLISHED, TIME_WAIT, CLOSED, notifications).
 * It owns what only arrival learns: whether the peer's FIN has been processed.
 *
 * Call order of a segment (TcpConnection.receive → receive): in SYN_SENT, receiveInSynSent; otherwise
 * receiveSynchronized:
 *   keepalive told (sender.heardFromPeer) →
 *   0. PAWS and 1. acceptability (receiver.checkAcceptable) → TS.Recent (receiver) →
 *   2. RST → 4. SYN (challenge ACKs, emitter) → SYN_RECEIVED's ACK of our SYN (lifecycle) →
 *   5. ACK (TcpAckProcessor.process): unacceptable ACK values dropped → the peer's SACK blocks to loss
 *      recovery → an ACK of new data: the sender frees the queue and moves SND.UNA → RTT sample (sender)
 *      → loss recovery decides (recovery exit, partial ACK) and drives the congestion controller →
 *      retransmission timer (sender) → the next hole retransmitted if loss recovery said so → send
 *      window (sender); or a duplicate ACK: loss recovery counts it, the sender fast-retransmits if it
 *      says so → our FIN acknowledged (lifecycle) →
 *   trim to the window → 7. text (receiver.receiveText) → 8. FIN (checkFin, lifecycle).
 * Output, the trace and the notifications follow in TcpConnection.receive. No closure or object is made
 * per segment.
 */
import { type TcpReceiver } from '../receive/tcp-receiver.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import { type TcpAckProcessor } from '../send/tcp-ack-processor.js';
import { type TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import type { TcpSender } from '../send/tcp-sender.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import type { TcpConnectionDeps } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpLifecycle } from './tcp-lifecycle.js';
import { type TcpTimers } from './tcp-timers.js';
export declare class TcpSegmentArrival {
    private readonly tcb;
    private readonly deps;
    private readonly life;
    private readonly sender;
    private readonly receiver;
    private readonly recovery;
    private readonly emitter;
    private readonly ackProcessor;
    private readonly timers;
    /** The connection's log fields (made once, as the state machine's). */
    private readonly describe;
    private readonly config;
    private readonly log;
    /** The peer's FIN has been processed. */
    private finIn;
    constructor(tcb: TcpControlBlock, deps: TcpConnectionDeps, life: TcpLifecycle<unknown>, sender: TcpSender, receiver: TcpReceiver, recovery: LossRecovery, emitter: TcpSegmentEmitter, ackProcessor: TcpAckProcessor, timers: TcpTimers, 
    /** The connection's log fields (made once, as the state machine's). */
    describe: () => Record<string, unknown>);
    /** The peer's FIN has been processed. */
    get finReceived(): boolean;
    /** A segment for a connection in SYN_SENT or a later state (not CLOSED). */
    receive(seg: TcpSegment): void;
    /** Takes the peer's SYN (tcp-syn-negotiation.ts); the congestion controller follows from the MSS. */
    takeSyn(syn: TcpSegment): void;
    /** RFC 9293 §3.10.7.3, SYN-SENT. */
    private receiveInSynSent;
    /** RFC 9293 §3.10.7.4, every state from SYN-RECEIVED on. */
    private receiveSynchronized;
    /** RFC 9293 §3.10.7.4 second: the reset of a synchronized connection. */
    private receiveReset;
    /** Our FIN is acknowledged (RFC 9293 §3.10.7.4, FIN-WAIT-1, CLOSING, LAST-ACK). */
    private ourFinAcked;
    /** Eighth, the FIN, once every byte before it is in (RFC 9293 §3.10.7.4). */
    private checkFin;
}
