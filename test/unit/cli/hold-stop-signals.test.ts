/**
 * A stopping signal that comes while a command builds its stack is held (holdStopSignals) and taken by the
 * command's untilSignal once the stack is up, so that it stops as on a signal, putting back what it changed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { holdStopSignals, untilSignal } from '../../../src/cli/run-helpers.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const listeners = () => SIGNALS.map((s) => process.listenerCount(s));

describe('holdStopSignals', () => {
  const before = listeners();
  afterEach(() => expect(listeners()).toEqual(before));

  it('holds a signal that comes while starting: untilSignal then resolves with it at once, the listeners gone', async () => {
    holdStopSignals();
    process.emit('SIGTERM', 'SIGTERM');
    expect(await untilSignal()).toBe('SIGTERM');
  });

  it("hands over from holding to waiting with a listener always there, so that Node keeps each signal's handle", async () => {
    holdStopSignals();
    // Node closes a signal's handle (and a signal it has taken in but not yet dispatched) with its last listener.
    let fewestOfOurs = Number.POSITIVE_INFINITY;
    const off = process.off;
    process.off = function (this: NodeJS.Process, ...args: Parameters<typeof process.off>) {
      const result = off.apply(this, args);
      const now = listeners();
      fewestOfOurs = Math.min(fewestOfOurs, ...now.map((n, i) => n - before[i]!));
      return result;
    } as typeof process.off;
    let waiting: Promise<NodeJS.Signals | undefined>;
    try {
      waiting = untilSignal();
    } finally {
      process.off = off;
    }
    expect(fewestOfOurs).toBeGreaterThanOrEqual(1);
    process.emit('SIGINT', 'SIGINT');
    expect(await waiting).toBe('SIGINT');
  });

  it('without a signal while starting, untilSignal waits for one as before', async () => {
    holdStopSignals();
    const waiting = untilSignal();
    process.emit('SIGHUP', 'SIGHUP');
    expect(await waiting).toBe('SIGHUP');
  });
});
