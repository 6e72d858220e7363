/**
 * A congestion controller told that the sender's MSS changed (setMss: path MTU discovery lowered it, or raised
 * it again when that expired): on a rise cwnd and ssthresh keep their size in segments, as Linux counts them in
 * packets; on a fall their bytes (the flight cut anew is a repair); what comes after (growth, the loss window,
 * the floors) uses the new SMSS. Without it, a connection made while the path was narrow and raised later had a
 * loss window of less than one segment.
 */
import { describe, expect, it } from 'vitest';
import {
  type CongestionController,
  INITIAL_SSTHRESH,
} from '../../../src/transport/congestion/congestion-controller.js';
import { CubicCongestionController } from '../../../src/transport/congestion/cubic-congestion-controller.js';
import { RenoCongestionController } from '../../../src/transport/congestion/reno-congestion-controller.js';

const WIDE = 1448;
const NARROW = 948;

const CONTROLLERS: Array<[string, (mss: number) => CongestionController]> = [
  ['reno', (mss) => new RenoCongestionController(mss, 'reno')],
  ['newreno', (mss) => new RenoCongestionController(mss, 'newreno')],
  ['cubic', (mss) => new CubicCongestionController(mss)],
];

/** Grown to `segments` segments of `mss` in slow start, then a loss recovered: ssthresh is set. */
function afterLoss(make: (mss: number) => CongestionController, mss: number, segments: number) {
  const cc = make(mss);
  while (cc.cwnd < segments * mss) cc.onAck(mss, 0, cc.cwnd);
  cc.onFastRetransmit(cc.cwnd);
  cc.onRecoveryExit();
  return cc;
}

describe.each(CONTROLLERS)('%s: setMss', (_name, make) => {
  it('a fall keeps cwnd and ssthresh in bytes; a rise keeps them in segments', () => {
    const cc = afterLoss(make, WIDE, 40);
    const { cwnd, ssthresh } = cc;
    cc.setMss!(NARROW);
    expect(cc.cwnd).toBe(cwnd);
    expect(cc.ssthresh).toBe(ssthresh);
    cc.setMss!(WIDE);
    expect(cc.cwnd / WIDE).toBeCloseTo((cwnd / NARROW) * 1, 0);
    expect(cc.ssthresh / WIDE).toBeCloseTo(ssthresh / NARROW, 0);
  });

  it('leaves the initial ssthresh "arbitrarily high"', () => {
    const cc = make(NARROW);
    cc.setMss!(WIDE);
    expect(cc.ssthresh).toBe(INITIAL_SSTHRESH);
  });

  it('a connection made narrow and raised: the loss window is one new segment, ssthresh at least two', () => {
    const cc = make(NARROW);
    cc.setMss!(WIDE);
    cc.onRetransmissionTimeout(4 * NARROW);
    expect(cc.cwnd).toBe(WIDE);
    expect(cc.ssthresh).toBe(2 * WIDE);
    // Slow start grows by the new SMSS per ACK (RFC 5681 §3.1: min(N, SMSS)).
    cc.onAck(2 * WIDE, 10, 0);
    expect(cc.cwnd).toBe(2 * WIDE);
  });

  it('never below one segment, nor ssthresh below two', () => {
    const cc = make(WIDE);
    cc.onRetransmissionTimeout(2 * WIDE);
    cc.setMss!(600);
    expect(cc.cwnd).toBeGreaterThanOrEqual(600);
    expect(cc.ssthresh).toBeGreaterThanOrEqual(1200);
    cc.setMss!(9000);
    expect(cc.cwnd).toBeGreaterThanOrEqual(9000);
    expect(cc.ssthresh).toBeGreaterThanOrEqual(18_000);
  });
});
