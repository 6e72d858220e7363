/**
 * Loss recovery for a connection whose peer sends SACK blocks, as Linux does it by default: RACK-TLP
 * (RFC 8985) decides what is lost, the per-segment scoreboard (RFC 6675's, in SentSegmentLog) what is in
 * flight and what to send again, Proportional Rate Reduction (RFC 6937) how fast while in recovery, and
 * spurious retransmissions are undone (RFC 3522 timestamps, D-SACK).
 *
 * Phases, as Linux's: OPEN (nothing known lost), RECOVERY (fast recovery: losses found by RACK, repaired
 * under PRR, until everything sent before it began is acknowledged), LOSS (after a retransmission timeout:
 * everything not SACKed is resent in slow start, until the same point).
 *
 * The connection owns the wire and the timers; it tells this class what was sent and what came back, and
 * asks it what may be sent and what to send again. No allocation per ACK or per segment.
 */
import type { CongestionController } from '../../congestion/congestion-controller.js';
import { type Seq } from '../wire/seq.js';
import type { SackBlock } from '../wire/tcp-header.js';
import { RackLossDetector } from './rack-loss-detector.js';
import { RecoveryUndo } from './recovery-undo.js';
import { SentSegmentLog } from './sent-segment-log.js';
import { TailLossProbe } from './tail-loss-probe.js';
export declare const RecoveryPhase: {
    readonly OPEN: 0;
    readonly RECOVERY: 1;
    readonly LOSS: 2;
};
export type RecoveryPhase = (typeof RecoveryPhase)[keyof typeof RecoveryPhase];
/** The connection counters this class advances (the connection's own record is passed in). */
export interface SackRecoveryCounters {
    fastRetransmits: number;
    dsacksReceived: number;
    tlpProbes: number;
    tlpLossRepairs: number;
    undos: number;
}
/** What an ACK changed that the connection must act on (trace events, timers). Bits. */
export declare const AckEffect: {
    readonly RECOVERY_ENTERED: 1;
    readonly RECOVERY_EXITED: 2;
    readonly UNDONE: 4;
    /** A loss repaired by a tail loss probe cost a window reduction. */
    readonly PROBE_REPAIRED_LOSS: 8;
};
export declare class SackRecovery {
    private readonly counts;
    /** What our TSvals add to the Clock's milliseconds (tcb.tsOffset), to read the ACKs' echoes. */
    private readonly tsOffset;
    readonly log: SentSegmentLog;
    readonly rack: RackLossDetector;
    readonly tlp: TailLossProbe;
    readonly undo: RecoveryUndo;
    private readonly prr;
    phase: RecoveryPhase;
    /** RFC 6675 RecoveryPoint: SND.MAX when RECOVERY or LOSS began; the phase ends when SND.UNA reaches it. */
    private recoveryPoint;
    /** Set by onAck: milliseconds until RACK's reordering timer should fire, or 0. */
    reorderTimeout: number;
    constructor(iss: Seq, counts: SackRecoveryCounters, 
    /** What our TSvals add to the Clock's milliseconds (tcb.tsOffset), to read the ACKs' echoes. */
    tsOffset?: number);
    /** A segment [start, end) went out for the first time. */
    sentNew(start: Seq, end: Seq, now: number): void;
    /** Entry `i` of the log went out again, carrying TSval `tsval` (undefined without timestamps). */
    sentAgain(i: number, now: number, tsval: number | undefined): void;
    /**
     * Bytes that may be sent now, new or again: in RECOVERY what PRR allows; otherwise cwnd less the pipe
     * (RFC 6675 §5 step (C), which with no loss is cwnd less the flight).
     */
    allowance(cc: CongestionController, flight: number): number;
    /** Whether the congestion controller may grow the window on this ACK (not during fast recovery). */
    get growsWindow(): boolean;
    /**
     * One acceptable ACK (SND.UNA ≤ `ack` ≤ SND.MAX): `blocks` its SACK blocks, `priorUna` SND.UNA before it,
     * `tsecr` its timestamp echo (0 without). Updates the scoreboard, RACK, the probe episode and the phase.
     * Returns AckEffect bits; `reorderTimeout` says when to look again for losses.
     */
    onAck(ack: Seq, blocks: readonly SackBlock[] | undefined, priorUna: Seq, sndMax: Seq, now: number, tsecr: number, srtt: number, mss: number, cc: CongestionController): number;
    /**
     * RACK's reordering timer expired (RFC 8985 §6.3): look for losses again. Returns AckEffect bits
     * (RECOVERY_ENTERED when it found the first loss).
     */
    onReorderTimer(now: number, ack: Seq, sndMax: Seq, srtt: number, mss: number, cc: CongestionController): number;
    /**
     * The retransmission timer's delay after a tail loss probe sent at `now`: RTO from when the oldest
     * outstanding segment was sent, not from the probe (Linux's tcp_rearm_rto with a probe pending, RFC 8985
     * §7.3: the probe must not postpone the timeout it is meant to precede). At least 1 ms.
     */
    rtoAfterProbe(now: number, rto: number): number;
    /**
     * The retransmission timer expired (RFC 6675 §5.1, RFC 8985 §6.3): everything not SACKed is lost and is
     * sent again in slow start (the connection tells the controller). Call before the controller's timeout.
     */
    onTimeout(sndUna: Seq, sndMax: Seq, cc: CongestionController): void;
    /** The evidence says the retransmissions were not needed: restore the window, forget the loss marks. */
    private undoNow;
}
