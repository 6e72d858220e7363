import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_SSTHRESH, initialWindow } from '../../../src/transport/congestion/congestion-controller.js';
import {
  CUBIC_ALPHA,
  CUBIC_BETA,
  CUBIC_C,
  CubicCongestionController,
  CubicCongestionControllerFactory,
  cubicK,
  cubicWindow,
} from '../../../src/transport/congestion/cubic-congestion-controller.js';

const MSS = 1000;

/** Slow start from IW to `segments` segments: one ACK per segment, all at time 0. */
function grownTo(segments: number, options = {}): CubicCongestionController {
  const cc = new CubicCongestionController(MSS, options);
  while (cc.cwnd < segments * MSS) cc.onAck(MSS, 0, cc.cwnd);
  expect(cc.cwnd).toBe(segments * MSS);
  return cc;
}

/** A loss at a window of `segments` (all in flight), recovered by a full ACK: cwnd = ssthresh = β·segments. */
function afterLoss(segments: number, options = {}): CubicCongestionController {
  const cc = grownTo(segments, options);
  cc.onFastRetransmit(segments * MSS);
  cc.onRecoveryExit();
  return cc;
}

/**
 * A flow limited by cwnd with a fixed RTT: each round trip the whole window is acknowledged, one ACK per
 * segment spread evenly over the RTT, each carrying the RTT sample. Runs from `from` until `until` (ms) and
 * returns the time reached; `onRound` sees cwnd at the start of each round.
 */
function run(
  cc: CubicCongestionController,
  from: number,
  until: number,
  rttMs: number,
  onRound?: (now: number) => void,
): number {
  let now = from;
  while (now < until) {
    onRound?.(now);
    const n = Math.max(1, Math.floor(cc.cwnd / MSS));
    for (let i = 1; i <= n; i++) cc.onAck(MSS, now + (i * rttMs) / n, cc.cwnd, rttMs);
    now += rttMs;
  }
  return now;
}

describe('CubicCongestionController (RFC 9438)', () => {
  it('uses the RFC constants: C = 0.4, β = 0.7, α = 3(1 − β)/(1 + β)', () => {
    expect(CUBIC_C).toBe(0.4);
    expect(CUBIC_BETA).toBe(0.7);
    expect(CUBIC_ALPHA).toBeCloseTo(0.9 / 1.7, 12);
  });

  it('starts like Reno: IW, ssthresh "infinite", slow start by min(N, SMSS) per ACK', () => {
    const cc = new CubicCongestionController(MSS);
    expect(cc.name).toBe('cubic');
    expect(cc.cwnd).toBe(initialWindow(MSS));
    expect(cc.ssthresh).toBe(INITIAL_SSTHRESH);
    cc.onAck(MSS, 0, 0);
    cc.onAck(400, 0, 0);
    cc.onAck(3 * MSS, 0, 0); // a stretch ACK still adds one SMSS
    expect(cc.cwnd).toBe(initialWindow(MSS) + 2400);
    expect(cc.region).toBe('slow-start');
  });

  it('makes its curve only at the first reduction or stage of congestion avoidance (memory of idle connections)', () => {
    const curveOf = (c: CubicCongestionController) => (c as unknown as { curve: object | undefined }).curve;
    const idle = new CubicCongestionController(MSS);
    for (let i = 0; i < 20; i++) idle.onAck(MSS, i, 0, 1);
    expect(idle.region).toBe('slow-start');
    expect(curveOf(idle)).toBeUndefined();
    expect([idle.wMax, idle.k, idle.wEst]).toEqual([0, 0, 0]);
    const reduced = new CubicCongestionController(MSS);
    reduced.onFastRetransmit(10 * MSS);
    expect(curveOf(reduced)).toBeDefined();
    expect(reduced.wMax).toBeCloseTo(initialWindow(MSS) / MSS);
  });

  describe('multiplicative decrease (§4.6)', () => {
    it('on fast retransmit: ssthresh = β·FlightSize, cwnd = ssthresh + 3·SMSS in recovery, ssthresh after', () => {
      const cc = grownTo(100);
      cc.onFastRetransmit(90 * MSS); // FlightSize, not cwnd
      expect(cc.ssthresh).toBe(63 * MSS);
      expect(cc.cwnd).toBe(66 * MSS);
      expect(cc.wMax).toBe(100); // W_max is the window, not the flight
      cc.onDuplicateAck();
      expect(cc.cwnd).toBe(67 * MSS);
      cc.onAck(10 * MSS, 50, 80 * MSS);
      expect(cc.cwnd).toBe(67 * MSS); // no growth in recovery
      cc.onPartialAck(3 * MSS);
      expect(cc.cwnd).toBe(65 * MSS); // RFC 6582: −3 + 1 SMSS
      cc.onFastRetransmit(10 * MSS); // once per episode
      expect(cc.ssthresh).toBe(63 * MSS);
      cc.onRecoveryExit();
      expect(cc.cwnd).toBe(63 * MSS);
      expect(cc.exitsRecoveryOnPartialAck).toBe(false);
    });

    it('keeps ssthresh at least 2·SMSS', () => {
      const cc = new CubicCongestionController(MSS);
      cc.onFastRetransmit(2 * MSS);
      expect(cc.ssthresh).toBe(2 * MSS);
    });
  });

  describe('window growth (§4.2–§4.5)', () => {
    it('K = ∛(W_max·(1 − β)/C) when the reduction was from W_max itself', () => {
      const cc = afterLoss(100);
      expect(cc.cwnd).toBe(70 * MSS);
      cc.onAck(MSS, 1000, 70 * MSS, 100); // the first ACK in congestion avoidance begins the epoch
      expect(cc.k).toBeCloseTo(Math.cbrt((100 * (1 - CUBIC_BETA)) / CUBIC_C), 12);
      expect(cc.k).toBeCloseTo(4.2172, 4);
      // The general form, eq. (2): K = ∛((W_max − cwnd_epoch)/C); 0 when cwnd_epoch ≥ W_max.
      expect(cubicK(100, 70)).toBeCloseTo(Math.cbrt(75), 12);
      expect(cubicK(100, 120)).toBe(0);
      expect(cubicWindow(cubicK(100, 70), cubicK(100, 70), 100)).toBeCloseTo(100, 12);
      expect(cubicWindow(0, cubicK(100, 70), 100)).toBeCloseTo(70, 12);
    });

    it('each ACK closes (target − cwnd)/cwnd of the gap to W_cubic(t + RTT) (concave, before K)', () => {
      const cc = afterLoss(100);
      cc.onAck(MSS, 10_000, 70 * MSS, 100); // epoch at 10 s
      const k = cc.k;
      const before = cc.cwnd / MSS;
      const t = 1; // one second into the epoch: well before K ≈ 4.2 s
      cc.onAck(MSS, 10_000 + t * 1000, 70 * MSS, 100);
      const target = Math.min(Math.max(cubicWindow(t + 0.1, k, 100), before), 1.5 * before);
      expect(target).toBeLessThan(100);
      expect(cc.region).toBe('concave');
      // cwnd is shown rounded down to a byte.
      expect(cc.cwnd).toBe(Math.floor((before + (target - before) / before) * MSS));
    });

    it('clamps the target at 1.5·cwnd: at most half a segment per ACK when W_cubic is far ahead', () => {
      const cc = afterLoss(100);
      cc.onAck(MSS, 0, 70 * MSS, 100);
      const before = cc.cwnd;
      cc.onAck(MSS, 60_000, 70 * MSS, 100); // W_cubic(60 s) is ~ 70 000 segments
      expect(cc.cwnd - before).toBe(MSS / 2);
    });

    it('tracks W_cubic: concave up to W_max, a plateau around K, convex after', () => {
      const cc = afterLoss(100);
      const rtt = 100;
      const seen: { t: number; w: number }[] = [];
      const start = 0;
      cc.onAck(MSS, start, 70 * MSS, rtt);
      const k = cc.k;
      run(cc, start, start + 2 * k * 1000 + 1000, rtt, (now) =>
        seen.push({ t: now / 1000, w: cc.cwnd / MSS }),
      );
      const at = (t: number) => seen.reduce((a, b) => (Math.abs(b.t - t) < Math.abs(a.t - t) ? b : a)).w;
      // Within a few percent of the equation, one RTT ahead of it at most (cwnd aims at W_cubic(t + RTT)).
      for (const t of [0.5, 1, 2, 3, k, k + 1, 1.5 * k, 2 * k]) {
        const w = at(t);
        expect(w).toBeGreaterThanOrEqual(cubicWindow(t, k, 100) * 0.97);
        expect(w).toBeLessThanOrEqual(cubicWindow(t + 2 * (rtt / 1000), k, 100) * 1.03);
      }
      // Concave: the first second grows more than the second before K; a plateau: almost nothing around K.
      const early = at(1) - at(0);
      const late = at(k - 1) - at(k - 2);
      const plateau = at(k + 0.5) - at(k - 0.5);
      expect(early).toBeGreaterThan(3 * late);
      expect(plateau).toBeLessThan(1);
      expect(at(k)).toBeGreaterThan(98);
      expect(at(k)).toBeLessThan(101);
      // Convex: growth speeds up past K.
      expect(at(2 * k) - at(2 * k - 1)).toBeGreaterThan(3 * (at(k + 1) - at(k)));
      expect(at(2 * k)).toBeGreaterThan(125); // W_cubic(2K) = 100 + 0.4·K³ = 130
    });

    it('takes W_est when it is above W_cubic: the Reno-friendly region (§4.3) on a small-BDP path', () => {
      const cc = afterLoss(10);
      expect(cc.cwnd).toBe(7 * MSS);
      // RTT 1 ms: W_est grows by α_cubic per round trip, 530 segments a second; W_cubic climbs to 10 in K ≈ 2 s.
      let wEst = 7;
      let now = 0;
      for (let round = 0; round < 200; round++) {
        const cwnd = cc.cwnd / MSS;
        const n = Math.floor(cwnd);
        for (let i = 0; i < n; i++) {
          const cwndNow = cc.cwnd / MSS; // W_est uses the cwnd of the moment, before this ACK's change
          wEst += (wEst >= 10 ? 1 : CUBIC_ALPHA) / cwndNow;
          cc.onAck(MSS, now, cc.cwnd, 1);
        }
        now += 1;
      }
      expect(cc.region).toBe('reno-friendly');
      expect(cc.wEst).toBeCloseTo(wEst, 1); // cwnd as shown (and used above) is rounded down to a byte
      expect(cc.cwnd / MSS).toBeCloseTo(cc.wEst, 2);
      // 200 RTTs after the loss: Reno-like linear growth, far above W_cubic(0.2 s).
      expect(cc.cwnd / MSS).toBeGreaterThan(cubicWindow(0.2, cc.k, 10) + 50);
    });

    it('α_cubic is 1 once W_est reaches cwnd_prior: one segment per RTT, as Reno', () => {
      const cc = afterLoss(10);
      run(cc, 0, 200, 1);
      const w0 = cc.wEst;
      expect(w0).toBeGreaterThan(10);
      const r0 = cc.cwnd;
      run(cc, 200, 210, 1);
      // Ten round trips, about one segment each (each round acknowledges the window of its start).
      expect((cc.cwnd - r0) / MSS).toBeGreaterThan(9.5);
      expect((cc.cwnd - r0) / MSS).toBeLessThan(10.5);
    });
  });

  describe('fast convergence (§4.7)', () => {
    it('a loss below the last W_max lowers W_max to cwnd·(1 + β)/2', () => {
      const cc = afterLoss(100);
      expect(cc.wMax).toBe(100);
      run(cc, 0, 1000, 100); // grows from 70 toward 100, not yet there
      const cwnd = cc.cwnd / MSS;
      expect(cwnd).toBeLessThan(100);
      cc.onFastRetransmit(cc.cwnd);
      expect(cc.wMax).toBeCloseTo((cwnd * (1 + CUBIC_BETA)) / 2, 2);
    });

    it('without fast convergence, W_max is the window at the loss', () => {
      const cc = afterLoss(100, { fastConvergence: false });
      run(cc, 0, 1000, 100);
      const cwnd = cc.cwnd / MSS;
      cc.onFastRetransmit(cc.cwnd);
      expect(cc.wMax).toBeCloseTo(cwnd, 2);
    });

    it('a loss above W_max sets W_max to the window', () => {
      const cc = afterLoss(20);
      run(cc, 0, 30_000, 100); // long past K: convex, above 20
      const cwnd = cc.cwnd / MSS;
      expect(cwnd).toBeGreaterThan(20);
      cc.onFastRetransmit(cc.cwnd);
      expect(cc.wMax).toBeCloseTo(cwnd, 2);
    });
  });

  describe('retransmission timeout (§4.8)', () => {
    it('cwnd = 1 SMSS, ssthresh = β·FlightSize; then slow start and a convex epoch with K = 0, W_max = cwnd_epoch', () => {
      const cc = grownTo(50);
      cc.onRetransmissionTimeout(40 * MSS);
      expect(cc.cwnd).toBe(MSS);
      expect(cc.ssthresh).toBe(28 * MSS);
      while (cc.cwnd < 28 * MSS) cc.onAck(MSS, 0, cc.cwnd, 10);
      expect(cc.region).toBe('slow-start');
      cc.onAck(MSS, 100, 28 * MSS, 10);
      expect(cc.k).toBe(0);
      expect(cc.wMax).toBe(28);
      expect(cc.wEst).toBeGreaterThan(28);
      expect(cc.wEst).toBeLessThan(28.1);
      // W_cubic(t) = 0.4·t³ + 28 from here: after 10 s (100 RTTs of 100 ms) the cubic leads W_est by far.
      run(cc, 100, 10_100, 100);
      expect(cc.region).toBe('convex');
      expect(cc.cwnd / MSS).toBeGreaterThan(cubicWindow(10, 0, 28) * 0.95);
      expect(cc.cwnd / MSS).toBeLessThan(cubicWindow(10.2, 0, 28) * 1.05);
    });

    it('holds ssthresh when the timer fires again before progress, and leaves recovery', () => {
      const cc = grownTo(50);
      cc.onFastRetransmit(50 * MSS);
      cc.onRetransmissionTimeout(50 * MSS);
      expect(cc.inRecovery).toBe(false);
      const ssthresh = cc.ssthresh;
      cc.onRetransmissionTimeout(MSS);
      expect(cc.ssthresh).toBe(ssthresh);
      expect(cc.cwnd).toBe(MSS);
      cc.onAck(MSS, 0, 0, 10);
      cc.onRetransmissionTimeout(4 * MSS); // progress came: a new reduction
      expect(cc.ssthresh).toBe(2800);
    });
  });

  it('after idle, cwnd is cut to the restart window and the next ACK starts a new epoch', () => {
    const cc = afterLoss(100);
    run(cc, 0, 2000, 100);
    cc.onIdleRestart();
    expect(cc.cwnd).toBe(initialWindow(MSS));
    expect(cc.ssthresh).toBe(70 * MSS);
  });

  it('keeps cwnd ≥ 1 SMSS and ssthresh ≥ 2·SMSS, and grows under a segment per ACK in avoidance (property)', () => {
    const event = fc.oneof(
      fc.record({
        kind: fc.constant('ack' as const),
        segs: fc.integer({ min: 1, max: 64 }),
        dt: fc.nat(3000),
      }),
      fc.record({ kind: fc.constant('dup' as const) }),
      fc.record({ kind: fc.constant('loss' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('partial' as const), segs: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('exit' as const) }),
      fc.record({ kind: fc.constant('rto' as const) }),
      fc.record({ kind: fc.constant('idle' as const) }),
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 300 }), (events) => {
        const cc = new CubicCongestionController(MSS);
        let now = 0;
        for (const e of events) {
          switch (e.kind) {
            case 'ack': {
              now += e.dt;
              const before = cc.cwnd;
              for (let i = 0; i < e.segs; i++) cc.onAck(MSS, now, cc.cwnd, 20);
              if (!cc.inRecovery && before >= cc.ssthresh) {
                // In congestion avoidance: at most half a segment per ACK (W_est's α ≤ 1 per window adds less).
                expect(cc.cwnd).toBeLessThanOrEqual(before + (e.segs * MSS) / 2 + 1);
              }
              break;
            }
            case 'dup':
              cc.onDuplicateAck();
              break;
            case 'loss':
              cc.onFastRetransmit(Math.floor(cc.cwnd * e.frac));
              break;
            case 'partial':
              cc.onPartialAck(e.segs * MSS);
              break;
            case 'exit':
              cc.onRecoveryExit();
              break;
            case 'rto':
              cc.onRetransmissionTimeout(cc.cwnd);
              break;
            case 'idle':
              cc.onIdleRestart();
              break;
          }
          expect(cc.cwnd).toBeGreaterThanOrEqual(MSS);
          expect(Number.isFinite(cc.cwnd)).toBe(true);
          if (cc.ssthresh !== INITIAL_SSTHRESH) expect(cc.ssthresh).toBeGreaterThanOrEqual(2 * MSS);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the factory makes independent controllers', () => {
    const f = new CubicCongestionControllerFactory();
    expect(f.name).toBe('cubic');
    const a = f.create(1460);
    const b = f.create(1460);
    a.onRetransmissionTimeout(100_000);
    expect(b.cwnd).toBe(initialWindow(1460));
    expect(() => f.create(0)).toThrow(RangeError);
  });
});
