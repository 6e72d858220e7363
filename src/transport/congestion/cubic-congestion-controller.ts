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

import { settleFields } from '../settled-fields.js';
import {
  type CongestionController,
  type CongestionControllerFactory,
  checkMss,
  INITIAL_SSTHRESH,
  initialWindow,
  type SlowStartOptions,
  windowAfterPartialAck,
  windowsForMss,
} from './congestion-controller.js';
import { CubicCurve } from './cubic-curve.js';
import { HyStartPlusPlus, slowStartIncrease } from './hystart-plus-plus.js';

/** RFC 9438 §5.1: C = 0.4 (segments / s³). */
export const CUBIC_C = 0.4;
/** RFC 9438 §4.6: β_cubic = 0.7, the multiplicative decrease factor. */
export const CUBIC_BETA = 0.7;
/** RFC 9438 §4.3: α_cubic = 3·(1 − β)/(1 + β), Reno's average rate at CUBIC's β (about 0.53). */
export const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);

export interface CubicOptions extends SlowStartOptions {
  /** RFC 9438 §4.7 fast convergence (Linux's default, on). */
  readonly fastConvergence?: boolean;
}

/** W_cubic(t) = C·(t − K)³ + W_max (RFC 9438 eq. 1); segments and seconds. */
export function cubicWindow(t: number, k: number, wMax: number): number {
  const d = t - k;
  return CUBIC_C * d * d * d + wMax;
}

/** K = ∛((W_max − cwnd_epoch)/C) (RFC 9438 eq. 2): the time the cubic takes to climb back to W_max. */
export function cubicK(wMax: number, cwndEpoch: number): number {
  return wMax > cwndEpoch ? Math.cbrt((wMax - cwndEpoch) / CUBIC_C) : 0;
}

/** Where the window's growth comes from on the last ACK in congestion avoidance (for tests and traces). */
export type CubicRegion = 'slow-start' | 'reno-friendly' | 'concave' | 'convex' | 'recovery';

/** Fields that hold fractions or Clock times (settleFields). */
const CUBIC_DOUBLE_FIELDS = ['cwndBytes', 'ssthreshBytes', 'srttMs'];
/** Fields first written by a recovery, a timeout, the first ACK or a new MSS (settleFields). */
const CUBIC_MUTABLE_FIELDS = [
  'recovering',
  'timedOutWithoutProgress',
  'afterTimeout',
  'lastRegion',
  'hystart',
  'curve',
  'mss',
];

export class CubicCongestionController implements CongestionController {
  readonly name = 'cubic' as const;
  readonly exitsRecoveryOnPartialAck = false;
  /** SMSS, bytes (setMss changes it). */
  mss: number;
  private readonly fastConvergence: boolean;
  private cwndBytes: number;
  private ssthreshBytes = INITIAL_SSTHRESH;
  /**
   * Between onFastRetransmit and onRecoveryExit (or a timeout, or restore): the window arithmetic of
   * RFC 5681 §3.2 applies. LossRecovery/SackRecovery decide the episode; this only follows their calls.
   */
  private recovering = false;
  /** A retransmission timeout happened and no new data has been acknowledged since (RFC 5681 §3.1). */
  private timedOutWithoutProgress = false;
  /** W_max, cwnd_prior and the congestion avoidance stage: made by the first reduction or stage (cubic-curve.ts). */
  private curve: CubicCurve | undefined = undefined;
  /** The next congestion avoidance stage follows a timeout: K = 0, W_max = cwnd_epoch (§4.8). */
  private afterTimeout = false;
  /** Smoothed RTT from the samples the connection passes (RFC 6298's α = 1/8), ms; −1 before the first. */
  private srttMs = -1;
  private lastRegion: CubicRegion = 'slow-start';
  /**
   * RFC 9406 for the initial slow start: made by its first ACK (its state is untouched before), so that a
   * connection that never sends holds none; never when switched off (TcpConfig.hystart false).
   */
  private hystart: HyStartPlusPlus | undefined = undefined;
  private readonly hystartOn: boolean;

  constructor(mss: number, options: CubicOptions = {}) {
    this.mss = checkMss(mss);
    this.fastConvergence = options.fastConvergence ?? true;
    this.hystartOn = options.hystart !== false;
    this.cwndBytes = initialWindow(mss);
    // Fractions and Clock times from the first congestion avoidance stage on; HyStart++ and the flags first
    // written late: settled now, not under optimised code (settled-fields.ts).
    settleFields(this, CUBIC_DOUBLE_FIELDS, CUBIC_MUTABLE_FIELDS);
  }

  get cwnd(): number {
    return Math.floor(this.cwndBytes);
  }

  get ssthresh(): number {
    return this.ssthreshBytes;
  }

  setMss(mss: number): void {
    const windows = windowsForMss(this.cwndBytes, this.ssthreshBytes, this.mss, checkMss(mss));
    this.mss = mss;
    this.cwndBytes = windows.cwnd;
    this.ssthreshBytes = windows.ssthresh;
  }

  get inRecovery(): boolean {
    return this.recovering;
  }

  /** W_max in segments (0 before the first loss). */
  get wMax(): number {
    return this.curve?.wMaxSeg ?? 0;
  }

  /** K in seconds for the current congestion avoidance stage (0 before one begins). */
  get k(): number {
    return this.curve?.kSec ?? 0;
  }

  /** W_est in segments. */
  get wEst(): number {
    return this.curve?.wEstSeg ?? 0;
  }

  /** The rule that set cwnd on the last ACK. */
  get region(): CubicRegion {
    return this.lastRegion;
  }

  onAck(ackedBytes: number, now: number, inFlight: number, rttMs?: number): void {
    if (!(ackedBytes > 0)) return;
    this.timedOutWithoutProgress = false;
    if (rttMs !== undefined && rttMs >= 0) {
      this.srttMs = this.srttMs < 0 ? rttMs : this.srttMs + (rttMs - this.srttMs) / 8;
    }
    // During fast recovery cwnd follows Reno's inflation (RFC 5681 §3.2); ACKs of new data do not grow it.
    if (this.recovering) {
      this.lastRegion = 'recovery';
      return;
    }
    let counted = ackedBytes;
    if (this.cwndBytes < this.ssthreshBytes) {
      // RFC 9438 §4.10: slow start as RFC 5681 §3.1 eq. (2), cwnd += min(N, SMSS).
      this.lastRegion = 'slow-start';
      // RFC 9406: a quarter of it in Conservative Slow Start; after CSS's last round, ssthresh = cwnd.
      if (this.hystartOn && this.hystart === undefined) this.hystart = new HyStartPlusPlus();
      const increase = slowStartIncrease(
        this.hystart,
        this.ssthreshBytes,
        ackedBytes,
        this.mss,
        inFlight,
        rttMs,
      );
      if (this.hystart?.done === true && this.ssthreshBytes === INITIAL_SSTHRESH) {
        this.cwndBytes += increase;
        this.ssthreshBytes = Math.floor(this.cwndBytes);
        return;
      }
      const room = this.ssthreshBytes - this.cwndBytes;
      if (increase <= room) {
        this.cwndBytes += increase;
        return;
      }
      this.cwndBytes = this.ssthreshBytes;
      counted = ackedBytes - room;
    }
    this.congestionAvoidance(counted, now);
  }

  /** RFC 9438 §4.2–§4.5, per ACK of `bytes` new bytes at `now`. */
  private congestionAvoidance(bytes: number, now: number): void {
    const mss = this.mss;
    let cwnd = this.cwndBytes / mss;
    const curve = this.curve ?? this.makeCurve();
    if (curve.start < 0) this.beginEpoch(curve, now, cwnd);
    const acked = bytes / mss;
    const t = (now - curve.start) / 1000;
    // §4.3: W_est += α_cubic · segments_acked / cwnd; α_cubic becomes 1 once W_est reaches cwnd_prior.
    const alpha = curve.wEstSeg >= curve.cwndPriorSeg ? 1 : CUBIC_ALPHA;
    curve.wEstSeg += (alpha * acked) / cwnd;
    if (cubicWindow(t, curve.kSec, curve.originSeg) < curve.wEstSeg) {
      // Reno-friendly region: cwnd = W_est (never lowered by it: Reno would not shrink a window on an ACK).
      this.lastRegion = 'reno-friendly';
      if (curve.wEstSeg > cwnd) cwnd = curve.wEstSeg;
    } else {
      // §4.4/§4.5: aim at W_cubic one RTT ahead, clamped to [cwnd, 1.5·cwnd], and close (target − cwnd)/cwnd
      // of the gap per acknowledged segment: at most half a window's growth per RTT.
      this.lastRegion = cwnd < curve.wMaxSeg ? 'concave' : 'convex';
      const rttSec = this.srttMs > 0 ? this.srttMs / 1000 : 0;
      let target = cubicWindow(t + rttSec, curve.kSec, curve.originSeg);
      if (target < cwnd) target = cwnd;
      else if (target > 1.5 * cwnd) target = 1.5 * cwnd;
      cwnd = Math.min(target, cwnd + ((target - cwnd) / cwnd) * acked);
    }
    this.cwndBytes = cwnd * mss;
  }

  /** A congestion avoidance stage begins (§4.2): t_epoch, cwnd_epoch, K; W_est starts from cwnd_epoch (§4.3). */
  private beginEpoch(curve: CubicCurve, now: number, cwnd: number): void {
    curve.start = now;
    if (this.afterTimeout) {
      // §4.8: the first stage after a timeout has K = 0 and W_max = cwnd_epoch: convex from here.
      curve.wMaxSeg = cwnd;
      this.afterTimeout = false;
    }
    curve.kSec = cubicK(curve.wMaxSeg, cwnd);
    curve.originSeg = Math.max(curve.wMaxSeg, cwnd);
    curve.wEstSeg = cwnd;
  }

  private makeCurve(): CubicCurve {
    const curve = new CubicCurve();
    this.curve = curve;
    return curve;
  }

  /** The next ACK in congestion avoidance begins a new stage. */
  private endEpoch(): void {
    if (this.curve !== undefined) this.curve.start = -1;
  }

  onDuplicateAck(): void {
    // RFC 5681 §3.2 step 4: each further duplicate ACK in recovery inflates cwnd by SMSS.
    if (this.recovering) this.cwndBytes += this.mss;
  }

  onFastRetransmit(inFlight: number): void {
    if (this.recovering) return;
    this.reduce(inFlight);
    // RFC 5681 §3.2 step 3: the three segments that left the network inflate the window.
    this.cwndBytes = this.ssthreshBytes + 3 * this.mss;
    this.recovering = true;
  }

  /** A congestion event (§4.6, §4.7): W_max (with fast convergence), cwnd_prior, ssthresh = β·FlightSize. */
  private reduce(inFlight: number): void {
    const cwnd = this.cwndBytes / this.mss;
    const curve = this.curve ?? this.makeCurve();
    // §4.7: a loss below the last W_max means the path's share shrank; release some of it to other flows.
    curve.wMaxSeg = this.fastConvergence && cwnd < curve.wMaxSeg ? (cwnd * (1 + CUBIC_BETA)) / 2 : cwnd;
    curve.cwndPriorSeg = cwnd;
    // §4.6: ssthresh = flight_size · β_cubic, at least 2 segments.
    // (The epsilon keeps 0.7·90 000 at 63 000: binary floating point has it a hair below.)
    this.ssthreshBytes = Math.max(Math.floor(Math.max(inFlight, 0) * CUBIC_BETA + 1e-6), 2 * this.mss);
    this.endEpoch();
  }

  onPartialAck(ackedBytes: number): void {
    if (!this.recovering || !(ackedBytes > 0)) return;
    this.cwndBytes = windowAfterPartialAck(this.cwndBytes, ackedBytes, this.mss);
  }

  onRecoveryExit(): void {
    if (!this.recovering) return;
    // RFC 5681 §3.2 step 6 (and RFC 9438 §4.6, cwnd = ssthresh): the next ACK starts a new epoch.
    this.cwndBytes = this.ssthreshBytes;
    this.recovering = false;
  }

  onRetransmissionTimeout(inFlight: number): void {
    // §4.8: cwnd as Reno (one segment), ssthresh with β_cubic; held when the timer fires again before any
    // progress (RFC 5681 §3.1), so that backoff does not shrink it further.
    if (!this.timedOutWithoutProgress) this.reduce(inFlight);
    this.cwndBytes = this.mss;
    this.recovering = false;
    this.endEpoch();
    this.afterTimeout = true;
    this.timedOutWithoutProgress = true;
  }

  onIdleRestart(): void {
    // RFC 5681 §4.1: cwnd = min(IW, cwnd). The idle time is no growth time: the next ACK starts a new epoch
    // from the restart window toward the same W_max.
    this.cwndBytes = Math.min(initialWindow(this.mss), this.cwndBytes);
    this.endEpoch();
  }

  restore(cwnd: number, ssthresh: number): void {
    if (cwnd > this.cwndBytes) this.cwndBytes = cwnd;
    if (ssthresh > this.ssthreshBytes) this.ssthreshBytes = ssthresh;
    // The reduction's epoch and K no longer describe the window: the next ACK starts a new epoch from it.
    this.endEpoch();
    this.afterTimeout = false;
    this.timedOutWithoutProgress = false;
    this.recovering = false; // an undo ends the episode it undoes
  }
}

/** Makes a CUBIC controller per connection; bind it as the `CongestionControllerFactory`. */
export class CubicCongestionControllerFactory implements CongestionControllerFactory {
  readonly name = 'cubic' as const;

  constructor(private readonly options: CubicOptions = {}) {}

  create(mss: number): CubicCongestionController {
    return new CubicCongestionController(mss, this.options);
  }
}
