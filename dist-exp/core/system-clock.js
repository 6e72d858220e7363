import { performance } from 'node:perf_hooks';
/** Real time: performance.now() and Node timers, unref'd so an idle timer never keeps a process alive. */
export class SystemClock {
    now() {
        return performance.now();
    }
    setTimer(delayMs, fire) {
        const handle = setTimeout(fire, Math.max(0, delayMs));
        handle.unref();
        return { cancel: () => clearTimeout(handle) };
    }
}
//# sourceMappingURL=system-clock.js.map