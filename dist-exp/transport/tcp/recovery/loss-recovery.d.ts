/**
 * Loss recovery of one connection: the only keeper of recovery state (duplicate-ACK count, whether a
 * recovery episode is on, RFC 6582's `recover`). It decides fast retransmit (RFC 5681 §3.2, the third
 * duplicate ACK), what a new ACK means in recovery (RFC 6582 §3.2: partial ACK → retransmit the next
 * hole; full ACK → exit; plain Reno exits on any), and what a retransmission timeout resets. It tells the
 * congestion controller of each event, with the values it needs (the controller's own notion of "in
 * recovery" only mirrors these calls for its window arithmetic; it decides nothing).
 *
 * Two ways, by what the SYNs negotiated:
 * - without SACK, RFC 6582 NewReno (plain RFC 5681 Reno if the controller says so), here: onNewAck(ack,
 *   dataAcked, flightBefore, now, rtt) → AckVerdict; onDuplicateAck() → fast retransmit or not;
 *   onAckNotDuplicate(); onTimeout();
 * - with SACK, what Linux does by default — RACK-TLP, the per-segment scoreboard, PRR and undo — in a
 *   SackRecovery (sack-recovery.ts) made by enableSack() when the connection first sends data
 *   (so idle connections carry none). The ACK processor and the sender then talk to it directly; this
 *   class still takes the timeout (onTimeout) so that both ways start from one place.
 *
 * It sends nothing: its answers say what to retransmit, and TcpConnection has the sender do it, in the
 * order documented there.
 */
import type { CongestionController } from '../../congestion/congestion-controller.js';
import type { ConnectionCounterName } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { type Seq } from '../wire/seq.js';
import { SackRecovery } from './sack-recovery.js';
/** What an ACK of new data asks of the connection after loss recovery has seen it. */
export declare const AckVerdict: {
    /** Nothing special: restart (or stop) the retransmission timer. */
    readonly NONE: 0;
    /** Recovery ended with this ACK (for the trace); timer as NONE. */
    readonly RECOVERY_EXIT: 1;
    /** The first partial ACK of this recovery (RFC 6582 §3.2 step 3): restart the timer, retransmit the first segment. */
    readonly PARTIAL_ACK_FIRST: 2;
    /** A later partial ACK: retransmit the first segment, keep the timer running (step 5, "Impatient"). */
    readonly PARTIAL_ACK: 3;
};
export type AckVerdict = (typeof AckVerdict)[keyof typeof AckVerdict];
export declare class LossRecovery {
    private readonly tcb;
    private readonly counts;
    /** The controller, from the SYN exchange on (the MSS it needs is known then). */
    private cc;
    private dupAcks;
    private recovering;
    /** RFC 6582 `recover`: SND.MAX when loss recovery (or the last timeout) began. */
    private recover;
    /** SND.UNA has not reached `recover` yet (it is only meaningful until then). */
    private recoverPending;
    /** A partial ACK has come in this recovery (RFC 6582 §3.2 step 5: only the first resets the timer). */
    private partialAckSeen;
    private sackRecovery;
    constructor(tcb: TcpControlBlock, counts: Record<ConnectionCounterName, number>);
    /** The connection's controller, once the SYNs have set the MSS. */
    useCongestionController(cc: CongestionController): void;
    /** A recovery episode (fast retransmit until its exit or a timeout) is on. */
    get inRecovery(): boolean;
    /** SACK-based recovery, from enableSack() on. */
    get sack(): SackRecovery | undefined;
    /** A SACK connection is about to send its first data: from now on its losses are SACK's to handle. */
    enableSack(): SackRecovery;
    /**
     * An ACK of new data (SND.UNA already moved to `ack`; `dataAcked` bytes freed, `flightBefore` the flight
     * before it, `rtt` its sample if any): tells the controller, and decides the recovery's course.
     */
    onNewAck(ack: Seq, dataAcked: number, flightBefore: number, now: number, rtt: number | undefined): AckVerdict;
    /**
     * A duplicate ACK (RFC 5681 §2 definition). Returns true when it starts fast retransmit and recovery:
     * the connection then retransmits the first unacknowledged segment.
     */
    onDuplicateAck(): boolean;
    /** An ACK at SND.UNA that is no duplicate (it carries data, or changes the window): the count restarts. */
    onAckNotDuplicate(): void;
    /**
     * RFC 6298 (5.4)–(5.6), RFC 5681 §3.1: the retransmission timer expired with data outstanding (the
     * sender then goes back to SND.UNA). Recovery ends; nothing sent before now is fast-retransmitted.
     */
    onTimeout(): void;
}
