import { describe, expect, it } from 'vitest';
import { TCP_MAX_WINDOW } from '../../../src/transport/tcp/tcp-config.js';
import {
  ACK,
  bytes,
  expectSegment,
  FIN,
  IRS,
  ISS,
  LOCAL_PORT,
  PLAIN_SYN,
  REMOTE_PORT,
  Recorder,
  RST,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

describe('passive open (LISTEN → SYN_RECEIVED → ESTABLISHED)', () => {
  it('answers a SYN with SYN-ACK <SEQ=ISS><ACK=IRS+1>, MSS = MTU − 40, unscaled window', () => {
    const h = new TcpHarness();
    h.listen();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), {
      flags: 'SYN|ACK',
      seq: ISS,
      ack: IRS + 1,
      window: 65_535,
      options: { mss: 1460 },
      payload: 0,
    });
    expect(stateOf(h.connection())).toBe('SYN_RECEIVED');
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    h.recvNothing();
    expect(stateOf(h.connection())).toBe('ESTABLISHED');
    expect(h.accepted.length).toBe(1);
    expect(h.tcp.stats()).toMatchObject({ passiveOpens: 1, established: 1 });
  });

  it('MSS follows the link MTU', () => {
    const h = new TcpHarness({ mtu: 1280 });
    h.listen();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', options: { mss: 1240 } });
  });

  it('offers window scaling and timestamps back only when the SYN did (RFC 7323)', () => {
    const h = new TcpHarness();
    const synAck = h.synReceived({ mss: 1460, windowScale: 7, timestamp: { value: 777, echo: 0 } });
    // 256 KiB of receive buffer needs a shift of 3; the SYN-ACK echoes the peer's TSval.
    expectSegment(synAck, {
      flags: 'SYN|ACK',
      window: 65_535,
      options: { mss: 1460, windowScale: 3, timestamp: { value: 0, echo: 777 } },
    });
    h.advance(5);
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1,
      window: 100,
      options: { timestamp: { value: 780, echo: 0 } },
    });
    const stats = h.accepted[0]!.stats();
    expect(stats).toMatchObject({
      sndWscale: 7,
      rcvWscale: 3,
      timestamps: true,
      sndWnd: 100 << 7,
      mss: 1448,
    });
    // A data segment then carries NOP NOP TS with TSval = now and TSecr = TS.Recent, and a scaled window.
    h.accepted[0]!.write(bytes(10));
    expectSegment(h.recv(), {
      flags: 'PSH|ACK',
      seq: ISS + 1,
      window: 32_768,
      options: { timestamp: { value: 5, echo: 780 } },
      payload: 10,
    });
  });

  it('clamps a peer window-scale shift above 14 to 14', () => {
    const h = new TcpHarness();
    h.synReceived({ mss: 1460, windowScale: 20 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, window: 65_535 });
    const stats = h.accepted[0]!.stats();
    expect(stats.sndWscale).toBe(14);
    expect(stats.sndWnd).toBe(TCP_MAX_WINDOW);
  });

  it('an ACK without the timestamp option still completes a handshake that negotiated timestamps', () => {
    const h = new TcpHarness();
    h.synReceived({ mss: 1460, timestamp: { value: 1, echo: 0 } });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    h.recvNothing();
    expect(h.accepted.length).toBe(1);
    expect(stateOf(h.accepted[0]!)).toBe('ESTABLISHED');
  });

  it('without an MSS option the peer gets 536-byte segments (RFC 9293 §3.7.1)', () => {
    const h = new TcpHarness();
    h.synReceived({});
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    const conn = h.accepted[0]!;
    expect(conn.stats().mss).toBe(536);
    conn.setNoDelay(true);
    conn.write(bytes(1000));
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, payload: 536 });
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 537, payload: 464 });
  });

  it('a SYN+FIN to a listener is dropped and counted, not answered (as Linux)', () => {
    const h = new TcpHarness();
    h.listen();
    h.send({ flags: SYN | FIN, seq: IRS, options: PLAIN_SYN });
    h.recvNothing();
    expect(h.tcp.connections().length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ dropListenNotSyn: 1, passiveOpens: 0 });
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS + 1 });
  });

  it('RST+ACK never completes a handshake: the half-open connection is dropped, nothing answers', () => {
    const h = new TcpHarness();
    h.synReceived();
    h.send({ flags: RST | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.recvNothing();
    expect(h.accepted.length).toBe(0);
    expect(h.tcp.connections().length).toBe(0);
    expect(h.listener!.synQueued).toBe(0);
  });

  it('an ACK of something else in SYN_RECEIVED is answered with <SEQ=SEG.ACK><CTL=RST>', () => {
    const h = new TcpHarness();
    h.synReceived();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 99 });
    expectSegment(h.recv(), { flags: 'RST', seq: ISS + 99 });
    expect(stateOf(h.connection())).toBe('SYN_RECEIVED');
  });

  it('a retransmitted SYN gets the SYN-ACK again', () => {
    const h = new TcpHarness();
    h.synReceived();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
  });

  it('retransmits the SYN-ACK with backoff, then forgets the half-open connection', () => {
    const h = new TcpHarness({ tcp: { synAckRetries: 2 } });
    h.synReceived();
    h.advance(999);
    h.recvNothing();
    h.advance(1);
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
    h.advance(1999);
    h.recvNothing();
    h.advance(1);
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS });
    h.advance(4000);
    h.recvNothing();
    expect(h.tcp.connections().length).toBe(0);
    expect(h.listener!.synQueued).toBe(0);
  });

  it('1000 × SYN → SYN-ACK → RST, then a normal connection still succeeds', () => {
    const h = new TcpHarness({ tcp: { synBacklog: 16, backlog: 4 } });
    h.listen();
    for (let i = 0; i < 1000; i++) {
      const port = 1024 + i;
      h.send({ flags: SYN, seq: IRS, srcPort: port, options: PLAIN_SYN });
      expectSegment(h.recv(), { flags: 'SYN|ACK', ack: IRS + 1 });
      h.send({ flags: RST, seq: IRS + 1, srcPort: port });
      h.recvNothing();
    }
    expect(h.listener!.synQueued).toBe(0);
    expect(h.tcp.connections().length).toBe(0);
    const rec = h.established();
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
    expect(h.tcp.stats()).toMatchObject({ passiveOpens: 1001, attemptFails: 1000, listenSynQueueFull: 0 });
  });

  it('data that arrives with the final ACK, and right after, waits in the connection for the application', () => {
    const h = new TcpHarness();
    h.synReceived();
    h.send({ flags: ACK | PSH_FLAG, seq: IRS + 1, ack: ISS + 1, payload: bytes(100) });
    h.send({ flags: ACK | PSH_FLAG, seq: IRS + 101, ack: ISS + 1, payload: bytes(50, 100) });
    // Less than two full-sized segments: the ACK waits for the delayed-ACK timer (40 ms).
    h.recvNothing();
    h.advance(39);
    h.recvNothing();
    h.advance(1);
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 151 });
    // The application attaches only now, and finds everything.
    const conn = h.accepted[0]!;
    expect(conn.readableBytes).toBe(150);
    const rec = new Recorder(conn);
    rec.drain();
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(150)));
  });

  it('the SYN queue and the accept queue are bounded and counted', () => {
    // Without SYN cookies, which would answer the third SYN (syn-cookie.test.ts).
    const h = new TcpHarness({ tcp: { synBacklog: 2, backlog: 1, synCookies: false } });
    // A listener whose application never accepts.
    const listener = h.tcp.listen(LOCAL_PORT, { onAcceptable: () => {} });
    for (const port of [1, 2, 3]) h.send({ flags: SYN, seq: IRS, srcPort: port, options: PLAIN_SYN });
    expect(h.recvAll().length).toBe(2);
    expect(h.tcp.stats().listenSynQueueFull).toBe(1);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: 1 });
    expect(listener.acceptQueueLength).toBe(1);
    // The accept queue is full: the second handshake's ACK is dropped (the SYN-ACK will be retransmitted).
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: 2 });
    h.recvNothing();
    expect(h.tcp.stats().listenOverflows).toBe(1);
    expect(listener.acceptQueueLength).toBe(1);
    expect(listener.accept()).toBeDefined();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: 2 });
    expect(listener.acceptQueueLength).toBe(1);
  });
});

const PSH_FLAG = 0x08;

describe('active open (CLOSED → SYN_SENT → ESTABLISHED)', () => {
  it('sends SYN with MSS, SACK-permitted, timestamps and window scale; completes on SYN-ACK', () => {
    const h = new TcpHarness();
    const { rec, syn } = h.synSent();
    expectSegment(syn, {
      flags: 'SYN',
      seq: ISS,
      ack: 0,
      window: 65_535,
      options: { mss: 1460, sackPermitted: true, timestamp: { value: 0, echo: 0 }, windowScale: 3 },
    });
    expect(stateOf(rec.conn)).toBe('SYN_SENT');
    h.advance(30);
    h.send({
      flags: SYN | ACK,
      seq: IRS,
      ack: ISS + 1,
      window: 1000,
      options: { mss: 1400, windowScale: 2, timestamp: { value: 42, echo: 0 } },
    });
    expectSegment(h.recv(), {
      flags: 'ACK',
      seq: ISS + 1,
      ack: IRS + 1,
      window: 32_768,
      options: { timestamp: { value: 30, echo: 42 } },
    });
    expect(rec.events).toEqual(['connect']);
    expect(rec.conn.stats()).toMatchObject({
      state: 'ESTABLISHED',
      sndWnd: 1000, // a SYN's window is never scaled
      sndWscale: 2,
      mss: 1388,
      srtt: 30, // the SYN's RTT
    });
  });

  it('without window scale and timestamps in the SYN-ACK, neither is used', () => {
    const h = new TcpHarness();
    const rec = h.establishedActive({ mss: 1460 });
    expect(rec.conn.stats()).toMatchObject({ sndWscale: 0, rcvWscale: 0, timestamps: false, mss: 1460 });
    rec.conn.write(bytes(1));
    expectSegment(h.recv(), { flags: 'PSH|ACK', window: 65_535, options: {} });
  });

  it('RST+ACK for our SYN refuses the connection (ECONNREFUSED)', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: RST | ACK, seq: 0, ack: ISS + 1 });
    h.recvNothing();
    expect(rec.events).toEqual(['close:ECONNREFUSED']);
    expect(h.tcp.connections().length).toBe(0);
  });

  it('a RST without an acceptable ACK is ignored in SYN_SENT; a bad ACK gets <SEQ=SEG.ACK><CTL=RST>', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: RST, seq: 0 });
    h.send({ flags: RST | ACK, seq: 0, ack: ISS + 5 });
    h.recvNothing();
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 7, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'RST', seq: ISS + 7 });
    expect(stateOf(rec.conn)).toBe('SYN_SENT');
  });

  it('simultaneous open: SYN in SYN_SENT → SYN_RECEIVED, SYN-ACK, then ESTABLISHED', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1, options: { mss: 1460 } });
    expect(stateOf(rec.conn)).toBe('SYN_RECEIVED');
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
    expect(rec.events).toEqual(['connect']);
  });

  it("simultaneous open: the peer's SYN-ACK (its SYN again, with the ACK of ours) completes it at once, as Linux", () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: SYN, seq: IRS, options: { mss: 1460, windowScale: 2 } });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
    // RFC 9293 Figure 8, line 7. It used to be answered with an ACK, leaving SYN_RECEIVED until our SYN-ACK's
    // retransmission drew a plain ACK (a client that speaks first lost a second against Linux).
    h.send({
      flags: SYN | ACK,
      seq: IRS,
      ack: ISS + 1,
      window: 5000,
      options: { mss: 1460, windowScale: 2 },
    });
    // ACKed as the retransmitted SYN it also is (as Linux), in case our SYN-ACK was lost.
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    h.recvNothing();
    expect(rec.events).toEqual(['connect']);
    expect(rec.conn.stats()).toMatchObject({
      state: 'ESTABLISHED',
      sndWnd: 5000, // a SYN's window is never scaled
      sndWscale: 2,
    });
    h.advance(5000);
    expect(h.recvAll().filter((seg) => seg.flags & SYN)).toEqual([]); // no SYN-ACK retransmitted
  });

  it("simultaneous open: the peer's SYN-ACK with an old timestamp is an old duplicate (PAWS), not the completion", () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: SYN, seq: IRS, options: { mss: 1460, timestamp: { value: 500_000, echo: 0 } } });
    h.recv();
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, options: { timestamp: { value: 100, echo: 0 } } });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(stateOf(rec.conn)).toBe('SYN_RECEIVED');
    expect(rec.conn.counters().dropPaws).toBe(1);
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, options: { timestamp: { value: 500_001, echo: 0 } } });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
  });

  it('simultaneous open: a SYN-ACK that does not acknowledge our SYN, or carries data, does not complete it', () => {
    const h = new TcpHarness();
    const { rec } = h.synSent();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    h.recv();
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 2, options: PLAIN_SYN });
    h.send({ flags: SYN | ACK, seq: IRS + 1, ack: ISS + 1, options: PLAIN_SYN });
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, options: PLAIN_SYN, payload: bytes(3) });
    h.recvAll();
    expect(stateOf(rec.conn)).toBe('SYN_RECEIVED');
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
  });

  it('retransmits the SYN with exponential backoff, then fails with ETIMEDOUT', () => {
    const h = new TcpHarness({ tcp: { synRetries: 3 } });
    const { rec } = h.synSent();
    const times: number[] = [];
    for (let t = 0; t < 20_000; t += 1) {
      h.advance(1);
      for (const s of h.recvAll()) {
        expectSegment(s, { flags: 'SYN', seq: ISS });
        times.push(h.clock.now());
      }
    }
    expect(times).toEqual([1000, 3000, 7000]);
    expect(rec.events).toEqual(['close:ETIMEDOUT']);
    expect(rec.error?.code).toBe('ETIMEDOUT');
  });

  it('a connect timeout ends the handshake early', () => {
    const h = new TcpHarness({ tcp: { connectTimeoutMs: 2500 } });
    const { rec } = h.synSent();
    h.advance(2499);
    expect(rec.closed).toBe(false);
    h.advance(1);
    expect(rec.events).toEqual(['close:ETIMEDOUT']);
  });

  it('ICMP port unreachable for our SYN refuses the connection', () => {
    const h = new TcpHarness();
    const { rec, syn } = h.synSent();
    const quoted = new Uint8Array(28);
    quoted[0] = 0x45;
    quoted[9] = 6;
    new DataView(quoted.buffer).setUint32(12, h.tcp.address);
    new DataView(quoted.buffer).setUint32(16, 0x0a000001);
    new DataView(quoted.buffer).setUint16(20, LOCAL_PORT);
    new DataView(quoted.buffer).setUint16(22, REMOTE_PORT);
    new DataView(quoted.buffer).setUint32(24, syn.seq);
    h.tcp.handleIcmpError({ src: 0x0a000001, type: 3, code: 3, rest: 0, quoted });
    expect(rec.events).toEqual(['close:ECONNREFUSED']);
    expect(h.tcp.stats()).toMatchObject({ icmpErrors: 1, icmpConnectionsRefused: 1 });
    // An error quoting something other than TCP (an echo request here) is not TCP's to count.
    quoted[9] = 1;
    h.tcp.handleIcmpError({ src: 0x0a000001, type: 3, code: 1, rest: 0, quoted });
    expect(h.tcp.stats()).toMatchObject({ icmpErrors: 1, icmpConnectionsRefused: 1 });
  });
});

describe('segments for nobody', () => {
  it('a closed port answers a SYN with RST|ACK <SEQ=0><ACK=SEG.SEQ+SEG.LEN>', () => {
    const h = new TcpHarness();
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    expectSegment(h.recv(), { flags: 'RST|ACK', seq: 0, ack: IRS + 1, window: 0 });
    h.send({ flags: ACK | PSH_FLAG, seq: IRS, ack: 77, payload: bytes(10) });
    expectSegment(h.recv(), { flags: 'RST', seq: 77 });
    h.send({ flags: FIN, seq: IRS, payload: bytes(10) });
    expectSegment(h.recv(), { flags: 'RST|ACK', seq: 0, ack: IRS + 11 });
    expect(h.tcp.stats()).toMatchObject({ noConnection: 3, txResets: 3 });
  });

  it('a RST is never answered with a RST, in any state', () => {
    const h = new TcpHarness();
    h.send({ flags: RST, seq: IRS }); // closed port
    h.send({ flags: RST | ACK, seq: IRS, ack: 5 });
    h.listen();
    h.send({ flags: RST, seq: IRS }); // listener
    h.send({ flags: RST | ACK, seq: IRS, ack: 5 });
    h.recvNothing();
    h.synReceived();
    h.send({ flags: RST | ACK, seq: IRS + 50_000_000, ack: ISS + 77 }); // out of window
    h.recvNothing();
  });

  it('a listener answers an ACK without a connection with RST and drops other non-SYNs', () => {
    const h = new TcpHarness();
    h.listen();
    h.send({ flags: ACK, seq: IRS, ack: 1234 });
    expectSegment(h.recv(), { flags: 'RST', seq: 1234 });
    h.send({ flags: FIN, seq: IRS });
    h.recvNothing();
  });

  it('drops a segment with a bad checksum, counted, never thrown', () => {
    const h = new TcpHarness();
    h.listen();
    const raw = new Uint8Array(20);
    raw[12] = 0x50;
    raw[13] = SYN;
    raw[3] = LOCAL_PORT;
    raw[16] = 0x12;
    h.sendRaw(raw);
    h.sendRaw(new Uint8Array(7));
    h.recvNothing();
    expect(h.tcp.stats()).toMatchObject({ dropBadChecksum: 1, dropTruncated: 1 });
  });
});
