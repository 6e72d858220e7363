import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ReaderPriority, threadNice } from '../../../../src/layers/link/fd/reader-priority.js';

/** A ReaderPriority on a thread that starts at `base`, its setpriority calls recorded (refused per `allowed`). */
function priority(base: number, nice: number, allowed: (nice: number) => boolean = () => true) {
  const calls: number[] = [];
  const p = new ReaderPriority(
    (value) => {
      calls.push(value);
      return allowed(value);
    },
    base,
    nice,
    512,
    1_000,
  );
  return { p, calls };
}

describe('ReaderPriority', () => {
  it('keeps a nice value above 0 all the time, pressure or not; 0 leaves the thread as it started', () => {
    const { p, calls } = priority(0, 5);
    p.start();
    p.pressure(0);
    p.settle(5_000);
    expect(p.current).toBe(5);
    expect(calls).toEqual([5]);
    for (const base of [0, -10, 3]) {
      const zero = priority(base, 0);
      zero.p.start();
      zero.p.pressure(0);
      zero.p.settle(5_000);
      expect(zero.p.current).toBe(base);
      expect(zero.calls).toEqual([]);
    }
  });

  it('takes a negative nice value under pressure only, once, and leaves it calmMs after the last pressure', () => {
    const { p, calls } = priority(0, -10);
    p.start();
    expect(p.current).toBe(0);
    p.settle(10);
    expect(calls).toEqual([]);
    p.pressure(100);
    p.pressure(600); // still raised: no second call
    expect(p.current).toBe(-10);
    expect(calls).toEqual([-10]);
    p.settle(1_599); // 999 ms after the last pressure
    expect(p.current).toBe(-10);
    p.settle(1_600);
    expect(p.current).toBe(0);
    expect(calls).toEqual([-10, 0]);
    p.settle(9_000); // already back: nothing to do
    p.pressure(9_100);
    expect(calls).toEqual([-10, 0, -10]);
  });

  it('goes back to the nice value the process started it with, and never raises it less than that', () => {
    // `nice -n 5 pilha http`: from 5 to -10 and back to 5.
    const polite = priority(5, -10);
    polite.p.start();
    polite.p.pressure(0);
    polite.p.settle(1_000);
    expect(polite.calls).toEqual([-10, 5]);
    // `nice -n -15 pilha http`: already ahead of -10, so pressure changes nothing.
    const ahead = priority(-15, -10);
    ahead.p.start();
    ahead.p.pressure(0);
    ahead.p.settle(1_000);
    expect(ahead.p.current).toBe(-15);
    expect(ahead.calls).toEqual([]);
  });

  it('stays put when raising is refused (no CAP_SYS_NICE), and tries again at the next pressure', () => {
    const { p, calls } = priority(0, -10, (value) => value >= 0);
    p.start();
    p.pressure(0);
    expect(p.current).toBe(0);
    p.settle(5_000);
    p.pressure(5_001);
    expect(p.current).toBe(0);
    expect(calls).toEqual([-10, -10]);
  });

  it('refuses a pressureReads below 1 (every pass, an empty one too, would be pressure)', () => {
    expect(() => new ReaderPriority(() => true, 0, -10, 0, 1_000)).toThrow(RangeError);
  });

  it("reads the calling thread's nice value: this one's is the process's", () => {
    expect(threadNice()).toBe(getPriority());
  });
});
