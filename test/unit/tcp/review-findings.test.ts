/**
 * Findings of a review of pilha's TCP, one test each: every test failed before its fix, for the reason
 * its name gives. Where a condition needs gigabytes of traffic (sequence-number wrap), the test puts the
 * connection in the state that traffic would leave it in, by setting its send sequence variables.
 */
import { describe, expect, it } from 'vitest';
import { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import { type Seq, seq, seqAdd } from '../../../src/transport/tcp/wire/seq.js';
import {
  ACK,
  bytes,
  expectSegment,
  FIN,
  IRS,
  ISS,
  PLAIN_SYN,
  PSH,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

const MSS = 1460;

/** The send sequence variables as bulk traffic would leave them: everything up to `at` sent and acknowledged. */
function sentAndAcknowledgedUpTo(conn: TcpConnection, at: Seq): void {
  const c = (conn as unknown as { tcb: Record<string, Seq> }).tcb;
  c.sndUna = at;
  c.sndNxt = at;
  c.sndMax = at;
  c.sndWl2 = at;
}

describe('review findings', () => {
  it('RFC 9293 §3.10.7.3: a SYN-ACK carrying data and FIN closes the peer side (the FIN was marked past its place)', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: SYN | ACK | FIN, seq: IRS, ack: ISS + 1, options: PLAIN_SYN, payload: bytes(5) });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 + 5 + 1 });
    expect(stateOf(rec.conn)).toBe('CLOSE_WAIT');
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(5)));
    expect(rec.conn.readEnded).toBe(true);
  });

  it('sequence wrap: an ACK landing on ISS after 4 GiB is not taken for the ACK of our SYN (the send queue slipped a byte)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    // 2^32 − 11 bytes sent and acknowledged: SND.UNA is ten bytes short of ISS again.
    sentAndAcknowledgedUpTo(rec.conn, seq(ISS - 10));
    rec.conn.setNoDelay(true);
    rec.conn.write(bytes(20));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS - 10, payload: bytes(20) });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS }); // SND.UNA = ISS
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 10 }); // everything
    expect(rec.conn.stats()).toMatchObject({ sendQueue: 0, bytesAcked: 20 });
    h.recvNothing(); // before the fix: a stale byte went out as new data at ISS + 10
  });

  it('sequence wrap: fast retransmit still works after 2 GiB without loss (RFC 6582 `recover` went stale)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    const base = seq(ISS + 1 + 2 ** 31 + 5000);
    sentAndAcknowledgedUpTo(rec.conn, base);
    rec.conn.write(bytes(20 * MSS));
    expect(h.recvAll().length).toBe(3);
    h.send({ flags: ACK, seq: IRS + 1, ack: seqAdd(base, MSS) });
    expect(h.recvAll().length).toBe(2);
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seqAdd(base, MSS) });
    expect(rec.conn.stats().fastRetransmits).toBe(1);
    const out = h.recvAll(); // limited transmit's two new segments, then the retransmission
    expect(out.map((s) => s.seq)).toEqual([seqAdd(base, 5 * MSS), seqAdd(base, 6 * MSS), seqAdd(base, MSS)]);
    expectSegment(out[2]!, { flags: 'ACK', seq: seqAdd(base, MSS), payload: MSS });
  });

  it('RFC 6582 §3.2 step 3: a partial ACK deflates cwnd, so it releases no burst of new data', () => {
    const h = new TcpHarness({ tcp: { congestionControl: 'newreno' } }); // about NewReno's numbers
    const rec = h.established();
    rec.conn.write(bytes(40 * MSS));
    const seg = (i: number) => ISS + 1 + i * MSS;
    h.recvAll(); // 0, 1, 2
    for (let i = 1; i <= 4; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(i) }); // slow start: 3–10 out
    expect(h.recvAll().map((s) => s.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10].map(seg));
    // Segments 4 and 7 are lost: 5, 6, 8, 9 and 10 each bring a duplicate ACK. The first two send 11 and
    // 12 (limited transmit), the third retransmits 4.
    for (let i = 0; i < 5; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(4) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(11), seg(12), seg(4)]);
    // ssthresh = 7·MSS / 2 (the flight before limited transmit); cwnd = ssthresh + 3·MSS + 2·MSS.
    expect(rec.conn.stats()).toMatchObject({ ssthresh: 3.5 * MSS, cwnd: 8.5 * MSS });
    // The retransmitted 4 brings a partial ACK up to 7: 3·MSS acknowledged.
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(7) });
    // cwnd = 8.5 − 3 + 1 = 6.5·MSS with 6·MSS (7–12) in flight: the hole only, no new segment.
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(7)]);
    expect(rec.conn.stats().cwnd).toBe(6.5 * MSS);
  });

  it('RFC 1122 §4.2.2.13: destroy() with unread data sends a RST alone, not a FIN before it', () => {
    const h = new TcpHarness();
    const rec = h.established();
    const socket = new TcpSocket(rec.conn, { clock: h.clock });
    socket.on('error', () => {});
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(10) });
    h.advance(100);
    h.recvAll(); // the (delayed) ACK
    socket.destroy(); // nobody read the 10 bytes
    const out = h.recvAll();
    expect(out.length).toBe(1);
    expectSegment(out[0]!, { flags: 'RST|ACK', seq: ISS + 1, ack: IRS + 11 });
  });

  it('an orphaned connection facing a zero window gives up in the end, even when every probe is answered', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(100));
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101, window: 0 }); // all acknowledged; the window shuts
    rec.conn.write(bytes(100, 100));
    rec.conn.shutdown();
    rec.conn.release(); // the socket is gone
    for (let t = 0; t < 3 * 3_600_000 && stateOf(rec.conn) !== 'CLOSED'; t += 100) {
      h.advance(100);
      for (const _probe of h.recvAll()) h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101, window: 0 });
    }
    expect(stateOf(rec.conn)).toBe('CLOSED');
    expect(h.tcp.connections().length).toBe(0);
  });

  it("net.Socket semantics: a buffer reused once write()'s callback ran does not change the bytes sent", async () => {
    const h = new TcpHarness();
    const rec = h.established();
    const socket = new TcpSocket(rec.conn, { clock: h.clock });
    const buffer = Buffer.alloc(10 * MSS, 1);
    await new Promise<void>((resolve) => socket.write(buffer, () => resolve()));
    buffer.fill(2); // the writer's next block, read into the same buffer
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 3 * MSS });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 7 * MSS });
    const sent = h.recvAll();
    expect(sent.reduce((n, s) => n + s.payload.length, 0)).toBe(10 * MSS);
    for (const s of sent) expect(s.payload.every((b) => b === 1)).toBe(true);
    socket.destroy();
  });
});
