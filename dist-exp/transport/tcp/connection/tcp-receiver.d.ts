/**
 * The receiving half of a connection. Owns the receive buffer (reassembly), and decides the ACK policy
 * of RFC 5681 §4.2 (an ACK now, or after the delayed-ACK timeout, or after a second full-sized segment),
 * the window we advertise (receiver silly window avoidance, RFC 9293 §3.8.6.2.2; the right edge never
 * moves left) and when a reading application deserves a window update; with SACK, the SACK and D-SACK
 * blocks (RFC 2018, RFC 2883) the next ACK reports (sack-block-generator.ts, made at the first hole or
 * duplicate). It writes no segment itself: TcpSegmentEmitter asks it for the window and the SACK blocks
 * of every segment and tells it when an ACK went out (ackSent), and TcpConnection sends the ACKs it says
 * are due. TcpConnection calls processText during segment arrival (RFC 9293 §3.10.7.4, seventh step).
 */
import { type Seq } from '../wire/seq.js';
import { type TcpSegment } from '../wire/tcp-header.js';
import { ReceiveBuffer } from './receive-buffer.js';
import type { ConnectionCounterName, TcpConnectionDeps } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { TcpState } from './tcp-state.js';
import { type TcpTimers } from './tcp-timers.js';
/** The verdict of the acceptability test on a segment in a synchronized state. */
export declare const Acceptance: {
    readonly ACCEPT: 0;
    /** Out of a zero window but at RCV.NXT with an ACK: its ACK is processed, its text and FIN are not. */
    readonly ACK_ONLY: 1;
    /** Dropped silently (a RST out of the window: a RST is never answered). */
    readonly DROP: 2;
    /** Dropped by PAWS; answered with an ACK. */
    readonly DROP_PAWS: 3;
    /** Dropped, out of the window; answered with an ACK. */
    readonly DROP_OUT_OF_WINDOW: 4;
};
export type Acceptance = (typeof Acceptance)[keyof typeof Acceptance];
/** What the text of a segment did (bits). */
export declare const TextResult: {
    /** New in-order data is readable. */
    readonly READABLE: 1;
    /** Data came for a socket that is gone (orphaned): nobody will read it; nothing was taken. */
    readonly UNREAD: 2;
};
export declare class TcpReceiver {
    private readonly tcb;
    private readonly timers;
    private readonly counts;
    readonly receiveBuffer: ReceiveBuffer;
    /** An ACK is due now (sent by the next segment out, or by output() at the end of this event). */
    private ackNow;
    /** In-order bytes received since our last ACK (RFC 5681 §4.2: ACK every second full-sized segment). */
    private ackPendingBytes;
    /**
     * The SACK and D-SACK blocks our ACKs report; made at the first hole or duplicate, so that the many
     * connections that never see one (idle ones, clean paths) do not carry it.
     */
    private sack;
    private readonly config;
    constructor(tcb: TcpControlBlock, deps: TcpConnectionDeps, timers: TcpTimers, counts: Record<ConnectionCounterName, number>);
    /** Asks for an ACK now (it goes with the next segment out, or alone at the end of this event). */
    requestAck(): void;
    /** An ACK is due now. */
    get ackDue(): boolean;
    /** The delayed-ACK timer fired: whether anything is waiting to be acknowledged. */
    get ackPending(): boolean;
    /** A segment carrying our ACK went out: nothing is pending any more (Last.ACK.sent is RCV.NXT). */
    ackSent(): void;
    /**
     * RFC 9293 §3.10.7.4 seventh and eighth, for an acceptable segment at `segSeq` whose ACK has been
     * processed: trims `payload` to what is new (the old part is a D-SACK, RFC 2883 §4.4) and what fits
     * RCV.WND `rcvWnd` (RCV.NXT was `rcvNxt` on arrival; the FIN goes if its byte does not), takes the text
     * when `textAllowed` by the state, and records the FIN where it sits (checked once everything before it
     * is in). Returns TextResult bits.
     */
    receiveText(segSeq: Seq, payload: Uint8Array, fin: boolean, rcvNxt: Seq, rcvWnd: number, textAllowed: boolean, orphaned: boolean, finReceived: boolean): number;
    /**
     * Seventh, the segment text: into the receive buffer, and an ACK now or delayed. Returns whether new
     * in-order data became readable.
     */
    processText(dataSeq: Seq, payload: Uint8Array): boolean;
    /**
     * 0. PAWS (RFC 7323 §5.3 R1) and 1. the sequence number check (RFC 9293 §3.10.7.4, the four cases of
     * the acceptability test) of a segment occupying `segLen` sequence numbers against RCV.WND `rcvWnd`.
     * Counts the drops; notes the D-SACK of a retransmission of data already received.
     */
    checkAcceptable(seg: TcpSegment, segLen: number, rcvWnd: number, now: number): Acceptance;
    /** RFC 7323 §4.3: TS.Recent follows the TSval of segments that cover Last.ACK.sent. */
    updateTsRecent(seg: TcpSegment, now: number): void;
    /** The SACK block generator, made when first needed. */
    private sackGenerator;
    /** RFC 2883: the first bytes of [offset, offset + length) already held past a hole are a D-SACK. */
    private noteHeldDuplicate;
    /**
     * RFC 2883: a segment whose bytes [seg, seg + length) lie wholly or partly below RCV.NXT (a
     * retransmission of data already received): its old part is the D-SACK of the next ACK.
     */
    noteOldDuplicate(segSeq: Seq, length: number): void;
    /** Whether the next ACK has SACK or D-SACK blocks to report. */
    wantsSackOption(): boolean;
    /**
     * Prepares up to `max` blocks for the segment being written (after wantsSackOption): returns how many,
     * now in sackEdges. Counts the ACKs with SACK and the D-SACKs sent.
     */
    prepareSack(max: number): number;
    /** The edges prepareSack wrote (left, right pairs). */
    get sackEdges(): Uint32Array;
    /** RCV.WND for the acceptability test: what we advertised, or more if the application has read since. */
    receiveWindow(): number;
    /** The window field of a SYN (never scaled, RFC 7323 §2.2), and the new right edge. */
    synWindow(): number;
    /**
     * The window field for a non-SYN segment, and the new right edge. Receiver SWS avoidance: free space
     * below min(buffer/2, MSS) is advertised as none; the right edge never moves left (§3.8.6.2.2).
     */
    advertiseWindow(): number;
    /** After the application reads: whether the window has grown a lot (at least doubled, by an MSS) and deserves an ACK. */
    windowUpdateDue(state: TcpState): boolean;
}
