/**
 * The retransmission timeout, computed as RFC 6298 says. Pure: the caller measures round trips
 * (applying Karn's algorithm, RFC 6298 §3 — no samples from retransmitted segments unless
 * timestamps disambiguate them) and runs the timer; this class only does the arithmetic.
 * All times in milliseconds.
 */
/** RFC 6298 §2: α = 1/8, the gain of the smoothed RTT. */
export const RTO_ALPHA = 1 / 8;
/** RFC 6298 §2: β = 1/4, the gain of the RTT variation. */
export const RTO_BETA = 1 / 4;
/** RFC 6298 §2: K = 4, how many deviations of margin the timeout keeps. */
export const RTO_K = 4;
/** RFC 6298 (2.1): until a measurement is made, RTO = 1 second. */
export const RTO_INITIAL_MS = 1000;
/**
 * RFC 6298 (2.4) rounds RTO up to 1 second as a SHOULD; pilha's default floor is Linux's
 * TCP_RTO_MIN, 200 ms, and is configurable.
 */
export const RTO_MIN_MS = 200;
/** RFC 6298 (2.5): a maximum may be placed on RTO provided it is at least 60 seconds. */
export const RTO_MAX_MS = 60_000;
/** RFC 6298 §2: G, the clock granularity; pilha's clocks count whole milliseconds. */
export const RTO_GRANULARITY_MS = 1;
function positive(name, value) {
    if (!Number.isFinite(value) || value <= 0)
        throw new RangeError(`${name} must be a positive number, got ${value}`);
    return value;
}
export class RtoEstimator {
    minRtoMs;
    maxRtoMs;
    granularityMs;
    srttMs;
    rttvarMs;
    rtoMs;
    backoffCount = 0;
    constructor(options = {}) {
        this.minRtoMs = positive('minRtoMs', options.minRtoMs ?? RTO_MIN_MS);
        this.maxRtoMs = positive('maxRtoMs', options.maxRtoMs ?? RTO_MAX_MS);
        this.granularityMs = positive('granularityMs', options.granularityMs ?? RTO_GRANULARITY_MS);
        if (this.minRtoMs > this.maxRtoMs) {
            throw new RangeError(`minRtoMs (${this.minRtoMs}) is above maxRtoMs (${this.maxRtoMs})`);
        }
        this.rtoMs = this.clamp(positive('initialRtoMs', options.initialRtoMs ?? RTO_INITIAL_MS));
    }
    /** Smoothed RTT; undefined until the first sample. */
    get srtt() {
        return this.srttMs;
    }
    /** RTT variation; undefined until the first sample. */
    get rttvar() {
        return this.rttvarMs;
    }
    /** The current retransmission timeout, backoff included. */
    get rto() {
        return this.rtoMs;
    }
    /** Consecutive backoffs since the last sample (Linux's `backoff` in `ss -ti`). */
    get backoffs() {
        return this.backoffCount;
    }
    /**
     * Takes one RTT measurement R and recomputes RTO by (2.2)/(2.3), which ends any backoff: a
     * backed-off RTO stands until the next valid sample. A negative or non-finite sample is
     * ignored and `false` returned, so a garbage timestamp echo cannot poison the estimate.
     */
    sample(rttMs) {
        if (!Number.isFinite(rttMs) || rttMs < 0)
            return false;
        if (this.srttMs === undefined || this.rttvarMs === undefined) {
            // RFC 6298 (2.2): SRTT <- R, RTTVAR <- R/2.
            this.srttMs = rttMs;
            this.rttvarMs = rttMs / 2;
        }
        else {
            // RFC 6298 (2.3): RTTVAR first, from the old SRTT; then SRTT.
            this.rttvarMs = (1 - RTO_BETA) * this.rttvarMs + RTO_BETA * Math.abs(this.srttMs - rttMs);
            this.srttMs = (1 - RTO_ALPHA) * this.srttMs + RTO_ALPHA * rttMs;
        }
        // RFC 6298 (2.2)/(2.3): RTO <- SRTT + max(G, K*RTTVAR); then (2.4) floor and (2.5) ceiling.
        this.rtoMs = this.clamp(this.srttMs + Math.max(this.granularityMs, RTO_K * this.rttvarMs));
        this.backoffCount = 0;
        return true;
    }
    /** RFC 6298 (5.5): the retransmission timer expired — RTO <- RTO * 2, up to the maximum. */
    backoff() {
        this.rtoMs = Math.min(this.rtoMs * 2, this.maxRtoMs);
        this.backoffCount++;
    }
    clamp(rto) {
        return Math.min(Math.max(rto, this.minRtoMs), this.maxRtoMs);
    }
}
//# sourceMappingURL=rto-estimator.js.map