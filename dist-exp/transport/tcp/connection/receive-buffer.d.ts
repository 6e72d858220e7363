/**
 * The receive side of one connection: in-order bytes waiting for the application, and the out-of-order
 * segments that arrived past a hole, kept as ranges, merged as they touch, and handed over in order once
 * the hole is filled. Duplicate bytes (before the next expected byte, or already held) are discarded.
 *
 * Positions are stream offsets (plain numbers counted from the first data byte, exact up to 2^53), so
 * nothing here has to think about sequence-number wrap-around; the connection maps SEG.SEQ to an offset.
 *
 * Bounded: out-of-order data by bytes (`maxOutOfOrderBytes`) and by ranges (`maxRanges`); a segment that
 * would exceed either is dropped and counted. The segment at the next expected offset is always taken,
 * even with the out-of-order queue full: that is the one that lets the queue drain.
 *
 * Payloads arrive as views valid only during the call; each accepted piece is copied once, into a Buffer
 * (pooled for small sizes) that the socket can push to its reader without another copy.
 *
 * With a stack-wide memory budget, every byte held (in order and out of order) is charged to it, and under
 * memory pressure `free`, which the advertised window comes from, counts from the budget's limit for this
 * buffer (never below `minimum`) instead of its capacity. Data inside a window already advertised is still
 * taken (the connection never moves the window's right edge left, RFC 9293 §3.8.6) until the budget passes
 * its hard limit: then a buffer that holds its minimum takes no more (Linux's TCPRcvQDrop when
 * tcp_try_rmem_schedule fails). Those bytes are not acknowledged, so the peer sends them again later; the
 * next expected bytes are still taken while fewer than `minimum` wait for the application, so every
 * connection keeps moving, and windows already promised cannot add up past the budget.
 */
import type { TcpMemoryBudget } from '../tcp-memory-budget.js';
/** What insert() did with a segment's bytes. */
export declare const ReceiveResult: {
    /** Bytes extended the in-order data (possibly pulling out-of-order ranges along). */
    readonly IN_ORDER: 0;
    /** Bytes were stored past a hole. */
    readonly OUT_OF_ORDER: 1;
    /** Nothing new: every byte was already received. */
    readonly DUPLICATE: 2;
    /** Out-of-order bytes dropped: the out-of-order queue is full (bytes or ranges). */
    readonly DROPPED: 3;
    /** Bytes dropped because the stack's TCP memory is past its hard limit and this buffer holds its minimum. */
    readonly NO_MEMORY: 4;
};
export type ReceiveResult = (typeof ReceiveResult)[keyof typeof ReceiveResult];
export declare class ReceiveBuffer {
    readonly capacity: number;
    readonly maxRanges: number;
    readonly maxOutOfOrderBytes: number;
    private readonly budget?;
    readonly minimum: number;
    /** Offset of the next byte expected in order (RCV.NXT as a stream offset). */
    private next;
    private queue;
    private queueHead;
    private queuedBytes;
    private readonly ranges;
    private oooBytes;
    /** Where the peer's FIN sits (the offset after its last byte), once a FIN has been seen. */
    private finAt;
    constructor(capacity: number, maxRanges: number, maxOutOfOrderBytes?: number, budget?: TcpMemoryBudget | undefined, minimum?: number);
    /** The stream offset of the next byte expected in order. */
    get nextOffset(): number;
    /** In-order bytes not yet read by the application. */
    get queued(): number;
    /** Bytes held past a hole. */
    get outOfOrderBytes(): number;
    get outOfOrderRanges(): number;
    /** What in-order data may fill now: the capacity, or less under memory pressure. */
    get limit(): number;
    /** Room left for in-order data: what the advertised window is computed from. */
    get free(): number;
    /** `free`, for a window advertisement: counts it when the memory budget made it smaller. */
    windowSpace(): number;
    /** True once the peer's FIN has been reached in order. */
    get finReached(): boolean;
    /** Records a FIN at `offset` (after the segment's last byte); it counts once the data before it is in. */
    markFin(offset: number): void;
    /** The out-of-order ranges, as [start, end) stream offsets (for SACK and tests). */
    outOfOrder(): Array<readonly [number, number]>;
    /** Start offset of out-of-order range `i` (0 the lowest), for SACK without building a list. */
    rangeStart(i: number): number;
    /** End offset (exclusive) of out-of-order range `i`. */
    rangeEnd(i: number): number;
    /** Index of the out-of-order range holding `offset`, or -1. */
    rangeHolding(offset: number): number;
    /** Index of the first out-of-order range that shares a byte with [start, end), or -1 (for D-SACK). */
    firstOverlap(start: number, end: number): number;
    /** Takes the bytes of `data` that sit at stream offset `offset`; `data` is only read during the call. */
    insert(offset: number, data: Uint8Array): ReceiveResult;
    private take;
    /** The next in-order chunk for the application, or undefined when none is waiting. */
    read(): Uint8Array | undefined;
    /** Forgets everything held (an aborted connection). */
    clear(): void;
    private append;
    /** Moves ranges that the in-order data now reaches into the queue, trimming what it already covers. */
    private pullRanges;
    private storeOutOfOrder;
}
