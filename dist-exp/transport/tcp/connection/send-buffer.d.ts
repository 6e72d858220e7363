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
    /** Appends a chunk, by reference. The caller must not modify it afterwards. */
    push(chunk: Uint8Array): void;
    /** Drops `n` acknowledged bytes from the front. */
    acknowledge(n: number): void;
    /** Copies `length` bytes starting `offset` bytes into the queue to `dst[dstOffset]`. */
    copyTo(offset: number, length: number, dst: Uint8Array, dstOffset: number): void;
    /** `length` bytes at `offset`: a view when they lie in one chunk, a copy otherwise. */
    view(offset: number, length: number): Uint8Array;
    /** Drops everything (an aborted connection). */
    clear(): void;
    /** Moves the cursor to the chunk that holds byte `offset`. */
    private seek;
}
