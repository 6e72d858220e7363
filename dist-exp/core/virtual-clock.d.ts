import type { Clock, Timer } from './clock.js';
/**
 * Simulated time for tests and the simulator: time moves only when advance() or run*() is called,
 * and timers fire in deadline order (ties in creation order), so every timeout test is exact.
 */
export declare class VirtualClock implements Clock {
    private time;
    private seq;
    private readonly pending;
    constructor(start?: number);
    now(): number;
    setTimer(delayMs: number, fire: () => void): Timer;
    /** Number of timers that are still due to fire. */
    get pendingTimers(): number;
    /** Moves time forward by `ms`, firing every timer due on the way at its own deadline. */
    advance(ms: number): void;
    /** Fires timers in order until `deadline`, then sets the time to it. */
    runUntil(deadline: number): void;
    /** Fires timers until none is left or `limitMs` of virtual time has passed; returns the time reached. */
    runAll(limitMs?: number): number;
    private insert;
}
