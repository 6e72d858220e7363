import type { Clock, Timer } from './clock.js';
/** Real time: performance.now() and Node timers, unref'd so an idle timer never keeps a process alive. */
export declare class SystemClock implements Clock {
    now(): number;
    setTimer(delayMs: number, fire: () => void): Timer;
}
