import { describe, expect, it } from 'vitest';
import { DrainRateMeter } from '../../../src/layers/link/fd/drain-rate-meter.js';

describe('DrainRateMeter', () => {
  it('knows nothing until an interval with a backlog at both ends, and then expects waits of backlog / rate', () => {
    const m = new DrainRateMeter();
    expect(m.expectedWaitMs(1_000_000)).toBe(0);
    m.sample(0, 0, 50_000);
    m.sample(5, 10_000, 50_000); // too short an interval: not a sample
    expect(m.measured).toBe(false);
    m.sample(20, 40_000, 60_000); // 40,000 bytes in 20 ms
    expect(m.measured).toBe(true);
    expect(m.bytesPerMs).toBe(2_000);
    expect(m.expectedWaitMs(1_200_000)).toBe(600);
    expect(m.expectedWaitMs(0)).toBe(0);
  });

  it('does not measure an idle main thread (no backlog at the start or the end) nor a stale interval', () => {
    const m = new DrainRateMeter();
    m.sample(0, 0, 0);
    m.sample(20, 100, 5_000); // began with nothing waiting: the main thread may have been idle
    expect(m.measured).toBe(false);
    m.sample(40, 5_100, 0); // ended with nothing waiting: it may have finished early
    expect(m.measured).toBe(false);
    m.sample(60, 5_100, 9_000);
    m.sample(500, 9_000, 9_000); // 440 ms: too long to say what the rate is now
    expect(m.measured).toBe(false);
  });

  it('takes the best rate of the last eight intervals; one that drained nothing over all of them means an infinite wait', () => {
    const m = new DrainRateMeter();
    m.sample(0, 0, 1);
    m.sample(10, 10_000, 1); // 1,000 bytes/ms
    m.sample(20, 50_000, 1); // 4,000 bytes/ms
    m.sample(30, 50_000, 1); // nothing (a GC pause, a lost time slice)
    expect(m.bytesPerMs).toBe(4_000);
    for (let t = 40; t <= 90; t += 10) m.sample(t, 50_000 + (t - 30) * 100, 1); // 100 bytes/ms
    expect(m.bytesPerMs).toBe(4_000); // still within the last eight
    m.sample(100, 57_000, 1);
    expect(m.bytesPerMs).toBe(100); // the 4,000 has left the window
    const stalled = new DrainRateMeter();
    stalled.sample(0, 7, 100);
    stalled.sample(30, 7, 200);
    expect(stalled.expectedWaitMs(200)).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads the consumed count modulo 2^32, as the shared Int32 wraps', () => {
    const m = new DrainRateMeter();
    m.sample(0, 0x7fff_ff00 | 0, 1);
    m.sample(10, (0x7fff_ff00 + 10_000) | 0, 1); // wrapped to a negative Int32
    expect(m.bytesPerMs).toBe(1_000);
  });
});
