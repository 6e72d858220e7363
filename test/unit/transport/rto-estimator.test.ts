import { describe, expect, it } from 'vitest';
import {
  RTO_INITIAL_MS,
  RTO_MAX_MS,
  RTO_MIN_MS,
  RtoEstimator,
} from '../../../src/transport/tcp/send/rto-estimator.js';

// The sample values below are chosen so every intermediate result is exact in binary floating point.

describe('RtoEstimator (RFC 6298)', () => {
  it('starts at 1 second with no estimates (2.1)', () => {
    const e = new RtoEstimator();
    expect(RTO_INITIAL_MS).toBe(1000);
    expect(e.rto).toBe(1000);
    expect(e.srtt).toBeUndefined();
    expect(e.rttvar).toBeUndefined();
    expect(e.backoffs).toBe(0);
  });

  it('takes the first sample as SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR) (2.2)', () => {
    const e = new RtoEstimator();
    expect(e.sample(100)).toBe(true);
    expect(e.srtt).toBe(100);
    expect(e.rttvar).toBe(50);
    expect(e.rto).toBe(300); // 100 + 4·50
  });

  it('updates RTTVAR from the old SRTT, then SRTT, on later samples (2.3)', () => {
    const e = new RtoEstimator();
    e.sample(100);

    e.sample(200);
    // RTTVAR = 3/4·50 + 1/4·|100 − 200| = 37.5 + 25
    expect(e.rttvar).toBe(62.5);
    // SRTT = 7/8·100 + 1/8·200 = 87.5 + 25
    expect(e.srtt).toBe(112.5);
    expect(e.rto).toBe(362.5); // 112.5 + 4·62.5

    e.sample(100);
    // RTTVAR = 3/4·62.5 + 1/4·|112.5 − 100| = 46.875 + 3.125
    expect(e.rttvar).toBe(50);
    // SRTT = 7/8·112.5 + 1/8·100 = 98.4375 + 12.5
    expect(e.srtt).toBe(110.9375);
    expect(e.rto).toBe(310.9375); // 110.9375 + 4·50

    e.sample(430.9375);
    // RTTVAR = 3/4·50 + 1/4·|110.9375 − 430.9375| = 37.5 + 80
    expect(e.rttvar).toBe(117.5);
    // SRTT = 7/8·110.9375 + 1/8·430.9375 = 97.0703125 + 53.8671875
    expect(e.srtt).toBe(150.9375);
    expect(e.rto).toBe(620.9375);
  });

  it('uses the clock granularity G when 4·RTTVAR is smaller (2.2/2.3)', () => {
    const e = new RtoEstimator({ granularityMs: 50, minRtoMs: 1 });
    e.sample(100);
    expect(e.rto).toBe(300); // 4·50 > G
    // Constant samples shrink RTTVAR by 3/4 each time: 37.5, 28.125, 21.09375, 15.8203125, 11.865234375.
    for (let i = 0; i < 4; i++) e.sample(100);
    expect(e.rttvar).toBe(15.8203125);
    expect(e.rto).toBe(100 + 4 * 15.8203125);
    e.sample(100);
    expect(e.rttvar).toBe(11.865234375);
    expect(e.rto).toBe(150); // SRTT + G, since 4·RTTVAR = 47.4609375 < 50
  });

  it('clamps RTO to the minimum, 200 ms by default', () => {
    const e = new RtoEstimator();
    expect(RTO_MIN_MS).toBe(200);
    e.sample(10);
    expect(e.srtt).toBe(10);
    expect(e.rttvar).toBe(5);
    expect(e.rto).toBe(200); // 10 + 20 = 30, raised to the floor
    e.sample(0);
    expect(e.rto).toBe(200);
  });

  it('takes a configured minimum, e.g. the RFC 1-second floor (2.4)', () => {
    const e = new RtoEstimator({ minRtoMs: 1000 });
    e.sample(100);
    expect(e.rto).toBe(1000);
    e.sample(500);
    // RTTVAR = 37.5 + 100 = 137.5; SRTT = 87.5 + 62.5 = 150; RTO = 150 + 550
    expect(e.rto).toBe(1000);
    const low = new RtoEstimator({ minRtoMs: 1 });
    low.sample(10);
    expect(low.rto).toBe(30);
  });

  it('clamps RTO to the maximum, 60 s (2.5)', () => {
    const e = new RtoEstimator();
    expect(RTO_MAX_MS).toBe(60_000);
    e.sample(50_000);
    expect(e.srtt).toBe(50_000);
    expect(e.rto).toBe(60_000); // 50 000 + 100 000, capped
  });

  it('doubles on backoff up to the maximum (5.5)', () => {
    const e = new RtoEstimator();
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      e.backoff();
      seen.push(e.rto);
    }
    expect(seen).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(e.backoffs).toBe(8);
    expect(e.srtt).toBeUndefined();
  });

  it('a new sample ends the backoff and recomputes RTO from the estimates', () => {
    const e = new RtoEstimator();
    e.sample(100);
    e.backoff();
    e.backoff();
    expect(e.rto).toBe(1200); // 300 · 4
    expect(e.backoffs).toBe(2);
    e.sample(100);
    // RTTVAR = 3/4·50 + 0 = 37.5; SRTT = 100
    expect(e.rto).toBe(250);
    expect(e.backoffs).toBe(0);
  });

  it('backs off from a configured maximum', () => {
    const e = new RtoEstimator({ maxRtoMs: 5000 });
    e.sample(1000); // 1000 + 2000
    expect(e.rto).toBe(3000);
    e.backoff();
    expect(e.rto).toBe(5000);
  });

  it('ignores negative and non-finite samples', () => {
    const e = new RtoEstimator();
    e.sample(100);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(e.sample(bad)).toBe(false);
    }
    expect(e.srtt).toBe(100);
    expect(e.rttvar).toBe(50);
    expect(e.rto).toBe(300);
  });

  it('rejects nonsensical configuration', () => {
    expect(() => new RtoEstimator({ minRtoMs: 0 })).toThrow(RangeError);
    expect(() => new RtoEstimator({ maxRtoMs: Number.NaN })).toThrow(RangeError);
    expect(() => new RtoEstimator({ granularityMs: -1 })).toThrow(RangeError);
    expect(() => new RtoEstimator({ minRtoMs: 2000, maxRtoMs: 1000 })).toThrow(RangeError);
    expect(() => new RtoEstimator({ initialRtoMs: 0 })).toThrow(RangeError);
  });

  it('keeps the initial RTO within the clamps', () => {
    expect(new RtoEstimator({ initialRtoMs: 3000 }).rto).toBe(3000);
    expect(new RtoEstimator({ initialRtoMs: 100 }).rto).toBe(200);
    expect(new RtoEstimator({ initialRtoMs: 100_000 }).rto).toBe(60_000);
  });
});
