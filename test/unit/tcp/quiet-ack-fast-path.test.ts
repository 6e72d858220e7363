/**
 * The ACK of a segment while nothing of ours is outstanding (tcp-ack-processor.ts): a download's data
 * segments, the request long acknowledged, skip loss recovery and the timers, but the send window's
 * bookkeeping still follows them, and anything that may matter (new data acknowledged, a window change,
 * SACK blocks, data of ours waiting) takes the whole path.
 */
import { describe, expect, it } from 'vitest';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const SACK_SYN = { mss: 1460, sackPermitted: true };

describe('TCP ACK processing while nothing of ours is outstanding', () => {
  it('moves SND.WL1 with data segments, so an older segment cannot bring back a stale window', () => {
    const h = new TcpHarness();
    h.established(SACK_SYN, 20_000);
    const conn = h.accepted[0]!;
    // A request first (SACK recovery begins with the first data sent), acknowledged by the answer's first
    // segment; the answer's later segments then acknowledge nothing new.
    conn.write(bytes(10));
    expect(h.recv().payload.length).toBe(10);
    for (let i = 0; i < 3; i++) {
      h.send({
        flags: ACK,
        seq: IRS + 1 + i * 100,
        ack: ISS + 11,
        window: 20_000,
        payload: bytes(100, i * 100),
      });
    }
    h.advance(500); // the delayed ACK
    expect(h.recvAll().at(-1)!.ack).toBe(IRS + 301);
    // Overlaps what came and brings 50 new bytes, but starts before the last segment's SEG.SEQ: its window
    // is older than the one in force (RFC 9293 §3.10.7.4) and must not replace it.
    h.send({ flags: ACK, seq: IRS + 151, ack: ISS + 11, window: 0, payload: bytes(200, 150) });
    h.advance(500); // the delayed ACK
    expect(h.recvAll().at(-1)!.ack).toBe(IRS + 351);
    expect(conn.stats().sndWnd).toBe(20_000);
    // A newer segment's window is taken, a zero one included.
    h.send({ flags: ACK, seq: IRS + 351, ack: ISS + 11, window: 0, payload: bytes(10, 350) });
    expect(conn.stats().sndWnd).toBe(0);
    expect(conn.stats().dupAcks ?? 0).toBe(0);
  });

  it('still frees the send queue and restarts nothing when the ACK acknowledges data, then goes quiet', () => {
    const h = new TcpHarness();
    h.established(SACK_SYN);
    const conn = h.accepted[0]!;
    conn.write(bytes(500));
    expect(h.recv().payload.length).toBe(500);
    // The peer's answer acknowledges our data: the ordinary path frees it.
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 501, payload: bytes(100) });
    expect(conn.writeQueued).toBe(0);
    // Then only its data: taken, acknowledged, our queue still empty, no retransmission ever.
    for (let i = 1; i < 20; i++)
      h.send({ flags: ACK, seq: IRS + 1 + i * 100, ack: ISS + 501, payload: bytes(100, i * 100) });
    h.advance(500); // the delayed ACK
    expect(h.recvAll().at(-1)!.ack).toBe(IRS + 2001);
    h.advance(5_000);
    expect(h.recvAll().every((s) => s.payload.length === 0)).toBe(true);
    expect(conn.stats().retransmitted ?? 0).toBe(0);
  });
});
