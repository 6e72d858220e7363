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
 * the queue costs the copy it always cost. A bulk writer's copies go into the queue's ring (SendRing), end
 * to end and reused as ACKs free it; where the link writes a payload where it lies (sendSegmentedParts),
 * the emitter adopts before sending and every segment goes out from the queue's own bytes, uncopied. A
 * chunk the writer marked immutable (immutable-bytes.ts) is the queue's own from the start: never copied.
 *
 * Offsets are relative to the first unacknowledged byte. Bounded: `capacity` is what the queue accepts
 * before the writer is told to wait; one chunk is always taken whole (a 10 MB write is held by reference
 * and drained), so the writer never has to split its data. With a stack-wide memory budget, every byte
 * held is charged to it, and under memory pressure the writer is told to wait earlier: at the budget's
 * limit for this queue, never below `minimum` (tcp-memory-budget.ts).
 */

import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import type { TcpMemoryBudget } from '../tcp-memory-budget.js';
import { isImmutable } from './immutable-bytes.js';
import { SEND_RING_MIN_COPY, SendRing } from './send-ring.js';
import type { SendRingPool } from './send-ring-pool.js';

/** settleFields lists (constants: a class is settled once, on its first object). */
const SEND_BUFFER_LATE_FIELDS = [
  'chunks',
  'head',
  'headSkip',
  'length',
  'cursorIndex',
  'cursorStart',
  'owned',
  'adoptedBytes',
  'retainedBytes',
  'ring',
  'writerWaiting',
];

export class SendBuffer {
  private chunks: Uint8Array[] = newChunkList();
  /** Index of the first live chunk. */
  private head = 0;
  /** Bytes of chunks[head] already acknowledged. */
  private headSkip = 0;
  private length = 0;
  // A cursor that makes sequential reads O(1): chunk index and the offset (relative to the queue start) at
  // which that chunk's live bytes begin.
  private cursorIndex = 0;
  private cursorStart = 0;
  /** Bytes from the queue start that are the stack's own (views of kept datagrams, or adopted copies). */
  private owned = 0;
  /** Bytes adopt() copied (the writer's bytes that had to wait), and bytes retain() took over uncopied. */
  adoptedBytes = 0;
  retainedBytes = 0;
  /** Where adopt() copies a bulk writer's bytes (made on the first such copy). */
  private ring: SendRing | undefined;
  /** A writer was told to wait (mustWait) and has not been told to go on yet. */
  private writerWaiting = false;

  constructor(
    readonly capacity: number,
    private readonly budget?: TcpMemoryBudget,
    readonly minimum: number = capacity,
    private readonly rings?: SendRingPool,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError(`bad send buffer capacity ${capacity}`);
    // Mutable from the start: optimised code folded in the values a first connection's queue had not changed
    // yet (head 0, no ring, no writer waiting), and was thrown away when they first did.
    settleFields(this, NO_FIELDS, SEND_BUFFER_LATE_FIELDS);
  }

  /** What the queue accepts now: its capacity, or less under memory pressure. */
  get limit(): number {
    return this.budget === undefined ? this.capacity : this.budget.limit(this.capacity, this.minimum);
  }

  /** Bytes queued (unsent plus unacknowledged). */
  get size(): number {
    return this.length;
  }

  /** Bytes that can be written before the queue is full (0 when at or over its limit). */
  get free(): number {
    const limit = this.limit;
    return this.length >= limit ? 0 : limit - this.length;
  }

  get full(): boolean {
    return this.length >= this.limit;
  }

  /**
   * After a write: whether the writer must wait (the queue is at its limit). If so, writerMayResume()
   * says when it may go on, whatever the limit has become meanwhile.
   */
  mustWait(): boolean {
    if (this.length < this.limit) return false;
    this.writerWaiting = true;
    if (this.length < this.capacity) this.budget?.noteSendHeld();
    return true;
  }

  /**
   * True, once, when a writer that had to wait may write again: once ACKs have freed a quarter of the limit
   * (as Linux's sk_stream_write_space waits for a third), so that a bulk writer, woken, writes many chunks in
   * a row instead of one per ACK (each wake-up is a round through the writer's stream machinery).
   */
  writerMayResume(): boolean {
    const limit = this.limit;
    if (!this.writerWaiting || this.length > limit - (limit >> 2)) return false;
    this.writerWaiting = false;
    return true;
  }

  /** Rings adopt() allocated (it grows by doubling, then reuses its ring). */
  get ringAllocations(): number {
    return this.ring?.allocations ?? 0;
  }

  /** Bytes of ring memory held now (0 once everything queued was acknowledged). */
  get ringBytes(): number {
    return this.ring?.buffer.length ?? 0;
  }

  /** Bytes at the end of the queue that are still the writer's memory (adopt() before its callback). */
  get unowned(): number {
    return this.length - this.owned;
  }

  /**
   * Appends a chunk, by reference: the writer's until retain() or adopt() takes its bytes over, unless it is
   * immutable (markImmutable) and follows bytes already the queue's own: then it is the queue's at once.
   */
  push(written: Uint8Array): void {
    if (written.length === 0) return;
    const chunk = plainView(written);
    const chunks = this.chunks;
    if (this.owned === this.length && isImmutable(chunk)) {
      // Immutable bytes right after the last chunk's, in the same memory (a cache's consecutive blocks):
      // one view of both, so that a segment across them is one piece, sent where it lies.
      const lastIndex = chunks.length - 1;
      const last = lastIndex >= this.head ? chunks[lastIndex]! : undefined;
      if (
        last !== undefined &&
        last.buffer === chunk.buffer &&
        last.byteOffset + last.length === chunk.byteOffset
      ) {
        chunks[lastIndex] = new Uint8Array(last.buffer, last.byteOffset, last.length + chunk.length);
        // A cursor past the end (adopt leaves it there) would wait for a chunk that never comes: the next
        // byte is in the grown last chunk.
        if (this.cursorIndex > lastIndex) {
          this.cursorIndex = lastIndex;
          this.cursorStart = this.length - (last.length - (lastIndex === this.head ? this.headSkip : 0));
        }
      } else chunks.push(chunk);
      this.owned += chunk.length;
    } else chunks.push(chunk);
    this.length += chunk.length;
    this.budget?.update(this.length - chunk.length, this.length);
  }

  /** Drops `n` acknowledged bytes from the front. */
  acknowledge(n: number): void {
    if (n <= 0) return;
    if (n > this.length) throw new RangeError(`acknowledging ${n} bytes of a ${this.length}-byte send queue`);
    this.length -= n;
    this.owned = this.owned > n ? this.owned - n : 0;
    this.budget?.update(this.length + n, this.length);
    let left = n;
    const chunks = this.chunks;
    while (left > 0) {
      const first = chunks[this.head]!;
      const live = first.length - this.headSkip;
      if (left < live) {
        this.headSkip += left;
        left = 0;
      } else {
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
    } else {
      this.cursorStart -= n;
      if (this.cursorIndex === this.head) this.cursorStart = 0;
    }
    if (this.head === chunks.length) {
      chunks.length = 0;
      this.head = 0;
      this.cursorIndex = 0;
      this.cursorStart = 0;
      // Everything acknowledged: the ring (up to the queue's capacity) is not kept for an idle connection. A
      // bulk writer keeps the queue from emptying until its response ends, so this costs one ring per response.
      this.ring?.release();
    } else if (this.head >= 1024 && this.head * 2 >= chunks.length) {
      this.chunks = chunks.slice(this.head);
      this.cursorIndex -= this.head;
      this.head = 0;
    }
  }

  /** Copies `length` bytes starting `offset` bytes into the queue to `dst[dstOffset]`. */
  copyTo(offset: number, length: number, dst: Uint8Array, dstOffset: number): void {
    if (offset < 0 || length < 0 || offset + length > this.length) {
      throw new RangeError(
        `bytes [${offset}, ${offset + length}) are outside a ${this.length}-byte send queue`,
      );
    }
    if (length === 0) return;
    this.seek(offset);
    const chunks = this.chunks;
    let index = this.cursorIndex;
    let chunkStart = this.cursorStart;
    let at = offset;
    let out = dstOffset;
    let left = length;
    while (left > 0) {
      const chunk = chunks[index]!;
      const skip = index === this.head ? this.headSkip : 0;
      const within = at - chunkStart;
      const avail = chunk.length - skip - within;
      const take = Math.min(avail, left);
      const from = skip + within;
      if (take === chunk.length) dst.set(chunk, out);
      else dst.set(chunk.subarray(from, from + take), out);
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
  view(offset: number, length: number): Uint8Array {
    this.seek(offset);
    const chunk = this.chunks[this.cursorIndex];
    if (chunk !== undefined) {
      const skip = this.cursorIndex === this.head ? this.headSkip : 0;
      const from = skip + offset - this.cursorStart;
      if (from + length <= chunk.length) return chunk.subarray(from, from + length);
    }
    const out = new Uint8Array(length);
    this.copyTo(offset, length, out, 0);
    return out;
  }

  /** `length` bytes at `offset` as a view when they lie in one chunk; undefined otherwise (no copy). */
  peek(offset: number, length: number): Uint8Array | undefined {
    if (offset < 0 || length <= 0 || offset + length > this.length) return undefined;
    this.seek(offset);
    const chunk = this.chunks[this.cursorIndex];
    if (chunk === undefined) return undefined;
    const from = (this.cursorIndex === this.head ? this.headSkip : 0) + offset - this.cursorStart;
    return from + length <= chunk.length ? chunk.subarray(from, from + length) : undefined;
  }

  /** Drops everything (an aborted connection). */
  clear(): void {
    this.budget?.update(this.length, 0);
    this.writerWaiting = false;
    this.ring?.release();
    this.chunks = newChunkList();
    this.head = 0;
    this.headSkip = 0;
    this.length = 0;
    this.owned = 0;
    this.cursorIndex = 0;
    this.cursorStart = 0;
  }

  /**
   * Bytes [offset, offset + length) were just copied to `copy[copyOffset]`, a buffer the stack keeps and
   * never writes again: the writer's bytes among them are replaced by a view of the copy.
   */
  retain(offset: number, length: number, copy: Uint8Array, copyOffset: number): void {
    const owned = this.owned;
    const end = offset + length;
    if (end <= owned || offset > owned) return;
    const from = copyOffset + owned - offset;
    this.retainedBytes += end - owned;
    if (!this.retainInPlace(copy, from, end - owned))
      this.replaceUnowned(copy.subarray(from, copyOffset + length));
  }

  /**
   * The common cases of retain(), without rebuilding the list: the bytes retained begin a writer's chunk and
   * leave some of it. The next segment of a super-segment whose previous segment was retained just before
   * grows the last owned view over the copy; the first segment of a super-segment becomes a view of its own,
   * inserted. Either way the chunk loses its first `n` bytes. False (nothing changed) in every other case.
   */
  private retainInPlace(copy: Uint8Array, from: number, n: number): boolean {
    const at = this.owned;
    this.seek(at);
    const index = this.cursorIndex;
    if (this.cursorStart !== at || (index === this.head && this.headSkip > 0)) return false;
    const chunks = this.chunks;
    const chunk = chunks[index]!;
    if (n >= chunk.length) return false;
    const previous = index > this.head ? chunks[index - 1]! : undefined;
    if (
      previous !== undefined &&
      previous.buffer === copy.buffer &&
      previous.byteOffset + previous.length === copy.byteOffset + from
    ) {
      chunks[index - 1] = new Uint8Array(copy.buffer, previous.byteOffset, previous.length + n);
      chunks[index] = chunk.subarray(n);
    } else {
      chunks.splice(index, 0, new Uint8Array(copy.buffer, copy.byteOffset + from, n));
      chunks[index + 1] = chunk.subarray(n);
      this.cursorIndex = index + 1;
    }
    this.owned = at + n;
    this.cursorStart = at + n;
    return true;
  }

  /** Copies the writer's bytes still in the queue into the stack's own memory: its buffers are free again. */
  adopt(): void {
    const n = this.length - this.owned;
    if (n === 0) return;
    // The cursor is where TCP reads its next segment, usually well before the queue's end: keep it there,
    // or the next read would walk the whole queue from its start.
    const sendIndex = this.cursorIndex;
    const sendStart = this.cursorStart;
    const copy = this.copyBuffer(n); // every byte is written next
    this.copyTo(this.owned, n, copy, 0);
    this.adoptedBytes += n;
    const replacedFrom = this.replaceUnowned(copy);
    if (sendIndex >= this.head && sendIndex < replacedFrom) {
      this.cursorIndex = sendIndex;
      this.cursorStart = sendStart;
    }
  }

  /** Memory for adopting `n` bytes: the ring's when they are many and fit, else a fresh buffer. */
  private copyBuffer(n: number): Uint8Array {
    if (n >= SEND_RING_MIN_COPY) {
      this.ring ??= new SendRing(this.capacity, this.rings);
      const liveStart = this.ringLiveStart(this.ring.buffer);
      const copy = liveStart === UNKNOWN ? undefined : this.ring.take(n, liveStart);
      if (copy !== undefined) return copy;
    }
    return plainView(Buffer.allocUnsafe(n));
  }

  /**
   * The offset in `ring` of its oldest byte still queued: the first view into it from the queue's head on
   * (bytes leave in order); -1 when none is, UNKNOWN when none is among the first RING_SCAN_LIMIT views.
   */
  private ringLiveStart(ring: Uint8Array): number {
    if (ring.length === 0) return -1;
    const chunks = this.chunks;
    const end = Math.min(chunks.length, this.head + RING_SCAN_LIMIT);
    for (let i = this.head; i < end; i++) {
      const c = chunks[i]!;
      if (c.buffer === ring.buffer && c.length > 0) {
        return c.byteOffset - ring.byteOffset + (i === this.head ? this.headSkip : 0);
      }
    }
    return end === chunks.length ? -1 : UNKNOWN;
  }

  /**
   * Replaces the first `replacement.length` unowned bytes of the queue by `replacement`, which become owned;
   * returns the index of the first chunk it changed (those before it are as they were).
   */
  private replaceUnowned(replacement: Uint8Array): number {
    let bytes = replacement;
    const at = this.owned;
    const n = bytes.length;
    this.seek(at);
    const chunks = this.chunks;
    const index = this.cursorIndex;
    let chunkStart = this.cursorStart;
    if (index === this.head && this.headSkip > 0) {
      chunks[index] = chunks[index]!.subarray(this.headSkip);
      this.headSkip = 0;
    }
    const tail: Uint8Array[] = [];
    const first = chunks[index]!;
    const within = at - chunkStart;
    let start = index;
    if (within > 0) {
      tail.push(first.subarray(0, within));
    } else if (index > this.head) {
      // A view continuing the previous one in the same buffer (the next segment of a super-segment) extends it.
      const previous = chunks[index - 1]!;
      if (previous.buffer === bytes.buffer && previous.byteOffset + previous.length === bytes.byteOffset) {
        start = index - 1;
        chunkStart -= previous.length;
        bytes = new Uint8Array(bytes.buffer, previous.byteOffset, previous.length + n);
      }
    }
    tail.push(bytes);
    // Skip the n bytes replaced; keep what follows them.
    let skip = within + n;
    let i = index;
    while (skip > 0) {
      const chunk = chunks[i]!;
      if (skip < chunk.length) {
        tail.push(chunk.subarray(skip));
        skip = 0;
      } else {
        skip -= chunk.length;
      }
      i++;
    }
    for (; i < chunks.length; i++) tail.push(chunks[i]!);
    chunks.length = start;
    for (const chunk of tail) chunks.push(chunk);
    this.owned = at + n;
    // The cursor on the first byte after the replaced ones, where the next segment reads.
    this.cursorIndex = start + (within > 0 ? 2 : 1);
    this.cursorStart = at + n;
    return start;
  }

  /** Moves the cursor to the chunk that holds byte `offset`. */
  private seek(offset: number): void {
    if (this.cursorIndex < this.head || offset < this.cursorStart) {
      this.cursorIndex = this.head;
      this.cursorStart = 0;
    }
    const chunks = this.chunks;
    for (;;) {
      const chunk = chunks[this.cursorIndex];
      if (chunk === undefined) return;
      const live = chunk.length - (this.cursorIndex === this.head ? this.headSkip : 0);
      if (offset < this.cursorStart + live) return;
      this.cursorStart += live;
      this.cursorIndex++;
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * An empty chunk list whose elements are objects from the start: an empty literal's are small integers, and
 * its first chunk changes its map, which code optimised for a list already holding chunks does not expect.
 */
function newChunkList(): Uint8Array[] {
  const list = [EMPTY];
  list.length = 0;
  return list;
}

/**
 * `bytes` as a plain Uint8Array (a Buffer as a view of the same memory): the queue then holds, and hands to
 * the batcher, IP and the link, views of one class only. A Buffer (Node's FastBuffer) has a map of its own;
 * met for the first time at a site already optimised for Uint8Arrays (a response's first cache block, say,
 * several downloads in), it deoptimised that code, and everything it had inlined.
 */
function plainView(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
}
/** Views looked at for the ring's oldest byte before the ring is taken as full (a fresh buffer is used). */
const RING_SCAN_LIMIT = 64;
const UNKNOWN = -2;
