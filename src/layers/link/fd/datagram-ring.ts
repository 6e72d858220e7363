/**
 * The ring of datagrams between the reader worker (the producer) and the main thread (the consumer): records
 * of [u32 word: length, flags, headroom][headroom][datagram][padding to 4 bytes] in a SharedArrayBuffer, a word
 * of RING_WRAP saying "continue at offset 0" (fd-reader-protocol.ts). Each side makes its own DatagramRing over the same buffers; the shared
 * state is in the control array: PUBLISHED (records, ever), IN_FLIGHT_BYTES (ring bytes published and not yet
 * released, the room a wrap skips included), SKIPPED_BYTES (that room), CONSUMED_BYTES and SLEEPING. A record's bytes are written before
 * PUBLISHED is incremented (an Atomics operation), and read after the consumer loads it, so the consumer always
 * sees whole records. One producer, one consumer.
 */

import {
  CONTROL,
  RING_FLAGS_SHIFT,
  RING_HEADROOM_SHIFT,
  RING_LENGTH_MASK,
  RING_PREFIX,
  RING_WRAP,
  ringRecordBytes,
  ringRecordWord,
} from './fd-reader-protocol.js';

export class DatagramRing {
  readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private readonly size: number;
  /** The producer's next record. */
  private head = 0;
  /** The consumer's next record, the records it has taken, the end of its batch and the bytes it may free. */
  private tail = 0;
  private consumed = 0;
  private batchEnd = 0;
  private taken = 0;
  private skipped = 0;
  /** The length of the datagram next() returned. */
  length = 0;
  /** The receive flags (raw-link.ts RX_*) of the datagram next() returned. */
  flags = 0;

  constructor(
    ring: SharedArrayBuffer,
    private readonly control: Int32Array,
  ) {
    if (ring.byteLength % 4 !== 0) throw new RangeError('the ring must be a multiple of 4 bytes');
    this.bytes = new Uint8Array(ring);
    this.words = new Uint32Array(ring);
    this.size = ring.byteLength;
  }

  // ─── Producer ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Where a datagram of up to `maxLength` bytes can be written (then publish() it), or -1 when the ring has no
   * contiguous room for one. The room after the head is the lesser of what is left before the end and what
   * is not in use (when the consumer is ahead of the head, what is not in use lies between them). When the end
   * is too close, the rest of the ring is skipped (a wrap record) once the consumer has left it.
   */
  reserve(maxLength: number): number {
    const control = this.control;
    const size = this.size;
    const need = ringRecordBytes(maxLength);
    let used = Atomics.load(control, CONTROL.IN_FLIGHT_BYTES);
    if (size - this.head < need) {
      if (used > this.head) return -1;
      this.words[this.head >>> 2] = RING_WRAP;
      const skipped = size - this.head;
      Atomics.add(control, CONTROL.SKIPPED_BYTES, skipped);
      Atomics.add(control, CONTROL.IN_FLIGHT_BYTES, skipped);
      Atomics.add(control, CONTROL.PUBLISHED, 1);
      used += skipped;
      this.head = 0;
    }
    return Math.min(size - this.head, size - used) >= need ? this.head + RING_PREFIX : -1;
  }

  /** Bytes of records waiting for the consumer (the room skipped by wraps not counted). */
  backlogBytes(): number {
    const control = this.control;
    return Atomics.load(control, CONTROL.IN_FLIGHT_BYTES) - Atomics.load(control, CONTROL.SKIPPED_BYTES);
  }

  /**
   * Publishes the `length` bytes written at `headroom` bytes past the offset reserve() gave (headroom at most
   * RING_MAX_HEADROOM), with receive `flags` (4 bits). Returns whether the consumer was asleep
   * (control[SLEEPING], now cleared): the caller then wakes it.
   */
  publish(length: number, headroom = 0, flags = 0): boolean {
    const control = this.control;
    const record = ringRecordBytes(length, headroom);
    this.words[this.head >>> 2] = ringRecordWord(length, headroom, flags);
    this.head += record;
    if (this.head === this.size) this.head = 0;
    Atomics.add(control, CONTROL.IN_FLIGHT_BYTES, record);
    Atomics.add(control, CONTROL.PUBLISHED, 1);
    return (
      Atomics.load(control, CONTROL.SLEEPING) === 1 &&
      Atomics.compareExchange(control, CONTROL.SLEEPING, 1, 0) === 1
    );
  }

  // ─── Consumer ────────────────────────────────────────────────────────────────────────────────────

  /** Starts a batch of the records published so far, at most `maxRecords` of them; false when there are none. */
  beginBatch(maxRecords = 0x7fffffff): boolean {
    const control = this.control;
    const published = Atomics.load(control, CONTROL.PUBLISHED);
    const waiting = (published - this.consumed) | 0;
    this.batchEnd = waiting > maxRecords ? (this.consumed + maxRecords) | 0 : published;
    Atomics.store(control, CONTROL.TAKEN_RECORDS, this.batchEnd);
    // A producer parked until this thread begins its next batch reads again now.
    Atomics.add(control, CONTROL.BATCHES_BEGUN, 1);
    if (Atomics.load(control, CONTROL.READER_PARKED) === 1) Atomics.notify(control, CONTROL.BATCHES_BEGUN, 1);
    this.taken = 0;
    this.skipped = 0;
    return waiting !== 0;
  }

  /**
   * The offset of the batch's next datagram (its length in `length`, its flags in `flags`), or -1 at the batch's end. Its bytes stay
   * valid until endBatch().
   */
  next(): number {
    const words = this.words;
    while (this.consumed !== this.batchEnd) {
      this.consumed = (this.consumed + 1) | 0;
      const tail = this.tail;
      const word = words[tail >>> 2]!;
      if (word === RING_WRAP) {
        this.taken += this.size - tail;
        this.skipped += this.size - tail;
        this.tail = 0;
        continue;
      }
      const length = word & RING_LENGTH_MASK;
      const headroom = (word >>> RING_HEADROOM_SHIFT) & 0xf;
      const record = ringRecordBytes(length, headroom);
      this.taken += record;
      this.tail = tail + record === this.size ? 0 : tail + record;
      this.length = length;
      this.flags = (word >>> RING_FLAGS_SHIFT) & 0xf;
      return tail + RING_PREFIX + headroom;
    }
    return -1;
  }

  /** Records published so far (a running count, wrapping at 2^32; wrap records included). */
  publishedRecords(): number {
    return Atomics.load(this.control, CONTROL.PUBLISHED);
  }

  /** Records the consumer has taken so far, on the same count: publishedRecords() once none wait. */
  consumedRecords(): number {
    return this.consumed;
  }

  /** Gives the room of the records taken since beginBatch back to the producer. */
  endBatch(): void {
    const taken = this.taken;
    const skipped = this.skipped;
    this.taken = 0;
    this.skipped = 0;
    if (taken === 0) return;
    // IN_FLIGHT_BYTES first: in between, the producer sees the backlog smaller rather than larger than it is
    // (a datagram admitted, not one dropped).
    Atomics.sub(this.control, CONTROL.IN_FLIGHT_BYTES, taken);
    if (skipped > 0) Atomics.sub(this.control, CONTROL.SKIPPED_BYTES, skipped);
    Atomics.add(this.control, CONTROL.CONSUMED_BYTES, taken - skipped);
  }

  /**
   * Sleeps (control[SLEEPING] = 1) unless a record is waiting; checked again after the flag is set, so that a
   * record published meanwhile is not left waiting for a wake-up the producer did not send. Returns whether
   * the consumer sleeps: false means records wait and the consumer is still awake.
   */
  sleep(): boolean {
    const control = this.control;
    if (Atomics.load(control, CONTROL.PUBLISHED) !== this.consumed) return false;
    Atomics.store(control, CONTROL.SLEEPING, 1);
    if (Atomics.load(control, CONTROL.PUBLISHED) === this.consumed) return true;
    // The producer either cleared the flag (and wakes us) or published before it was set: take the flag back.
    return Atomics.compareExchange(control, CONTROL.SLEEPING, 1, 0) !== 1;
  }
}
