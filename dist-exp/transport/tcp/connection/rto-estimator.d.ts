/**
 * The retransmission timeout, computed as RFC 6298 says. Pure: the caller measures round trips
 * (applying Karn's algorithm, RFC 6298 §3 — no samples from retransmitted segments unless
 * timestamps disambiguate them) and runs the timer; this class only does the arithmetic.
 * All times in milliseconds.
 */
/** RFC 6298 §2: α = 1/8, the gain of the smoothed RTT. */
export declare const RTO_ALPHA: number;
/** RFC 6298 §2: β = 1/4, the gain of the RTT variation. */
export declare const RTO_BETA: number;
/** RFC 6298 §2: K = 4, how many deviations of margin the timeout keeps. */
export declare const RTO_K = 4;
/** RFC 6298 (2.1): until a measurement is made, RTO = 1 second. */
export declare const RTO_INITIAL_MS = 1000;
/**
 * RFC 6298 (2.4) rounds RTO up to 1 second as a SHOULD; pilha's default floor is Linux's
 * TCP_RTO_MIN, 200 ms, and is configurable.
 */
export declare const RTO_MIN_MS = 200;
/** RFC 6298 (2.5): a maximum may be placed on RTO provided it is at least 60 seconds. */
export declare const RTO_MAX_MS = 60000;
/** RFC 6298 §2: G, the clock granularity; pilha's clocks count whole milliseconds. */
export declare const RTO_GRANULARITY_MS = 1;
export interface RtoEstimatorOptions {
    /** RTO before the first sample; default 1000 (RFC 6298 (2.1)). */
    readonly initialRtoMs?: number;
    /** Floor applied to every computed RTO; default 200, as Linux. */
    readonly minRtoMs?: number;
    /** Ceiling, also for backoff; default 60 000 (RFC 6298 (2.5)). */
    readonly maxRtoMs?: number;
    /** Clock granularity G; default 1. */
    readonly granularityMs?: number;
}
export declare class RtoEstimator {
    readonly minRtoMs: number;
    readonly maxRtoMs: number;
    readonly granularityMs: number;
    private srttMs;
    private rttvarMs;
    private rtoMs;
    private backoffCount;
    constructor(options?: RtoEstimatorOptions);
    /** Smoothed RTT; undefined until the first sample. */
    get srtt(): number | undefined;
    /** RTT variation; undefined until the first sample. */
    get rttvar(): number | undefined;
    /** The current retransmission timeout, backoff included. */
    get rto(): number;
    /** Consecutive backoffs since the last sample (Linux's `backoff` in `ss -ti`). */
    get backoffs(): number;
    /**
     * Takes one RTT measurement R and recomputes RTO by (2.2)/(2.3), which ends any backoff: a
     * backed-off RTO stands until the next valid sample. A negative or non-finite sample is
     * ignored and `false` returned, so a garbage timestamp echo cannot poison the estimate.
     */
    sample(rttMs: number): boolean;
    /** RFC 6298 (5.5): the retransmission timer expired — RTO <- RTO * 2, up to the maximum. */
    backoff(): void;
    private clamp;
}
