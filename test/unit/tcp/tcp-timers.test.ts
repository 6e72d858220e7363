import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { SystemClock } from '../../../src/core/system-clock.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { TcpTimers, TimerKind } from '../../../src/transport/tcp/connection/tcp-timers.js';

function setup() {
  const clock = new VirtualClock();
  const fired: Array<[number, number]> = [];
  const timers = new TcpTimers(clock, { onTimer: (kind, now) => fired.push([kind, now]) });
  return { clock, fired, timers };
}

describe('TcpTimers: deadlines as data behind one Clock timer', () => {
  it('fires each kind at its deadline, in time order', () => {
    const { clock, fired, timers } = setup();
    timers.set(TimerKind.RETRANSMIT, 200);
    timers.set(TimerKind.DELAYED_ACK, 40);
    timers.set(TimerKind.KEEPALIVE, 1000);
    clock.advance(2000);
    expect(fired).toEqual([
      [TimerKind.DELAYED_ACK, 40],
      [TimerKind.RETRANSMIT, 200],
      [TimerKind.KEEPALIVE, 1000],
    ]);
  });

  it('a deadline moved later costs no Clock timer; the armed one re-arms for it', () => {
    const { clock, fired, timers } = setup();
    timers.set(TimerKind.RETRANSMIT, 200);
    for (let t = 0; t < 100; t++) {
      clock.advance(10);
      timers.set(TimerKind.RETRANSMIT, 200); // restarted by every ACK
    }
    expect(clock.pendingTimers).toBe(1);
    expect(fired).toEqual([]);
    clock.advance(200);
    expect(fired).toEqual([[TimerKind.RETRANSMIT, 1200]]);
  });

  it('clear, ensure, isSet and stop', () => {
    const { clock, fired, timers } = setup();
    timers.set(TimerKind.PERSIST, 100);
    timers.ensure(TimerKind.PERSIST, 500); // already running: unchanged
    expect(timers.deadline(TimerKind.PERSIST)).toBe(100);
    timers.clear(TimerKind.PERSIST);
    expect(timers.isSet(TimerKind.PERSIST)).toBe(false);
    timers.set(TimerKind.TIME_WAIT, 50);
    timers.stop();
    timers.set(TimerKind.TIME_WAIT, 50);
    clock.advance(1000);
    expect(fired).toEqual([]);
  });
});

describe('TcpTimers: what an idle connection keeps', () => {
  /** A VirtualClock that records the callbacks it is given and counts reads of the time. */
  function spyClock() {
    const clock = new VirtualClock();
    const callbacks: unknown[] = [];
    let reads = 0;
    const spy: Clock = {
      now: () => {
        reads++;
        return clock.now();
      },
      setTimer: <T>(delayMs: number, fire: (arg: T) => void, arg?: T) => {
        callbacks.push(fire);
        return clock.setTimer(delayMs, fire as (arg: T | undefined) => void, arg);
      },
    };
    return { clock, spy, callbacks, reads: () => reads };
  }

  it('every connection hands the Clock the same callback (no closure per connection)', () => {
    const { clock, spy, callbacks } = spyClock();
    const fired: number[] = [];
    const a = new TcpTimers(spy, { onTimer: () => fired.push(1) });
    const b = new TcpTimers(spy, { onTimer: () => fired.push(2) });
    a.set(TimerKind.RETRANSMIT, 100);
    b.set(TimerKind.RETRANSMIT, 200);
    expect(callbacks).toHaveLength(2);
    expect(callbacks[0]).toBe(callbacks[1]);
    clock.advance(300);
    expect(fired).toEqual([1, 2]);
  });

  it('a firing reads the time once, and again only after a handler ran', () => {
    const { clock, spy, reads } = spyClock();
    const timers = new TcpTimers(spy, { onTimer: () => {} });
    timers.set(TimerKind.RETRANSMIT, 100);
    timers.clear(TimerKind.RETRANSMIT); // the armed Clock timer still fires, finding nothing due
    const before = reads();
    clock.advance(100);
    expect(reads() - before).toBe(1);
    timers.set(TimerKind.DELAYED_ACK, 40);
    const before2 = reads();
    clock.advance(40);
    expect(reads() - before2).toBe(2);
  });
});

describe('SystemClock', () => {
  it('passes its argument to the callback, and a cancelled timer never fires', async () => {
    const clock = new SystemClock();
    const got: string[] = [];
    clock.setTimer(1, (arg: string) => got.push(arg), 'a');
    clock.setTimer(1, (arg: string) => got.push(arg), 'b').cancel();
    clock.setTimer(1, () => got.push('plain'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got.sort()).toEqual(['a', 'plain']);
  });
});
