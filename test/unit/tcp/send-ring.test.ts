import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';
import {
  SEND_RING_INITIAL_BYTES,
  SEND_RING_MIN_COPY,
  SendRing,
} from '../../../src/transport/tcp/send/send-ring.js';

const K = 1024;

/** The byte at stream offset i (what a writer wrote there). */
const byteAt = (i: number) => (i * 31 + (i >>> 9)) & 0xff;

/** A writer's chunk for stream offsets [from, from + n), in a buffer of its own it will reuse. */
function written(from: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = byteAt(from + i);
  return out;
}

/** Whether the queue holds exactly the stream's bytes [from, from + size). */
function holds(q: SendBuffer, from: number): boolean {
  return Buffer.from(contents(q)).equals(Buffer.from(written(from, q.size)));
}

/** The queue's bytes, read back. */
function contents(q: SendBuffer): Uint8Array {
  const out = new Uint8Array(q.size);
  q.copyTo(0, q.size, out, 0);
  return out;
}

describe('SendRing', () => {
  it('places copies end to end, wraps behind the oldest live byte, and grows when none fits', () => {
    const ring = new SendRing(1024 * K);
    const a = ring.take(100 * K, -1)!;
    expect(ring.allocations).toBe(1);
    expect(ring.buffer.length).toBe(SEND_RING_INITIAL_BYTES);
    expect(a.byteOffset).toBe(0);
    const b = ring.take(100 * K, 0)!;
    expect(b.byteOffset).toBe(100 * K);
    // 56 KiB left at the end: 64 KiB wraps to the start once the first 64 KiB are free.
    expect(ring.take(64 * K, 64 * K)!.byteOffset).toBe(0);
    // Live from 64 KiB on and written up to 64 KiB: full; the ring doubles.
    const d = ring.take(32 * K, 64 * K)!;
    expect(ring.allocations).toBe(2);
    expect(ring.buffer.length).toBe(2 * SEND_RING_INITIAL_BYTES);
    expect(d.byteOffset).toBe(0);
    expect(ring.take(SEND_RING_MIN_COPY - 1, -1)).toBeUndefined();
  });

  it('never grows past the queue’s capacity: a copy that fits nowhere gets undefined', () => {
    const ring = new SendRing(SEND_RING_INITIAL_BYTES);
    expect(ring.take(200 * K, -1)).toBeDefined();
    expect(ring.take(100 * K, 0)).toBeUndefined();
    expect(ring.allocations).toBe(1);
  });
});

describe('SendBuffer.adopt into its ring', () => {
  it('reuses the ring as ACKs free it: one allocation for a long bulk transfer, and a segment across writes is one view', () => {
    const q = new SendBuffer(512 * K);
    let end = 0;
    let acked = 0;
    for (let round = 0; round < 64; round++) {
      while (q.size < 384 * K) {
        const chunk = written(end, 64 * K);
        q.push(chunk);
        q.adopt();
        chunk.fill(0); // the writer reuses its buffer once its callback ran
        end += 64 * K;
      }
      const n = 100 * K + round;
      q.acknowledge(n);
      acked += n;
    }
    expect(q.size).toBe(end - acked);
    expect(holds(q, acked)).toBe(true);
    expect(q.adoptedBytes).toBe(end);
    // One ring, grown once (256 KiB, then 512 KiB), reused for the whole transfer.
    expect(q.ringAllocations).toBe(2);
    // Copies lie end to end: a segment across the end of one write and the start of the next is one view.
    let across = 0;
    for (let boundary = Math.ceil(acked / (64 * K)) * 64 * K; boundary < end; boundary += 64 * K) {
      if (boundary - acked >= 1000 && q.peek(boundary - acked - 1000, 2000) !== undefined) across++;
    }
    expect(across).toBeGreaterThan(0);
  });

  it('never overwrites a byte still queued (any writes, adopts and ACKs)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ write: fc.integer({ min: 1, max: 150 * K }) }),
            fc.record({ ack: fc.double({ min: 0, max: 1, noNaN: true }) }),
            fc.constant({ adopt: true }),
          ),
          { minLength: 10, maxLength: 50 },
        ),
        (ops) => {
          const q = new SendBuffer(600 * K);
          let end = 0;
          let acked = 0;
          const pending: Uint8Array[] = [];
          for (const op of ops) {
            if ('write' in op) {
              const chunk = written(end, op.write);
              q.push(chunk);
              pending.push(chunk);
              end += op.write;
            } else if ('ack' in op) {
              const n = Math.floor(op.ack * q.size);
              q.acknowledge(n);
              acked += n;
            } else {
              q.adopt();
              for (const chunk of pending) chunk.fill(0xee);
              pending.length = 0;
            }
            // The writer's bytes not yet adopted are still its own and intact; all others are the queue's.
            expect(q.size).toBe(end - acked);
            expect(holds(q, acked)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
