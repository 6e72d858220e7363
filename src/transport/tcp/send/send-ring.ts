/**
 * Where a send queue copies the writer's bytes it adopts (SendBuffer.adopt) when they are many (a bulk
 * writer's): a ring of the queue's own, reused as ACKs free it, instead of a fresh buffer per write. At
 * hundreds of MB/s a fresh buffer per write is as many MB of external memory per second, which kept V8's
 * garbage collector marking the whole heap every few tens of milliseconds (external memory pressure), on
 * the main thread and its helper threads. Successive copies lie end to end, so the queue holds them as one
 * view (SendBuffer.replaceUnowned extends the previous view) and a super-segment's payload is one piece
 * that the link writes where it lies (TcpSegmentBatcher, sendSegmentedParts).
 *
 * The ring does not track what is live: the queue tells it where the oldest byte still queued in the ring
 * lies (the first of the queue's views into it), since the queue releases bytes strictly in order. It
 * grows by doubling, up to the queue's capacity, when a copy does not fit; the old ring is dropped and
 * becomes garbage once the views of it are acknowledged. A copy that fits nowhere takes a fresh buffer.
 * With a SendRingPool, a new ring is one another queue released, when one is pooled, and a released ring
 * goes back to the pool.
 */

import type { SendRingPool } from './send-ring-pool.js';

/** Copies from this size on go into the ring; smaller ones (requests and responses) take Node's pool. */
export const SEND_RING_MIN_COPY = 16 * 1024;

/** The ring's first size; it doubles up to the queue's capacity. */
export const SEND_RING_INITIAL_BYTES = 256 * 1024;

export class SendRing {
  /** The ring's memory; empty until the first large copy. */
  buffer: Uint8Array = EMPTY;
  /** Where the next copy goes. */
  private write = 0;
  /** Rings allocated (stats, tests); not those taken from the pool. */
  allocations = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly pool?: SendRingPool,
  ) {}

  /**
   * `n` bytes nobody else writes until the queue releases them, or undefined when `n` is small or fits in no
   * ring. `liveStart` is the offset in `buffer` of the oldest byte still queued there, -1 when none is.
   */
  take(n: number, liveStart: number): Uint8Array | undefined {
    if (n < SEND_RING_MIN_COPY) return undefined;
    let at = this.place(n, liveStart);
    if (at < 0) {
      const size = this.buffer.length;
      if (size >= this.maxBytes || n > this.maxBytes) return undefined;
      let grown = Math.max(SEND_RING_INITIAL_BYTES, size * 2);
      while (grown < n) grown *= 2;
      grown = Math.min(grown, this.maxBytes);
      const pooled = this.pool?.take(grown, this.maxBytes);
      if (pooled !== undefined) this.buffer = pooled;
      else {
        this.buffer = new Uint8Array(Buffer.allocUnsafeSlow(grown).buffer);
        this.allocations++;
      }
      if (this.buffer.length < n) return undefined;
      at = 0;
    }
    this.write = at + n;
    return this.buffer.subarray(at, at + n);
  }

  /** Drops the memory, to the pool if there is one (the queue emptied or was cleared: nothing reads it). */
  release(): void {
    if (this.pool !== undefined && this.buffer.length >= SEND_RING_INITIAL_BYTES) this.pool.give(this.buffer);
    this.buffer = EMPTY;
    this.write = 0;
  }

  /** Where `n` bytes fit in the current ring, or -1. Live bytes run from liveStart to `write`, maybe wrapping. */
  private place(n: number, liveStart: number): number {
    const size = this.buffer.length;
    if (liveStart < 0) return size >= n ? 0 : -1;
    const w = this.write;
    if (w > liveStart) {
      if (size - w >= n) return w;
      return liveStart >= n ? 0 : -1;
    }
    // Wrapped (w < liveStart), or full (w === liveStart with bytes live).
    return liveStart - w >= n && w !== liveStart ? w : -1;
  }
}

const EMPTY = new Uint8Array(0);
