import { describe, expect, it } from 'vitest';
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
  RST,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

const MSS = 1460;

describe('a FIN in every state', () => {
  it('LISTEN: dropped', () => {
    const h = new TcpHarness();
    h.listen();
    h.send({ flags: FIN, seq: IRS });
    h.recvNothing();
    expect(h.tcp.connections().length).toBe(0);
  });

  it('SYN_SENT: a FIN without SYN is dropped', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: FIN, seq: IRS });
    h.recvNothing();
    expect(stateOf(rec.conn)).toBe('SYN_SENT');
  });

  it('SYN_RECEIVED: FIN with the ACK of our SYN → ESTABLISHED → CLOSE_WAIT', () => {
    const h = new TcpHarness();
    h.synReceived();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 2 });
    expect(stateOf(h.accepted[0]!)).toBe('CLOSE_WAIT');
    expect(h.accepted[0]!.readEnded).toBe(true);
  });

  it('ESTABLISHED: → CLOSE_WAIT, ACKed at once, the end of the stream for the reader', () => {
    const h = new TcpHarness();
    const rec = h.closeWait();
    expect(stateOf(rec.conn)).toBe('CLOSE_WAIT');
    expect(rec.events).toEqual(['readable']);
    expect(rec.conn.readEnded).toBe(true);
    // Half-close: we may still send.
    rec.conn.write(bytes(10));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, ack: IRS + 2, payload: 10 });
  });

  it('FIN_WAIT_1: a FIN that does not ACK ours → CLOSING; the ACK of ours then → TIME_WAIT', () => {
    const h = new TcpHarness();
    const rec = h.closing();
    expect(stateOf(rec.conn)).toBe('CLOSING');
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.recvNothing();
    expect(stateOf(rec.conn)).toBe('TIME_WAIT');
  });

  it('FIN_WAIT_1: a FIN that ACKs ours → TIME_WAIT at once', () => {
    const h = new TcpHarness();
    const rec = h.finWait1();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    expect(stateOf(rec.conn)).toBe('TIME_WAIT');
  });

  it('FIN_WAIT_2: still receives data (half-close), then FIN → TIME_WAIT', () => {
    const h = new TcpHarness();
    const rec = h.finWait2();
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_2');
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 2, payload: bytes(30) });
    h.send({ flags: FIN | ACK, seq: IRS + 31, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 32 });
    expect(stateOf(rec.conn)).toBe('TIME_WAIT');
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(30)));
  });

  it('CLOSE_WAIT: a retransmitted FIN is ACKed again', () => {
    const h = new TcpHarness();
    const rec = h.closeWait();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 2 });
    expect(stateOf(rec.conn)).toBe('CLOSE_WAIT');
  });

  it('CLOSING: a retransmitted FIN is ACKed again', () => {
    const h = new TcpHarness();
    const rec = h.closing();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    expect(stateOf(rec.conn)).toBe('CLOSING');
  });

  it('LAST_ACK: a retransmitted FIN is ACKed; the ACK of our FIN → CLOSED', () => {
    const h = new TcpHarness();
    const rec = h.lastAck();
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.recvNothing();
    expect(stateOf(rec.conn)).toBe('CLOSED');
    expect(rec.events.at(-1)).toBe('close');
    expect(h.tcp.connections().length).toBe(0);
  });

  it('TIME_WAIT: a retransmitted FIN is ACKed and restarts 2·MSL; then TIME_WAIT expires', () => {
    const h = new TcpHarness();
    const rec = h.timeWait();
    h.advance(30_000);
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    h.advance(59_999);
    expect(stateOf(rec.conn)).toBe('TIME_WAIT');
    h.advance(1);
    expect(stateOf(rec.conn)).toBe('CLOSED');
    expect(h.tcp.connections().length).toBe(0);
    expect(h.tcp.stats().timeWait).toBe(0);
  });

  it('TIME_WAIT lasts timeWaitMs (configurable)', () => {
    const h = new TcpHarness({ tcp: { timeWaitMs: 1000 } });
    const rec = h.timeWait();
    expect(h.tcp.stats().timeWait).toBe(1);
    h.advance(999);
    expect(stateOf(rec.conn)).toBe('TIME_WAIT');
    h.advance(1);
    expect(stateOf(rec.conn)).toBe('CLOSED');
  });
});

describe('closing with data', () => {
  it('end() with unacknowledged data: the FIN follows the data, never a RST', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(5000));
    rec.conn.shutdown();
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_1');
    const sent = h.recvAll();
    expect(sent.map((s) => s.payload.length)).toEqual([MSS, MSS, MSS]);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 3 * MSS });
    // The last piece carries the FIN.
    expectSegment(h.recv(), { flags: 'FIN|PSH|ACK', seq: ISS + 1 + 3 * MSS, payload: 620 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 5000 + 1 });
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_2');
    expect(rec.conn.stats().bytesAcked).toBe(5000);
  });

  it('a timeout in FIN_WAIT_1 resends the data and the FIN', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(100));
    rec.conn.shutdown();
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    expectSegment(h.recv(), { flags: 'FIN|ACK', seq: ISS + 101, payload: 0 });
    h.advance(200);
    expectSegment(h.recv(), { flags: 'FIN|PSH|ACK', seq: ISS + 1, payload: 100 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 102 });
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_2');
  });

  it('shutdown() before the handshake completes sends the FIN once established', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    rec.conn.write(bytes(10));
    rec.conn.shutdown();
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'FIN|PSH|ACK', seq: ISS + 1, ack: IRS + 1, payload: 10 });
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_1');
  });

  it('abort() sends RST|ACK <SEQ=SND.NXT> and closes at once', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(10));
    h.recv();
    rec.conn.abort();
    expectSegment(h.recv(), { flags: 'RST|ACK', seq: ISS + 11, ack: IRS + 1 });
    expect(rec.events).toEqual(['close']);
    expect(h.tcp.connections().length).toBe(0);
  });

  it('release() of a connection whose data is unread resets it; data after release resets it', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.autoRead = false;
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, payload: bytes(10) });
    rec.conn.release();
    expectSegment(h.recv(), { flags: 'RST|ACK', seq: ISS + 1, ack: IRS + 11 });

    const h2 = new TcpHarness();
    const rec2 = h2.established();
    rec2.conn.shutdown();
    rec2.conn.release();
    expectSegment(h2.recv(), { flags: 'FIN|ACK', seq: ISS + 1 });
    h2.send({ flags: ACK, seq: IRS + 1, ack: ISS + 2, payload: bytes(5) });
    expectSegment(h2.recv(), { flags: 'RST|ACK', seq: ISS + 2 });
    expect(stateOf(rec2.conn)).toBe('CLOSED');
  });

  it('an orphaned connection gives up FIN_WAIT_2 after finWait2TimeoutMs', () => {
    const h = new TcpHarness({ tcp: { finWait2TimeoutMs: 5000 } });
    const rec = h.finWait2();
    rec.conn.release();
    h.advance(4999);
    expect(stateOf(rec.conn)).toBe('FIN_WAIT_2');
    h.advance(1);
    expect(stateOf(rec.conn)).toBe('CLOSED');
    h.recvNothing();
  });
});

describe('resets (RFC 5961)', () => {
  it('a RST at exactly RCV.NXT resets the connection (ECONNRESET)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: RST, seq: IRS + 1 });
    h.recvNothing();
    expect(rec.events).toEqual(['close:ECONNRESET']);
    expect(rec.error?.code).toBe('ECONNRESET');
    expect(h.tcp.connections().length).toBe(0);
  });

  it('a RST elsewhere in the window gets a challenge ACK and changes nothing', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: RST, seq: IRS + 100 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
    // The RST that follows the challenge, with the right number, works.
    h.send({ flags: RST, seq: IRS + 1 });
    expect(stateOf(rec.conn)).toBe('CLOSED');
  });

  it('a RST outside the window is dropped silently', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: RST, seq: IRS - 10 });
    h.send({ flags: RST | ACK, seq: IRS + 1_000_000, ack: ISS + 1 });
    h.recvNothing();
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
  });

  it('a SYN on an established connection gets a challenge ACK', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: SYN, seq: IRS + 10, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
  });

  it('RST in LAST_ACK, CLOSING and TIME_WAIT closes without an error', () => {
    for (const fixture of ['lastAck', 'closing', 'timeWait'] as const) {
      const h = new TcpHarness();
      const rec = h[fixture]();
      h.send({ flags: RST, seq: IRS + 2 });
      h.recvNothing();
      expect(stateOf(rec.conn)).toBe('CLOSED');
      expect(rec.error).toBeUndefined();
    }
  });

  it('an unacceptable segment gets an ACK, and a RST never gets anything', () => {
    const h = new TcpHarness();
    h.established();
    h.send({ flags: ACK, seq: IRS - 5000, ack: ISS + 1, payload: bytes(10) });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    h.send({ flags: RST | ACK, seq: IRS - 5000, ack: ISS + 1 });
    h.send({ flags: RST, seq: IRS + 3_000_000 });
    h.recvNothing();
  });
});

describe('the TIME_WAIT table', () => {
  it('is bounded: past maxTimeWait the oldest entry ends early', () => {
    const h = new TcpHarness({ tcp: { maxTimeWait: 2 } });
    h.listen();
    const conns = [];
    for (const port of [1001, 1002, 1003]) {
      h.send({ flags: SYN, seq: IRS, srcPort: port, options: PLAIN_SYN });
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: port });
      const conn = h.accepted.at(-1)!;
      new Recorder(conn);
      conn.shutdown();
      h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2, srcPort: port });
      conns.push(conn);
    }
    h.recvAll();
    expect(conns.map(stateOf)).toEqual(['CLOSED', 'TIME_WAIT', 'TIME_WAIT']);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 2, timeWaitRecycled: 1 });
  });

  it('a new SYN with a higher sequence number reopens a TIME_WAIT connection (RFC 1122 §4.2.2.13)', () => {
    const h = new TcpHarness();
    h.listen();
    const rec = h.timeWait();
    h.send({ flags: SYN, seq: IRS + 100_000, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 100_001 });
    expect(stateOf(rec.conn)).toBe('CLOSED');
    expect(h.tcp.stats().timeWaitReused).toBe(1);
  });
});
