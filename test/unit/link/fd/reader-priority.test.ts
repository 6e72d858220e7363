import { describe, expect, it } from 'vitest';
import { ReaderPriority } from '../../../../src/layers/link/fd/reader-priority.js';

/** A ReaderPriority whose setpriority is recorded, and refused when `allowed` says so. */
function priority(nice: number, allowed: (nice: number) => boolean = () => true) {
  const calls: number[] = [];
  const p = new ReaderPriority(
    (value) => {
      calls.push(value);
      return allowed(value);
    },
    nice,
    512,
    1_000,
  );
  return { p, calls };
}

describe('ReaderPriority', () => {
  it('keeps a nice value of 0 or more all the time, pressure or not', () => {
    const { p, calls } = priority(5);
    p.start();
    p.pressure(0);
    p.settle(5_000);
    expect(p.current).toBe(5);
    expect(calls).toEqual([5]);
    const zero = priority(0);
    zero.p.start();
    zero.p.pressure(0);
    zero.p.settle(5_000);
    expect(zero.p.current).toBe(0);
    expect(zero.calls).toEqual([]);
  });

  it('takes a negative nice value under pressure only, once, and leaves it calmMs after the last pressure', () => {
    const { p, calls } = priority(-10);
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

  it('stays at 0 when raising is refused (no CAP_SYS_NICE), and tries again at the next pressure', () => {
    const { p, calls } = priority(-10, (value) => value >= 0);
    p.start();
    p.pressure(0);
    expect(p.current).toBe(0);
    p.settle(5_000);
    p.pressure(5_001);
    expect(p.current).toBe(0);
    expect(calls).toEqual([-10, -10]);
  });
});
