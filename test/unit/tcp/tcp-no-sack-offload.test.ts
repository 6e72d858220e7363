/**
 * Without SACK, over a link that offloads segmentation. The peer (the kernel behind a TUN device) receives a
 * super-segment as one packet and answers a packet past a hole with one duplicate ACK, however many segments
 * it holds. So a window goes in at least four writes, and from the first duplicate ACK until recovery ends
 * one segment per write, limited transmit (RFC 3042) included: fast retransmit gets its three duplicates.
 * Before, a kernel peer without SACK at 2% loss drew 276 timeouts and 20 fast retransmits in 60 s.
 */
import { describe, expect, it } from 'vitest';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const MSS = 1000;
/** No SACK-permitted, no window scaling: the peer of a kernel with tcp_sack=0 and tcp_window_scaling=0. */
const SYN_OPTIONS = { mss: MSS };
/** The batcher flushes a pending super-segment from a microtask. */
const microtask = () => Promise.resolve();
const seg = (i: number) => ISS + 1 + i * MSS;

function setup(window = 65_535) {
  const h = new TcpHarness({ segmenting: true, tcp: { congestionControl: 'newreno' } });
  const rec = h.established(SYN_OPTIONS, window, 1);
  const ack = (ackSegments: number) => h.send({ flags: ACK, seq: IRS + 1, ack: seg(ackSegments), window });
  /** Super-segments already counted by flight(). */
  let seen = 0;
  /** The data segments sent since the last call (after the batcher's microtask), and the writes they went in. */
  const flight = async () => {
    await microtask();
    const segments = h.recvAll().filter((s) => s.payload.length > 0);
    const counts = h.segmenting!.segmentCounts;
    const writes = counts.slice(seen);
    seen = counts.length;
    // A lone segment is sent as the ordinary segment it is, not through segmentation.
    const total = writes.reduce((a, b) => a + b, 0);
    return {
      seqs: segments.map((s) => s.seq),
      writes: [...writes, ...Array(segments.length - total).fill(1)],
    };
  };
  return { h, rec, ack, flight };
}

describe('TCP without SACK on a segmentation-offload link', () => {
  it('a window goes in at least four writes, each at most a quarter of it', async () => {
    const { rec, ack, flight } = setup();
    rec.conn.write(bytes(400 * MSS));
    let acked = 0;
    let checked = 0;
    for (let round = 0; round < 8; round++) {
      const cwnd = rec.conn.stats().cwnd;
      const { seqs, writes } = await flight();
      if (seqs.length >= 8) {
        expect(writes.length).toBeGreaterThanOrEqual(4);
        const quarter = Math.max(1, Math.floor(Math.min(cwnd, 65_535) / (4 * MSS)));
        for (const n of writes) expect(n).toBeLessThanOrEqual(quarter);
        checked++;
      }
      acked += seqs.length;
      ack(acked);
    }
    expect(checked).toBeGreaterThanOrEqual(3); // slow start reached windows of 8 segments and more
    expect(rec.conn.counters().fastRetransmits).toBe(0);
  });

  it('a window the peer limits (8 segments) goes in writes of 2 however large cwnd is', async () => {
    const { rec, ack, flight } = setup(8 * MSS);
    rec.conn.write(bytes(400 * MSS));
    let acked = 0;
    let last: number[] = [];
    for (let round = 0; round < 8; round++) {
      const { seqs, writes } = await flight();
      last = writes;
      acked += seqs.length;
      ack(acked);
    }
    expect(rec.conn.stats().cwnd).toBeGreaterThan(8 * MSS);
    expect(last).toEqual([2, 2, 2, 2]);
  });

  it('from the first duplicate ACK, one segment per write: limited transmit, the retransmission, recovery', async () => {
    const { h, rec, ack, flight } = setup();
    rec.conn.write(bytes(400 * MSS));
    let acked = 0;
    for (let round = 0; round < 4; round++) {
      const { seqs } = await flight();
      acked += seqs.length;
      ack(acked);
    }
    const { seqs } = await flight();
    const highest = acked + seqs.length; // segments [acked, highest) are out; the first of them is lost
    expect(seqs.length).toBeGreaterThanOrEqual(8);
    ack(acked); // the first duplicate: one new segment, alone
    expect(await flight()).toEqual({ seqs: [seg(highest)], writes: [1] });
    ack(acked); // the second
    expect(await flight()).toEqual({ seqs: [seg(highest + 1)], writes: [1] });
    ack(acked); // the third: the retransmission
    expect(await flight()).toEqual({ seqs: [seg(acked)], writes: [1] });
    expect(rec.conn.counters().fastRetransmits).toBe(1);
    // Recovery's inflation lets new segments out, each alone.
    let sentInRecovery = 0;
    for (let i = 0; i < seqs.length; i++) {
      ack(acked);
      const more = await flight();
      for (const n of more.writes) expect(n).toBe(1);
      sentInRecovery += more.seqs.length;
    }
    expect(sentInRecovery).toBeGreaterThan(0);
    // The full ACK ends recovery: super-segments again once the window allows.
    h.advance(1);
    ack(highest + 2 + sentInRecovery);
    let batched = false;
    for (let round = 0; round < 6 && !batched; round++) {
      const next = await flight();
      batched = next.writes.some((n) => n > 1);
      acked = next.seqs.length === 0 ? acked : (next.seqs.at(-1)! - (ISS + 1)) / MSS + 1;
      ack(acked);
    }
    expect(batched).toBe(true);
    expect(rec.conn.counters()).toMatchObject({ fastRetransmits: 1, timeouts: 0 });
  });
});
