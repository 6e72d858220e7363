/**
 * The dashboard sees what `--trace` writes: two pilha stacks over a link with 1% loss, A tracing to a file
 * and tapped by a dashboard hub with a page subscribed, 4 MB from A to B. The hub's loss events are the
 * file's, in the same order, as many as A's counters say.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DashboardHub } from '../../src/app/dashboard/dashboard-hub.js';
import { DashboardTcpTracer } from '../../src/app/dashboard/dashboard-tcp-tracer.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 4 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'pilha-dash-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the dashboard tap over a lossy link', () => {
  it('gets every loss event the --trace file gets, in order', async () => {
    // The hub's own clock stays still: no ticks, the events are read from its history at the end.
    const hub = new DashboardHub(new VirtualClock());
    hub.subscribe(() => {});
    const traceFile = join(dir, 'a.jsonl');
    const stacks = await twoTcpStacks({
      impairment: { ...NO_IMPAIRMENT, loss: 0.01, delayMs: 2, seed: 11 },
      traceFileA: traceFile,
      wrapTcpTracerA: (inner) => new DashboardTcpTracer(hub, inner),
    });
    const { body, sender } = await transferAtoB(stacks, pattern(SIZE));
    expect(body.length).toBe(SIZE);
    const stats = sender.stats();
    await stacks.close();

    const fileEvents = readFileSync(traceFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { conn: string; event?: string })
      .filter((l) => l.event !== undefined);
    const hubEvents = hub.hello().events;
    expect(hubEvents.length).toBeGreaterThan(0);
    expect(hubEvents.length).toBeLessThan(hub.limits.events);
    expect(hubEvents.map((e) => [e.conn, e.event])).toEqual(fileEvents.map((e) => [e.conn, e.event]));
    const count = (name: string) => hubEvents.filter((e) => e.event === name).length;
    expect(count('fast_retransmit') + count('sack_recovery_enter')).toBe(stats.fastRetransmits);
    expect(count('timeout')).toBe(stats.timeouts);
    expect(count('tlp')).toBe(stats.tlpProbes);
  });
});
