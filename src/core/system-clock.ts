import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from './clock.js';

/** Real time: performance.now() and Node timers, unref'd so an idle timer never keeps a process alive. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fire: () => void): Timer;
  setTimer<T>(delayMs: number, fire: (arg: T) => void, arg: T): Timer;
  setTimer<T>(delayMs: number, fire: (arg?: T) => void, arg?: T): Timer {
    const handle = setTimeout(fire, Math.max(0, delayMs), arg);
    handle.unref();
    return new NodeTimer(handle);
  }
}

/** A Node timer as a Timer: one small object per timer armed, no closure and context. */
class NodeTimer implements Timer {
  constructor(private readonly handle: NodeJS.Timeout) {}

  cancel(): void {
    clearTimeout(this.handle);
  }
}

/**
 * The wall clock's milliseconds since midnight UT: RFC 791's timestamp, for what must carry the time of day
 * (the IP Timestamp option), which a monotonic Clock cannot give.
 */
export function wallTimeOfDayUt(): number {
  return Date.now() % 86_400_000;
}
