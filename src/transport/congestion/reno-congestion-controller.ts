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
import { HyStartPlusPlus, slowStartIncrease } from './hystart-plus-plus.js';

export type RenoVariant = 'reno' | 'newreno';

export class RenoCongestionController implements CongestionController {
  readonly name: RenoVariant;
  readonly exitsRecoveryOnPartialAck: boolean;
  /** SMSS, bytes (setMss changes it). */
  mss: number;
  private cwndBytes: number;
  private ssthreshBytes = INITIAL_SSTHRESH;
  /** Congestion avoidance byte counter (RFC 5681 §3.1; RFC 3465 §2.1 `bytes_acked`). */
  private bytesAcked = 0;
  /**
   * Between onFastRetransmit and onRecoveryExit (or a timeout, or restore): the window arithmetic of
   * RFC 5681 §3.2 applies. LossRecovery/SackRecovery decide the episode; this only follows their calls.
   */
  private recovering = false;
  /** A retransmission timeout happened and no new data has been acknowledged since. */
  private timedOutWithoutProgress = false;
  /**
   * RFC 9406 for the initial slow start: made by its first ACK (its state is untouched before), so that a
   * connection that never sends holds none; never when switched off (TcpConfig.hystart false).
   */
  private hystart: HyStartPlusPlus | undefined = undefined;
  private readonly hystartOn: boolean;

  constructor(mss: number, variant: RenoVariant = 'reno', options: SlowStartOptions = {}) {
    this.mss = checkMss(mss);
    this.name = variant;
    this.hystartOn = options.hystart !== false;
    this.exitsRecoveryOnPartialAck = variant === 'reno';
    // RFC 5681 §3.1 / RFC 3390: IW = min(4·SMSS, max(2·SMSS, 4380)).
    this.cwndBytes = initialWindow(mss);
  }

  get cwnd(): number {
    return this.cwndBytes;
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

  /** Between `onFastRetransmit` and `onRecoveryExit` (or a timeout). */
  get inRecovery(): boolean {
    return this.recovering;
  }

  /** True while cwnd < ssthresh (RFC 5681 §3.1: slow start; at equality, congestion avoidance). */
  get inSlowStart(): boolean {
    return this.cwndBytes < this.ssthreshBytes;
  }

  onAck(ackedBytes: number, _now: number, inFlight: number, rttMs?: number): void {
    if (!(ackedBytes > 0)) return;
    this.timedOutWithoutProgress = false;
    // RFC 5681 §3.2: during fast recovery cwnd is inflated by duplicate ACKs and set on exit;
    // ACKs for new data do not grow it.
    if (this.recovering) return;
    let counted = ackedBytes;
    if (this.cwndBytes < this.ssthreshBytes) {
      // RFC 5681 §3.1 eq. (2): cwnd += min(N, SMSS).
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
        this.ssthreshBytes = this.cwndBytes;
        return;
      }
      const room = this.ssthreshBytes - this.cwndBytes;
      if (increase <= room) {
        this.cwndBytes += increase;
        return;
      }
      // Crossing ssthresh: stop at it and count the rest of the ACK for congestion avoidance.
      this.cwndBytes = this.ssthreshBytes;
      counted = ackedBytes - room;
    }
    // RFC 5681 §3.1, the RECOMMENDED byte counting (RFC 3465 §2.1): once a window's worth of
    // bytes has been acknowledged, cwnd += SMSS. Equivalent to eq. (3), cwnd += SMSS·SMSS/cwnd per
    // full-sized ACK, without its rounding loss; at most SMSS per ACK, so at most SMSS per RTT.
    this.bytesAcked += counted;
    if (this.bytesAcked >= this.cwndBytes) {
      this.bytesAcked -= this.cwndBytes;
      this.cwndBytes += this.mss;
    }
  }

  onDuplicateAck(): void {
    // RFC 5681 §3.2 step 4: each further duplicate ACK in recovery inflates cwnd by SMSS.
    // Before recovery (the first two), cwnd is unchanged (limited transmit is the connection's).
    if (this.recovering) this.cwndBytes += this.mss;
  }

  onFastRetransmit(inFlight: number): void {
    // One reduction per recovery episode; a repeated call while recovering changes nothing.
    if (this.recovering) return;
    // RFC 5681 §3.2 step 2, eq. (4): ssthresh = max(FlightSize / 2, 2·SMSS).
    this.ssthreshBytes = this.halve(inFlight);
    // Step 3: cwnd = ssthresh + 3·SMSS, for the three segments that left the network.
    this.cwndBytes = this.ssthreshBytes + 3 * this.mss;
    this.bytesAcked = 0;
    this.recovering = true;
  }

  onPartialAck(ackedBytes: number): void {
    // Plain Reno has no partial ACKs: its connection ends recovery on them instead.
    if (!this.recovering || this.exitsRecoveryOnPartialAck || !(ackedBytes > 0)) return;
    this.cwndBytes = windowAfterPartialAck(this.cwndBytes, ackedBytes, this.mss);
  }

  onIdleRestart(): void {
    // RFC 5681 §4.1: cwnd = RW = min(IW, cwnd); ssthresh keeps what was learned.
    this.cwndBytes = Math.min(initialWindow(this.mss), this.cwndBytes);
    this.bytesAcked = 0;
  }

  restore(cwnd: number, ssthresh: number): void {
    if (cwnd > this.cwndBytes) this.cwndBytes = cwnd;
    if (ssthresh > this.ssthreshBytes) this.ssthreshBytes = ssthresh;
    this.timedOutWithoutProgress = false;
    this.recovering = false; // an undo ends the episode it undoes
  }

  onRecoveryExit(): void {
    if (!this.recovering) return;
    // RFC 5681 §3.2 step 6: deflate the window, cwnd = ssthresh.
    this.cwndBytes = this.ssthreshBytes;
    this.bytesAcked = 0;
    this.recovering = false;
  }

  onRetransmissionTimeout(inFlight: number): void {
    // RFC 5681 §3.1 eq. (4): ssthresh = max(FlightSize / 2, 2·SMSS) — but when the segment has
    // already been retransmitted by the timer once (no new data ACKed since the last timeout),
    // ssthresh is held constant.
    if (!this.timedOutWithoutProgress) this.ssthreshBytes = this.halve(inFlight);
    // RFC 5681 §3.1: cwnd = LW, the loss window, one full-sized segment.
    this.cwndBytes = this.mss;
    this.bytesAcked = 0;
    this.recovering = false;
    this.timedOutWithoutProgress = true;
  }

  private halve(flightSize: number): number {
    return Math.max(Math.floor(Math.max(flightSize, 0) / 2), 2 * this.mss);
  }
}

/** Makes a plain Reno (RFC 5681) controller per connection; bind it as the `CongestionControllerFactory`. */
export class RenoCongestionControllerFactory implements CongestionControllerFactory {
  readonly name = 'reno' as const;

  constructor(private readonly options: SlowStartOptions = {}) {}

  create(mss: number): RenoCongestionController {
    return new RenoCongestionController(mss, 'reno', this.options);
  }
}
