/**
 * The sender's record of every segment sent and not yet cumulatively acknowledged, one entry per segment
 * as it went on the wire: its sequence range, when it was last (re)transmitted, and what is known of it —
 * SACKed, deemed lost, retransmitted. It is the SACK scoreboard of RFC 6675 kept per segment, as Linux
 * keeps it per skb, because RACK (RFC 8985) needs each segment's transmit time: one structure for both,
 * so "what was SACKed" is never kept twice.
 *
 * From it: the pipe (RFC 6675 SetPipe: bytes in flight, SACKed and lost ones out, retransmitted ones in),
 * the next segment to retransmit (RFC 6675 NextSeg rule 1: the first lost one not yet sent again), and for
 * RACK the entries in sequence order with their times.
 *
 * A ring of typed arrays that grows by doubling (rarely: to the most segments ever in flight); made only
 * for connections that negotiated SACK, at their first send. No allocation per segment or per ACK.
 */
import { type Seq } from '../wire/seq.js';
/** Entry flags. */
export declare const SegmentFlag: {
    /** Covered by a SACK block: the peer holds it. */
    readonly SACKED: 1;
    /** Deemed lost (RACK, the tail loss probe's outcome, or a timeout) and not yet SACKed. */
    readonly LOST: 2;
    /** Retransmitted since it was last deemed lost, and that copy is still counted in flight. */
    readonly RETRANSMITTED: 4;
    /** Retransmitted at least once (its ACK may be for either copy). */
    readonly EVER_RETRANSMITTED: 8;
};
export declare class SentSegmentLog {
    private starts;
    private ends;
    private sentAt;
    private flagBits;
    /** Capacity − 1 (a power of two minus one). */
    private mask;
    private head;
    private length;
    /** Bytes of SACKed entries. */
    sackedBytes: number;
    /** Bytes of entries deemed lost (not SACKed). */
    lostBytes: number;
    /** Bytes of lost entries retransmitted since, whose copy is in flight. */
    retransmittedBytes: number;
    /** Lost entries not yet retransmitted (NextSeg has work when this is above zero). */
    private lostWaiting;
    /** Segments SACKed (for RACK's DupThresh test). */
    sackedSegments: number;
    /** The arrays are made at the first append: a connection that never sends data carries none. */
    constructor();
    /** Entries held. */
    get count(): number;
    /** Whether a lost entry waits to be retransmitted. */
    get hasLostToRetransmit(): boolean;
    start(i: number): Seq;
    end(i: number): Seq;
    timeSent(i: number): number;
    flags(i: number): number;
    /** The end of the newest entry (SND.MAX once anything was sent), or `fallback` when empty. */
    lastEnd(fallback: Seq): Seq;
    /** A new segment [start, end) went out for the first time at `now`; it follows every entry held. */
    append(start: Seq, end: Seq, now: number): void;
    /** Entry i was sent again at `now`. */
    retransmitted(i: number, now: number): void;
    /** Deems entry i lost (a no-op when it is SACKed or already lost and not sent again since). */
    markLost(i: number): void;
    /** After a retransmission timeout (RFC 6675 §5.1, RFC 8985 §6.3): every entry not SACKed is lost. */
    markAllLost(): void;
    /** Forgets every loss mark (an undo: the retransmissions were spurious). */
    unmarkLost(): void;
    /** The oldest lost entry not retransmitted since, or −1 (RFC 6675 NextSeg rule 1, RACK's order). */
    firstLostToRetransmit(): number;
    /**
     * RFC 6675 SetPipe over `flight` = SND.MAX − SND.UNA bytes: every byte not SACKed and not lost, and
     * once more every lost byte retransmitted since.
     */
    pipe(flight: number): number;
    /**
     * A cumulative ACK: entries ending at or below `ack` leave; one it cuts in two keeps its upper part.
     * `onDelivered(i)` is called for each entry that leaves, before it does, unless it was SACKed already
     * (it was delivered then). Returns the bytes newly delivered (not counting those SACKed earlier).
     */
    acknowledge(ack: Seq, onDelivered: DeliveryListener | undefined): number;
    /**
     * A SACK block [left, right): every entry it wholly covers becomes SACKED (entries it covers in part
     * stay as they are, as in Linux without splitting). `onDelivered(i)` is called for each newly SACKed
     * entry. Returns the bytes newly SACKed.
     */
    sack(left: Seq, right: Seq, onDelivered: DeliveryListener | undefined): number;
    /** Empties the log (the connection is gone or starts over). */
    clear(): void;
    /** The first entry whose end is past `s` (binary search: entries are in sequence order). */
    private firstEndingAfter;
    private size;
    /** Takes an entry of `size` bytes with flags `f` out of the byte counts. */
    private forget;
    /** An entry with flags `f` changed size by `delta` bytes (trimmed by a partial ACK). */
    private adjust;
    private grow;
}
/** Told of each entry as it is delivered (SACKed, or cumulatively acknowledged without a SACK before). */
export interface DeliveryListener {
    delivered(index: number, log: SentSegmentLog): void;
}
