/**
 * Over a link that offloads segmentation, a burst that is the whole flight leaves as one super-segment, which
 * the peer acknowledges once. Once the connection has lost something, such a burst goes as two halves, so
 * that one lost ACK does not leave nothing to clock the next send until the probe timeout. On a clean
 * path it stays one super-segment.
 */
import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const MSS = 1000;
const SYN_OPTIONS = { mss: MSS + 12, sackPermitted: true, timestamp: { value: 500, echo: 0 } };
/** The batcher flushes a pending super-segment from a microtask. */
const microtask = () => Promise.resolve();

function setup() {
  const h = new TcpHarness({ segmenting: true });
  const rec = h.established(SYN_OPTIONS, 65_535, 1);
  let tsval = 501;
  /** The peer's ACK of everything up to `ackBytes` data bytes, with SACK blocks of [from, to) data bytes. */
  const ack = (ackBytes: number, sack: [number, number][] = []) =>
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1 + ackBytes,
      options: {
        timestamp: { value: tsval++, echo: 1 },
        ...(sack.length > 0
          ? { sack: sack.map(([l, r]) => ({ left: seq(ISS + 1 + l), right: seq(ISS + 1 + r) })) }
          : {}),
      },
    });
  return { h, rec, ack, link: h.segmenting! };
}

describe('a whole flight over a segmentation-offload link', () => {
  it('goes as one super-segment on a clean path, as two halves once the connection has lost a segment', async () => {
    const { h, rec, ack, link } = setup();
    rec.conn.write(bytes(300 * MSS));
    let acked = 0;
    /** Data bytes sent so far (the end of the highest segment). */
    let sent = 0;
    /** The segments the stack sends now (new or again), after the batcher's microtask. */
    const flight = async () => {
      await microtask();
      const segments = h.recvAll().filter((s) => s.payload.length > 0);
      for (const s of segments) sent = Math.max(sent, s.seq - (ISS + 1) + s.payload.length);
      return segments.length;
    };
    // Slow start, each flight acknowledged as a whole 1 ms later: each leaves as one super-segment.
    for (let round = 0; round < 4; round++) {
      const n = await flight();
      expect(link.segmentCounts.at(-1)).toBe(n);
      h.advance(1);
      acked = sent;
      ack(acked);
    }
    expect(rec.conn.counters().fastRetransmits).toBe(0);
    // The next flight's first segment is lost: the SACK of the rest makes RACK retransmit it.
    const lossy = await flight();
    expect(lossy).toBeGreaterThanOrEqual(8);
    h.advance(1);
    ack(acked, [[acked + MSS, acked + lossy * MSS]]);
    expect(rec.conn.counters().fastRetransmits).toBe(1);
    await flight(); // the retransmission, and new data as the recovery allows
    h.advance(1);
    acked = sent;
    const before = link.segmentCounts.length;
    ack(acked);
    // The recovery over, nothing in flight: the burst the window allows goes as two halves.
    const n = await flight();
    expect(n).toBeGreaterThanOrEqual(4);
    const counts = link.segmentCounts.slice(before);
    expect(counts).toEqual([Math.floor(n / 2), n - Math.floor(n / 2)]);
  });
});
