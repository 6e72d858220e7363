/**
 * The tail loss probe (RFC 8985 §7): when the last segments of a flight are lost, no later segment is
 * delivered to make RACK see it, and only the retransmission timer (at least 200 ms) would. Instead, two
 * RTTs after the last send with no ACK, the sender probes — new data if it may send some, else the last
 * segment again — so that the peer's ACK (with SACK) lets RACK repair the tail in one RTT.
 *
 * This class keeps the timing and one probe episode: whether the probe was a retransmission and whether a
 * D-SACK showed it unneeded; an episode whose retransmitted probe was needed repaired a loss and must cost
 * a window reduction (§7.4.2).
 */
import { type Seq } from '../wire/seq.js';
/** RFC 8985 §7.2 WCDelAckT: a lone segment may be held by the peer's delayed-ACK timer this long. */
export declare const WORST_CASE_DELAYED_ACK_MS = 200;
/** What an ACK says about the probe episode. */
export declare const ProbeOutcome: {
    readonly NONE: 0;
    /** The retransmitted probe repaired a lost segment: reduce the window. */
    readonly LOSS_REPAIRED: 1;
    /** The probe was acknowledged and no loss is implied (new data, or a D-SACKed retransmission). */
    readonly NO_LOSS: 2;
};
export type ProbeOutcome = (typeof ProbeOutcome)[keyof typeof ProbeOutcome];
export declare class TailLossProbe {
    /** TLP.end_seq: SND.MAX after the probe; meaningful while an episode is open. */
    private endSeq;
    private open;
    private retransmission;
    private dsacked;
    /** Whether a probe was sent and its ACK has not come yet (one probe at a time, §7.2). */
    get pending(): boolean;
    /**
     * RFC 8985 §7.2 PTO: 2·SRTT, plus the peer's worst-case delayed ACK when one segment is in flight (it has
     * no second segment to ACK at once), else a small slack; never later than the retransmission timer.
     * `srtt` 0 means no sample: then the RTO decides.
     */
    timeout(srtt: number, flight: number, mss: number, rto: number): number;
    /** A probe went out; `sndMax` is SND.MAX after it. */
    sent(sndMax: Seq, retransmission: boolean): void;
    /** A D-SACK arrived while the episode is open: the probe's copy (or the original) was not needed. */
    onDsack(): void;
    /**
     * A cumulative ACK (`advanced`: it moved SND.UNA). As Linux's tcp_process_tlp_ack: a D-SACK for the probe,
     * or a pure duplicate at its end, says both copies arrived (no loss); only an ACK beyond the probe's end
     * without one says the probe repaired a loss. An ACK just at its end leaves the episode open: the answer to
     * the duplicate may still come.
     */
    onAck(ack: Seq, advanced: boolean): ProbeOutcome;
    /** A timeout or a recovery supersedes the episode. */
    cancel(): void;
}
