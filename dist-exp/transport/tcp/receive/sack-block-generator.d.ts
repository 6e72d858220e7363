/**
 * The receiver's SACK blocks (RFC 2018 §4) and D-SACK (RFC 2883): which blocks of out-of-order data the
 * next ACK reports, and in what order.
 *
 * - The first block is the one holding the most recently received segment; the others follow in the
 *   order they were last reported (most recent first), then any other held block (RFC 2018 §4: as many
 *   distinct blocks as fit).
 * - A duplicate segment (below RCV.NXT, or data already held past a hole) is reported once, in the first
 *   block of the next ACK, ahead of the normal blocks (RFC 2883 §4); only the first duplicate of a segment.
 *
 * Blocks are remembered as stream offsets (receive-buffer.ts: exact numbers, no wrap-around) and turned
 * into sequence numbers only when written, from RCV.NXT and the buffer's next offset. A D-SACK is kept as
 * sequence numbers, since it may lie below the stream's start or past a FIN.
 *
 * No allocation per segment: the recent list and the emitted edges live in fixed typed arrays.
 */
import type { Seq } from '../wire/seq.js';
import type { ReceiveBuffer } from './receive-buffer.js';
export declare class SackBlockGenerator {
    /** Blocks last reported, [start, end) stream offsets in pairs, most recent first. */
    private readonly recent;
    private recentCount;
    private dsackPending;
    private dsackLeft;
    private dsackRight;
    /** What the last `prepare` chose: left, right sequence numbers in pairs, for the option writer. */
    readonly edges: Uint32Array<ArrayBuffer>;
    /** Whether the last `prepare` put a D-SACK block first. */
    lastHadDuplicate: boolean;
    /** A D-SACK is waiting for the next ACK. */
    get hasDuplicate(): boolean;
    /** Whether there is anything to report: a D-SACK, or data held past a hole. */
    wantsOption(buffer: ReceiveBuffer): boolean;
    /**
     * A duplicate `[left, right)` arrived (RFC 2883): reported first in the next ACK. Only the first
     * duplicate is kept until that ACK goes (§4, "only the first … is reported").
     */
    noteDuplicate(left: Seq, right: Seq): void;
    /**
     * A segment was stored past a hole, or duplicated data held there; `offset` is one of its bytes now in
     * the buffer. Its block becomes the first; blocks it merged with leave the list.
     */
    noteArrival(buffer: ReceiveBuffer, offset: number): void;
    /**
     * Chooses the blocks of the next ACK, at most `maxBlocks`, into `edges`, and returns how many. The
     * D-SACK, if any, goes first and is then forgotten (it is reported once). `rcvNxt` is RCV.NXT, which
     * sits at `buffer.nextOffset` in the stream.
     */
    prepare(buffer: ReceiveBuffer, rcvNxt: Seq, maxBlocks: number): number;
    /** Forgets everything (the receive buffer was cleared). */
    reset(): void;
}
