/**
 * A super-segment waits in the batcher until the end of the task. An ACK that comes first (retransmissions
 * that reordered originals made needless) frees its bytes: the batcher drops it unsent. TCP had counted its
 * segments sent; the layer's stats count them again in segmentsAbandoned, so that segmentsSent and what
 * reached the wire can be told apart.
 */
import { describe, expect, it } from 'vitest';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const MSS = 1000;
const microtask = () => Promise.resolve();
const seg = (i: number) => ISS + 1 + i * MSS;

describe('segments an ACK made needless before they were written', () => {
  it('are counted in segmentsAbandoned beside segmentsSent, and never reach the link', async () => {
    const h = new TcpHarness({ segmenting: true });
    const rec = h.established({ mss: MSS, sackPermitted: true }, 65_535, 1);
    rec.conn.write(bytes(3 * MSS));
    // The three segments wait in the batcher for the end of the task; an ACK of all of them comes first.
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(3) });
    await microtask();
    expect(h.recvAll().filter((s) => s.payload.length > 0)).toHaveLength(0);
    expect(h.tcp.stats()).toMatchObject({ segmentsAbandoned: 3 });
    expect(rec.conn.counters().segmentsSent).toBeGreaterThanOrEqual(3);
  });
});
