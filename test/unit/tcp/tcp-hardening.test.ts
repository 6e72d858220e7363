/**
 * Issue 6, sections 3 and 4, TCP: every connection-level drop counted; PAWS (RFC 7323 §5); challenge ACKs
 * and answers to dropped segments throttled (RFC 5961 §7, as Linux's tcp_invalid_ratelimit); and on
 * partial ACKs the retransmission timer reset only for the first (RFC 6582 §3.2 step 5).
 */
import { describe, expect, it } from 'vitest';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { finishTcpChecksum } from '../../../src/transport/tcp/wire/tcp-segment-writer.js';
import {
  ACK,
  bytes,
  expectSegment,
  FIN,
  IRS,
  ISS,
  LOCAL,
  LOCAL_PORT,
  PSH,
  REMOTE,
  REMOTE_PORT,
  RST,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

const MSS = 1460;

describe('challenge ACKs are throttled (RFC 5961 §7)', () => {
  it('3,000 in-window RSTs at once draw one challenge ACK; the rest are counted', () => {
    const h = new TcpHarness();
    const rec = h.established();
    for (let i = 0; i < 3000; i++) h.send({ flags: RST, seq: IRS + 2 + i });
    expect(h.recvAll().length).toBe(1);
    expect(stateOf(rec.conn)).toBe('ESTABLISHED');
    expect(rec.conn.counters()).toMatchObject({ challengeAcks: 1, acksRateLimited: 2999 });
    // The layer's totals (what `pilha http` prints) include them.
    expect(h.tcp.stats()).toMatchObject({ challengeAcks: 1, acksRateLimited: 2999 });
  });

  it('spread over 3 s, at most one every 500 ms', () => {
    const h = new TcpHarness();
    const rec = h.established();
    let answers = 0;
    for (let i = 0; i < 3000; i++) {
      h.send({ flags: RST, seq: IRS + 2 + i });
      answers += h.recvAll().length;
      h.advance(1);
    }
    expect(answers).toBe(6);
    expect(rec.conn.counters().challengeAcks).toBe(6);
  });

  it('SYNs on an established connection share the limit', () => {
    const h = new TcpHarness();
    const rec = h.established();
    for (let i = 0; i < 100; i++) h.send({ flags: SYN, seq: IRS + 10 + i, options: { mss: 1460 } });
    expect(h.recvAll().length).toBe(1);
    h.advance(500);
    h.send({ flags: SYN, seq: IRS + 10, options: { mss: 1460 } });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(rec.conn.counters()).toMatchObject({ challengeAcks: 2, acksRateLimited: 99 });
  });
});

describe('connection-level drops are counted', () => {
  it('RSTs outside the window', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: RST, seq: IRS - 10 });
    h.send({ flags: RST | ACK, seq: IRS + 1_000_000, ack: ISS + 1 });
    h.recvNothing();
    expect(rec.conn.counters().dropRstOutOfWindow).toBe(2);
    expect(h.tcp.stats().dropRstOutOfWindow).toBe(2);
  });

  it('without window scaling the window is the 64 KiB advertised, not the 256 KiB buffer (RFC 9293 §3.10.7.4)', () => {
    const h = new TcpHarness();
    const rec = h.established(); // no window scale: the SYN-ACK offered 65,535 bytes of a 256 KiB buffer
    const edge = IRS + 1 + 65_535;
    // Data past the advertised right edge is out of the window: answered with an ACK, never queued (at the
    // edge itself only its ACK field is taken).
    h.send({ flags: ACK | PSH, seq: edge, ack: ISS + 1, payload: bytes(100) });
    h.send({ flags: ACK | PSH, seq: edge + 70_000, ack: ISS + 1, payload: bytes(100) });
    for (let i = 0; i < 2; i++) expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    // A RST there is dropped silently (RFC 5961 §3.2), not met with a challenge ACK.
    h.send({ flags: RST, seq: edge + 4_000 });
    h.recvNothing();
    // The window's last 100 bytes are in it: queued out of order.
    h.send({ flags: ACK | PSH, seq: edge - 100, ack: ISS + 1, payload: bytes(100) });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(rec.conn.counters()).toMatchObject({
      dropOutOfWindow: 1,
      dropRstOutOfWindow: 1,
      challengeAcks: 0,
      outOfOrderReceived: 1,
    });
  });

  it('a peer that filled the window still has its ACKs taken at the right edge (as Linux tcp_sequence)', () => {
    const h = new TcpHarness();
    const rec = h.established(); // 65,535 offered, no window scaling
    const edge = IRS + 1 + 65_535;
    // The peer has sent up to the edge; a segment before its last is lost, so RCV.NXT stays at IRS + 1.
    h.send({ flags: ACK | PSH, seq: edge - 1000, ack: ISS + 1, payload: bytes(1000) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    rec.conn.write(bytes(10));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 10 });
    // Its ACK of our data carries SEQ = its SND.NXT = our right edge: acceptable, and the ACK is taken.
    h.send({ flags: ACK, seq: edge, ack: ISS + 11 });
    h.recvNothing();
    expect(rec.conn.stats().bytesAcked).toBe(10);
    // Data at the edge is outside the window: dropped and answered, but its ACK field is still taken.
    rec.conn.write(bytes(5));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 11, payload: 5 });
    h.send({ flags: ACK | PSH, seq: edge, ack: ISS + 16, payload: bytes(3) });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    expect(rec.conn.stats().bytesAcked).toBe(15);
    expect(rec.conn.counters()).toMatchObject({ dropOutOfWindow: 0, challengeAcks: 0 });
  });

  it('a retransmitted SYN-ACK offers what the first did, memory pressure since or not (the edge never moves left)', () => {
    const h = new TcpHarness({
      tcp: { memoryLow: 100_000, memoryPressure: 150_000, memoryHigh: 200_000, sendBufferSize: 1_000_000 },
    });
    expectSegment(h.synReceived(), { flags: 'SYN|ACK', window: 65_535 });
    // Another connection's unsent data takes the stack past memoryHigh: every buffer is held to its minimum.
    const hog = h.tcp.connect(REMOTE, REMOTE_PORT, { localPort: LOCAL_PORT + 1 });
    hog.write(new Uint8Array(300_000));
    expect(h.tcp.stats().memoryPressure).toBe(1);
    h.recvAll(); // the hog's SYN
    h.advance(1000); // the SYN-ACK's retransmission timer
    const again = h.recvAll().filter((seg) => seg.srcPort === LOCAL_PORT);
    expect(again.length).toBe(1);
    expectSegment(again[0]!, { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1, window: 65_535 });
  });

  it('segments outside the window: answers to bare ACKs throttled, data always acknowledged', () => {
    const h = new TcpHarness();
    const rec = h.established();
    // Old bare ACKs (one side of an ACK loop, perhaps): one answer per 500 ms.
    for (let i = 0; i < 50; i++) h.send({ flags: ACK, seq: IRS - 100, ack: ISS + 1 });
    expect(h.recvAll().length).toBe(1);
    // A retransmission of data already received is answered every time: the peer needs the ACK.
    for (let i = 0; i < 5; i++)
      h.send({ flags: ACK | PSH, seq: IRS - 99, ack: ISS + 1, payload: bytes(100) });
    const answers = h.recvAll();
    expect(answers.length).toBe(5);
    for (const a of answers) expectSegment(a, { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(rec.conn.counters()).toMatchObject({ dropOutOfWindow: 55, acksRateLimited: 49 });
  });

  it('a FIN retransmitted into TIME_WAIT is acknowledged every time', () => {
    const h = new TcpHarness();
    const rec = h.timeWait();
    for (let i = 0; i < 3; i++) {
      h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
      expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    }
    expect(rec.conn.counters().dropOutOfWindow).toBe(3);
  });

  it('ACKs of data never sent, and ACKs older than the largest window', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(100));
    h.recv();
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 500, payload: bytes(10) });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 101, ack: IRS + 1 }); // the data is not taken
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    h.advance(500);
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS - 100_000 });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 1 });
    expect(rec.received.length).toBe(0);
    expect(rec.conn.counters()).toMatchObject({ dropAckUnsent: 1, dropAckTooOld: 1, challengeAcks: 2 });
  });
});

describe('PAWS (RFC 7323 §5)', () => {
  const TS_SYN = { mss: 1460, timestamp: { value: 1_000_000, echo: 0 } };

  function withTimestamps() {
    const h = new TcpHarness();
    h.synReceived(TS_SYN);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, options: { timestamp: { value: 1_000_010, echo: 0 } } });
    h.recvNothing();
    return { h, conn: h.accepted[0]! };
  }

  /** The connection's data as the application reads it. */
  function readAll(conn: TcpConnection): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    conn.setHandler({
      onConnect() {},
      onReadable() {
        for (let c = conn.read(); c !== undefined; c = conn.read()) chunks.push(c);
      },
      onWritable() {},
      onClose() {},
    });
    return chunks;
  }

  it('a segment whose TSval is older than TS.Recent is dropped and answered; its data never delivered', () => {
    const { h, conn } = withTimestamps();
    const chunks = readAll(conn);
    h.send({
      flags: ACK | PSH,
      seq: IRS + 1,
      ack: ISS + 1,
      payload: bytes(100),
      options: { timestamp: { value: 1_000_020, echo: 0 } },
    });
    h.advance(200);
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 101 });
    // An old duplicate: its sequence number is in the window, its timestamp is from before.
    h.send({
      flags: ACK | PSH,
      seq: IRS + 101,
      ack: ISS + 1,
      payload: bytes(50, 7),
      options: { timestamp: { value: 999_000, echo: 0 } },
    });
    expectSegment(h.recv(), { flags: 'ACK', ack: IRS + 101 });
    expect(Buffer.concat(chunks).length).toBe(100);
    expect(conn.counters().dropPaws).toBe(1);
    expect(h.tcp.stats().dropPaws).toBe(1);
    // The same bytes with a current timestamp are taken.
    h.send({
      flags: ACK | PSH,
      seq: IRS + 101,
      ack: ISS + 1,
      payload: bytes(50, 7),
      options: { timestamp: { value: 1_000_030, echo: 0 } },
    });
    expect(Buffer.concat(chunks).length).toBe(150);
  });

  it('PAWS lets a TSval one tick behind TS.Recent through, as Linux (TCP_PAWS_WINDOW), and drops two behind', () => {
    const { h, conn } = withTimestamps();
    const chunks = readAll(conn);
    const data = (seq: number, tsval: number) =>
      h.send({
        flags: ACK | PSH,
        seq: IRS + 1 + seq,
        ack: ISS + 1,
        payload: bytes(100, seq),
        options: { timestamp: { value: tsval, echo: 0 } },
      });
    // 0–100 sets TS.Recent to 1_000_050; 100–200 was sent a tick before it (overtaken on the way).
    data(0, 1_000_050);
    data(100, 1_000_049);
    expect(conn.counters().dropPaws).toBe(0);
    expect(Buffer.concat(chunks).length).toBe(200);
    data(200, 1_000_048); // two ticks behind TS.Recent, still 1_000_050 (an older TSval never sets it)
    expect(conn.counters().dropPaws).toBe(1);
    expect(Buffer.concat(chunks).length).toBe(200);
  });

  // Linux's tcp_disordered_ack: on a reordering path a duplicate ACK overtaken by a later one is not old.
  it('a duplicate ACK with an older TSval, within an RTO of TS.Recent, counts as a duplicate ACK', () => {
    const { h, conn } = withTimestamps();
    conn.write(bytes(3000));
    h.recvAll();
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1461,
      options: { timestamp: { value: 1_000_030, echo: 0 } },
    });
    h.recvAll();
    // The duplicate ACK sent before that one, overtaken on the way: a TSval 20 ms older.
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1461,
      options: { timestamp: { value: 1_000_010, echo: 0 } },
    });
    expect(conn.counters()).toMatchObject({ dropPaws: 0, dupAcks: 1 });
    h.recvNothing(); // not answered as a dropped segment
    // Older than TS.Recent by more than the RTO: an old duplicate after all.
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1461,
      options: { timestamp: { value: 990_000, echo: 0 } },
    });
    expect(conn.counters()).toMatchObject({ dropPaws: 1, dupAcks: 1 });
    h.recvAll();
    // An older TSval on an ACK that moves SND.UNA, or on one that closes the window, is still dropped.
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 2921,
      options: { timestamp: { value: 1_000_020, echo: 0 } },
    });
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1461,
      window: 0,
      options: { timestamp: { value: 1_000_020, echo: 0 } },
    });
    expect(conn.counters()).toMatchObject({ dropPaws: 3, dupAcks: 1 });
  });

  it('a RST is not subject to PAWS (RFC 7323 §5.3 R1)', () => {
    const { h, conn } = withTimestamps();
    h.send({ flags: RST, seq: IRS + 1, options: { timestamp: { value: 5, echo: 0 } } });
    expect(stateOf(conn)).toBe('CLOSED');
  });

  it('TS.Recent idle for more than 24 days is no longer trusted (RFC 7323 §5.5)', () => {
    const { h, conn } = withTimestamps();
    h.advance(25 * 24 * 60 * 60 * 1000);
    h.recvAll();
    h.send({
      flags: ACK | PSH,
      seq: IRS + 1,
      ack: ISS + 1,
      payload: bytes(10),
      options: { timestamp: { value: 7, echo: 0 } },
    });
    expect(conn.counters().dropPaws).toBe(0);
    expect(conn.readableBytes).toBe(10);
  });
});

describe('partial ACKs (RFC 6582 §3.2 step 5)', () => {
  it('only the first partial ACK of a recovery restarts the retransmission timer', () => {
    const h = new TcpHarness();
    const rec = h.established();
    const seg = (i: number) => ISS + 1 + i * MSS;
    rec.conn.write(bytes(30 * MSS));
    h.recvAll();
    // Grow the window: ACK the first 3 segments one by one.
    for (let i = 1; i <= 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(i) });
    h.recvAll();
    // Segments 3, 5 and 7 are lost: three duplicate ACKs start recovery.
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(3) });
    expect(rec.conn.stats().fastRetransmits).toBe(1);
    h.recvAll();
    h.advance(100);
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(5) }); // first partial ACK at t=100: timer to 300
    expectSegment(h.recvAll()[0]!, { flags: 'ACK', seq: seg(5) });
    h.advance(150);
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(7) }); // second partial ACK at t=250: timer stays at 300
    expectSegment(h.recvAll()[0]!, { flags: 'ACK', seq: seg(7) });
    h.advance(49);
    expect(rec.conn.stats().timeouts).toBe(0);
    h.advance(1);
    expect(rec.conn.stats().timeouts).toBe(1);
  });
});

describe('found by the fuzzer', () => {
  it('a retransmission carries only what was sent before, never data queued since (SND.MAX)', () => {
    const h = new TcpHarness();
    const rec = h.established(undefined, 100); // the peer offers a 100-byte window
    rec.conn.write(bytes(100));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    rec.conn.write(bytes(3000, 100)); // queued behind the closed window
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 51, window: 50 }); // half acknowledged, window still full
    h.recvNothing();
    h.advance(200); // RTO: the 50 unacknowledged bytes again, nothing past them
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 51, payload: 50 });
    h.recvNothing();
    // Their ACK is an ACK of sent data, taken as such; the window opens and the rest follows.
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101, window: 65_535 });
    expect(rec.conn.counters().dropAckUnsent).toBe(0);
    expectSegment(h.recvAll()[0]!, { flags: 'ACK', seq: ISS + 101, payload: MSS }); // cwnd: one segment
  });

  it('a SACK block reversed in sequence space is ignored: it must not mark the whole flight delivered', () => {
    // Seed 5, session 119: a mangled SACK option whose block, read across the wrap, covered every byte in
    // flight. The timeout then found nothing lost, went back to SND.UNA and sent the flight again as new
    // data, logged twice in the scoreboard; a partial ACK left a copy below SND.UNA, and resending it threw.
    const h = new TcpHarness();
    const rec = h.established({ mss: MSS, sackPermitted: true });
    rec.conn.write(bytes(2 * MSS));
    expectSegment(h.recvAll()[1]!, { flags: 'PSH|ACK', seq: ISS + 1 + MSS, payload: MSS });
    // right − left ≥ 2^31: reversed (Linux's tcp_is_sackblock_valid refuses it), yet "around" the flight.
    const sack = [{ left: seq(ISS + 1 - 0x7000_0000), right: seq(ISS + 1 + 2 * MSS + 0x7000_0000) }];
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, options: { sack } });
    h.recvNothing();
    expect(rec.conn.counters().sackBlocksIgnored).toBe(1);
    h.advance(200); // RTO: the first segment again, from the scoreboard (SND.NXT stays)
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, payload: MSS });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + MSS }); // the second one, lost too, follows at once
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1 + MSS, payload: MSS });
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + MSS + 100 }); // part of it arrived
    h.advance(600); // RTO: the rest of it, and nothing from below SND.UNA
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1 + MSS + 100, payload: MSS - 100 });
    expect(h.tcp.stats().internalErrors).toBe(0);
  });

  it('a TIME_WAIT limit of 0 keeps no connection in TIME_WAIT (Linux tcp_max_tw_buckets = 0)', () => {
    const h = new TcpHarness({ tcp: { maxTimeWait: 0 } });
    const rec = h.timeWait(); // the fixture checks the ACK of the peer's FIN went out
    expect(stateOf(rec.conn)).toBe('CLOSED');
    expect(h.tcp.connections().length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ timeWait: 0, timeWaitRecycled: 1 });
    h.advance(120_000);
    h.recvNothing();
  });
});

describe('malformed options (lenient, as Linux)', () => {
  it('a SYN whose MSS option has a wrong length is answered; its other options hold and it is counted', () => {
    const h = new TcpHarness();
    h.listen();
    // MSS with length 3 (mangled), NOP, window scale 7, SACK-permitted, three NOPs.
    const options = [2, 3, 5, 1, 3, 3, 7, 4, 2, 1, 1, 1];
    const syn = new Uint8Array(20 + options.length);
    const view = new DataView(syn.buffer);
    view.setUint16(0, REMOTE_PORT);
    view.setUint16(2, LOCAL_PORT);
    view.setUint32(4, IRS);
    syn[12] = (syn.length / 4) << 4;
    syn[13] = SYN;
    view.setUint16(14, 65_535);
    syn.set(options, 20);
    finishTcpChecksum(syn, 0, syn.length, REMOTE, LOCAL);
    h.sendRaw(syn);
    const synAck = h.recv();
    expectSegment(synAck, { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
    // The peer's window scale and SACK-permitted were taken (ours are answered), its MSS the default.
    expect(synAck.options.windowScale).toBeDefined();
    expect(synAck.options.sackPermitted).toBe(true);
    expect(h.tcp.stats()).toMatchObject({ rxBadOptions: 1 });
  });
});
