/**
 * HyStart++ (RFC 9406) step by step, on chosen RTT sequences: rounds, the RttThresh test that enters
 * Conservative Slow Start, CSS's quarter growth, the return to slow start when the RTT falls back, the end
 * of slow start after CSS_ROUNDS with ssthresh = cwnd, and no exit on sub-millisecond jitter.
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_SSTHRESH } from '../../../src/transport/congestion/congestion-controller.js';
import { CubicCongestionController } from '../../../src/transport/congestion/cubic-congestion-controller.js';
import {
  CSS_ROUNDS,
  HyStartPlusPlus,
  N_RTT_SAMPLE,
} from '../../../src/transport/congestion/hystart-plus-plus.js';
import { RenoCongestionController } from '../../../src/transport/congestion/reno-congestion-controller.js';

const MSS = 1000;

/**
 * A sender in slow start around a HyStartPlusPlus: one ACK per MSS-sized segment; after each ACK the
 * sender fills its window again (inFlight = cwnd), as an unlimited bulk sender does.
 */
class SlowStartModel {
  readonly h = new HyStartPlusPlus();
  cwnd = 4 * MSS;
  inFlight = 4 * MSS;

  /** One ACK of one segment with this RTT sample (none if undefined); returns the increase HyStart++ gave. */
  ack(rttMs: number | undefined): number {
    this.inFlight -= MSS;
    const increase = this.h.onSlowStartAck(MSS, this.inFlight, rttMs, MSS);
    this.cwnd += increase;
    this.inFlight = this.cwnd;
    return increase;
  }

  /** ACKs until the round in progress ends (a new one begins, or HyStart++ is done); their RTTs from `rtt(i)`. */
  round(rtt: (i: number) => number | undefined): number[] {
    // The first ACK begins round 1: the first call runs round 1 through.
    const next = Math.max(this.h.rounds, 1) + 1;
    const increases: number[] = [];
    for (let i = 0; this.h.rounds < next && !this.h.done; i++) {
      if (i > 10_000) throw new Error('the round never ends');
      increases.push(this.ack(rtt(i)));
    }
    return increases;
  }
}

const flat = (ms: number) => () => ms;

describe('HyStart++ rounds', () => {
  it('a round ends once the bytes in flight at its start are acknowledged (windowEnd = SND.NXT)', () => {
    const m = new SlowStartModel();
    m.ack(10); // the first ACK begins round 1: 1000 acknowledged + 3000 in flight = windowEnd 4000
    expect(m.h.rounds).toBe(1);
    m.ack(10);
    m.ack(10);
    expect(m.h.rounds).toBe(1);
    m.ack(10); // 4000 acknowledged: round 2 begins
    expect(m.h.rounds).toBe(2);
    expect(m.h.lastRoundMinRttMs).toBe(10);
    expect(m.h.currentRoundMinRttMs).toBe(Number.POSITIVE_INFINITY);
    // Round 2 is the 6 segments in flight after that ACK (the 2 it lets the sender send go in round 3):
    // windowEnd = 4000 + 6000. Each later round is the flight at its start, twice the last.
    expect(m.cwnd).toBe(8 * MSS);
    expect(m.round(flat(10))).toHaveLength(6);
    expect(m.round(flat(10))).toHaveLength(12);
    expect(m.round(flat(10))).toHaveLength(24);
    expect(m.h.rounds).toBe(5);
    expect(m.cwnd).toBe((8 + 6 + 12 + 24) * MSS);
    expect(m.h.phase).toBe('slow-start');
  });

  it('a round keeps its minimum RTT; ACKs without a sample do not count toward N_RTT_SAMPLE', () => {
    const m = new SlowStartModel();
    m.round(flat(10));
    m.round((i) => [12, 9, 30, 11][i % 4]);
    expect(m.h.lastRoundMinRttMs).toBe(9);
    // Round 3 (16 ACKs), RTT 30 ms but only on 7 of them: too few samples to judge, standard slow start.
    m.round((i) => (i < N_RTT_SAMPLE - 1 ? 30 : undefined));
    expect(m.h.phase).toBe('slow-start');
  });
});

describe('HyStart++ enters Conservative Slow Start at RttThresh', () => {
  /** Rounds 1–3 at 10 ms; round 4 at `rtt` ms. */
  function riseTo(rtt: number): { m: SlowStartModel; increases: number[] } {
    const m = new SlowStartModel();
    for (let r = 0; r < 3; r++) m.round(flat(10));
    expect(m.h.rounds).toBe(4);
    const increases = m.round(flat(rtt));
    return { m, increases };
  }

  it('10 ms → 13.9 ms: under RttThresh = max(4, 10/8) = 4 ms, slow start goes on', () => {
    const { m, increases } = riseTo(13.9);
    expect(m.h.phase).toBe('slow-start');
    expect(increases.every((x) => x === MSS)).toBe(true);
  });

  it('10 ms → 14 ms: CSS from the 8th sample of the round; each later ACK grows cwnd by SMSS/4', () => {
    const { m, increases } = riseTo(14);
    expect(m.h.phase).toBe('css');
    // Seven ACKs of slow start, then the 8th sample decides: CSS from that ACK on.
    expect(increases.slice(0, N_RTT_SAMPLE - 1)).toEqual(Array(N_RTT_SAMPLE - 1).fill(MSS));
    expect(increases.slice(N_RTT_SAMPLE - 1).every((x) => x === MSS / 4)).toBe(true);
  });

  it('RttThresh is lastRoundMinRTT/8 between 4 and 16 ms: 80 → 89 ms is no rise, 80 → 90 ms is', () => {
    for (const [rtt, phase] of [
      [89.9, 'slow-start'],
      [90, 'css'],
    ] as const) {
      const m = new SlowStartModel();
      for (let r = 0; r < 3; r++) m.round(flat(80));
      m.round(flat(rtt));
      expect(m.h.phase).toBe(phase);
    }
    // Capped at 16 ms: 200 → 216 ms is a rise although 200/8 is 25.
    const m = new SlowStartModel();
    for (let r = 0; r < 3; r++) m.round(flat(200));
    m.round(flat(216));
    expect(m.h.phase).toBe('css');
  });

  it('returns to slow start when a CSS round finds an RTT under the one that began CSS', () => {
    const m = new SlowStartModel();
    for (let r = 0; r < 3; r++) m.round(flat(10));
    m.round(flat(20)); // CSS, baseline 20 ms
    expect(m.h.phase).toBe('css');
    // Next round at 19 ms: under the baseline after N_RTT_SAMPLE samples → slow start again.
    const increases = m.round(flat(19));
    expect(m.h.phase).toBe('slow-start');
    expect(increases.slice(0, N_RTT_SAMPLE)).toEqual(Array(N_RTT_SAMPLE).fill(MSS / 4));
    expect(increases.slice(N_RTT_SAMPLE)).toEqual(Array(increases.length - N_RTT_SAMPLE).fill(MSS));
  });

  it('ends slow start after CSS_ROUNDS rounds of CSS (the round that entered it counts)', () => {
    const m = new SlowStartModel();
    for (let r = 0; r < 3; r++) m.round(flat(10));
    m.round(flat(20));
    expect(m.h.phase).toBe('css');
    for (let r = 1; r < CSS_ROUNDS; r++) {
      expect(m.h.done).toBe(false);
      const before = m.cwnd;
      const increases = m.round(flat(21));
      expect(m.h.phase).toBe(r === CSS_ROUNDS - 1 ? 'done' : 'css');
      // A quarter of slow start's growth: a round of k ACKs adds k·SMSS/4.
      expect(m.cwnd - before).toBe((increases.length * MSS) / 4);
    }
    expect(m.h.done).toBe(true);
  });
});

describe('HyStart++ on sub-millisecond paths', () => {
  it('RTT jitter between 0.1 and 3.9 ms never ends slow start (MIN_RTT_THRESH is 4 ms)', () => {
    const m = new SlowStartModel();
    // Round minimums alternate between 0.1 ms and 3.9 ms: every rise is 3.8 ms, under the floor.
    for (let r = 0; r < 12; r++) {
      const increases = m.round((i) => (r % 2 === 0 ? 0.1 + ((i * 37) % 39) / 10 : 3.9 + ((i * 13) % 5)));
      expect(m.h.phase).toBe('slow-start');
      expect(increases.every((x) => x === MSS)).toBe(true);
    }
    expect(m.h.rounds).toBe(13);
  });

  it('an exact, flat RTT (simulation) changes nothing: every ACK grows cwnd by SMSS', () => {
    const m = new SlowStartModel();
    for (let r = 0; r < 10; r++) expect(m.round(flat(0.2)).every((x) => x === MSS)).toBe(true);
  });
});

describe('the controllers use HyStart++ in their initial slow start', () => {
  /** Drives a controller as a bulk sender: rounds of RTT `rtt(round)` until slow start ends or `maxAcks`. */
  function drive(
    cc: RenoCongestionController | CubicCongestionController,
    rtt: (round: number) => number,
    acks: number,
  ): void {
    let inFlight = cc.cwnd;
    let round = 0;
    let roundLeft = inFlight;
    for (let n = 0; n < acks; n++) {
      inFlight -= MSS;
      roundLeft -= MSS;
      cc.onAck(MSS, n, inFlight, rtt(round));
      if (roundLeft <= 0) {
        round++;
        roundLeft = inFlight;
      }
      inFlight = cc.cwnd;
    }
  }

  for (const make of [
    () => new RenoCongestionController(MSS, 'reno'),
    () => new RenoCongestionController(MSS, 'newreno'),
    () => new CubicCongestionController(MSS),
  ]) {
    it(`${make().name}: a rise of 10 ms → 30 ms leaves slow start with ssthresh = cwnd; without HyStart++ it stays`, () => {
      const cc = make();
      const rtt = (round: number) => (round < 4 ? 10 : 30);
      drive(cc, rtt, 600);
      expect(cc.ssthresh).toBeLessThan(INITIAL_SSTHRESH);
      // CSS grew it 1/4 as fast: far below what 600 ACKs of slow start make (604 segments).
      expect(cc.ssthresh).toBeGreaterThan(60 * MSS);
      expect(cc.ssthresh).toBeLessThan(200 * MSS);
      expect(cc.cwnd).toBeGreaterThanOrEqual(cc.ssthresh);

      const plain =
        cc instanceof CubicCongestionController
          ? new CubicCongestionController(MSS, { hystart: false })
          : new RenoCongestionController(MSS, cc.name, { hystart: false });
      drive(plain, rtt, 600);
      expect(plain.ssthresh).toBe(INITIAL_SSTHRESH);
      expect(plain.cwnd).toBe(604 * MSS);
    });
  }

  it('after a loss the next slow start is standard (HyStart++ is for the initial one only)', () => {
    const cc = new RenoCongestionController(MSS, 'newreno');
    drive(cc, () => 10, 20); // cwnd 24 segments
    cc.onRetransmissionTimeout(24 * MSS); // ssthresh 12 segments, cwnd 1
    // RTTs that would enter CSS at once do not slow this slow start: 11 ACKs reach ssthresh.
    drive(cc, (round) => (round < 1 ? 10 : 100), 11);
    expect(cc.cwnd).toBe(12 * MSS);
    expect(cc.ssthresh).toBe(12 * MSS);
  });
});
