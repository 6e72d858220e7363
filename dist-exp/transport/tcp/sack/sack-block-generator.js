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
import { MAX_SACK_BLOCKS } from '../wire/tcp-options-writer.js';
export class SackBlockGenerator {
    /** Blocks last reported, [start, end) stream offsets in pairs, most recent first. */
    recent = new Float64Array(2 * MAX_SACK_BLOCKS);
    recentCount = 0;
    dsackPending = false;
    dsackLeft = 0;
    dsackRight = 0;
    /** What the last `prepare` chose: left, right sequence numbers in pairs, for the option writer. */
    edges = new Uint32Array(2 * MAX_SACK_BLOCKS);
    /** Whether the last `prepare` put a D-SACK block first. */
    lastHadDuplicate = false;
    /** A D-SACK is waiting for the next ACK. */
    get hasDuplicate() {
        return this.dsackPending;
    }
    /** Whether there is anything to report: a D-SACK, or data held past a hole. */
    wantsOption(buffer) {
        return this.dsackPending || buffer.outOfOrderRanges > 0;
    }
    /**
     * A duplicate `[left, right)` arrived (RFC 2883): reported first in the next ACK. Only the first
     * duplicate is kept until that ACK goes (§4, "only the first … is reported").
     */
    noteDuplicate(left, right) {
        if (this.dsackPending)
            return;
        this.dsackPending = true;
        this.dsackLeft = left;
        this.dsackRight = right;
    }
    /**
     * A segment was stored past a hole, or duplicated data held there; `offset` is one of its bytes now in
     * the buffer. Its block becomes the first; blocks it merged with leave the list.
     */
    noteArrival(buffer, offset) {
        const k = buffer.rangeHolding(offset);
        if (k < 0)
            return;
        const start = buffer.rangeStart(k);
        const end = buffer.rangeEnd(k);
        const recent = this.recent;
        // Keep the others in order, dropping those inside [start, end) (merged into it) and the last if full.
        let n = 0;
        for (let i = 0; i < this.recentCount; i++) {
            const s = recent[2 * i];
            const e = recent[2 * i + 1];
            if (s >= start && e <= end)
                continue;
            recent[2 * n] = s;
            recent[2 * n + 1] = e;
            n++;
        }
        if (n === MAX_SACK_BLOCKS)
            n--;
        for (let i = n; i > 0; i--) {
            recent[2 * i] = recent[2 * i - 2];
            recent[2 * i + 1] = recent[2 * i - 1];
        }
        recent[0] = start;
        recent[1] = end;
        this.recentCount = n + 1;
    }
    /**
     * Chooses the blocks of the next ACK, at most `maxBlocks`, into `edges`, and returns how many. The
     * D-SACK, if any, goes first and is then forgotten (it is reported once). `rcvNxt` is RCV.NXT, which
     * sits at `buffer.nextOffset` in the stream.
     */
    prepare(buffer, rcvNxt, maxBlocks) {
        const edges = this.edges;
        let n = 0;
        this.lastHadDuplicate = false;
        if (maxBlocks <= 0)
            return 0;
        if (this.dsackPending) {
            edges[0] = this.dsackLeft;
            edges[1] = this.dsackRight;
            n = 1;
            this.dsackPending = false;
            this.lastHadDuplicate = true;
        }
        const next = buffer.nextOffset;
        const base = rcvNxt - next; // seq = base + offset, modulo 2^32 (Uint32Array stores it so)
        const recent = this.recent;
        // Prune blocks the in-order data has reached (pulled into the queue), keeping the order.
        let kept = 0;
        for (let i = 0; i < this.recentCount; i++) {
            const s = recent[2 * i];
            const k = s <= next ? -1 : buffer.rangeHolding(s);
            if (k < 0 || buffer.rangeStart(k) !== s)
                continue;
            recent[2 * kept] = s;
            recent[2 * kept + 1] = buffer.rangeEnd(k);
            kept++;
        }
        this.recentCount = kept;
        for (let i = 0; i < kept && n < maxBlocks; i++) {
            edges[2 * n] = base + recent[2 * i];
            edges[2 * n + 1] = base + recent[2 * i + 1];
            n++;
        }
        // Room left: other held blocks never reported (or pushed out of the list), lowest first.
        const ranges = buffer.outOfOrderRanges;
        for (let k = 0; k < ranges && n < maxBlocks; k++) {
            const s = buffer.rangeStart(k);
            let listed = false;
            for (let i = 0; i < kept; i++) {
                if (recent[2 * i] === s) {
                    listed = true;
                    break;
                }
            }
            if (listed)
                continue;
            edges[2 * n] = base + s;
            edges[2 * n + 1] = base + buffer.rangeEnd(k);
            n++;
        }
        return n;
    }
    /** Forgets everything (the receive buffer was cleared). */
    reset() {
        this.recentCount = 0;
        this.dsackPending = false;
    }
}
//# sourceMappingURL=sack-block-generator.js.map