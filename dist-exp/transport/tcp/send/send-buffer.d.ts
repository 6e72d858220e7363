/**
 * The send queue of one connection: every byte the application wrote that the peer has not yet
 * acknowledged, unsent and in flight alike, starting at SND.UNA: a list of views. Payload bytes are copied
 * once on their way out, straight into the outgoing datagram.
 *
 * The queue holds two kinds of views. The writer's chunks are pushed by reference (no copy on write); they
 * are the writer's memory, which it may reuse once its write callback has run. The first `owned` bytes are
 * the stack's own: when a segment's payload is copied into a datagram that the stack keeps (a super-segment
 * buffer, never reused: retain()), the queue swaps the writer's bytes for a view of that copy, which
 * retransmissions then read; and adopt() copies whatever is still the writer's before its callback runs.
 * So a chunk sent at once costs one copy (chunk → datagram) and none more, and a chunk that must wait in
 * the queue costs the copy it always cost.
 *
 * Offsets are relative to the first unacknowledged byte. Bounded: `capacity` is what the queue accepts
 * before the writer is told to wait; one chunk is always taken whole (a 10 MB write is held by reference
 * and drained), so the writer never has to split its data. With a stack-wide memory budget, every byte
 * held is charged to it, and under memory pressure the writer is told to wait earlier: at the budget's
 * limit for this queue, never below `minimum` (tcp-memory-budget.ts).
 */
import type { TcpMemoryBudget } from '../tcp-memory-budget.js';
export declare class SendBuffer {
    readonly capacity: number;
    private readonly budget?;
    readonly minimum: number;
    private chunks;
    /** Index of the first live chunk. */
    private head;
    /** Bytes of chunks[head] already acknowledged. */
    private headSkip;
    private length;
    private cursorIndex;
    private cursorStart;
    /** Bytes from the queue start that are the stack's own (views of kept datagrams, or adopted copies). */
    private owned;
    /** Bytes adopt() copied (the writer's bytes that had to wait), and bytes retain() took over uncopied. */
    adoptedBytes: number;
    retainedBytes: number;
    /** A writer was told to wait (mustWait) and has not been told to go on yet. */
    private writerWaiting;
    constructor(capacity: number, budget?: TcpMemoryBudget | undefined, minimum?: number);
    /** What the queue accepts now: its capacity, or less under memory pressure. */
    get limit(): number;
    /** Bytes queued (unsent plus unacknowledged). */
    get size(): number;
    /** Bytes that can be written before the queue is full (0 when at or over its limit). */
    get free(): number;
    get full(): boolean;
    /**
     * After a write: whether the writer must wait (the queue is at its limit). If so, writerMayResume()
     * says when it may go on, whatever the limit has become meanwhile.
     */
    mustWait(): boolean;
    /** True, once, when a writer that had to wait may write again (after ACKs made room). */
    writerMayResume(): boolean;
    /** Bytes at the end of the queue that are still the writer's memory (adopt() before its callback). */
    get unowned(): number;
    /** Appends a chunk, by reference: the writer's until retain() or adopt() takes its bytes over. */
    push(chunk: Uint8Array): void;
    /** Drops `n` acknowledged bytes from the front. */
    acknowledge(n: number): void;
    /** Copies `length` bytes starting `offset` bytes into the queue to `dst[dstOffset]`. */
    copyTo(offset: number, length: number, dst: Uint8Array, dstOffset: number): void;
    /** `length` bytes at `offset`: a view when they lie in one chunk, a copy otherwise. */
    view(offset: number, length: number): Uint8Array;
    /** Drops everything (an aborted connection). */
    clear(): void;
    /**
     * Bytes [offset, offset + length) were just copied to `copy[copyOffset]`, a buffer the stack keeps and
     * never writes again: the writer's bytes among them are replaced by a view of the copy.
     */
    retain(offset: number, length: number, copy: Uint8Array, copyOffset: number): void;
    /**
     * The common case of retain(), in place: the next segment of a super-segment whose previous segment was
     * retained just before, taken from the writer's chunk that follows it and leaving some of that chunk. The
     * last owned view grows over the copy and the chunk loses its first `n` bytes: two views, no list rebuilt.
     * False (nothing changed) in every other case.
     */
    private extendOwned;
    /** Copies the writer's bytes still in the queue into the stack's own memory: its buffers are free again. */
    adopt(): void;
    /**
     * Replaces the first `replacement.length` unowned bytes of the queue by `replacement`, which become owned;
     * returns the index of the first chunk it changed (those before it are as they were).
     */
    private replaceUnowned;
    /** Moves the cursor to the chunk that holds byte `offset`. */
    private seek;
}
