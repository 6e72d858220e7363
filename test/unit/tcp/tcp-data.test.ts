import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import {
  ACK,
  bytes,
  expectSegment,
  FIN,
  IRS,
  ISS,
  PLAIN_SYN,
  PSH,
  Recorder,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

const MSS = 1460;

describe('receiving data (ESTABLISHED)', () => {
  it('delays the ACK of one segment, ACKs every second full-sized one at once', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(MSS) });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1 + MSS, ack: ISS + 1, payload: bytes(MSS, MSS) });
    expectSegment(h.recv(), {
      flags: 'ACK',
      seq: ISS + 1,
      ack: IRS + 1 + 2 * MSS,
      window: 65_535,
      payload: 0,
    });
    h.send({ flags: ACK | PSH, seq: IRS + 1 + 2 * MSS, ack: ISS + 1, payload: bytes(10, 2 * MSS) });
    h.advance(39);
    h.recvNothing();
    h.advance(1);
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 2 * MSS + 10 });
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(2 * MSS + 10)));
    expect(rec.conn.stats()).toMatchObject({ bytesReceived: 2 * MSS + 10, segmentsReceived: 4 });
  });

  it('ACKs out-of-order data at once (a duplicate ACK), and the segment that fills the hole at once', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: ACK, seq: IRS + 1 + 1000, ack: ISS + 1, payload: bytes(500, 1000) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    h.send({ flags: ACK, seq: IRS + 1 + 2000, ack: ISS + 1, payload: bytes(500, 2000) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    expect(rec.received.length).toBe(0);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(1000) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 1500 });
    h.send({ flags: ACK, seq: IRS + 1 + 1500, ack: ISS + 1, payload: bytes(500, 1500) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 2500 });
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(2500)));
    expect(rec.conn.stats().outOfOrderReceived).toBe(2);
  });

  it('discards duplicate data and ACKs it at once; takes the new part of an overlapping segment', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(MSS) });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(MSS) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + MSS });
    h.send({ flags: ACK, seq: IRS + 1 + 1000, ack: ISS + 1, payload: bytes(1000, 1000) });
    h.advance(40);
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 2000 });
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(2000)));
  });

  it('takes the segment at RCV.NXT even when the out-of-order queue is full', () => {
    const h = new TcpHarness({ tcp: { maxOutOfOrderRanges: 2 } });
    const rec = h.established();
    h.send({ flags: ACK, seq: IRS + 1 + 200, ack: ISS + 1, payload: bytes(100, 200) });
    h.send({ flags: ACK, seq: IRS + 1 + 400, ack: ISS + 1, payload: bytes(100, 400) });
    h.send({ flags: ACK, seq: IRS + 1 + 600, ack: ISS + 1, payload: bytes(100, 600) }); // no room: dropped
    expect(h.recvAll().map((s) => s.ack)).toEqual([IRS + 1, IRS + 1, IRS + 1].map((n) => seq(n)));
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(200) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 300 });
    h.send({ flags: ACK, seq: IRS + 1 + 300, ack: ISS + 1, payload: bytes(100, 300) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 500 });
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(500)));
    expect(rec.conn.stats()).toMatchObject({ outOfOrderReceived: 2, outOfOrderDropped: 1 });
  });

  it('a FIN that arrives before the data before it waits for that data', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: ACK | FIN, seq: IRS + 1 + 100, ack: ISS + 1, payload: bytes(50, 100) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(100) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 150 + 1 });
    expect(stateOf(rec.conn)).toBe('CLOSE_WAIT');
    expect(rec.conn.readEnded).toBe(true);
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(150)));
  });

  it('advertises free buffer space, closes the window on an application that does not read, reopens it', async () => {
    const h = new TcpHarness({ tcp: { receiveBufferSize: 4000 } });
    const synAck = h.synReceived();
    expect(synAck.window).toBe(4000);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    const rec = new Recorder(h.accepted[0]!);
    rec.autoRead = false;
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(MSS) });
    h.send({ flags: ACK, seq: IRS + 1 + MSS, ack: ISS + 1, payload: bytes(MSS, MSS) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 2 * MSS, window: 4000 - 2 * MSS });
    h.send({ flags: ACK, seq: IRS + 1 + 2 * MSS, ack: ISS + 1, payload: bytes(1080, 2 * MSS) });
    h.advance(40);
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 4000, window: 0 });
    // Beyond the window: not accepted, ACKed with the zero window.
    h.send({ flags: ACK, seq: IRS + 1 + 4000, ack: ISS + 1, payload: bytes(1, 4000) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 4000, window: 0 });
    // A zero-window probe (old sequence number) gets the same answer.
    h.send({ flags: ACK, seq: IRS + 4000, ack: ISS + 1 });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 4000, window: 0 });
    // The application reads: one window update goes out, at the end of the task (an answer written in it
    // would have carried it).
    rec.drain();
    rec.conn.readDone();
    h.recvNothing();
    await Promise.resolve();
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 + 4000, window: 4000 });
    h.recvNothing();
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(4000)));
  });

  it('with a zero window, still takes the ACK of a segment at RCV.NXT', () => {
    const h = new TcpHarness({ tcp: { receiveBufferSize: 1000 } });
    h.synReceived({ mss: 1000 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    const rec = new Recorder(h.accepted[0]!);
    rec.autoRead = false;
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(1000) });
    h.advance(40);
    expectSegment(h.recv(), { flags: 'ACK', window: 0 });
    rec.conn.write(bytes(10));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 10 });
    h.send({ flags: ACK, seq: IRS + 1 + 1000, ack: ISS + 11, payload: bytes(5) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1001, window: 0 });
    expect(rec.conn.stats().bytesAcked).toBe(10);
  });

  it('sequence numbers wrap past 2^32 mid-transfer, both ways', () => {
    const iss = 2 ** 32 - 3000;
    const irs = 2 ** 32 - 2000;
    const h = new TcpHarness({ iss });
    h.listen();
    h.send({ flags: SYN, seq: irs, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: iss, ack: irs + 1 });
    h.send({ flags: ACK, seq: irs + 1, ack: iss + 1 });
    const rec = new Recorder(h.accepted[0]!);
    // Receive 6000 bytes across the wrap of RCV.NXT.
    for (let off = 0; off < 6000; off += 1000) {
      h.send({ flags: ACK, seq: irs + 1 + off, ack: iss + 1, payload: bytes(1000, off) });
    }
    h.advance(40);
    const acks = h.recvAll();
    expect(acks.at(-1)!.ack).toBe(seq(irs + 1 + 6000));
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(6000)));
    // Send 6000 bytes across the wrap of SND.NXT, ACKed piece by piece.
    rec.conn.setNoDelay(true);
    rec.conn.write(bytes(6000));
    let acked = 0;
    const sent: number[] = [];
    for (let round = 0; round < 10 && acked < 6000; round++) {
      for (const s of h.recvAll()) {
        expect(Array.from(s.payload)).toEqual(Array.from(bytes(s.payload.length, (s.seq - (iss + 1)) >>> 0)));
        sent.push(s.payload.length);
        acked = ((s.seq + s.payload.length - (iss + 1)) >>> 0) as number;
      }
      h.send({ flags: ACK, seq: irs + 6001, ack: iss + 1 + acked });
    }
    expect(sent.reduce((a, b) => a + b, 0)).toBe(6000);
    expect(rec.conn.stats()).toMatchObject({ bytesAcked: 6000, retransmitted: 0, sendQueue: 0 });
  });
});

describe('sending data (ESTABLISHED)', () => {
  it('segments at the MSS within the initial congestion window (RFC 3390: 3 × 1460)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(5000));
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1, payload: bytes(MSS) });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1 + MSS, payload: MSS });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1 + 2 * MSS, payload: MSS });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 3 * MSS });
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1 + 3 * MSS, payload: bytes(620, 3 * MSS) });
  });

  it('restarts from the initial window after sending nothing for longer than one RTO (RFC 5681 §4.1)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.setNoDelay(true);
    // Grow cwnd past the initial window: 3 segments, then 4 after their ACK (slow start: +1 SMSS per ACK).
    rec.conn.write(bytes(7 * MSS));
    for (let i = 0; i < 3; i++) h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 3 * MSS });
    for (let i = 0; i < 4; i++) h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 7 * MSS });
    h.recvNothing();
    const grown = rec.conn.stats().cwnd;
    expect(grown).toBe(5 * MSS);
    // Idle for less than one RTO: no restart.
    h.advance(100);
    rec.conn.write(bytes(2 * MSS, 1));
    h.recv();
    h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 9 * MSS });
    expect(rec.conn.stats().idleRestarts).toBe(0);
    expect(rec.conn.stats().cwnd).toBeGreaterThanOrEqual(grown);
    // Idle for longer than one RTO: back to the initial window of 3 segments, ssthresh kept.
    h.advance(rec.conn.stats().rto + 1);
    rec.conn.write(bytes(6 * MSS, 2));
    for (let i = 0; i < 3; i++)
      expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1 + (9 + i) * MSS, payload: MSS });
    h.recvNothing();
    expect(rec.conn.stats()).toMatchObject({ cwnd: 3 * MSS, idleRestarts: 1 });
  });

  it('respects the peer window', () => {
    const h = new TcpHarness();
    const rec = h.established(PLAIN_SYN, 1000);
    rec.conn.setNoDelay(true);
    rec.conn.write(bytes(3000));
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, payload: 1000 });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1001, window: 1500 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1001, payload: 1460 });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 2461, window: 65_535 });
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 2461, payload: 540 });
  });

  it('Nagle holds a short segment while data is unacknowledged; setNoDelay sends at once', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(100));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    rec.conn.write(bytes(100, 100));
    rec.conn.write(bytes(100, 200));
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 101, payload: bytes(200, 100) });
    rec.conn.setNoDelay(true);
    rec.conn.write(bytes(1, 300));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 301, payload: 1 });
  });

  for (const [name, syn] of [
    ['without SACK', PLAIN_SYN],
    ['with SACK', { mss: 1460, sackPermitted: true }],
  ] as const) {
    it(`Nagle as Minshall (${name}): a short tail after full-sized segments goes at once, the next waits for it`, () => {
      const h = new TcpHarness();
      const rec = h.established(syn);
      // Held for the full segment's ACK, the tail met the peer's delayed ACK of a lone segment (40 ms).
      rec.conn.write(bytes(1460 + 300));
      expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, payload: 1460 });
      expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1461, payload: 300 });
      // A short segment is now unacknowledged: the next short write waits, even once the full one is ACKed.
      rec.conn.write(bytes(100, 1760));
      h.recvNothing();
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1461 });
      h.recvNothing();
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1761 });
      expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1761, payload: bytes(100, 1760) });
    });
  }

  it('probes a zero window with exponential backoff until it opens', () => {
    const h = new TcpHarness();
    const rec = h.established(PLAIN_SYN, 0);
    expect(rec.conn.stats().rto).toBe(200);
    rec.conn.write(bytes(100));
    h.recvNothing();
    const probes: number[] = [];
    for (let t = 0; t < 3100; t++) {
      h.advance(1);
      for (const s of h.recvAll()) {
        // Like Linux: an old sequence number, no data; the peer must answer with its window.
        expectSegment(s, { flags: 'ACK', seq: ISS, ack: IRS + 1, payload: 0 });
        probes.push(h.clock.now());
        h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, window: 0 });
      }
    }
    expect(probes).toEqual([200, 600, 1400, 3000]);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, window: 500 });
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: bytes(100) });
    expect(rec.conn.stats().retransmitted).toBe(0);
  });
});
