/**
 * SYN cookies (RFC 4987 §3.6): the codec (cookie, MSS table, options in the timestamp, rotating keys), then
 * the listener that uses it when its SYN queue is full, segment by segment, and the shorter SYN-ACK retry
 * schedule of a SYN queue under pressure.
 */
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  checkSynCookie,
  decodeSynCookieTimestamp,
  encodeSynCookieTimestamp,
  SYN_COOKIE_MSS_TABLE,
  SynCookies,
  synCookie,
  synCookieMssIndex,
} from '../../../src/transport/tcp/listen/syn-cookie.js';
import { type Seq, seq } from '../../../src/transport/tcp/wire/seq.js';
import type { TcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  bytes,
  expectSegment,
  IRS,
  ISS,
  LOCAL_PORT,
  PLAIN_SYN,
  PSH,
  Recorder,
  RST,
  SYN,
  stateOf,
  TcpHarness,
} from './tcp-harness.js';

const LOCAL = parseIpv4('10.0.0.2');
const REMOTE = parseIpv4('10.0.0.1');
const PERIOD = 60_000;

describe('the cookie codec', () => {
  const scratch = new Uint32Array(7);
  const make = (count: number, clientIsn: number, index: number, remotePort = 40_000): Seq =>
    synCookie(7, 9, count, LOCAL, 80, REMOTE, remotePort, seq(clientIsn), index, scratch);
  const check = (count: number, clientIsn: number, cookie: Seq, remotePort = 40_000): number =>
    checkSynCookie(7, 9, count, LOCAL, 80, REMOTE, remotePort, seq(clientIsn), cookie, scratch);

  it('gives back the MSS index it was made with, for every index, count and client ISN', () => {
    for (const count of [0, 1, 255, 256, 0xffff_ffff]) {
      for (const isn of [0, 1, 0x7fff_ffff, 0xffff_ffff]) {
        for (let index = 0; index < SYN_COOKIE_MSS_TABLE.length; index++) {
          expect(check(count, isn, make(count, isn, index))).toBe(index);
        }
      }
    }
  });

  it('refuses a cookie with any one bit flipped or off by a little, for any MSS index', () => {
    for (let index = 0; index < SYN_COOKIE_MSS_TABLE.length; index++) {
      const cookie = make(5, 1234, index);
      for (let bit = 0; bit < 32; bit++) {
        expect(check(5, 1234, seq(cookie ^ (1 << bit))), `index ${index} bit ${bit}`).toBe(-1);
      }
      for (let d = -4; d <= 4; d++) if (d !== 0) expect(check(5, 1234, seq(cookie + d)), `${d}`).toBe(-1);
    }
  });

  it('refuses a cookie for another client ISN, port, period or key', () => {
    const cookie = make(5, 1234, 3);
    for (let d = -4; d <= 4; d++) if (d !== 0) expect(check(5, 1234 + d, cookie), `ISN ${d}`).toBe(-1);
    expect(check(5, 1234, cookie, 40_001)).toBe(-1);
    expect(check(6, 1234, cookie)).toBe(-1);
    expect(check(4, 1234, cookie)).toBe(-1);
    expect(checkSynCookie(7, 10, 5, LOCAL, 80, REMOTE, 40_000, seq(1234), cookie, scratch)).toBe(-1);
  });

  it('accepts about one random guess in 2^28', () => {
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) if (check(5, 1234, seq((i * 2_654_435_761) >>> 0)) >= 0) accepted++;
    expect(accepted).toBe(0);
  });

  it('maps the client MSS to the largest table entry not above it', () => {
    expect(SYN_COOKIE_MSS_TABLE).toEqual([536, 1300, 1440, 1460]);
    const cases: [number, number][] = [
      [0, 0],
      [536, 0],
      [1299, 0],
      [1300, 1],
      [1439, 1],
      [1440, 2],
      [1459, 2],
      [1460, 3],
      [9000, 3],
      [65_535, 3],
    ];
    for (const [mss, index] of cases) expect(synCookieMssIndex(mss), `MSS ${mss}`).toBe(index);
  });

  it('carries window scale, SACK-permitted and ECN in the low 6 bits of TSval', () => {
    for (let ws = 0; ws <= 14; ws++) {
      for (const sack of [false, true]) {
        for (const ecn of [false, true]) {
          const ts = encodeSynCookieTimestamp(1_000_000, ws, sack, ecn);
          expect(decodeSynCookieTimestamp(ts)).toEqual({ windowScale: ws, sackPermitted: sack, ecn });
        }
      }
    }
    const none = encodeSynCookieTimestamp(1_000_000, -1, false, false);
    expect(none & 0x3f).toBe(0x0f);
    expect(decodeSynCookieTimestamp(none).windowScale).toBeUndefined();
    // A shift above 14 is sent as 14 (RFC 7323 §2.3).
    expect(decodeSynCookieTimestamp(encodeSynCookieTimestamp(0, 15, false, false)).windowScale).toBe(14);
  });

  it('never puts TSval ahead of the clock, and stays within 64 ticks behind it (also across the wrap)', () => {
    for (const now of [0, 1, 63, 64, 1_000_000, 1_000_037, 0xffff_ffff, 0x8000_0000]) {
      for (const bits of [0, 0x0f, 0x3f]) {
        const ws = (bits & 0x0f) === 0x0f ? -1 : bits & 0x0f;
        const ts = encodeSynCookieTimestamp(now, ws, (bits & 0x10) !== 0, (bits & 0x20) !== 0);
        const behind = (now - ts) >>> 0;
        expect(behind, `now ${now} bits ${bits}`).toBeLessThan(64);
        expect(ts & 0x3f).toBe(bits);
      }
    }
  });
});

describe('SynCookies: keys that rotate with the Clock', () => {
  function cookies(clock = new VirtualClock()) {
    let n = 0;
    // Distinct keys per rotation, so that a cookie checked under the wrong key fails.
    const jar = new SynCookies(clock, PERIOD, (out) => {
      out[0] = 0x1000 + n++;
      out[1] = 0x2000 + n++;
    });
    return { clock, jar };
  }
  const make = (jar: SynCookies, mss = 1460, isn = 777) => jar.make(LOCAL, 80, REMOTE, 40_000, seq(isn), mss);
  const check = (jar: SynCookies, cookie: Seq, isn = 777) =>
    jar.check(LOCAL, 80, REMOTE, 40_000, seq(isn), cookie);

  it('round trip: the MSS comes back as its table entry', () => {
    const { jar } = cookies();
    expect(check(jar, make(jar, 1460))).toBe(1460);
    expect(check(jar, make(jar, 1400))).toBe(1300);
    expect(check(jar, make(jar, 100))).toBe(536);
  });

  it('a cookie of the previous period is still valid; two periods old it is not', () => {
    const { clock, jar } = cookies();
    clock.advance(PERIOD - 1);
    const cookie = make(jar);
    clock.advance(1); // next period: the key moved to "previous"
    expect(check(jar, cookie)).toBe(1460);
    clock.advance(PERIOD - 1);
    expect(check(jar, cookie)).toBe(1460);
    clock.advance(1); // two periods on
    expect(check(jar, cookie)).toBe(0);
  });

  it('a cookie is worthless after a long silence (both keys are new)', () => {
    const { clock, jar } = cookies();
    const cookie = make(jar);
    clock.advance(10 * PERIOD);
    expect(check(jar, cookie)).toBe(0);
  });

  it('a tampered cookie, or another client ISN, is refused', () => {
    const { jar } = cookies();
    const cookie = make(jar);
    expect(check(jar, seq(cookie + 1))).toBe(0);
    expect(check(jar, cookie, 778)).toBe(0);
  });

  it('two stacks (two key sets) do not accept each other’s cookies', () => {
    const clock = new VirtualClock();
    const a = new SynCookies(clock, PERIOD);
    const b = new SynCookies(clock, PERIOD);
    expect(check(b, make(a))).toBe(0);
  });

  it('timestamp offsets are stable per 4-tuple and differ between 4-tuples', () => {
    const { clock, jar } = cookies();
    const first = jar.tsOffset(LOCAL, 80, REMOTE, 40_000);
    clock.advance(5 * PERIOD);
    expect(jar.tsOffset(LOCAL, 80, REMOTE, 40_000)).toBe(first);
    expect(jar.tsOffset(LOCAL, 80, REMOTE, 40_001)).not.toBe(first);
  });
});

// ─── The listener ──────────────────────────────────────────────────────────────────────────────────

/** A listener whose SYN queue (2 entries) is full of half-open connections from ports 1 and 2. */
function fullQueue(tcp: Record<string, unknown> = {}): TcpHarness {
  const h = new TcpHarness({ tcp: { synBacklog: 2, ...tcp } });
  h.listen();
  for (const port of [1, 2]) h.send({ flags: SYN, seq: IRS, srcPort: port, options: PLAIN_SYN });
  expect(h.recvAll().length).toBe(2);
  return h;
}

const TS_SYN = { mss: 1460, windowScale: 7, timestamp: { value: 500, echo: 0 } };

function cookieSynAck(h: TcpHarness, options = TS_SYN): TcpSegment {
  h.send({ flags: SYN, seq: IRS, options });
  const synAck = h.recv();
  expectSegment(synAck, { flags: 'SYN|ACK', ack: IRS + 1, window: 65_535, payload: 0 });
  return synAck;
}

describe('a listener with a full SYN queue answers with SYN cookies', () => {
  it('sends a SYN-ACK whose ISN is a cookie, with our usual options, and keeps no state', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h);
    expect(synAck.seq).not.toBe(seq(ISS));
    expect(synAck.options.mss).toBe(1460);
    expect(synAck.options.windowScale).toBe(3);
    expect(synAck.options.timestamp?.echo).toBe(500);
    // TSval carries the client's window scale (7) in its low 4 bits.
    expect(synAck.options.timestamp!.value & 0x3f).toBe(7);
    expect(h.tcp.connections().length).toBe(2);
    expect(h.listener!.synQueued).toBe(2);
    expect(h.tcp.stats()).toMatchObject({ syncookiesSent: 1, listenSynQueueFull: 0, passiveOpens: 2 });
  });

  it('the ACK of a cookie makes an ESTABLISHED connection with the options the SYN asked for', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h);
    const ts = synAck.options.timestamp!;
    h.advance(10);
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: synAck.seq + 1,
      window: 1000,
      options: { timestamp: { value: 510, echo: ts.value } },
    });
    h.recvNothing();
    expect(h.accepted.length).toBe(1);
    const conn = h.accepted[0]!;
    expect(stateOf(conn)).toBe('ESTABLISHED');
    const s = conn.stats();
    // MSS 1460 from the table, less the timestamp option; the peer's shift 7 from the TSecr, ours 3.
    expect(s).toMatchObject({ mss: 1448, sndWscale: 7, rcvWscale: 3, timestamps: true, sndWnd: 1000 << 7 });
    expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 1, syncookiesFailed: 0, passiveOpens: 3 });
    expect(h.listener!.synQueued).toBe(2);

    // It carries data both ways, with timestamps that continue the cookie's TSval.
    const rec = new Recorder(conn);
    h.send({
      flags: ACK | PSH,
      seq: IRS + 1,
      ack: synAck.seq + 1,
      window: 1000,
      options: { timestamp: { value: 520, echo: ts.value } },
      payload: bytes(100),
    });
    expect(Array.from(rec.received)).toEqual(Array.from(bytes(100)));
    conn.write(bytes(50));
    const out = h.recvAll().filter((seg) => seg.payload.length > 0);
    expect(out.length).toBe(1);
    expectSegment(out[0]!, { flags: 'PSH|ACK', seq: synAck.seq + 1, ack: IRS + 101, payload: bytes(50) });
    expect(out[0]!.options.timestamp!.echo).toBe(520);
    expect(((out[0]!.options.timestamp!.value - ts.value) | 0) >= 0).toBe(true);
  });

  it('without timestamps: the MSS comes back, window scaling is lost (as on Linux)', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h, { mss: 1400, windowScale: 7 } as typeof TS_SYN);
    expect(synAck.options.timestamp).toBeUndefined();
    // Not offered either: the peer would scale the windows the rebuilt connection sends unscaled.
    expect(synAck.options.windowScale).toBeUndefined();
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1, window: 1000 });
    const conn = h.accepted[0]!;
    expect(conn.stats()).toMatchObject({
      mss: 1300,
      sndWscale: 0,
      rcvWscale: 0,
      timestamps: false,
      sndWnd: 1000,
    });
  });

  it('an ACK that carries data completes the handshake and delivers the data', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h, PLAIN_SYN as typeof TS_SYN);
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: synAck.seq + 1, payload: bytes(300) });
    const conn = h.accepted[0]!;
    expect(conn.readableBytes).toBe(300);
  });

  it('a wrong cookie gets RST and is counted as failed', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h, PLAIN_SYN as typeof TS_SYN);
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 2 });
    expectSegment(h.recv(), { flags: 'RST', seq: synAck.seq + 2 });
    h.send({ flags: ACK, seq: IRS + 2, ack: synAck.seq + 1 });
    expectSegment(h.recv(), { flags: 'RST', seq: synAck.seq + 1 });
    expect(h.accepted.length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 0, syncookiesFailed: 2, dropListenNotSyn: 2 });
  });

  it('a TSecr with options pilha never offers (ECN; SACK with sack off) is forged: refused', () => {
    for (const [bit, tcp] of [
      [0x20, {}],
      [0x10, { sack: false }],
    ] as const) {
      const h = fullQueue(tcp);
      const synAck = cookieSynAck(h);
      const echo = synAck.options.timestamp!.value | bit;
      h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1, options: { timestamp: { value: 501, echo } } });
      expectSegment(h.recv(), { flags: 'RST' });
      expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 0, syncookiesFailed: 1 });
    }
  });

  it('SACK-permitted survives the cookie (TSval bit): the rebuilt connection sends SACK blocks', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h, { ...TS_SYN, sackPermitted: true } as typeof TS_SYN);
    expect(synAck.options.sackPermitted).toBe(true);
    expect(synAck.options.timestamp!.value & 0x10).toBe(0x10);
    const echo = synAck.options.timestamp!.value;
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1, options: { timestamp: { value: 501, echo } } });
    h.recvNothing();
    const conn = h.accepted[0]!;
    expect(conn.stats()).toMatchObject({ state: 'ESTABLISHED', sack: true, timestamps: true });
    // Data past a hole: the ACK carries its SACK block.
    h.send({
      flags: ACK,
      seq: IRS + 1001,
      ack: synAck.seq + 1,
      options: { timestamp: { value: 502, echo } },
      payload: bytes(500),
    });
    const ack = h.recv();
    expectSegment(ack, { flags: 'ACK', ack: IRS + 1 });
    expect(ack.options.sack).toEqual([{ left: seq(IRS + 1001), right: seq(IRS + 1501) }]);
  });

  it('no SACK through a cookie when the SYN did not offer it, or sack is off, or there are no timestamps', () => {
    for (const [options, tcp] of [
      [TS_SYN, {}],
      [{ ...TS_SYN, sackPermitted: true }, { sack: false }],
      [{ mss: 1460, sackPermitted: true }, {}],
    ] as const) {
      const h = fullQueue(tcp);
      const synAck = cookieSynAck(h, options as typeof TS_SYN);
      expect(synAck.options.sackPermitted).toBeUndefined();
      const ts = synAck.options.timestamp;
      if (ts !== undefined) expect(ts.value & 0x10).toBe(0);
      h.send({
        flags: ACK,
        seq: IRS + 1,
        ack: synAck.seq + 1,
        ...(ts !== undefined ? { options: { timestamp: { value: 501, echo: ts.value } } } : {}),
      });
      expect(h.accepted[0]!.stats().sack).toBe(false);
    }
  });

  it('a cookie more than two periods old is refused', () => {
    const h = fullQueue({ synAckRetries: 100 });
    const synAck = cookieSynAck(h, PLAIN_SYN as typeof TS_SYN);
    h.advance(2 * PERIOD - 1_000);
    h.recvAll();
    // Another SYN keeps cookies "recent", so the old one is checked (and fails).
    h.send({ flags: SYN, seq: 9, srcPort: 3, options: PLAIN_SYN });
    h.recvAll();
    h.advance(1_000);
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1 });
    expectSegment(h.recv(), { flags: 'RST' });
    expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 0, syncookiesFailed: 1 });
  });

  it('when no cookie was sent lately, an ACK to the listener is not checked (plain RST, not counted)', () => {
    const h = new TcpHarness();
    h.listen();
    h.send({ flags: ACK, seq: IRS + 1, ack: 12_345 });
    expectSegment(h.recv(), { flags: 'RST', seq: 12_345 });
    expect(h.tcp.stats()).toMatchObject({ syncookiesFailed: 0, dropListenNotSyn: 1 });
  });

  it('a valid cookie ACK finding the accept queue full is dropped (the client will send again)', () => {
    const h = new TcpHarness({ tcp: { synBacklog: 2, backlog: 1 } });
    const listener = h.tcp.listen(LOCAL_PORT, { onAcceptable: () => {} });
    for (const port of [1, 2]) h.send({ flags: SYN, seq: IRS, srcPort: port, options: PLAIN_SYN });
    h.recvAll();
    const synAck = cookieSynAck(h, PLAIN_SYN as typeof TS_SYN);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, srcPort: 1 }); // fills the accept queue
    expect(listener.acceptQueueLength).toBe(1);
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1 });
    h.recvNothing();
    expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 1, listenOverflows: 1 });
    expect(listener.acceptQueueLength).toBe(1);
    listener.accept();
    h.send({ flags: ACK, seq: IRS + 1, ack: synAck.seq + 1 });
    expect(listener.acceptQueueLength).toBe(1);
    expect(stateOf(listener.accept()!)).toBe('ESTABLISHED');
  });

  it('with syncookies off, a SYN to a full queue is dropped and counted', () => {
    const h = fullQueue({ synCookies: false });
    h.send({ flags: SYN, seq: IRS, options: PLAIN_SYN });
    h.recvNothing();
    expect(h.tcp.stats()).toMatchObject({ syncookiesSent: 0, listenSynQueueFull: 1 });
  });

  it('a RST or a SYN|ACK to the listener is never taken for a cookie', () => {
    const h = fullQueue();
    const synAck = cookieSynAck(h, PLAIN_SYN as typeof TS_SYN);
    h.send({ flags: RST | ACK, seq: IRS + 1, ack: synAck.seq + 1 });
    h.recvNothing();
    h.send({ flags: SYN | ACK, seq: IRS, ack: synAck.seq + 1 });
    expectSegment(h.recv(), { flags: 'RST' });
    expect(h.accepted.length).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ syncookiesValid: 0 });
  });
});

describe('the SYN-ACK retry schedule under pressure', () => {
  /** Half-open connections from `count` spoofed ports that never answer; returns the harness. */
  function flood(count: number, synBacklog = 16): TcpHarness {
    const h = new TcpHarness({ tcp: { synBacklog } });
    h.listen();
    for (let i = 0; i < count; i++) h.send({ flags: SYN, seq: IRS, srcPort: 1000 + i, options: PLAIN_SYN });
    h.recvAll();
    return h;
  }

  it('a queue more than half full lets each entry retry only twice: slots free after 7 s, not 63 s', () => {
    const h = flood(16);
    expect(h.listener!.synQueued).toBe(16);
    h.advance(1_000); // first timeout
    expect(h.recvAll().length).toBe(16);
    h.advance(2_000); // second
    expect(h.recvAll().length).toBe(16);
    h.advance(3_999);
    expect(h.listener!.synQueued).toBe(16);
    h.advance(1); // 7 s: third timeout, past the limit of 2 while the queue is over half full
    // Entries leave until the queue is down to half (8 of 16); the rest are no longer under pressure
    // and get their third SYN-ACK (each entry asks when its own timer fires, as on Linux).
    expect(h.listener!.synQueued).toBe(8);
    expect(h.recvAll().length).toBe(8);
    h.advance(55_999);
    expect(h.listener!.synQueued).toBe(8);
    h.advance(1);
    expect(h.listener!.synQueued).toBe(0);
  });

  it('a queue at most half full keeps the full schedule (5 retries, 63 s)', () => {
    const h = flood(8);
    h.advance(62_999);
    expect(h.listener!.synQueued).toBe(8);
    expect(h.recvAll().length).toBe(8 * 5);
    h.advance(1);
    expect(h.listener!.synQueued).toBe(0);
  });

  it('under a continuing flood no entry holds its slot past 7 s (63 s without the reduction)', () => {
    /** The longest time a flood entry held a slot, over 80 s of two spoofed SYNs every 100 ms. */
    function longestStay(underPressure: number): number {
      const h = new TcpHarness({ tcp: { synBacklog: 16, synAckRetriesUnderPressure: underPressure } });
      h.listen();
      let port = 1000;
      const times = new Map<number, number>();
      let longest = 0;
      for (let t = 0; t < 80_000; t += 100) {
        for (let i = 0; i < 2; i++) {
          times.set(port, h.clock.now());
          h.send({ flags: SYN, seq: IRS, srcPort: port++, options: PLAIN_SYN });
        }
        h.advance(100);
        h.recvAll();
        expect(h.listener!.synQueued).toBeLessThanOrEqual(16);
        for (const c of h.tcp.connections())
          longest = Math.max(longest, h.clock.now() - times.get(c.remotePort)!);
      }
      expect(h.tcp.stats().syncookiesSent).toBeGreaterThan(1000);
      return longest;
    }
    expect(longestStay(2)).toBeLessThanOrEqual(7_100);
    expect(longestStay(5)).toBeGreaterThan(62_000);
  });

  it('the limit: full below half the queue (or 8), the floor above it, never more than configured', () => {
    const h = flood(0);
    const l = h.listener!;
    l.synQueued = 8;
    expect(l.synAckRetryLimit(5, 2)).toBe(5);
    l.synQueued = 9;
    expect(l.synAckRetryLimit(5, 2)).toBe(2);
    expect(l.synAckRetryLimit(1, 2)).toBe(1);
    l.synQueued = 0;
  });
});
