/**
 * The timers of one connection, as data: one deadline per kind (a Clock time, or Infinity when off),
 * checked against `clock.now()` when the one Clock timer behind them fires. Setting or clearing a
 * deadline is a field write; the Clock timer is re-armed only when a deadline moves *earlier* than the
 * armed one. A retransmission timer restarted by every ACK, or a keepalive pushed back by every
 * segment, therefore costs no Clock call at all: the armed timer fires at the old time, finds nothing
 * due, and re-arms for the new earliest deadline.
 */
import type { Clock } from '../../../core/clock.js';
export declare const TimerKind: {
    /** RFC 6298: retransmission of the oldest unacknowledged segment (or of SYN / SYN-ACK). */
    readonly RETRANSMIT: 0;
    /** RFC 9293 §3.8.6.3 / RFC 5681 §4.2: the delayed ACK. */
    readonly DELAYED_ACK: 1;
    /** RFC 9293 §3.8.6.1: zero-window probes. */
    readonly PERSIST: 2;
    /** RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: keepalive probes. */
    readonly KEEPALIVE: 3;
    /** RFC 9293 §3.10.7.4: 2·MSL in TIME_WAIT. */
    readonly TIME_WAIT: 4;
    /** An overall limit on the handshake (active open). */
    readonly CONNECT: 5;
    /** An orphaned connection's time in FIN_WAIT_2 (Linux tcp_fin_timeout). */
    readonly FIN_WAIT_2: 6;
    /** RFC 8985 §7: the tail loss probe (a SACK connection with data in flight and no ACK for 2·SRTT). */
    readonly LOSS_PROBE: 7;
    /** RFC 8985 §6.3: RACK's reordering window has passed for a segment not yet deemed lost. */
    readonly REORDER: 8;
};
export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];
export declare const TIMER_KIND_COUNT = 9;
export declare const TIMER_KIND_NAMES: readonly ["retransmit", "delayedAck", "persist", "keepalive", "timeWait", "connect", "finWait2", "lossProbe", "reorder"];
/** What a connection implements to hear about expired deadlines. */
export interface TimerTarget {
    onTimer(kind: TimerKind, now: number): void;
}
export declare class TcpTimers {
    private readonly clock;
    private readonly target;
    private readonly deadlines;
    private timer;
    private armedAt;
    private stopped;
    constructor(clock: Clock, target: TimerTarget);
    /** Sets `kind` to expire `delayMs` from now (replacing any earlier setting). */
    set(kind: TimerKind, delayMs: number): void;
    /** Sets `kind` only if it is not running. */
    ensure(kind: TimerKind, delayMs: number): void;
    clear(kind: TimerKind): void;
    isSet(kind: TimerKind): boolean;
    /** The deadline of `kind` (Infinity when off). */
    deadline(kind: TimerKind): number;
    /** Clears every deadline and the Clock timer; nothing fires afterwards. */
    stop(): void;
    private arm;
    private readonly fire;
}
