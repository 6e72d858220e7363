/**
 * CUBIC congestion control, RFC 9438 (Linux's default). The window grows as a cubic function of the time
 * since the last reduction, not of the RTT: concave up to the window of the last loss W_max (fast at first,
 * flat near it), a plateau at W_max, then convex, probing for more. Three rules sit around it: the
 * Reno-friendly region (§4.3), where CUBIC grows at least as fast as Reno would; fast convergence (§4.7),
 * where a flow whose losses come at ever smaller windows gives way to newcomers; and β = 0.7 (§4.6).
 *
 * Slow start is Reno's (RFC 5681 §3.1, §4.10), with HyStart++ (RFC 9406) in the initial one. Fast recovery is NewReno's (RFC 6582) with Reno's window
 * inflation, as the connection expects of every controller: cwnd = ssthresh + 3·SMSS on entry, +SMSS per
 * further duplicate ACK, deflated on partial ACKs, cwnd = ssthresh on exit.
 *
 * Units: the connection speaks bytes; the RFC's equations are in segments (SMSS) and seconds, and so is
 * the state below (W_max, W_est, K). cwnd is kept in bytes as a real number (the per-ACK increase
 * (target − cwnd)/cwnd is fractional) and shown rounded down. Time is the `now` of each ACK, Clock
 * milliseconds; the class holds no timer and reads no clock. Pure: no I/O, no logging.
 */
import { type CongestionController, type CongestionControllerFactory, type SlowStartOptions } from './congestion-controller.js';
/** RFC 9438 §5.1: C = 0.4 (segments / s³). */
export declare const CUBIC_C = 0.4;
/** RFC 9438 §4.6: β_cubic = 0.7, the multiplicative decrease factor. */
export declare const CUBIC_BETA = 0.7;
/** RFC 9438 §4.3: α_cubic = 3·(1 − β)/(1 + β), Reno's average rate at CUBIC's β (about 0.53). */
export declare const CUBIC_ALPHA: number;
export interface CubicOptions extends SlowStartOptions {
    /** RFC 9438 §4.7 fast convergence (Linux's default, on). */
    readonly fastConvergence?: boolean;
}
/** W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 eq. 1); segments and seconds. */
export declare function cubicWindow(t: number, k: number, wMax: number): number;
/** K = ∛((W_max − cwnd_epoch)/C) (RFC 9438 eq. 2): the time the cubic takes to climb back to W_max. */
export declare function cubicK(wMax: number, cwndEpoch: number): number;
/** Where the window's growth comes from on the last ACK in congestion avoidance (for tests and traces). */
export type CubicRegion = 'slow-start' | 'reno-friendly' | 'concave' | 'convex' | 'recovery';
export declare class CubicCongestionController implements CongestionController {
    readonly name: "cubic";
    readonly exitsRecoveryOnPartialAck = false;
    /** SMSS, bytes. */
    readonly mss: number;
    private readonly fastConvergence;
    private cwndBytes;
    private ssthreshBytes;
    /**
     * Between onFastRetransmit and onRecoveryExit (or a timeout, or restore): the window arithmetic of
     * RFC 5681 §3.2 applies. LossRecovery/SackRecovery decide the episode; this only follows their calls.
     */
    private recovering;
    /** A retransmission timeout happened and no new data has been acknowledged since (RFC 5681 §3.1). */
    private timedOutWithoutProgress;
    /** W_max, segments: the window just before the last reduction (after fast convergence); 0 before any. */
    private wMaxSeg;
    /** cwnd_prior, segments: cwnd when ssthresh was last set (§4.3 switches α_cubic to 1 once W_est reaches it). */
    private cwndPriorSeg;
    /** t_epoch, Clock ms: when this congestion avoidance stage began; −1 while none has. */
    private epochStart;
    /** K, seconds, and the plateau W_cubic climbs to (W_max, or cwnd_epoch when that is higher), for this epoch. */
    private kSec;
    private originSeg;
    /** W_est, segments: what Reno with α_cubic and β_cubic would have now (§4.3). */
    private wEstSeg;
    /** The next congestion avoidance stage follows a timeout: K = 0, W_max = cwnd_epoch (§4.8). */
    private afterTimeout;
    /** Smoothed RTT from the samples the connection passes (RFC 6298's α = 1/8), ms; −1 before the first. */
    private srttMs;
    private lastRegion;
    /** RFC 9406 for the initial slow start; undefined when switched off (TcpConfig.hystart false). */
    private readonly hystart;
    constructor(mss: number, options?: CubicOptions);
    get cwnd(): number;
    get ssthresh(): number;
    get inRecovery(): boolean;
    /** W_max in segments (0 before the first loss). */
    get wMax(): number;
    /** K in seconds for the current congestion avoidance stage (0 before one begins). */
    get k(): number;
    /** W_est in segments. */
    get wEst(): number;
    /** The rule that set cwnd on the last ACK. */
    get region(): CubicRegion;
    onAck(ackedBytes: number, now: number, inFlight: number, rttMs?: number): void;
    /** RFC 9438 §4.2–§4.5, per ACK of `bytes` new bytes at `now`. */
    private congestionAvoidance;
    /** A congestion avoidance stage begins (§4.2): t_epoch, cwnd_epoch, K; W_est starts from cwnd_epoch (§4.3). */
    private beginEpoch;
    onDuplicateAck(): void;
    onFastRetransmit(inFlight: number): void;
    /** A congestion event (§4.6, §4.7): W_max (with fast convergence), cwnd_prior, ssthresh = β·FlightSize. */
    private reduce;
    onPartialAck(ackedBytes: number): void;
    onRecoveryExit(): void;
    onRetransmissionTimeout(inFlight: number): void;
    onIdleRestart(): void;
    restore(cwnd: number, ssthresh: number): void;
}
/** Makes a CUBIC controller per connection; bind it as the `CongestionControllerFactory`. */
export declare class CubicCongestionControllerFactory implements CongestionControllerFactory {
    private readonly options;
    readonly name: "cubic";
    constructor(options?: CubicOptions);
    create(mss: number): CubicCongestionController;
}
