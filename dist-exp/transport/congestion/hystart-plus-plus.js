import { INITIAL_SSTHRESH } from './congestion-controller.js';
/**
 * HyStart++ (RFC 9406): slow start that watches the RTT and leaves before the queue overflows. Standard
 * slow start doubles cwnd each round trip until a loss, so the window that finds the path's limit is about
 * twice it and a whole window's worth of segments may be lost; HyStart++ notices that the RTT of a round
 * has risen over the last round's (a queue is building), grows a quarter as fast for a few rounds
 * (Conservative Slow Start, CSS), and then sets ssthresh = cwnd: congestion avoidance from there, no loss.
 * Linux uses HyStart (its predecessor) with CUBIC by default; pilha uses HyStart++ with every controller.
 *
 * A helper the controllers call from their slow-start branch, once per ACK, only while ssthresh is still at
 * its initial "arbitrarily high" value (§4.2: HyStart++ is for the initial slow start only; after a loss the
 * ssthresh it sets ends slow start where it belongs). So a loss in standard slow start or in CSS needs
 * nothing here: the controller's loss response sets ssthresh and cwnd, as RFC 9406 §4.2 asks, and this
 * object is not called again.
 *
 * Rounds without sequence numbers. RFC 9406 marks a round with windowEnd = SND.NXT at its start and ends it
 * when SND.UNA ≥ windowEnd. A controller sees bytes, not sequence numbers, so this class counts the bytes
 * acknowledged and, at a round's start, notes `acked + inFlight` (inFlight = SND.NXT − SND.UNA after the
 * ACK, so that sum is SND.NXT in acknowledged-byte units); the round ends once the bytes acknowledged reach
 * it. Bytes the connection does not report (ACKs while not cwnd-limited) make a round end later, never
 * earlier: rounds only ever last at least one RTT.
 *
 * Sub-millisecond RTTs. On a TUN device the RTT is 0.1–1 ms and jittery (and exact in simulation); an
 * increase is only a signal once it exceeds RttThresh, at least MIN_RTT_THRESH = 4 ms, so jitter under
 * 4 ms never ends slow start. The growth per ACK stays the controller's (min(N, SMSS), RFC 5681 eq. 2, an
 * L of 1, below the RFC's L = 8 for unpaced senders): with a flat RTT, HyStart++ changes nothing.
 *
 * Pure: no I/O, no timers, no logging. Times are milliseconds.
 */
/** §4.3: the floor of RttThresh: RTT rises smaller than this are noise (it also covers sub-ms paths). */
export const MIN_RTT_THRESH_MS = 4;
/** §4.3: the ceiling of RttThresh. */
export const MAX_RTT_THRESH_MS = 16;
/** §4.3: RttThresh = lastRoundMinRTT / MIN_RTT_DIVISOR, clamped. */
export const MIN_RTT_DIVISOR = 8;
/** §4.3: RTT samples a round needs before its minimum is compared. */
export const N_RTT_SAMPLE = 8;
/** §4.3: in CSS, cwnd grows by 1/CSS_GROWTH_DIVISOR of what slow start would add. */
export const CSS_GROWTH_DIVISOR = 4;
/** §4.3: rounds of CSS before congestion avoidance. */
export const CSS_ROUNDS = 5;
export class HyStartPlusPlus {
    phaseNow = 'slow-start';
    /** Bytes acknowledged so far (what was reported): SND.UNA, counted from the first ACK. */
    ackedTotal = 0;
    /** windowEnd in the units of `ackedTotal`; −1 before the first round begins. */
    windowEnd = -1;
    roundsCount = 0;
    lastRoundMinRtt = Number.POSITIVE_INFINITY;
    currentRoundMinRtt = Number.POSITIVE_INFINITY;
    rttSampleCount = 0;
    /** The round minimum that started CSS; an RTT back under it means the rise was a false alarm (§4.2). */
    cssBaselineMinRtt = Number.POSITIVE_INFINITY;
    /** CSS rounds begun, the current one included. */
    cssRoundsCount = 0;
    /** CSS increases below one byte, carried so that integer windows still grow by exactly a quarter. */
    cssCarry = 0;
    get phase() {
        return this.phaseNow;
    }
    /** Rounds begun (the current one included). */
    get rounds() {
        return this.roundsCount;
    }
    /** The current round's minimum RTT sample, ms (Infinity before one). */
    get currentRoundMinRttMs() {
        return this.currentRoundMinRtt;
    }
    /** The last round's minimum RTT sample, ms (Infinity before one). */
    get lastRoundMinRttMs() {
        return this.lastRoundMinRtt;
    }
    /** True once CSS has run its rounds: the controller sets ssthresh = cwnd (after this ACK's increase). */
    get done() {
        return this.phaseNow === 'done';
    }
    /**
     * One ACK in the initial slow start: `ackedBytes` newly acknowledged, `inFlight` the FlightSize after
     * it, `rttMs` its RTT sample if it gave one, `increase` what standard slow start would add to cwnd.
     * Returns what to add instead: `increase` in slow start, a quarter of it in CSS. When `done` turns true
     * on this call the controller adds the returned increase and then sets ssthresh to cwnd.
     */
    onSlowStartAck(ackedBytes, inFlight, rttMs, increase) {
        if (this.phaseNow === 'done')
            return increase;
        this.ackedTotal += ackedBytes;
        if (this.windowEnd < 0)
            this.startRound(inFlight);
        if (rttMs !== undefined && rttMs >= 0) {
            if (rttMs < this.currentRoundMinRtt)
                this.currentRoundMinRtt = rttMs;
            this.rttSampleCount++;
        }
        const inCss = this.phaseNow === 'css';
        if (this.rttSampleCount >= N_RTT_SAMPLE) {
            if (!inCss)
                this.checkForRttIncrease();
            else if (this.currentRoundMinRtt < this.cssBaselineMinRtt) {
                // §4.2: the RTT fell back below where CSS began: the increase was not a queue; resume slow start.
                this.cssBaselineMinRtt = Number.POSITIVE_INFINITY;
                this.phaseNow = 'slow-start';
            }
        }
        // The ACK that found the increase is already grown conservatively (§4.2 applies CSS "for each ACK" once
        // in it); one that ended CSS is grown as CSS, then congestion avoidance takes over.
        const grown = inCss || this.phaseNow === 'css' ? this.cssIncrease(increase) : increase;
        if (this.ackedTotal >= this.windowEnd)
            this.endRound(inFlight);
        return grown;
    }
    /** §4.2 in standard slow start: the round's minimum RTT rose by RttThresh or more: enter CSS. */
    checkForRttIncrease() {
        const last = this.lastRoundMinRtt;
        const current = this.currentRoundMinRtt;
        if (current === Number.POSITIVE_INFINITY || last === Number.POSITIVE_INFINITY)
            return;
        const rttThresh = Math.max(MIN_RTT_THRESH_MS, Math.min(last / MIN_RTT_DIVISOR, MAX_RTT_THRESH_MS));
        if (current >= last + rttThresh) {
            this.cssBaselineMinRtt = current;
            this.phaseNow = 'css';
            this.cssRoundsCount = 0;
            this.cssCarry = 0;
        }
    }
    cssIncrease(increase) {
        const exact = increase / CSS_GROWTH_DIVISOR + this.cssCarry;
        const whole = Math.floor(exact);
        this.cssCarry = exact - whole;
        return whole;
    }
    /** The round ended (SND.UNA reached windowEnd): count a CSS round; CSS_ROUNDS of them end slow start. */
    endRound(inFlight) {
        if (this.phaseNow === 'css') {
            this.cssRoundsCount++;
            if (this.cssRoundsCount >= CSS_ROUNDS) {
                this.phaseNow = 'done';
                return;
            }
        }
        this.startRound(inFlight);
    }
    /** §4.2, at the start of each round: windowEnd = SND.NXT, and the minimum RTTs move on. */
    startRound(inFlight) {
        this.windowEnd = this.ackedTotal + Math.max(inFlight, 0);
        this.roundsCount++;
        this.lastRoundMinRtt = this.currentRoundMinRtt;
        this.currentRoundMinRtt = Number.POSITIVE_INFINITY;
        this.rttSampleCount = 0;
    }
}
/**
 * RFC 5681 §3.1 eq. (2), cwnd += min(N, SMSS), with HyStart++ in the first slow start (while ssthresh is
 * still the initial one, RFC 9406 §4.2): the increase for this ACK, the same for every controller. When
 * `hystart.done` is true after it, slow start is over: the caller sets ssthresh = cwnd.
 */
export function slowStartIncrease(hystart, ssthresh, ackedBytes, mss, inFlight, rttMs) {
    const increase = Math.min(ackedBytes, mss);
    if (hystart === undefined || ssthresh !== INITIAL_SSTHRESH)
        return increase;
    return hystart.onSlowStartAck(ackedBytes, inFlight, rttMs, increase);
}
//# sourceMappingURL=hystart-plus-plus.js.map