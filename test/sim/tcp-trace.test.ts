/**
 * `--trace` end to end in simulation: two pilha stacks over an ImpairedLink with 1% loss (and 2 ms each
 * way), A tracing, 4 MB from A to B. The trace must show the loss recovery that happened (fast
 * retransmits and/or timeouts, as many as A's counters say), its times must never go back, and
 * `pilha plot`'s renderer must turn it into an SVG with the three series and one panel per connection.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTracePlot, SERIES_NAMES } from '../../src/app/trace-plot/trace-plot.js';
import { readTraceFile } from '../../src/app/trace-plot/trace-reader.js';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpConnectionStats } from '../../src/transport/tcp/connection/tcp-connection-types.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 4 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'pilha-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TraceLine {
  readonly t: number;
  readonly conn: string;
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly inflight: number;
  readonly srtt: number | null;
  readonly rto: number;
  readonly event?: string;
}

/** A lossy transfer from A (tracing) to B; returns the trace file and A's connection stats. */
async function lossyTransfer(traceFile: string, seed: number): Promise<TcpConnectionStats> {
  const stacks = await twoTcpStacks({
    impairment: { ...NO_IMPAIRMENT, loss: 0.01, delayMs: 2, seed },
    traceFileA: traceFile,
  });
  const { body, sender } = await transferAtoB(stacks, pattern(SIZE));
  expect(body.length).toBe(SIZE);
  const stats = sender.stats();
  await stacks.close(); // closes the tracer: everything is in the file
  return stats;
}

describe('--trace over a lossy link (1% loss, two pilha stacks)', () => {
  const traceFile = join(dir, 'lossy.jsonl');
  let stats: TcpConnectionStats;
  let lines: TraceLine[];

  it('records loss events as many as the counters, in monotone time, one line per change', async () => {
    stats = await lossyTransfer(traceFile, 7);
    lines = readFileSync(traceFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceLine);
    expect(stats.fastRetransmits + stats.timeouts).toBeGreaterThan(0);
    const events = (name: string) => lines.filter((l) => l.event === name).length;
    // With SACK (on by default), a fast retransmit is the entry into SACK-based recovery.
    expect(events('fast_retransmit') + events('sack_recovery_enter')).toBe(stats.fastRetransmits);
    expect(events('sack_recovery_enter')).toBeGreaterThan(0);
    expect(events('sack_recovery_exit')).toBeGreaterThan(0);
    expect(events('timeout')).toBe(stats.timeouts);
    expect(events('tlp')).toBe(stats.tlpProbes);
    // Monotone time, and the connection's name as "local>remote".
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.t).toBeGreaterThanOrEqual(lines[i - 1]!.t);
    const conns = new Set(lines.map((l) => l.conn));
    expect([...conns]).toEqual([expect.stringMatching(/^10\.9\.0\.1:\d+>10\.9\.0\.2:5001$/)]);
    // Only changes: no two consecutive plain records carry the same values.
    const key = (l: TraceLine) => `${l.cwnd} ${l.ssthresh} ${l.inflight} ${l.srtt} ${l.rto}`;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.event === undefined) expect(key(lines[i]!)).not.toBe(key(lines[i - 1]!));
    }
    // A fast retransmit halves the window: ssthresh is set (no longer "infinite") from then on.
    const firstLoss = lines.find((l) => l.event === 'sack_recovery_enter' || l.event === 'timeout')!;
    expect(firstLoss.ssthresh).toBeLessThan(0x7fffffff);
    expect(lines.at(-1)!.srtt).toBeGreaterThan(3.9); // 2 ms each way
  });

  it('pilha plot renders it: an SVG with the three series and one panel for the connection', async () => {
    const trace = await readTraceFile(traceFile);
    expect(trace.records).toBe(lines.length);
    expect(trace.skippedLines).toBe(0);
    const svg = await renderTracePlot(trace.connections, { title: 'lossy' });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of SERIES_NAMES) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('>sack_recovery_enter</text>');
    // The panel's header names the connection (">" escaped in SVG text).
    const conn = trace.connections[0]!.conn.replace('>', '&gt;');
    expect(svg.split(`>${conn}</text>`).length - 1).toBe(1);
  });
});
