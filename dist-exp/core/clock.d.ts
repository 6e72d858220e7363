/** The only source of time in the stack: state machines never read the wall clock themselves. */
export interface Clock {
    /** Monotonic milliseconds. */
    now(): number;
    setTimer(delayMs: number, fire: () => void): Timer;
}
export interface Timer {
    cancel(): void;
}
