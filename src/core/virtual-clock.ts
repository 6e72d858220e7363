import type { Clock, Timer } from './clock.js';

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  fire: (arg: unknown) => void;
  arg: unknown;
  cancelled: boolean;
}

function cancelledTimer(): void {}

/**
 * Simulated time for tests and the simulator: time moves only when advance() or run*() is called,
 * and timers fire in deadline order (ties in creation order), so every timeout test is exact.
 */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly pending: PendingTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, fire: () => void): Timer;
  setTimer<T>(delayMs: number, fire: (arg: T) => void, arg: T): Timer;
  setTimer<T>(delayMs: number, fire: (arg?: T) => void, arg?: T): Timer {
    const timer: PendingTimer = {
      at: this.time + Math.max(0, delayMs),
      seq: this.seq++,
      fire: fire as (arg: unknown) => void,
      arg,
      cancelled: false,
    };
    this.insert(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        // It waits in the queue until its time, as Node's cleared timers do not: it keeps nothing alive meanwhile.
        timer.fire = cancelledTimer;
        timer.arg = undefined;
      },
    };
  }

  /** Number of timers that are still due to fire. */
  get pendingTimers(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way at its own deadline. */
  advance(ms: number): void {
    this.runUntil(this.time + ms);
  }

  /** Fires timers in order until `deadline`, then sets the time to it. */
  runUntil(deadline: number): void {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || next.at > deadline) break;
      this.pending.shift();
      if (next.cancelled) continue;
      this.time = Math.max(this.time, next.at);
      next.fire(next.arg);
    }
    this.time = Math.max(this.time, deadline);
  }

  /** Fires timers until none is left or `limitMs` of virtual time has passed; returns the time reached. */
  runAll(limitMs = 3_600_000): number {
    const end = this.time + limitMs;
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || next.at > end) break;
      this.pending.shift();
      if (next.cancelled) continue;
      this.time = Math.max(this.time, next.at);
      next.fire(next.arg);
    }
    return this.time;
  }

  private insert(timer: PendingTimer): void {
    // Binary search keeps the queue ordered by (at, seq).
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.pending[mid]!;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, timer);
  }
}
