import { describe, expect, it } from 'vitest';
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
