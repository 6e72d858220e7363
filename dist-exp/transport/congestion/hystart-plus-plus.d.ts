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
export declare const MIN_RTT_THRESH_MS = 4;
/** §4.3: the ceiling of RttThresh. */
export declare const MAX_RTT_THRESH_MS = 16;
/** §4.3: RttThresh = lastRoundMinRTT / MIN_RTT_DIVISOR, clamped. */
export declare const MIN_RTT_DIVISOR = 8;
/** §4.3: RTT samples a round needs before its minimum is compared. */
export declare const N_RTT_SAMPLE = 8;
/** §4.3: in CSS, cwnd grows by 1/CSS_GROWTH_DIVISOR of what slow start would add. */
export declare const CSS_GROWTH_DIVISOR = 4;
/** §4.3: rounds of CSS before congestion avoidance. */
export declare const CSS_ROUNDS = 5;
/** Where HyStart++ stands: standard slow start, Conservative Slow Start, or done (ssthresh = cwnd set). */
export type HyStartPhase = 'slow-start' | 'css' | 'done';
export declare class HyStartPlusPlus {
    private phaseNow;
    /** Bytes acknowledged so far (what was reported): SND.UNA, counted from the first ACK. */
    private ackedTotal;
    /** windowEnd in the units of `ackedTotal`; −1 before the first round begins. */
    private windowEnd;
    private roundsCount;
    private lastRoundMinRtt;
    private currentRoundMinRtt;
    private rttSampleCount;
    /** The round minimum that started CSS; an RTT back under it means the rise was a false alarm (§4.2). */
    private cssBaselineMinRtt;
    /** CSS rounds begun, the current one included. */
    private cssRoundsCount;
    /** CSS increases below one byte, carried so that integer windows still grow by exactly a quarter. */
    private cssCarry;
    get phase(): HyStartPhase;
    /** Rounds begun (the current one included). */
    get rounds(): number;
    /** The current round's minimum RTT sample, ms (Infinity before one). */
    get currentRoundMinRttMs(): number;
    /** The last round's minimum RTT sample, ms (Infinity before one). */
    get lastRoundMinRttMs(): number;
    /** True once CSS has run its rounds: the controller sets ssthresh = cwnd (after this ACK's increase). */
    get done(): boolean;
    /**
     * One ACK in the initial slow start: `ackedBytes` newly acknowledged, `inFlight` the FlightSize after
     * it, `rttMs` its RTT sample if it gave one, `increase` what standard slow start would add to cwnd.
     * Returns what to add instead: `increase` in slow start, a quarter of it in CSS. When `done` turns true
     * on this call the controller adds the returned increase and then sets ssthresh to cwnd.
     */
    onSlowStartAck(ackedBytes: number, inFlight: number, rttMs: number | undefined, increase: number): number;
    /** §4.2 in standard slow start: the round's minimum RTT rose by RttThresh or more: enter CSS. */
    private checkForRttIncrease;
    private cssIncrease;
    /** The round ended (SND.UNA reached windowEnd): count a CSS round; CSS_ROUNDS of them end slow start. */
    private endRound;
    /** §4.2, at the start of each round: windowEnd = SND.NXT, and the minimum RTTs move on. */
    private startRound;
}
/**
 * RFC 5681 §3.1 eq. (2), cwnd += min(N, SMSS), with HyStart++ in the first slow start (while ssthresh is
 * still the initial one, RFC 9406 §4.2): the increase for this ACK, the same for every controller. When
 * `hystart.done` is true after it, slow start is over: the caller sets ssthresh = cwnd.
 */
export declare function slowStartIncrease(hystart: HyStartPlusPlus | undefined, ssthresh: number, ackedBytes: number, mss: number, inFlight: number, rttMs: number | undefined): number;
