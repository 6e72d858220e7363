/**
 * The send queue of one connection: every byte the application wrote that the peer has not yet
 * acknowledged, unsent and in flight alike, starting at SND.UNA. The application's chunks are kept as
 * they are (no copy on write); a segment's payload is copied once, straight into the outgoing datagram.
 *
 * Offsets are relative to the first unacknowledged byte. Bounded: `capacity` is what the queue accepts
 * before the writer is told to wait; one chunk is always taken whole (a 10 MB write is held by reference
 * and drained), so the writer never has to split its data. With a stack-wide memory budget, every byte
 * held is charged to it, and under memory pressure the writer is told to wait earlier: at the budget's
 * limit for this queue, never below `minimum` (tcp-memory-budget.ts).
 */
export class SendBuffer {
    capacity;
    budget;
    minimum;
    chunks = [];
    /** Index of the first live chunk. */
    head = 0;
    /** Bytes of chunks[head] already acknowledged. */
    headSkip = 0;
    length = 0;
    // A cursor that makes sequential reads O(1): chunk index and the offset (relative to the queue start) at
    // which that chunk's live bytes begin.
    cursorIndex = 0;
    cursorStart = 0;
    /** A writer was told to wait (mustWait) and has not been told to go on yet. */
    writerWaiting = false;
    constructor(capacity, budget, minimum = capacity) {
        this.capacity = capacity;
        this.budget = budget;
        this.minimum = minimum;
        if (!Number.isInteger(capacity) || capacity <= 0)
            throw new RangeError(`bad send buffer capacity ${capacity}`);
    }
    /** What the queue accepts now: its capacity, or less under memory pressure. */
    get limit() {
        return this.budget === undefined ? this.capacity : this.budget.limit(this.capacity, this.minimum);
    }
    /** Bytes queued (unsent plus unacknowledged). */
    get size() {
        return this.length;
    }
    /** Bytes that can be written before the queue is full (0 when at or over its limit). */
    get free() {
        const limit = this.limit;
        return this.length >= limit ? 0 : limit - this.length;
    }
    get full() {
        return this.length >= this.limit;
    }
    /**
     * After a write: whether the writer must wait (the queue is at its limit). If so, writerMayResume()
     * says when it may go on, whatever the limit has become meanwhile.
     */
    mustWait() {
        if (this.length < this.limit)
            return false;
        this.writerWaiting = true;
        if (this.length < this.capacity)
            this.budget?.noteSendHeld();
        return true;
    }
    /** True, once, when a writer that had to wait may write again (after ACKs made room). */
    writerMayResume() {
        if (!this.writerWaiting || this.length >= this.limit)
            return false;
        this.writerWaiting = false;
        return true;
    }
    /** Appends a chunk, by reference. The caller must not modify it afterwards. */
    push(chunk) {
        if (chunk.length === 0)
            return;
        this.chunks.push(chunk);
        this.length += chunk.length;
        this.budget?.update(this.length - chunk.length, this.length);
    }
    /** Drops `n` acknowledged bytes from the front. */
    acknowledge(n) {
        if (n <= 0)
            return;
        if (n > this.length)
            throw new RangeError(`acknowledging ${n} bytes of a ${this.length}-byte send queue`);
        this.length -= n;
        this.budget?.update(this.length + n, this.length);
        let left = n;
        const chunks = this.chunks;
        while (left > 0) {
            const first = chunks[this.head];
            const live = first.length - this.headSkip;
            if (left < live) {
                this.headSkip += left;
                left = 0;
            }
            else {
                left -= live;
                chunks[this.head] = EMPTY;
                this.head++;
                this.headSkip = 0;
            }
        }
        // The cursor's offsets are relative to the queue start, which just moved.
        if (this.cursorIndex < this.head) {
            this.cursorIndex = this.head;
            this.cursorStart = 0;
        }
        else {
            this.cursorStart -= n;
            if (this.cursorIndex === this.head)
                this.cursorStart = 0;
        }
        if (this.head === chunks.length) {
            chunks.length = 0;
            this.head = 0;
            this.cursorIndex = 0;
            this.cursorStart = 0;
        }
        else if (this.head >= 1024 && this.head * 2 >= chunks.length) {
            this.chunks = chunks.slice(this.head);
            this.cursorIndex -= this.head;
            this.head = 0;
        }
    }
    /** Copies `length` bytes starting `offset` bytes into the queue to `dst[dstOffset]`. */
    copyTo(offset, length, dst, dstOffset) {
        if (offset < 0 || length < 0 || offset + length > this.length) {
            throw new RangeError(`bytes [${offset}, ${offset + length}) are outside a ${this.length}-byte send queue`);
        }
        if (length === 0)
            return;
        this.seek(offset);
        const chunks = this.chunks;
        let index = this.cursorIndex;
        let chunkStart = this.cursorStart;
        let at = offset;
        let out = dstOffset;
        let left = length;
        while (left > 0) {
            const chunk = chunks[index];
            const skip = index === this.head ? this.headSkip : 0;
            const within = at - chunkStart;
            const avail = chunk.length - skip - within;
            const take = Math.min(avail, left);
            const from = skip + within;
            if (take === chunk.length)
                dst.set(chunk, out);
            else
                dst.set(chunk.subarray(from, from + take), out);
            out += take;
            at += take;
            left -= take;
            if (take === avail) {
                chunkStart += chunk.length - skip;
                index++;
            }
        }
        // Leave the cursor on the chunk holding the next byte, ready for the next segment.
        if (index < chunks.length) {
            this.cursorIndex = index;
            this.cursorStart = chunkStart;
        }
    }
    /** `length` bytes at `offset`: a view when they lie in one chunk, a copy otherwise. */
    view(offset, length) {
        this.seek(offset);
        const chunk = this.chunks[this.cursorIndex];
        if (chunk !== undefined) {
            const skip = this.cursorIndex === this.head ? this.headSkip : 0;
            const from = skip + offset - this.cursorStart;
            if (from + length <= chunk.length)
                return chunk.subarray(from, from + length);
        }
        const out = new Uint8Array(length);
        this.copyTo(offset, length, out, 0);
        return out;
    }
    /** Drops everything (an aborted connection). */
    clear() {
        this.budget?.update(this.length, 0);
        this.writerWaiting = false;
        this.chunks = [];
        this.head = 0;
        this.headSkip = 0;
        this.length = 0;
        this.cursorIndex = 0;
        this.cursorStart = 0;
    }
    /** Moves the cursor to the chunk that holds byte `offset`. */
    seek(offset) {
        if (this.cursorIndex < this.head || offset < this.cursorStart) {
            this.cursorIndex = this.head;
            this.cursorStart = 0;
        }
        const chunks = this.chunks;
        for (;;) {
            const chunk = chunks[this.cursorIndex];
            if (chunk === undefined)
                return;
            const live = chunk.length - (this.cursorIndex === this.head ? this.headSkip : 0);
            if (offset < this.cursorStart + live)
                return;
            this.cursorStart += live;
            this.cursorIndex++;
        }
    }
}
const EMPTY = new Uint8Array(0);
//# sourceMappingURL=send-buffer.js.map