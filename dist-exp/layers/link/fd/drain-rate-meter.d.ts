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
export declare class DrainRateMeter {
    private readonly rates;
    private count;
    private next;
    private sampledAt;
    private sampledConsumed;
    private sampledBacklog;
    /** Whether any interval has been measured. */
    get measured(): boolean;
    /** The best rate of the remembered intervals (0 before any). */
    get bytesPerMs(): number;
    /**
     * `consumed`: the bytes the main thread has taken, ever, as a 32-bit count that wraps; `backlog`: the bytes
     * waiting now.
     */
    sample(now: number, consumed: number, backlog: number): void;
    /** How long `backlog` bytes will take to drain at the measured rate; 0 while nothing is measured. */
    expectedWaitMs(backlog: number): number;
}
