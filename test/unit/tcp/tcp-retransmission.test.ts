import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { ACK, bytes, expectSegment, FIN, IRS, ISS, SYN, TcpHarness } from './tcp-harness.js';

const MSS = 1460;

/** Advances 1 ms at a time up to `until`, returning [time, segment] for everything sent. */
function collect(h: TcpHarness, until: number) {
  const out: Array<{ t: number; seq: number; len: number; flags: number }> = [];
  while (h.clock.now() < until) {
    h.advance(1);
    for (const s of h.recvAll())
      out.push({ t: h.clock.now(), seq: s.seq, len: s.payload.length, flags: s.flags });
  }
  return out;
}

describe('retransmission on timeout (RFC 6298)', () => {
  it('retransmits the first unacknowledged segment after RTO, doubling RTO each time', () => {
    const h = new TcpHarness();
    const rec = h.established(); // the handshake measured an RTT of 0: RTO is the 200 ms floor
    expect(rec.conn.stats()).toMatchObject({ srtt: 0, rto: 200 });
    rec.conn.write(bytes(100));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 100 });
    const resent = collect(h, 3100);
    expect(resent.map((r) => r.t)).toEqual([200, 600, 1400, 3000]);
    for (const r of resent) expect(r).toMatchObject({ seq: ISS + 1, len: 100 });
    expect(rec.conn.stats()).toMatchObject({ timeouts: 4, retransmitted: 4, backoff: 4, rto: 3200 });
    // The ACK ends it; the backed-off RTO stands until a new sample (Karn).
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    expect(collect(h, 10_000)).toEqual([]);
    expect(rec.conn.stats()).toMatchObject({ bytesAcked: 100, rto: 3200 });
  });

  it('starts from 1 s before any RTT sample (RFC 6298 (2.1)), and 3 s after a lost SYN (5.7)', () => {
    const h = new TcpHarness({ tcp: { timestamps: false } });
    const { rec } = h.synSent();
    expect(collect(h, 1000).map((r) => r.t)).toEqual([1000]); // the SYN again: no sample from it now
    h.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, options: { mss: 1460 } });
    h.recvAll();
    expect(rec.conn.stats().rto).toBe(3000);
  });

  it("Karn's rule: no RTT sample from a retransmitted segment; the next clean one is measured", () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.setNoDelay(true);
    rec.conn.write(bytes(100));
    h.recv();
    expect(collect(h, 200).length).toBe(1);
    h.advance(50);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 }); // 250 ms after the first send: ambiguous
    expect(rec.conn.stats()).toMatchObject({ srtt: 0, rto: 400 });
    rec.conn.write(bytes(100, 100));
    h.recv();
    h.advance(80);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 201 });
    // RFC 6298 (2.3): SRTT = 7/8·0 + 1/8·80 = 10, RTTVAR = 3/4·0 + 1/4·80 = 20, RTO = max(200, 10 + 80).
    expect(rec.conn.stats()).toMatchObject({ srtt: 10, rttvar: 20, rto: 200, backoff: 0 });
  });

  it('after a timeout goes back to SND.UNA and resends what the congestion window allows', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(3 * MSS));
    expect(h.recvAll().length).toBe(3);
    const first = collect(h, 200);
    expect(first).toEqual([{ t: 200, seq: ISS + 1, len: MSS, flags: ACK }]);
    expect(rec.conn.stats().cwnd).toBe(MSS); // RFC 5681 §3.1: loss window
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + MSS });
    // cwnd 2·MSS (slow start), the other two are sent again
    const again = h.recvAll().map((s) => [s.seq, s.payload.length]);
    expect(again).toEqual([
      [ISS + 1 + MSS, MSS],
      [ISS + 1 + 2 * MSS, MSS],
    ]);
    expect(rec.conn.stats().retransmitted).toBe(3);
  });

  it('gives up after maxRetransmits with ETIMEDOUT, without a RST', () => {
    const h = new TcpHarness({ tcp: { maxRetransmits: 3 } });
    const rec = h.established();
    rec.conn.write(bytes(10));
    h.recv();
    const resent = collect(h, 5000);
    expect(resent.map((r) => r.t)).toEqual([200, 600, 1400]);
    expect(rec.events).toContain('close:ETIMEDOUT');
    expect(rec.conn.stats().state).toBe('CLOSED');
    expect(h.tcp.connections().length).toBe(0);
  });
});

describe('fast retransmit and recovery (RFC 5681 §3.2, RFC 6582)', () => {
  it('limited transmit on the first two duplicate ACKs; retransmits on the third, inflates on more, deflates on the full ACK', () => {
    const h = new TcpHarness({ tcp: { congestionControl: 'newreno' } }); // about RFC 5681's numbers
    const rec = h.established();
    rec.conn.write(bytes(20 * MSS));
    const seg = (i: number) => ISS + 1 + i * MSS;
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(0), seg(1), seg(2)]);
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(3), seg(4)]); // cwnd 4·MSS
    // Segment 1 is lost: 2, 3, 4 each bring a duplicate ACK. The first two each let one new segment out
    // beyond cwnd (RFC 3042, RFC 5681 §3.2 step 1), which leaves cwnd as it was.
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(5)]);
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(6)]);
    expect(rec.conn.stats()).toMatchObject({ dupAcks: 2, cwnd: 4 * MSS, fastRetransmits: 0 });
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    // ssthresh = max(FlightSize/2, 2·MSS) = 2·MSS, FlightSize without the two limited-transmit segments
    // (step 2); cwnd = ssthresh + 3·MSS = 5·MSS, and 6 segments are out: nothing new.
    expect(h.recvAll().map((s) => [s.seq, s.payload.length])).toEqual([[seg(1), MSS]]);
    expect(rec.conn.stats()).toMatchObject({ fastRetransmits: 1, ssthresh: 2 * MSS, cwnd: 5 * MSS });
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) }); // the 4th (from 5): cwnd 6·MSS, 6 out
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) }); // the 5th (from 6): cwnd 7·MSS, a new segment
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(7)]);
    // The full ACK (everything sent before the retransmission) ends recovery: cwnd = ssthresh.
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(7) });
    expect(rec.conn.stats()).toMatchObject({ cwnd: 2 * MSS, dupAcks: 5, retransmitted: 1 });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(8)]); // with 7, the deflated window
    h.recvNothing();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(8) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(9)]);
  });

  it('limited transmit sends no more than two segments, and only new data the peer has room for', () => {
    const h = new TcpHarness({ tcp: { congestionControl: 'newreno' } });
    const rec = h.established();
    rec.conn.write(bytes(5 * MSS));
    const seg = (i: number) => ISS + 1 + i * MSS;
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(3), seg(4)]); // all 5 sent: nothing new is left
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    h.recvNothing();
    rec.conn.write(bytes(5 * MSS)); // new data after the first duplicate: one segment beyond cwnd
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(5)]);
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(6)]);
    expect(rec.conn.stats()).toMatchObject({ dupAcks: 2, cwnd: 4 * MSS });
  });

  it.each(['newreno', 'cubic'] as const)(
    'a partial ACK retransmits the next hole at once (%s: RFC 6582)',
    (cc) => {
      const h = new TcpHarness({ tcp: { congestionControl: cc } });
      const rec = h.established();
      rec.conn.write(bytes(20 * MSS));
      const seg = (i: number) => ISS + 1 + i * MSS;
      h.recvAll();
      h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
      h.recvAll();
      for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
      h.recvAll();
      // Segments 1 and 3 were lost: the retransmitted 1 brings an ACK up to 3 only.
      h.send({ flags: ACK, seq: IRS + 1, ack: seg(3) });
      expect(h.recvAll()[0]).toMatchObject({ seq: seg(3) });
      expect(rec.conn.stats().retransmitted).toBe(2);
      expect(rec.conn.stats().fastRetransmits).toBe(1);
    },
  );

  it('plain Reno (RFC 5681 §3.2 step 6): a partial ACK ends recovery; the next hole waits for 3 more duplicates', () => {
    const h = new TcpHarness({ tcp: { congestionControl: 'reno' } });
    const rec = h.established();
    rec.conn.write(bytes(20 * MSS));
    const seg = (i: number) => ISS + 1 + i * MSS;
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    h.recvAll(); // 3 and 4: segments 1–4 in flight
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    // Limited transmit's two new segments, then the fast retransmit; 6 out fill cwnd = 5·MSS.
    expect(h.recvAll().map((s) => s.seq)).toEqual([seg(5), seg(6), seg(1)]);
    expect(rec.conn.stats()).toMatchObject({ ssthresh: 2 * MSS, cwnd: 5 * MSS });
    // Segments 1 and 3 were lost: the ACK up to 3 ends recovery, cwnd = ssthresh, and 3 is not resent.
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(3) });
    h.recvNothing();
    // 4 out (3–6) against cwnd 2 and then 3 and 4 segments with limited transmit: nothing new goes.
    expect(rec.conn.stats()).toMatchObject({ cwnd: 2 * MSS, retransmitted: 1 });
    // Three duplicates of the new hole start a second recovery, with a second reduction.
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(3) });
    expect(h.recvAll()[0]).toMatchObject({ seq: seg(3) });
    expect(rec.conn.stats()).toMatchObject({ fastRetransmits: 2, retransmitted: 2, ssthresh: 2 * MSS });
  });

  it('duplicate ACKs after a timeout do not trigger fast retransmit (RFC 6582 §3.2 step 2)', () => {
    const h = new TcpHarness();
    const rec = h.established();
    rec.conn.write(bytes(3 * MSS));
    h.recvAll();
    collect(h, 200);
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    expect(rec.conn.stats().fastRetransmits).toBe(0);
  });

  it('an ACK of data never sent is answered with an ACK and ignored', () => {
    const h = new TcpHarness();
    const rec = h.established();
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 500 });
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    expect(rec.conn.stats().bytesAcked).toBe(0);
  });
});

describe('keepalive (RFC 1122 §4.2.3.6)', () => {
  it('probes after the idle time, restarts on any segment, gives up after the probes with ETIMEDOUT', () => {
    const h = new TcpHarness({ tcp: { keepaliveIntervalMs: 500, keepaliveProbes: 2 } });
    const rec = h.established();
    rec.conn.setKeepAlive(true, 1000);
    h.advance(999);
    h.recvNothing();
    h.advance(1);
    // Like Linux: SEQ = SND.UNA − 1, no data.
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS, ack: IRS + 1, payload: 0 });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    h.advance(999);
    h.recvNothing();
    h.advance(1);
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS });
    h.advance(500);
    expectSegment(h.recv(), { flags: 'ACK', seq: ISS });
    expect(rec.closed).toBe(false);
    h.advance(500);
    h.recvNothing();
    expect(rec.events).toContain('close:ETIMEDOUT');
  });

  it('is off by default', () => {
    const h = new TcpHarness();
    h.established();
    h.advance(10_000_000);
    h.recvNothing();
  });
});

describe('retransmission timer after a tail loss probe (RFC 8985 §7.3, as Linux)', () => {
  it('runs from when the oldest outstanding segment was sent, not from the probe', () => {
    const h = new TcpHarness();
    const rec = h.established({ mss: MSS, sackPermitted: true }, 65_535, 4);
    // A handshake and a round trip of 4 ms each give an SRTT of 4, so the probe comes 2·4 + 2 = 10 ms after a
    // flight.
    rec.conn.write(bytes(100));
    h.recv();
    h.advance(4);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    const t0 = h.clock.now();
    rec.conn.write(bytes(3 * MSS, 100));
    expect(h.recvAll()).toHaveLength(3);
    // Nothing comes back: the probe (the last segment again: no new data), 1, 3 and 7 PTOs later the silence
    // probes (the first segment again), then the timeout, 200 ms (the RTO floor) after the first of the
    // three was sent — not 200 ms after any probe.
    const sent = collect(h, t0 + 400).map((s) => ({ at: s.t - t0, seq: s.seq - ISS - 1 }));
    expect(sent.slice(0, 5)).toEqual([
      { at: 10, seq: 100 + 2 * MSS },
      { at: 20, seq: 100 },
      { at: 40, seq: 100 },
      { at: 80, seq: 100 },
      { at: 200, seq: 100 },
    ]);
    expect(rec.conn.stats()).toMatchObject({ tlpProbes: 1, silenceProbes: 3, timeouts: 1 });
  });
});

describe('the tail loss probe against a window the peer limits', () => {
  it('sends the last segment again rather than a sliver of new data (sender-side SWS avoidance, as Linux)', () => {
    const h = new TcpHarness();
    // A window of 2.5 segments: two full segments fill it, half a segment of room is left.
    const window = 2.5 * MSS;
    const rec = h.established({ mss: MSS, sackPermitted: true }, window, 4);
    rec.conn.write(bytes(100));
    h.recv();
    h.advance(4);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101, window });
    const t0 = h.clock.now();
    rec.conn.write(bytes(10 * MSS, 100));
    expect(h.recvAll().map((s) => s.payload.length)).toEqual([MSS, MSS]);
    // Nothing comes back: the probe 10 ms later is the second segment again, full-sized; no 500-byte segment.
    const sent = collect(h, t0 + 15).map((s) => ({
      at: s.t - t0,
      seq: s.seq - ISS - 1,
      length: s.len,
    }));
    expect(sent).toEqual([{ at: 10, seq: 100 + MSS, length: MSS }]);
    expect(rec.conn.stats()).toMatchObject({ tlpProbes: 1 });
  });
});

describe('RTO restart (RFC 7765)', () => {
  /**
   * A SACK connection with an SRTT of 4 ms (handshake and round trips of 4 ms; PTO 2·4 + 2 = 10 ms; RTO at the
   * 200 ms floor) sends `segments` full segments at t0;
   * nothing comes back until the tail loss probe at t0 + 10 (the last segment again), then at t0 + 15 an
   * ACK of the first segment alone. Returns the retransmissions after that, times relative to t0: the
   * silence probes (the tail loss probe is still unanswered; the last within 150 ms: the ACK's RTT sample of 15
   * ms makes the PTO about 13 ms), then the timeout.
   */
  function tailAfterPartialAck(segments: number) {
    const h = new TcpHarness();
    const rec = h.established({ mss: MSS, sackPermitted: true }, 65_535, 4);
    // Two clean round trips of 4 ms, of three segments and four: an SRTT, and a window with room for five.
    let sent = 0;
    for (const n of [3, 4]) {
      rec.conn.write(bytes(n * MSS, sent));
      expect(h.recvAll()).toHaveLength(n);
      sent += n * MSS;
      h.advance(4);
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + sent });
    }
    const t0 = h.clock.now();
    rec.conn.write(bytes(segments * MSS, sent));
    expect(h.recvAll()).toHaveLength(segments);
    const probe = collect(h, t0 + 15);
    expect(probe.map((s) => ({ at: s.t - t0, seq: s.seq - ISS - 1 }))).toEqual([
      { at: 10, seq: (segments + 6) * MSS },
    ]);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + 8 * MSS });
    const after = collect(h, t0 + 400).map((s) => ({ at: s.t - t0, seq: s.seq - ISS - 1 }));
    return { sent: after, stats: rec.conn.stats() };
  }

  it('with fewer than four segments outstanding and nothing to send: RTO after the earliest was sent', () => {
    // Two segments remain, both sent at t0: the timer runs out at t0 + 200, not 200 ms after the ACK.
    const { sent, stats } = tailAfterPartialAck(3);
    expect(sent.find((s) => s.at > 150)).toEqual({ at: 200, seq: 8 * MSS });
    expect(stats).toMatchObject({ tlpProbes: 1, silenceProbes: 3, timeouts: 1 });
  });

  it('with four or more outstanding: a full RTO from the ACK (RFC 6298 (5.3))', () => {
    const { sent } = tailAfterPartialAck(5);
    expect(sent.find((s) => s.at > 150)).toEqual({ at: 215, seq: 8 * MSS });
  });
});

describe('silence probe: no ACK for a PTO in recovery', () => {
  /**
   * A SACK connection with an SRTT of 4 ms (handshake and round trips of 4 ms; PTO 10 ms) sends five segments at t0; at t0 + 4 the peer SACKs the 2nd to
   * the 4th (three duplicate ACKs): RACK deems the 1st lost, recovery begins and it is sent again. Then the
   * peer goes silent (as a Linux receiver at times does until a segment it already holds arrives).
   */
  function recoveryThenSilence(silenceProbes?: number) {
    const h = new TcpHarness(silenceProbes === undefined ? {} : { tcp: { silenceProbes } });
    const rec = h.established({ mss: MSS, sackPermitted: true }, 65_535, 4);
    let sent = 0;
    for (const n of [3, 4]) {
      rec.conn.write(bytes(n * MSS, sent));
      expect(h.recvAll()).toHaveLength(n);
      sent += n * MSS;
      h.advance(4);
      h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 + sent });
    }
    const t0 = h.clock.now();
    const base = ISS + 1 + sent;
    rec.conn.write(bytes(5 * MSS, sent));
    expect(h.recvAll()).toHaveLength(5);
    h.advance(4);
    for (let k = 2; k <= 4; k++) {
      h.send({
        flags: ACK,
        seq: IRS + 1,
        ack: base,
        options: { sack: [{ left: seq(base + MSS), right: seq(base + k * MSS) }] },
      });
    }
    const retransmitted = h.recvAll().filter((s) => s.seq === base);
    expect(retransmitted).toHaveLength(1);
    expect(rec.conn.stats()).toMatchObject({ fastRetransmits: 1, timeouts: 0 });
    return { h, rec, t0, base };
  }

  it('a PTO after the last ACK the first unacknowledged segment goes again, then after 2 and 4 PTOs; the RTO keeps its time', () => {
    const { h, rec, t0, base } = recoveryThenSilence();
    // The retransmission at t0 + 4 restarted the timer: the RTO is due at t0 + 204 (the 200 ms floor). The
    // PTO is 2·SRTT + 2 = 10 ms.
    const sent = collect(h, t0 + 300)
      .filter((s) => s.len > 0)
      .map((s) => ({ at: s.t - t0, seq: s.seq - base }));
    expect(sent.slice(0, 4)).toEqual([
      { at: 4 + 10, seq: 0 },
      { at: 4 + 30, seq: 0 },
      { at: 4 + 70, seq: 0 },
      { at: 204, seq: 0 },
    ]);
    expect(rec.conn.stats()).toMatchObject({ silenceProbes: 3, timeouts: 1 });
  });

  it('with silenceProbes 0, as RFC 8985: nothing until the RTO', () => {
    const { h, rec, t0, base } = recoveryThenSilence(0);
    const sent = collect(h, t0 + 300)
      .filter((s) => s.len > 0)
      .map((s) => ({ at: s.t - t0, seq: s.seq - base }));
    expect(sent[0]).toEqual({ at: 204, seq: 0 });
    expect(rec.conn.stats()).toMatchObject({ silenceProbes: 0, timeouts: 1 });
  });

  it('the ACK the probe draws ends recovery without a timeout', () => {
    const { h, rec, t0, base } = recoveryThenSilence();
    const probe = collect(h, t0 + 15).filter((s) => s.len > 0);
    expect(probe.map((s) => s.seq)).toEqual([base]);
    // The peer had it all (the probe is a duplicate): everything acknowledged, with a D-SACK for the probe.
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: base + 5 * MSS,
      options: { sack: [{ left: seq(base), right: seq(base + MSS) }] },
    });
    collect(h, t0 + 400);
    expect(rec.conn.stats()).toMatchObject({ silenceProbes: 1, timeouts: 0 });
  });
});

describe('tail loss probe timeout (RFC 8985 §7.2)', () => {
  /** A SACK connection with an SRTT of 0.5 ms sends three segments (and its FIN, when asked); nothing comes back. */
  function firstProbe(withFin: boolean): { at: number; fin: boolean } {
    const h = new TcpHarness();
    const rec = h.established({ mss: MSS, sackPermitted: true }, 65_535, 0.5);
    rec.conn.write(bytes(100));
    h.recv();
    h.advance(0.5);
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 101 });
    const t0 = h.clock.now();
    rec.conn.write(bytes(3 * MSS, 100));
    if (withFin) rec.conn.shutdown();
    expect(h.recvAll().length).toBeGreaterThanOrEqual(3);
    const [probe] = collect(h, t0 + 50);
    return { at: probe!.t - t0, fin: (probe!.flags & FIN) !== 0 };
  }

  it('comes 2·SRTT + 2 ms after the flight on a fast path, as Linux', () => {
    expect(firstProbe(false)).toEqual({ at: 3, fin: false });
  });

  it('waits at least 10 ms once our FIN is in flight (its second ACK would find LAST-ACK closed)', () => {
    expect(firstProbe(true)).toEqual({ at: 10, fin: true });
  });
});
