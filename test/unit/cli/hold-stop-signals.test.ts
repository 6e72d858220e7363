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

  it('without a signal while starting, untilSignal waits for one as before', async () => {
    holdStopSignals();
    const waiting = untilSignal();
    process.emit('SIGHUP', 'SIGHUP');
    expect(await waiting).toBe('SIGHUP');
  });
});
