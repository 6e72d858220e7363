/** The only source of time in the stack: state machines never read the wall clock themselves. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /**
   * Calls `fire(arg)` once `delayMs` have passed. `arg` lets many owners share one function (no closure each:
   * a connection's timers call a module-level function with the connection's TcpTimers).
   */
  setTimer(delayMs: number, fire: () => void): Timer;
  setTimer<T>(delayMs: number, fire: (arg: T) => void, arg: T): Timer;
}

export interface Timer {
  cancel(): void;
}
