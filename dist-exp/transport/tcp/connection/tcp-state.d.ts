/**
 * The eleven connection states of RFC 9293 §3.3.2 and the events that move between them, as one
 * exhaustive `(state, event)` table: every pair either names its next state or is refused
 * (`undefined`), and the compiler checks that no state or event is forgotten.
 */
import type { Logger } from '../../../core/logger.js';
/** Numeric, so a state compare on the per-segment path is an integer compare. */
export declare const TcpState: {
    readonly CLOSED: 0;
    readonly LISTEN: 1;
    readonly SYN_SENT: 2;
    readonly SYN_RECEIVED: 3;
    readonly ESTABLISHED: 4;
    readonly FIN_WAIT_1: 5;
    readonly FIN_WAIT_2: 6;
    readonly CLOSE_WAIT: 7;
    readonly CLOSING: 8;
    readonly LAST_ACK: 9;
    readonly TIME_WAIT: 10;
};
export type TcpState = (typeof TcpState)[keyof typeof TcpState];
/** RFC names, indexed by state. */
export declare const TCP_STATE_NAMES: readonly ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"];
export type TcpStateName = (typeof TCP_STATE_NAMES)[number];
export declare function tcpStateName(state: TcpState): TcpStateName;
/** What moves a connection (RFC 9293 §3.3.2, Figure 5, plus the resets and timeouts of §3.10). */
export type TcpEvent = 
/** OPEN, passive: a listener took a SYN for this connection. */
'passive-open'
/** OPEN, active: send SYN. */
 | 'active-open'
/** A SYN arrived (in LISTEN, or in SYN_SENT: simultaneous open). */
 | 'rcv-syn'
/** A SYN,ACK acknowledging our SYN arrived in SYN_SENT. */
 | 'rcv-syn-ack'
/** An ACK of our SYN arrived in SYN_RECEIVED. */
 | 'rcv-ack-of-syn'
/** CLOSE by the application: send FIN after the queued data (or give up a connection not yet open). */
 | 'close'
/** The peer's FIN arrived, in order. */
 | 'rcv-fin'
/** The ACK of our FIN arrived. */
 | 'rcv-ack-of-fin'
/** A valid RST arrived, or the application aborted, or the connection timed out. */
 | 'reset'
/** The TIME_WAIT timer (2·MSL) expired. */
 | 'time-wait-expired';
/** The next state, or `undefined` if `event` cannot happen in `state`. */
export declare function nextTcpState(state: TcpState, event: TcpEvent): TcpState | undefined;
/** The states in which both SYNs have been exchanged (RFC 9293 "synchronized states"). */
export declare function isSynchronized(state: TcpState): boolean;
/** The states in which the application may still queue data. */
export declare function canSend(state: TcpState): boolean;
/**
 * A state holder that applies the table, refusing (with an Error: it is a bug, never input) any
 * transition the table does not allow, and writing one debug line per transition.
 */
export declare class TcpStateMachine {
    private readonly log;
    private readonly describe;
    private current;
    constructor(log: Logger, describe: () => Record<string, unknown>, initial?: TcpState);
    get state(): TcpState;
    /** Applies `event`; returns the previous state. */
    apply(event: TcpEvent): TcpState;
}
