/**
 * The timers of one connection, as data: one deadline per kind (a Clock time, or Infinity when off),
 * checked against `clock.now()` when the one Clock timer behind them fires. Setting or clearing a
 * deadline is a field write; the Clock timer is re-armed only when a deadline moves *earlier* than the
 * armed one. A retransmission timer restarted by every ACK, or a keepalive pushed back by every
 * segment, therefore costs no Clock call at all: the armed timer fires at the old time, finds nothing
 * due, and re-arms for the new earliest deadline.
 */

import type { Clock, Timer } from '../../../core/clock.js';
import type { HeldTimers, TcpTimerGate } from './tcp-timer-gate.js';

export const TimerKind = {
  /** RFC 6298: retransmission of the oldest unacknowledged segment (or of SYN / SYN-ACK). */
  RETRANSMIT: 0,
  /** RFC 9293 §3.8.6.3 / RFC 5681 §4.2: the delayed ACK. */
  DELAYED_ACK: 1,
  /** RFC 9293 §3.8.6.1: zero-window probes. */
  PERSIST: 2,
  /** RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6: keepalive probes. */
  KEEPALIVE: 3,
  /** RFC 9293 §3.10.7.4: 2·MSL in TIME_WAIT. */
  TIME_WAIT: 4,
  /** An overall limit on the handshake (active open). */
  CONNECT: 5,
  /** An orphaned connection's time in FIN_WAIT_2 (Linux tcp_fin_timeout). */
  FIN_WAIT_2: 6,
  /** RFC 8985 §7: the tail loss probe (a SACK connection with data in flight and no ACK for 2·SRTT). */
  LOSS_PROBE: 7,
  /** RFC 8985 §6.3: RACK's reordering window has passed for a segment not yet deemed lost. */
  REORDER: 8,
} as const;

export type TimerKind = (typeof TimerKind)[keyof typeof TimerKind];

export const TIMER_KIND_COUNT = 9;

export const TIMER_KIND_NAMES = [
  'retransmit',
  'delayedAck',
  'persist',
  'keepalive',
  'timeWait',
  'connect',
  'finWait2',
  'lossProbe',
  'reorder',
] as const;

/** What a connection implements to hear about expired deadlines. */
export interface TimerTarget {
  onTimer(kind: TimerKind, now: number): void;
}

/** Every deadline off: copied for each connection (a copy of doubles, where a literal boxes each first). */
const NO_DEADLINES: readonly number[] = new Array<number>(TIMER_KIND_COUNT).fill(Number.POSITIVE_INFINITY);

/** The Clock timer's callback, one for every connection: no closure (and its context) per connection. */
function fireTimers(timers: TcpTimers): void {
  timers.fire();
}

export class TcpTimers implements HeldTimers {
  // A plain array of doubles, not a Float64Array: the same reads and writes without an ArrayBuffer and its
  // backing store per connection (about 140 bytes less).
  private readonly deadlines: number[] = NO_DEADLINES.slice();
  private timer: Timer | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** Expired, and held by the gate until the input read before then has been processed. */
  private held = false;
  /** When the gate last took its mark for this connection: deadlines up to then wait for no more input. */
  private heldSince = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly target: TimerTarget,
    /** Input before timeouts (tcp-timer-gate.ts); absent: timers fire when the Clock says. */
    private readonly gate?: TcpTimerGate,
  ) {}

  /** Sets `kind` to expire `delayMs` from now (replacing any earlier setting). */
  set(kind: TimerKind, delayMs: number): void {
    const at = this.clock.now() + delayMs;
    this.deadlines[kind] = at;
    if (at < this.armedAt) this.arm(at);
  }

  /** Sets `kind` only if it is not running. */
  ensure(kind: TimerKind, delayMs: number): void {
    if (this.deadlines[kind] === Number.POSITIVE_INFINITY) this.set(kind, delayMs);
  }

  clear(kind: TimerKind): void {
    this.deadlines[kind] = Number.POSITIVE_INFINITY;
  }

  isSet(kind: TimerKind): boolean {
    return this.deadlines[kind] !== Number.POSITIVE_INFINITY;
  }

  /** The deadline of `kind` (Infinity when off). */
  deadline(kind: TimerKind): number {
    return this.deadlines[kind]!;
  }

  /** Clears every deadline and the Clock timer; nothing fires afterwards. */
  stop(): void {
    this.deadlines.fill(Number.POSITIVE_INFINITY);
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private arm(at: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimer(at - this.clock.now(), fireTimers, this);
  }

  /** The Clock timer fired: runs what is due (for fireTimers only), unless the gate holds it for input. */
  fire(): void {
    this.timer = undefined;
    if (this.held) return;
    // Only what is due waits: a Clock timer armed for a deadline since cleared or moved later holds nothing.
    const now = this.clock.now();
    if (this.expiredSince(Number.NEGATIVE_INFINITY, now) && this.holdForInput(now)) return;
    this.run(now);
  }

  /**
   * The gate let it go: what was read before its mark has been processed. A deadline that expired since the
   * mark (one set while it was held) waits in turn for what was read before now.
   */
  fireHeld(): void {
    this.held = false;
    const now = this.clock.now();
    if (this.expiredSince(this.heldSince, now) && this.holdForInput(now)) return;
    this.run(now);
  }

  /** Whether the gate holds it (input read before `now` waits to be processed). */
  private holdForInput(now: number): boolean {
    if (this.gate === undefined || this.stopped || !this.gate.hold(this)) return false;
    // armedAt stays at the expired deadline: a later one set meanwhile is not armed; the release re-arms.
    this.held = true;
    this.heldSince = now;
    return true;
  }

  /** Whether a deadline expired after `since`, by `now`. */
  private expiredSince(since: number, now: number): boolean {
    const deadlines = this.deadlines;
    for (let kind = 0; kind < TIMER_KIND_COUNT; kind++) {
      const at = deadlines[kind]!;
      if (at > since && at <= now) return true;
    }
    return false;
  }

  /** Runs what is due at `now` (read by the caller). */
  private run(time: number): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const deadlines = this.deadlines;
    // The time is read again only after a handler ran (it may have taken some).
    let now = time;
    for (let kind = 0; kind < TIMER_KIND_COUNT; kind++) {
      if (this.stopped) return;
      if (deadlines[kind]! <= now) {
        deadlines[kind] = Number.POSITIVE_INFINITY;
        this.target.onTimer(kind as TimerKind, now);
        now = this.clock.now();
      }
    }
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    for (let kind = 0; kind < TIMER_KIND_COUNT; kind++) if (deadlines[kind]! < next) next = deadlines[kind]!;
    // A handler may have armed a timer already; only arm when nothing earlier is pending.
    if (next < this.armedAt) this.arm(next);
  }
}
