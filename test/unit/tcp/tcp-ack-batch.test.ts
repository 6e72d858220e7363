/**
 * One ACK per read batch (tcp-ack-batch.ts): on a link that signals batch ends, the ACKs that in-order data
 * makes wait for the end of the batch and go out as one cumulative ACK; the ACKs that must go at once still
 * do; without batches, nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { ACK, bytes, FIN, IRS, ISS, PSH, TcpHarness } from './tcp-harness.js';

const MSS = 1460;

/** An established connection (the peer's MSS 1460) with the handshake's batch ended. */
function established(batches: boolean): { h: TcpHarness } {
  const h = new TcpHarness({ batches });
  h.established();
  if (batches) h.endBatch();
  return { h };
}

/** The peer sends `count` full-sized segments in order from RCV.NXT = IRS + 1 + `from` segments. */
function sendSegments(h: TcpHarness, count: number, from = 0): void {
  for (let i = from; i < from + count; i++) {
    h.send({ flags: ACK | PSH, seq: IRS + 1 + i * MSS, ack: ISS + 1, payload: bytes(MSS, i * MSS) });
  }
}

describe('TCP ACKs per read batch', () => {
  it('without batches, every second full-sized segment is ACKed at once, as before', () => {
    const { h } = established(false);
    sendSegments(h, 6);
    expect(h.recvAll().map((s) => s.ack - (IRS + 1))).toEqual([2 * MSS, 4 * MSS, 6 * MSS]);
  });

  it('in a batch, six full-sized segments get one ACK, at the end of the batch, for all of them', () => {
    const { h } = established(true);
    sendSegments(h, 6);
    h.recvNothing();
    h.endBatch();
    const acks = h.recvAll();
    expect(acks).toHaveLength(1);
    expect(acks[0]!.flags).toBe(ACK);
    expect(acks[0]!.ack - (IRS + 1)).toBe(6 * MSS);
    // The next batch: its own ACK; an empty batch end sends nothing.
    sendSegments(h, 2, 6);
    h.endBatch();
    expect(h.recvAll().map((s) => s.ack - (IRS + 1))).toEqual([8 * MSS]);
    h.endBatch();
    h.recvNothing();
    expect(h.tcp.stats().ackBatchFlushes).toBe(2);
  });

  it('a single segment in a batch still waits for the delayed-ACK timer, not the batch end', () => {
    const { h } = established(true);
    sendSegments(h, 1);
    h.endBatch();
    h.recvNothing();
    h.advance(h.config.delayedAckMs);
    expect(h.recvAll().map((s) => s.ack - (IRS + 1))).toEqual([MSS]);
  });

  it('a batch that never ends is ACKed by the delayed-ACK timer', () => {
    const { h } = established(true);
    sendSegments(h, 4);
    h.recvNothing();
    h.advance(h.config.delayedAckMs);
    expect(h.recvAll().map((s) => s.ack - (IRS + 1))).toEqual([4 * MSS]);
    h.endBatch();
    h.recvNothing();
  });

  it('an out-of-order segment is ACKed at once within a batch (the duplicate ACK), and the batch end adds none', () => {
    const { h } = established(true);
    sendSegments(h, 2);
    // Segment 3 skipped: segment 4 is out of order.
    sendSegments(h, 1, 3);
    const dup = h.recvAll();
    expect(dup).toHaveLength(1);
    expect(dup[0]!.ack - (IRS + 1)).toBe(2 * MSS);
    h.endBatch();
    h.recvNothing();
    // The hole filled: at once too.
    sendSegments(h, 1, 2);
    expect(h.recvAll().map((s) => s.ack - (IRS + 1))).toEqual([4 * MSS]);
  });

  it('a FIN is ACKed at once within a batch', () => {
    const { h } = established(true);
    sendSegments(h, 2);
    h.send({ flags: ACK | FIN, seq: IRS + 1 + 2 * MSS, ack: ISS + 1 });
    const acks = h.recvAll();
    expect(acks).toHaveLength(1);
    expect(acks[0]!.ack - (IRS + 1)).toBe(2 * MSS + 1);
    h.endBatch();
    h.recvNothing();
  });

  it('data we send in the batch carries the ACK, and the batch end sends no other', () => {
    const { h } = established(true);
    const conn = h.accepted[0]!;
    sendSegments(h, 2);
    h.recvNothing();
    conn.write(bytes(100));
    const out = h.recvAll();
    expect(out).toHaveLength(1);
    expect(out[0]!.payload.length).toBe(100);
    expect(out[0]!.ack - (IRS + 1)).toBe(2 * MSS);
    h.endBatch();
    h.recvNothing();
  });

  it('a window update made by a read during a batch goes with the one ACK of the batch', () => {
    const h = new TcpHarness({ batches: true, tcp: { receiveBufferSize: 16_384 } });
    const rec = h.established();
    rec.autoRead = false;
    h.endBatch();
    sendSegments(h, 10);
    h.endBatch();
    const first = h.recvAll();
    expect(first).toHaveLength(1);
    expect(first[0]!.window).toBe(16_384 - 10 * MSS);
    // The next batch: one more segment, and the application reads everything while the batch is delivered.
    sendSegments(h, 1, 10);
    rec.drain();
    h.recvNothing();
    h.endBatch();
    const second = h.recvAll();
    expect(second).toHaveLength(1);
    expect(second[0]!.ack - (IRS + 1)).toBe(11 * MSS);
    expect(second[0]!.window).toBe(16_384);
  });

  it('outside a batch, the window update goes at the end of the task (autocorking), as without batches', async () => {
    const h = new TcpHarness({ batches: true, tcp: { receiveBufferSize: 16_384 } });
    const rec = h.established();
    rec.autoRead = false;
    h.endBatch();
    sendSegments(h, 10);
    h.endBatch();
    h.recvAll();
    rec.drain();
    await Promise.resolve();
    const update = h.recvAll();
    expect(update).toHaveLength(1);
    expect(update[0]!.window).toBe(16_384);
  });
});
