/**
 * RACK (RFC 8985 §6): time-based loss detection. A segment is deemed lost when a segment sent after it
 * has been delivered (SACKed or acknowledged) and more than one RTT plus a reordering window has passed
 * since it was sent — not after a count of duplicate ACKs, so a lost retransmission is found too, and
 * a reordered segment is not retransmitted if it arrives within the window.
 *
 * Times are Clock milliseconds taken from the sender's own transmit times (sub-millisecond on a real
 * clock), not from the timestamp option, whose millisecond ticks cannot measure a loopback RTT.
 *
 * The reordering window (§6.2 step 4): zero until reordering has been seen while in recovery or once
 * DupThresh segments are SACKed (so a loss is repaired at once); otherwise min_RTT/4 times a multiplier
 * that each D-SACK raises (§6.2 step 4, at most once per round trip) and that returns to 1 after 16
 * recoveries without one, never above SRTT.
 */
import { type Seq } from '../wire/seq.js';
import { type DeliveryListener, type SentSegmentLog } from './sent-segment-log.js';
export declare class RackLossDetector implements DeliveryListener {
    /** RACK.xmit_ts: the send time of the most recently sent segment known delivered, or −∞. */
    xmitAt: number;
    /** RACK.end_seq of that segment. */
    endSeq: Seq;
    /** RACK.rtt: the RTT measured from that segment. */
    rtt: number;
    /** RACK.fack: the highest sequence number delivered (SACKed or acknowledged). */
    fack: Seq;
    /** The lowest RTT measured (RACK's min_RTT; over the connection's life). */
    minRtt: number;
    /** RACK.reordering_seen: a segment was delivered below one delivered earlier and sent later. */
    reorderingSeen: boolean;
    private reoWndMult;
    private reoWndPersist;
    /** SND.MAX when the multiplier was last raised: one raise per round trip. */
    private dsackRoundEnd;
    private dsackRoundSet;
    /** Set by the caller before each delivery pass: the Clock time of the ACK. */
    private now;
    constructor(iss: Seq);
    /**
     * The RTT sample of the last ACK for the RTO estimator, or −1: from the oldest segment it delivered that
     * was never retransmitted (Karn), cumulatively acknowledged ones first, as Linux's seq_rtt. Measured on
     * the Clock, so sub-millisecond paths get sub-millisecond samples (the timestamp option ticks in ms).
     */
    ackRtt: number;
    /** The ACK's timestamp echo (0: none) and our TSval offset, for RFC 8985 §6.2 step 2. */
    private tsecr;
    private tsOffset;
    /**
     * Before passing an ACK's deliveries to the log: when it arrived, its timestamp echo (0 when it has none)
     * and the offset our TSvals add to the Clock's milliseconds.
     */
    beginAck(now: number, tsecr?: number, tsOffset?: number): void;
    /** The cumulative part of the ACK is done; its SACK blocks follow, to which its echo says nothing. */
    beginSackBlocks(): void;
    /** RFC 8985 §6.2 steps 1–3 for one delivered entry of `log`. */
    delivered(i: number, log: SentSegmentLog): void;
    /** A D-SACK arrived (§6.2 step 4): widen the window, once per round trip; `sndMax` ends the round. */
    onDsack(sndUna: Seq, sndMax: Seq): void;
    /** A loss recovery ended: after 16 without a D-SACK the multiplier returns to 1. */
    onRecoveryEnd(): void;
    /** RACK.reo_wnd now (§6.2 step 4). */
    reorderWindow(inRecovery: boolean, sackedSegments: number, srtt: number): number;
    /**
     * RFC 8985 §6.2 step 5: marks lost every entry sent before RACK.xmit_ts whose time is up. Returns the
     * milliseconds until the next one would be (for the reordering timer), or 0 when none waits.
     */
    detectLosses(log: SentSegmentLog, now: number, reoWnd: number): number;
}
