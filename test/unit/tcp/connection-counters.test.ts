import { describe, expect, it } from 'vitest';
import {
  addConnectionCounters,
  CONNECTION_COUNTERS,
  newConnectionCounters,
} from '../../../src/transport/tcp/connection/tcp-connection-types.js';

describe('connection counters', () => {
  it('addConnectionCounters adds every counter of CONNECTION_COUNTERS, each into its own total', () => {
    const totals = newConnectionCounters();
    const counts = newConnectionCounters();
    CONNECTION_COUNTERS.forEach((name, i) => {
      totals[name] = 1000 * i;
      counts[name] = i + 1;
    });
    addConnectionCounters(totals, counts);
    addConnectionCounters(totals, counts);
    CONNECTION_COUNTERS.forEach((name, i) => {
      expect(totals[name], name).toBe(1000 * i + 2 * (i + 1));
    });
    expect(Object.keys(totals).sort()).toEqual([...CONNECTION_COUNTERS].sort());
  });
});
