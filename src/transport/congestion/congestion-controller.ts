/**
 * The seam between a connection and its congestion control algorithm (one controller per
 * connection, made by a factory bound in the container). A controller owns its state and is told
 * about events, with the values it needs; it never reaches back into the connection. Loss
 * detection and recovery bookkeeping (duplicate-ACK counting, what to retransmit, when recovery
 * ends) belong to the connection's LossRecovery (tcp/recovery/loss-recovery.ts), the one keeper of
 * recovery state; the controller only sizes the window. It is told when an episode begins
 * (onFastRetransmit) and ends (onRecoveryExit, onRetransmissionTimeout, restore). Between those calls a
 * controller keeps a flag of its own, because RFC 5681 §3.2 sizes the window differently inside an
 * episode: an ACK of new data does not grow cwnd (onAck), a duplicate ACK inflates it (onDuplicateAck),
 * a repeated onFastRetransmit does not cut twice, onPartialAck and onRecoveryExit outside one change
 * nothing. The flag never decides when recovery starts or ends (LossRecovery and SackRecovery do, and
 * call these methods accordingly); it keeps a controller's arithmetic whole on its own, as its unit tests
 * drive it. It is no part of this interface.
 *
 * All sizes are bytes; `now` is Clock milliseconds.
 */

/** The algorithms pilha knows by name (`--cc reno`). */
export type CongestionControlName = 'reno' | 'newreno' | 'cubic';

export interface CongestionController {
  readonly name: string;
  /**
   * How fast recovery ends. False (NewReno, RFC 6582, and every controller that uses its recovery): a partial
   * ACK keeps recovery going and the next hole is retransmitted at once; recovery ends when everything sent
   * before it began is acknowledged. True (plain Reno, RFC 5681 §3.2 step 6): the first ACK of new data ends
   * it, partial or not, and a further loss in the same window waits for three more duplicate ACKs (or the timer).
   */
  readonly exitsRecoveryOnPartialAck: boolean;
  /** Congestion window, bytes. */
  readonly cwnd: number;
  /** Slow-start threshold, bytes; `INITIAL_SSTHRESH` until the first loss. */
  readonly ssthresh: number;
  /**
   * An ACK acknowledged `ackedBytes` of new data. `inFlight` is the FlightSize after this ACK;
   * `rttMs` is a valid RTT sample taken from it (Karn's algorithm applied), if any.
   */
  onAck(ackedBytes: number, now: number, inFlight: number, rttMs?: number): void;
  /** A duplicate ACK arrived (RFC 5681 §2 definition). */
  onDuplicateAck(): void;
  /**
   * The connection fast-retransmitted and enters loss recovery (RFC 5681 §3.2 step 2).
   * `inFlight` is the FlightSize at that moment.
   */
  onFastRetransmit(inFlight: number): void;
  /**
   * A partial ACK during loss recovery (RFC 6582 §3.2 step 3), reported after `onAck`: `ackedBytes` of new
   * data acknowledged, but not everything sent before recovery began.
   */
  onPartialAck(ackedBytes: number): void;
  /** Loss recovery ended: the ACK that ends it has been reported to `onAck` already. */
  onRecoveryExit(): void;
  /** The retransmission timer expired (RFC 5681 §3.1, eq. 4). `inFlight` is the FlightSize then. */
  onRetransmissionTimeout(inFlight: number): void;
  /**
   * The connection sent no data for longer than one RTO and is about to send again (RFC 5681 §4.1): the
   * old cwnd no longer reflects the path, so it is cut to the restart window before the burst.
   */
  onIdleRestart(): void;
  /**
   * A window reduction proved unneeded (a spurious retransmission, RFC 3522/4015, D-SACK): cwnd and ssthresh
   * go back to at least what they were before it (never lower than now, as Linux's undo).
   */
  restore(cwnd: number, ssthresh: number): void;
  /**
   * The sender's MSS is now `mss` (path MTU discovery lowered it, or raised it again); later growth and floors
   * use the new SMSS. A rise keeps cwnd and ssthresh in segments (as Linux counts them in packets), so that a
   * connection begun on a narrow path is not held to its byte window, nor its loss window to less than a
   * segment. A fall keeps them in bytes: the flight cut anew is a repair that puts no more data in flight
   * (TcpSender.resendOversize), and a window cut with it drew fast retransmits from the SACKs of the pieces
   * sent again. Optional for controllers written elsewhere: those go on with the MSS they were made with.
   */
  setMss?(mss: number): void;
}

/** How a controller starts: every controller takes these (TcpConfig.hystart sets `hystart`). */
export interface SlowStartOptions {
  /** HyStart++ (RFC 9406) in the initial slow start; on unless false (hystart-plus-plus.ts). */
  readonly hystart?: boolean;
}

export interface CongestionControllerFactory {
  /** A controller for a new connection whose sender MSS is `mss`. */
  create(mss: number): CongestionController;
}

/**
 * RFC 5681 §3.1 "arbitrarily high" initial ssthresh; the value Linux uses
 * (TCP_INFINITE_SSTHRESH), finite so that it prints and serialises.
 */
export const INITIAL_SSTHRESH = 0x7fffffff;

/** cwnd and ssthresh, bytes: what setMss makes of them (windowsForMss). */
export interface CongestionWindows {
  readonly cwnd: number;
  readonly ssthresh: number;
}

/**
 * setMss for every controller: cwnd and ssthresh (counted with `oldMss`) once the MSS is `mss`. A rise keeps
 * them in segments, never below one segment (cwnd) and two (ssthresh), the initial ssthresh left as it is; a
 * fall leaves them as they are.
 */
export function windowsForMss(
  cwnd: number,
  ssthresh: number,
  oldMss: number,
  mss: number,
): CongestionWindows {
  if (mss <= oldMss) return { cwnd, ssthresh };
  return {
    cwnd: Math.max(mss, Math.round((cwnd * mss) / oldMss)),
    ssthresh:
      ssthresh === INITIAL_SSTHRESH ? ssthresh : Math.max(2 * mss, Math.round((ssthresh * mss) / oldMss)),
  };
}

/**
 * The initial window, IW = min(4·SMSS, max(2·SMSS, 4380 bytes)) (RFC 3390 §1; the same as the
 * table in RFC 5681 §3.1: 2, 3 or 4 segments by SMSS).
 */
export function initialWindow(mss: number): number {
  return Math.min(4 * mss, Math.max(2 * mss, 4380));
}

/** Checks a sender MSS given to a factory: a positive integer. */
export function checkMss(mss: number): number {
  if (!Number.isInteger(mss) || mss <= 0) throw new RangeError(`MSS must be a positive integer, got ${mss}`);
  return mss;
}

/**
 * RFC 6582 §3.2 step 3, the window after a partial ACK in fast recovery: deflated by the new data
 * acknowledged, one SMSS added back when at least one SMSS was (for the retransmission that follows),
 * never below one SMSS. The same for every controller with RFC 5681/6582 fast recovery.
 */
export function windowAfterPartialAck(cwnd: number, ackedBytes: number, mss: number): number {
  let deflated = cwnd - ackedBytes;
  if (ackedBytes >= mss) deflated += mss;
  return Math.max(deflated, mss);
}
