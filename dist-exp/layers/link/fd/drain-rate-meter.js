/** Intervals shorter than this are too coarse to measure; longer ones are re-based rather than measured. */
const MIN_INTERVAL_MS = 10;
const MAX_INTERVAL_MS = 100;
/** Measured intervals remembered: the rate is the best of them (about the last 100-200 ms of a backlog). */
const WINDOW = 8;
/**
 * How fast the main thread takes datagrams off the reader's backlog, in bytes per millisecond, so that the
 * reader can tell how long a datagram it queues now will wait. Measured only over intervals that began and
 * ended with a backlog (the main thread was busy with it throughout: an idle one drains nothing and says
 * nothing of its speed). The rate is the best of the last few intervals, not their mean: the main thread's
 * speed swings with its work (a connection set up costs tens of times a SYN cookie; a GC pause or a lost
 * time slice drains nothing for a while) and a wait is estimated to decide whether to drop, so it gets the
 * benefit of the doubt. Only a main thread that drained nothing over the whole window is taken as stalled.
 * Pure: the caller gives the times and counts.
 */
export class DrainRateMeter {
    rates = new Float64Array(WINDOW);
    count = 0;
    next = 0;
    sampledAt = Number.NEGATIVE_INFINITY;
    sampledConsumed = 0;
    sampledBacklog = 0;
    /** Whether any interval has been measured. */
    get measured() {
        return this.count > 0;
    }
    /** The best rate of the remembered intervals (0 before any). */
    get bytesPerMs() {
        let best = 0;
        for (let i = 0; i < this.count; i++)
            if (this.rates[i] > best)
                best = this.rates[i];
        return best;
    }
    /**
     * `consumed`: the bytes the main thread has taken, ever, as a 32-bit count that wraps; `backlog`: the bytes
     * waiting now.
     */
    sample(now, consumed, backlog) {
        const elapsed = now - this.sampledAt;
        if (elapsed < MIN_INTERVAL_MS)
            return;
        if (elapsed <= MAX_INTERVAL_MS && this.sampledBacklog > 0 && backlog > 0) {
            this.rates[this.next] = ((consumed - this.sampledConsumed) >>> 0) / elapsed;
            this.next = (this.next + 1) % WINDOW;
            if (this.count < WINDOW)
                this.count++;
        }
        this.sampledAt = now;
        this.sampledConsumed = consumed;
        this.sampledBacklog = backlog;
    }
    /** How long `backlog` bytes will take to drain at the measured rate; 0 while nothing is measured. */
    expectedWaitMs(backlog) {
        if (this.count === 0 || backlog === 0)
            return 0;
        const rate = this.bytesPerMs;
        return rate > 0 ? backlog / rate : Number.POSITIVE_INFINITY;
    }
}
//# sourceMappingURL=drain-rate-meter.js.map