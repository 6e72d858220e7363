import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';
import { SEND_RING_INITIAL_BYTES } from '../../../src/transport/tcp/send/send-ring.js';
import { SendRingPool } from '../../../src/transport/tcp/send/send-ring-pool.js';

const K = 1024;

/** The byte at stream offset i of writer `w`. */
const byteAt = (w: number, i: number) => (i * 31 + w * 7 + (i >>> 9)) & 0xff;

function written(w: number, from: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = byteAt(w, from + i);
  return out;
}

function holds(q: SendBuffer, w: number, from: number): boolean {
  const out = new Uint8Array(q.size);
  q.copyTo(0, q.size, out, 0);
  return Buffer.from(out).equals(Buffer.from(written(w, from, q.size)));
}

/** Writes `total` bytes of writer `w` into `q` in 64 KiB chunks, adopting each (the writer then reuses it). */
function bulkWrite(q: SendBuffer, w: number, from: number, total: number): void {
  for (let at = from; at < from + total; at += 64 * K) {
    const chunk = written(w, at, 64 * K);
    q.push(chunk);
    q.adopt();
    chunk.fill(0);
  }
}

describe('SendRingPool', () => {
  it('hands a released ring to the next bulk writer, from the next turn of the event loop on', async () => {
    const pool = new SendRingPool(new VirtualClock());
    const a = new SendBuffer(1024 * K, undefined, 1024 * K, pool);
    bulkWrite(a, 1, 0, 1024 * K);
    expect(a.ringBytes).toBe(1024 * K);
    const allocatedByA = a.ringAllocations;
    a.acknowledge(1024 * K); // everything acknowledged: the ring goes back
    expect(a.ringBytes).toBe(0);

    // Same turn: nobody may take it yet (a super-segment pending in the batcher may still read it).
    const early = new SendBuffer(1024 * K, undefined, 1024 * K, pool);
    bulkWrite(early, 2, 0, 64 * K);
    expect(early.ringAllocations).toBe(1);
    expect(pool.reused).toBe(0);

    await nextTurn();
    expect(pool.heldBytes).toBe(1024 * K);
    const b = new SendBuffer(1024 * K, undefined, 1024 * K, pool);
    bulkWrite(b, 3, 0, 512 * K);
    // The pooled ring at its full size, not a 256 KiB one grown by doubling: nothing allocated.
    expect(b.ringAllocations).toBe(0);
    expect(b.ringBytes).toBe(1024 * K);
    expect(pool.reused).toBe(1);
    expect(pool.heldBytes).toBe(0);
    expect(holds(b, 3, 0)).toBe(true);
    expect(allocatedByA).toBeGreaterThan(1);
  });

  it('keeps every queue’s bytes intact while rings move between queues (writes, ACKs, resets)', async () => {
    const pool = new SendRingPool(new VirtualClock(), 4 * 1024 * K);
    const queues = [0, 1, 2].map(() => ({
      q: new SendBuffer(768 * K, undefined, 768 * K, pool),
      end: 0,
      acked: 0,
    }));
    for (let round = 0; round < 60; round++) {
      for (let w = 0; w < queues.length; w++) {
        const s = queues[w]!;
        const step = (round * 7 + w * 13) % 5;
        if (step === 4) {
          s.q.clear(); // a reset: the ring goes back with bytes never acknowledged
          s.acked = s.end;
        } else if (step === 3) {
          s.q.acknowledge(s.q.size); // all acknowledged: released
          s.acked = s.end;
        } else {
          if (s.q.size < 512 * K) {
            bulkWrite(s.q, w, s.end, 128 * K);
            s.end += 128 * K;
          }
          const n = Math.floor(s.q.size / (step + 2));
          s.q.acknowledge(n);
          s.acked += n;
        }
        expect(s.q.size).toBe(s.end - s.acked);
      }
      for (let w = 0; w < queues.length; w++) expect(holds(queues[w]!.q, w, queues[w]!.acked)).toBe(true);
      if (round % 3 === 0) await nextTurn();
    }
    expect(pool.reused).toBeGreaterThan(5);
  });

  it('keeps at most maxBytes and drops a ring nobody took within idleMs', async () => {
    const clock = new VirtualClock();
    const pool = new SendRingPool(clock, 3 * SEND_RING_INITIAL_BYTES, 2_000);
    for (let i = 0; i < 4; i++) pool.give(new Uint8Array(SEND_RING_INITIAL_BYTES));
    await nextTurn();
    expect(pool.heldBytes).toBe(3 * SEND_RING_INITIAL_BYTES);
    expect(pool.dropped).toBe(1);
    clock.advance(1_000);
    pool.give(new Uint8Array(2 * SEND_RING_INITIAL_BYTES)); // over the bound: dropped
    expect(pool.take(SEND_RING_INITIAL_BYTES, 4 * SEND_RING_INITIAL_BYTES)?.length).toBe(
      SEND_RING_INITIAL_BYTES,
    );
    await nextTurn();
    expect(pool.heldBytes).toBe(2 * SEND_RING_INITIAL_BYTES);
    expect(pool.dropped).toBe(2);
    // Only rings within the asked range: none is large enough.
    expect(pool.take(2 * SEND_RING_INITIAL_BYTES, 8 * SEND_RING_INITIAL_BYTES)).toBeUndefined();
    clock.advance(1_001);
    expect(pool.heldBytes).toBe(0);
    expect(pool.dropped).toBe(4);
    expect(clock.pendingTimers).toBe(0);
  });

  it('takes the largest ring in range', async () => {
    const pool = new SendRingPool(new VirtualClock());
    pool.give(new Uint8Array(SEND_RING_INITIAL_BYTES));
    pool.give(new Uint8Array(4 * SEND_RING_INITIAL_BYTES));
    pool.give(new Uint8Array(2 * SEND_RING_INITIAL_BYTES));
    await nextTurn();
    expect(pool.take(SEND_RING_INITIAL_BYTES, 2 * SEND_RING_INITIAL_BYTES)?.length).toBe(
      2 * SEND_RING_INITIAL_BYTES,
    );
    expect(pool.take(SEND_RING_INITIAL_BYTES, 8 * SEND_RING_INITIAL_BYTES)?.length).toBe(
      4 * SEND_RING_INITIAL_BYTES,
    );
    expect(pool.take(SEND_RING_INITIAL_BYTES, 8 * SEND_RING_INITIAL_BYTES)?.length).toBe(
      SEND_RING_INITIAL_BYTES,
    );
    expect(pool.take(1, 8 * SEND_RING_INITIAL_BYTES)).toBeUndefined();
  });
});
