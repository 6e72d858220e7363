import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from './clock.js';

/** Real time: performance.now() and Node timers, unref'd so an idle timer never keeps a process alive. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fire: () => void): Timer {
    const handle = setTimeout(fire, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}
