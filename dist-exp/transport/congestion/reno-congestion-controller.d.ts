/**
 * Reno congestion control, RFC 5681: slow start and congestion avoidance (§3.1), fast
 * retransmit and fast recovery (§3.2). Loss detection stays with the connection, which reports
 * events; this class only sizes cwnd and ssthresh. Pure: no I/O, no timers, no logging.
 *
 * Two variants share the window arithmetic and differ only in how fast recovery ends:
 * - 'reno', RFC 5681 as written: the first ACK of new data ends recovery (cwnd = ssthresh), so a
 *   second loss in the same window needs three more duplicate ACKs and halves again, or waits for the timer;
 * - 'newreno', RFC 6582: a partial ACK keeps recovery, deflates cwnd by what it acknowledged and has the
 *   next hole sent at once (the connection does the sending; see `exitsRecoveryOnPartialAck`).
 * Linux's "reno" module is the second: its loss recovery is always NewReno (or SACK).
 */
import { type CongestionController, type CongestionControllerFactory, type SlowStartOptions } from './congestion-controller.js';
export type RenoVariant = 'reno' | 'newreno';
export declare class RenoCongestionController implements CongestionController {
    readonly name: RenoVariant;
    readonly exitsRecoveryOnPartialAck: boolean;
    /** SMSS, bytes. */
    readonly mss: number;
    private cwndBytes;
    private ssthreshBytes;
    /** Congestion avoidance byte counter (RFC 5681 §3.1; RFC 3465 §2.1 `bytes_acked`). */
    private bytesAcked;
    /**
     * Between onFastRetransmit and onRecoveryExit (or a timeout, or restore): the window arithmetic of
     * RFC 5681 §3.2 applies. LossRecovery/SackRecovery decide the episode; this only follows their calls.
     */
    private recovering;
    /** A retransmission timeout happened and no new data has been acknowledged since. */
    private timedOutWithoutProgress;
    /** RFC 9406 for the initial slow start; undefined when switched off (TcpConfig.hystart false). */
    private readonly hystart;
    constructor(mss: number, variant?: RenoVariant, options?: SlowStartOptions);
    get cwnd(): number;
    get ssthresh(): number;
    /** Between `onFastRetransmit` and `onRecoveryExit` (or a timeout). */
    get inRecovery(): boolean;
    /** True while cwnd < ssthresh (RFC 5681 §3.1: slow start; at equality, congestion avoidance). */
    get inSlowStart(): boolean;
    onAck(ackedBytes: number, _now: number, inFlight: number, rttMs?: number): void;
    onDuplicateAck(): void;
    onFastRetransmit(inFlight: number): void;
    onPartialAck(ackedBytes: number): void;
    onIdleRestart(): void;
    restore(cwnd: number, ssthresh: number): void;
    onRecoveryExit(): void;
    onRetransmissionTimeout(inFlight: number): void;
    private halve;
}
/** Makes a plain Reno (RFC 5681) controller per connection; bind it as the `CongestionControllerFactory`. */
export declare class RenoCongestionControllerFactory implements CongestionControllerFactory {
    private readonly options;
    readonly name: "reno";
    constructor(options?: SlowStartOptions);
    create(mss: number): RenoCongestionController;
}
