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
 * (pooled for small sizes) that the socket can push to its reader without another copy. Lending (a socket
 * reading in place, TcpSocket.readInPlace) skips that copy for in-order data that finds nothing waiting: the
 * caller's view itself is queued, for the reader to consume synchronously while the segment is processed, and
 * settleLent() copies it if it is still unread when the segment is done.
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
export const ReceiveResult = {
  /** Bytes extended the in-order data (possibly pulling out-of-order ranges along). */
  IN_ORDER: 0,
  /** Bytes were stored past a hole. */
  OUT_OF_ORDER: 1,
  /** Nothing new: every byte was already received. */
  DUPLICATE: 2,
  /** Out-of-order bytes dropped: the out-of-order queue is full (bytes or ranges). */
  DROPPED: 3,
  /** Bytes dropped because the stack's TCP memory is past its hard limit and this buffer holds its minimum. */
  NO_MEMORY: 4,
} as const;

export type ReceiveResult = (typeof ReceiveResult)[keyof typeof ReceiveResult];

interface Range {
  start: number;
  end: number;
  chunks: Uint8Array[];
}

function copyOf(data: Uint8Array, from: number, to: number): Uint8Array {
  const out = Buffer.allocUnsafe(to - from);
  out.set(from === 0 && to === data.length ? data : data.subarray(from, to));
  return out;
}

export class ReceiveBuffer {
  /** Offset of the next byte expected in order (RCV.NXT as a stream offset). */
  private next = 0;
  /**
   * In-order chunks waiting for the reader: queue[queueHead, queueTail). The array keeps its slots when it
   * empties (up to QUEUE_SLOTS_KEPT), so that a download's append/read of one chunk a segment reuses them
   * rather than growing a new backing store each time (a quarter of the receive path's allocation).
   */
  private queue: Uint8Array[] = [];
  private queueHead = 0;
  private queueTail = 0;
  private queuedBytes = 0;
  private readonly ranges: Range[] = [];
  private oooBytes = 0;
  /** Where the peer's FIN sits (the offset after its last byte), once a FIN has been seen. */
  private finAt = -1;
  /** Whether in-order data may be queued as the caller's view until settleLent() (a reader reading in place). */
  lending = false;
  /** The caller's view queued by lending, until settleLent(). */
  private lent: Uint8Array | undefined;

  constructor(
    readonly capacity: number,
    readonly maxRanges: number,
    readonly maxOutOfOrderBytes: number = capacity,
    private readonly budget?: TcpMemoryBudget,
    readonly minimum: number = capacity,
  ) {}

  /** The stream offset of the next byte expected in order. */
  get nextOffset(): number {
    return this.next;
  }

  /** In-order bytes not yet read by the application. */
  get queued(): number {
    return this.queuedBytes;
  }

  /** Bytes held past a hole. */
  get outOfOrderBytes(): number {
    return this.oooBytes;
  }

  get outOfOrderRanges(): number {
    return this.ranges.length;
  }

  /** What in-order data may fill now: the capacity, or less under memory pressure. */
  get limit(): number {
    return this.budget === undefined ? this.capacity : this.budget.limit(this.capacity, this.minimum);
  }

  /** Room left for in-order data: what the advertised window is computed from. */
  get free(): number {
    const limit = this.limit;
    return this.queuedBytes >= limit ? 0 : limit - this.queuedBytes;
  }

  /** `free`, for a window advertisement: counts it when the memory budget made it smaller. */
  windowSpace(): number {
    const limit = this.limit;
    if (limit < this.capacity && this.queuedBytes < this.capacity) this.budget?.noteWindowClamped();
    return this.queuedBytes >= limit ? 0 : limit - this.queuedBytes;
  }

  /** True once the peer's FIN has been reached in order. */
  get finReached(): boolean {
    return this.finAt >= 0 && this.next === this.finAt;
  }

  /** Records a FIN at `offset` (after the segment's last byte); it counts once the data before it is in. */
  markFin(offset: number): void {
    if (this.finAt < 0) this.finAt = offset;
  }

  /** The out-of-order ranges, as [start, end) stream offsets (for SACK and tests). */
  outOfOrder(): Array<readonly [number, number]> {
    return this.ranges.map((r) => [r.start, r.end] as const);
  }

  /** Start offset of out-of-order range `i` (0 the lowest), for SACK without building a list. */
  rangeStart(i: number): number {
    return this.ranges[i]!.start;
  }

  /** End offset (exclusive) of out-of-order range `i`. */
  rangeEnd(i: number): number {
    return this.ranges[i]!.end;
  }

  /** Index of the out-of-order range holding `offset`, or -1. */
  rangeHolding(offset: number): number {
    const ranges = this.ranges;
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (offset < r.start) return -1;
      if (offset < r.end) return i;
    }
    return -1;
  }

  /** Index of the first out-of-order range that shares a byte with [start, end), or -1 (for D-SACK). */
  firstOverlap(start: number, end: number): number {
    const ranges = this.ranges;
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (r.start >= end) return -1;
      if (r.end > start) return i;
    }
    return -1;
  }

  /** Takes the bytes of `data` that sit at stream offset `offset`; `data` is only read during the call. */
  insert(offset: number, data: Uint8Array): ReceiveResult {
    const budget = this.budget;
    if (budget === undefined) return this.take(offset, data);
    const before = this.queuedBytes + this.oooBytes;
    if (
      budget.bytes >= budget.high &&
      before >= this.minimum &&
      offset + data.length > this.next &&
      (offset > this.next || this.queuedBytes >= this.minimum)
    ) {
      return ReceiveResult.NO_MEMORY;
    }
    const result = this.take(offset, data);
    budget.update(before, this.queuedBytes + this.oooBytes);
    return result;
  }

  private take(offset: number, data: Uint8Array): ReceiveResult {
    let start = offset;
    let from = 0;
    if (start < this.next) {
      from = this.next - start;
      if (from >= data.length) return ReceiveResult.DUPLICATE;
      start = this.next;
    }
    if (start === this.next) {
      if (this.lending && this.queueHead === this.queueTail) {
        // Nothing waits before it, so the reader meets it first, while the view is still valid.
        const view = from === 0 ? data : data.subarray(from);
        this.lent = view;
        this.append(view);
      } else this.append(copyOf(data, from, data.length));
      this.next += data.length - from;
      this.pullRanges();
      return ReceiveResult.IN_ORDER;
    }
    return this.storeOutOfOrder(start, data, from);
  }

  /** The next in-order chunk for the application, or undefined when none is waiting. */
  read(): Uint8Array | undefined {
    if (this.queueHead === this.queueTail) return undefined;
    const chunk = this.queue[this.queueHead]!;
    this.queue[this.queueHead++] = EMPTY;
    this.queuedBytes -= chunk.length;
    this.budget?.update(this.queuedBytes + this.oooBytes + chunk.length, this.queuedBytes + this.oooBytes);
    if (this.queueHead === this.queueTail) {
      this.queueHead = 0;
      this.queueTail = 0;
      // A queue a slow reader let grow is not kept at that size by an idle connection.
      if (this.queue.length > QUEUE_SLOTS_KEPT) this.queue = [];
    } else if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queueTail) {
      this.queue = this.queue.slice(this.queueHead, this.queueTail);
      this.queueTail -= this.queueHead;
      this.queueHead = 0;
    }
    return chunk;
  }

  /** Whether `chunk` (from read()) is a lent view, valid only until the segment it came in is done. */
  isLent(chunk: Uint8Array): boolean {
    return chunk === this.lent;
  }

  /** The segment is done: a lent view the reader left unread is copied, since its memory is about to be reused. */
  settleLent(): void {
    const lent = this.lent;
    if (lent === undefined) return;
    this.lent = undefined;
    // Lent only onto an empty queue, so unread it is still at the head.
    if (this.queueHead < this.queueTail && this.queue[this.queueHead] === lent) {
      this.queue[this.queueHead] = copyOf(lent, 0, lent.length);
    }
  }

  /**
   * Forgets the out-of-order ranges, keeping the in-order data for the application (a connection reset or
   * timed out: nothing will fill the holes now).
   */
  clearOutOfOrder(): void {
    if (this.oooBytes === 0 && this.ranges.length === 0) return;
    this.budget?.update(this.queuedBytes + this.oooBytes, this.queuedBytes);
    this.ranges.length = 0;
    this.oooBytes = 0;
  }

  /** Forgets everything held (an aborted connection). */
  clear(): void {
    this.lent = undefined;
    this.budget?.update(this.queuedBytes + this.oooBytes, 0);
    this.queue = [];
    this.queueHead = 0;
    this.queueTail = 0;
    this.queuedBytes = 0;
    this.ranges.length = 0;
    this.oooBytes = 0;
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.queueTail < this.queue.length) this.queue[this.queueTail] = chunk;
    else this.queue.push(chunk);
    this.queueTail++;
    this.queuedBytes += chunk.length;
  }

  /** Moves ranges that the in-order data now reaches into the queue, trimming what it already covers. */
  private pullRanges(): void {
    const ranges = this.ranges;
    while (ranges.length > 0 && ranges[0]!.start <= this.next) {
      const r = ranges.shift()!;
      this.oooBytes -= r.end - r.start;
      if (r.end <= this.next) continue;
      let skip = this.next - r.start;
      for (const chunk of r.chunks) {
        if (skip >= chunk.length) {
          skip -= chunk.length;
          continue;
        }
        this.append(skip === 0 ? chunk : chunk.subarray(skip));
        skip = 0;
      }
      this.next = r.end;
    }
  }

  private storeOutOfOrder(start: number, data: Uint8Array, from: number): ReceiveResult {
    const end = start + (data.length - from);
    const base = start - from; // stream offset of data[0]
    const ranges = this.ranges;
    const n = ranges.length;
    // ranges[i, j): every range that overlaps or touches [start, end).
    let i = 0;
    while (i < n && ranges[i]!.end < start) i++;
    let j = i;
    while (j < n && ranges[j]!.start <= end) j++;
    if (i === j) {
      if (n >= this.maxRanges || this.oooBytes + (end - start) > this.maxOutOfOrderBytes) {
        return ReceiveResult.DROPPED;
      }
      ranges.splice(i, 0, { start, end, chunks: [copyOf(data, from, data.length)] });
      this.oooBytes += end - start;
      return ReceiveResult.OUT_OF_ORDER;
    }
    // Count the new bytes first, so a merge that would exceed the byte limit changes nothing.
    let held = 0;
    for (let k = i; k < j; k++) held += ranges[k]!.end - ranges[k]!.start;
    const first = ranges[i]!;
    const mergedStart = Math.min(start, first.start);
    const mergedEnd = Math.max(end, ranges[j - 1]!.end);
    const added = mergedEnd - mergedStart - held;
    if (added === 0) return ReceiveResult.DUPLICATE;
    if (this.oooBytes + added > this.maxOutOfOrderBytes) return ReceiveResult.DROPPED;
    let chunks = first.chunks;
    if (start < first.start) chunks = [copyOf(data, start - base, first.start - base), ...chunks];
    let pos = first.end;
    for (let k = i + 1; k < j; k++) {
      const r = ranges[k]!;
      if (pos < r.start) chunks.push(copyOf(data, pos - base, r.start - base));
      for (const c of r.chunks) chunks.push(c);
      pos = r.end;
    }
    if (pos < end) chunks.push(copyOf(data, pos - base, end - base));
    first.start = mergedStart;
    first.end = mergedEnd;
    first.chunks = chunks;
    if (j - i > 1) ranges.splice(i + 1, j - i - 1);
    this.oooBytes += added;
    return ReceiveResult.OUT_OF_ORDER;
  }
}

const EMPTY = new Uint8Array(0);
/** Slots an emptied in-order queue keeps for the next chunks (more is a slow reader's backlog, let go). */
const QUEUE_SLOTS_KEPT = 64;
