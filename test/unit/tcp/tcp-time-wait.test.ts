/**
 * TIME_WAIT as a compact record (tcp-time-wait.ts): a connection whose socket is gone leaves TIME_WAIT to the
 * layer's record and closes; the record answers every segment as the whole connection in TIME_WAIT does,
 * which the tests check by playing the same segments to both.
 */
import { describe, expect, it } from 'vitest';
import { TcpState } from '../../../src/transport/tcp/connection/tcp-state.js';
import type { TcpOptions, TcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  expectSegment,
  FIN,
  IRS,
  ISS,
  type Recorder,
  RST,
  type SegmentSpec,
  SYN,
  TcpHarness,
} from './tcp-harness.js';

const TS_SYN: TcpOptions = { mss: 1460, timestamp: { value: 100, echo: 0 } };

/** TIME_WAIT after our FIN, with the socket released first (orphaned) or not. */
function timeWait(
  orphaned: boolean,
  timestamps: boolean,
  harness?: TcpHarness,
): { h: TcpHarness; rec: Recorder } {
  const h = harness ?? new TcpHarness();
  const ts = (value: number) => (timestamps ? { options: { timestamp: { value, echo: 0 } } } : {});
  const rec = h.established(timestamps ? TS_SYN : { mss: 1460 });
  if (timestamps) h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, ...ts(101) });
  rec.conn.shutdown();
  expectSegment(h.recv(), { flags: 'FIN|ACK', seq: ISS + 1, ack: IRS + 1 });
  h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 2, ...ts(102) });
  if (orphaned) rec.conn.release();
  h.advance(10);
  h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2, ...ts(103) });
  expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
  h.recvNothing();
  return { h, rec };
}

/** What the stack answers to each step: segments sent, or advancing the clock. */
type Step = SegmentSpec | number;

function answers(h: TcpHarness, steps: readonly Step[]): string[][] {
  const out: string[][] = [];
  for (const step of steps) {
    if (typeof step === 'number') h.advance(step);
    else h.send(step);
    out.push(h.recvAll().map(show));
  }
  return out;
}

function show(s: TcpSegment): string {
  return JSON.stringify({ flags: s.flags, seq: s.seq, ack: s.ack, window: s.window, options: s.options });
}

describe('TIME_WAIT without a socket', () => {
  it('keeps a record instead of the connection, which closes', () => {
    const { h, rec } = timeWait(true, false);
    expect(rec.conn.state).toBe(TcpState.CLOSED);
    expect(h.tcp.connections()).toHaveLength(0);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 1, timeWaitRecords: 1 });
  });

  it('a connection with its socket stays whole in TIME_WAIT', () => {
    const { h, rec } = timeWait(false, false);
    expect(rec.conn.state).toBe(TcpState.TIME_WAIT);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 1, timeWaitRecords: 0 });
  });

  it('a connection whose socket goes while it is in TIME_WAIT hands over then, for 2·MSL from then', () => {
    const { h, rec } = timeWait(false, false);
    h.advance(20_000);
    rec.conn.release();
    expect(rec.conn.state).toBe(TcpState.CLOSED);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 1, timeWaitRecords: 1 });
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    h.advance(60_000);
    expect(h.tcp.stats().timeWait).toBe(0);
  });

  it('answers a retransmitted FIN, restarting 2·MSL, then ends; the port then answers with RST', () => {
    const { h } = timeWait(true, false);
    h.advance(30_000);
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    h.advance(59_999);
    expect(h.tcp.stats().timeWait).toBe(1);
    h.advance(1);
    expect(h.tcp.stats().timeWait).toBe(0);
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'RST', seq: ISS + 2 });
  });

  for (const timestamps of [false, true]) {
    it(`answers as the whole connection does (${timestamps ? 'with' : 'without'} timestamps)`, () => {
      const ts = (value: number) => (timestamps ? { options: { timestamp: { value, echo: 0 } } } : {});
      const steps: Step[] = [
        { flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2, ...ts(104) }, // the FIN again
        5,
        { flags: ACK, seq: IRS + 2, ack: ISS + 2, ...ts(105) }, // a pure ACK in the window: nothing
        { flags: ACK, seq: IRS + 900_000, ack: ISS + 2, ...ts(106) }, // out of the window: throttled ACK
        { flags: ACK, seq: IRS + 2, ack: ISS + 50, ...ts(107) }, // an ACK of data never sent: challenge
        2_000,
        { flags: ACK, seq: IRS + 2, ack: ISS + 50, ...ts(108) }, // the same, after the throttle
        { flags: SYN, seq: IRS, ...ts(109) }, // an old SYN (no listener would reopen it): challenge, throttled
        1_000,
        { flags: RST, seq: IRS + 10, ...ts(110) }, // RST in the window, not at RCV.NXT: challenge ACK
        ...(timestamps ? [1_000, { flags: ACK | FIN, seq: IRS + 1, ack: ISS + 2, ...ts(50) }] : []), // PAWS
        { flags: RST, seq: IRS + 2 }, // RST at RCV.NXT: TIME_WAIT ends
        { flags: ACK, seq: IRS + 2, ack: ISS + 2, ...ts(111) }, // nothing there any more: RST
      ];
      const whole = timeWait(false, timestamps);
      const record = timeWait(true, timestamps);
      whole.h.listener!.close();
      record.h.listener!.close();
      const expected = answers(whole.h, steps);
      expect(answers(record.h, steps)).toEqual(expected);
      // The script reaches what it names: the FIN ACKed, the out-of-window ACK, then one throttled challenge,
      // the challenges after the throttle, (PAWS,) nothing after the RST at RCV.NXT but the closed port's RST.
      const segments = expected.map((a) => a.length);
      expect(segments).toEqual(
        timestamps ? [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1] : [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1],
      );
      expect(JSON.parse(expected.at(-1)![0]!).flags).toBe(RST);
      expect(whole.rec.conn.state).toBe(TcpState.CLOSED);
      expect(record.h.tcp.stats()).toMatchObject({ timeWait: 0, timeWaitRecords: 1 });
    });
  }

  it('a new SYN above RCV.NXT reopens the port (RFC 1122 §4.2.2.13)', () => {
    const { h } = timeWait(true, false);
    h.send({ flags: SYN, seq: IRS + 100_000, options: { mss: 1460 } });
    expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS + 100_001 });
    expect(h.tcp.stats()).toMatchObject({ timeWait: 0, timeWaitReused: 1 });
  });

  // A probe's SYN with a lower sequence number but a newer timestamp got a challenge ACK: the client had to wait
  // out TIME_WAIT, where Linux (and RFC 6191) open the new connection.
  for (const orphaned of [true, false]) {
    const as = orphaned ? 'a record' : 'a whole connection (its socket held)';
    it(`with timestamps, a SYN with a newer TSval reopens ${as} whatever its sequence number (RFC 6191)`, () => {
      const { h } = timeWait(orphaned, true);
      h.send({ flags: SYN, seq: IRS - 50_000, options: { mss: 1460, timestamp: { value: 200, echo: 0 } } });
      expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS - 49_999 });
      expect(h.tcp.stats()).toMatchObject({ timeWaitReused: 1 });
    });
  }

  it('with timestamps, a SYN with an older TSval does not, even above RCV.NXT; the same TSval needs both', () => {
    const { h } = timeWait(true, true);
    h.send({ flags: SYN, seq: IRS + 100_000, options: { mss: 1460, timestamp: { value: 50, echo: 0 } } });
    for (const s of h.recvAll()) expect(s.flags & SYN).toBe(0);
    h.advance(1_000);
    h.send({ flags: SYN, seq: IRS - 5, options: { mss: 1460, timestamp: { value: 103, echo: 0 } } });
    for (const s of h.recvAll()) expect(s.flags & SYN).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ timeWaitReused: 0 });
    h.send({ flags: SYN, seq: IRS + 100_000, options: { mss: 1460, timestamp: { value: 103, echo: 0 } } });
    expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS + 100_001 });
  });

  it('a SYN without a timestamp falls back to the sequence number rule', () => {
    const { h } = timeWait(true, true);
    h.send({ flags: SYN, seq: IRS + 100_000, options: { mss: 1460 } });
    expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS + 100_001 });
  });

  it('records count against the TIME_WAIT limit, oldest recycled first', () => {
    const h = new TcpHarness({ tcp: { maxTimeWait: 1 } });
    timeWait(true, false, h);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 1, timeWaitRecycled: 0 });
    // A second connection from another port of the peer takes the only place.
    h.send({ flags: SYN, seq: IRS, srcPort: 40_001, options: { mss: 1460 } });
    h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: 40_001 });
    const second = h.accepted.at(-1)!;
    second.shutdown();
    h.recv();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 2, srcPort: 40_001 });
    second.release();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2, srcPort: 40_001 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    expect(h.tcp.stats()).toMatchObject({ timeWait: 1, timeWaitRecycled: 1, timeWaitRecords: 2 });
    // The first is gone: its retransmitted FIN meets RST.
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'RST', seq: ISS + 2 });
  });
});
