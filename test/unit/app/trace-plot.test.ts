/**
 * `pilha plot`'s parts: the downsampler keeps every extreme and bounds the point count; the reader skips
 * what is not a record; the renderer gives an SVG with the three series, the events and a panel per
 * connection, and stays small for a long transfer's trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downsampleSeries } from '../../../src/app/trace-plot/series-downsampler.js';
import { renderTracePlot, SERIES_NAMES, tracePlotSpec } from '../../../src/app/trace-plot/trace-plot.js';
import { type ConnectionTrace, readTraceFile } from '../../../src/app/trace-plot/trace-reader.js';
import { PilhaError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pilha-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Reno-like sawtooth: cwnd grows by ~1 MSS per 100 records and halves every `period` records. */
function sawtooth(conn: string, n: number, period = 5000): ConnectionTrace {
  const c: ConnectionTrace = {
    conn,
    t: [],
    cwnd: [],
    ssthresh: [],
    inflight: [],
    srtt: [],
    rto: [],
    events: [],
  };
  let cwnd = 14_480;
  let ssthresh = 0x7fffffff;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % period === 0) {
      ssthresh = Math.round(cwnd / 2);
      cwnd = ssthresh;
      c.events.push({ index: i, event: 'fast_retransmit' });
    } else cwnd += 14.48;
    c.t.push(i * 0.05);
    c.cwnd.push(Math.round(cwnd));
    c.ssthresh.push(ssthresh);
    c.inflight.push(Math.round(cwnd * (0.5 + 0.5 * Math.sin(i))));
    c.srtt.push(0.4);
    c.rto.push(200);
  }
  return c;
}

describe('downsampleSeries', () => {
  it('keeps only the changes of a step series, and its last point', () => {
    const s = downsampleSeries([0, 1, 2, 3, 4, 5], [10, 10, 20, 20, 20, 20], 100);
    expect(s).toEqual({ t: [0, 2, 5], value: [10, 20, 20] });
  });

  it('leaves out points without a value (ssthresh before the first loss)', () => {
    const s = downsampleSeries([0, 1, 2, 3], [99, 99, 5, 6], 100, (v) => v === 99);
    expect(s).toEqual({ t: [2, 3], value: [5, 6] });
  });

  it('bounds a long series to about four points per bucket, every spike and dip kept', () => {
    const n = 200_000;
    const t = Array.from({ length: n }, (_, i) => i);
    const v = Array.from({ length: n }, (_, i) => 1000 + (i % 7));
    v[123_457] = 1_000_000; // one spike
    v[54_321] = 1; // one dip
    const s = downsampleSeries(t, v, 500);
    expect(s.t.length).toBeLessThanOrEqual(4 * 500);
    expect(Math.max(...s.value)).toBe(1_000_000);
    expect(Math.min(...s.value)).toBe(1);
    expect(s.t).toContain(123_457);
    for (let i = 1; i < s.t.length; i++) expect(s.t[i]!).toBeGreaterThan(s.t[i - 1]!);
  });
});

describe('readTraceFile', () => {
  it('groups records by connection in file order and skips lines that are not records', async () => {
    const file = join(dir, 'mixed.jsonl');
    const rec = (t: number, conn: string, extra = '') =>
      `{"t":${t},"conn":"${conn}","cwnd":1000,"ssthresh":2147483647,"inflight":0,"srtt":null,"rto":1000${extra}}`;
    writeFileSync(
      file,
      [
        rec(0, 'b'),
        'not json',
        rec(1, 'a'),
        '{"t":2,"conn":"a"}',
        rec(3, 'b', ',"event":"timeout"'),
        '',
        '{"t":4,"conn":"a","cwnd',
      ].join('\n'),
    );
    const trace = await readTraceFile(file);
    expect(trace.records).toBe(3);
    expect(trace.skippedLines).toBe(3);
    expect(trace.connections.map((c) => c.conn)).toEqual(['b', 'a']);
    expect(trace.connections[0]!.events).toEqual([{ index: 1, event: 'timeout' }]);
    expect(Number.isNaN(trace.connections[0]!.srtt[0])).toBe(true);
  });

  it('a file that cannot be read is a usage mistake (EBADOPTION)', async () => {
    const err = await readTraceFile(join(dir, 'missing.jsonl')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PilhaError);
    expect(err).toMatchObject({
      code: 'EBADOPTION',
      message: expect.stringMatching(/cannot read trace file/),
    });
  });

  // A directory opens; its read fails later, and came out as a bare "EISDIR: illegal operation on a
  // directory, read" with exit 1.
  it('a directory is a usage mistake too (EBADOPTION), named as a trace file that cannot be read', async () => {
    const err = await readTraceFile(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PilhaError);
    expect(err).toMatchObject({
      code: 'EBADOPTION',
      message: `cannot read trace file '${dir}': EISDIR: illegal operation on a directory, read`,
    });
  });
});

describe('renderTracePlot', () => {
  it('one panel per connection, the three series and the events in the legend', async () => {
    const svg = await renderTracePlot([sawtooth('10.0.0.2:80>10.0.0.1:1', 20_000), sawtooth('x>y', 12_000)], {
      title: 'two',
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const name of SERIES_NAMES) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('>fast_retransmit</text>');
    expect(svg.split('>10.0.0.2:80&gt;10.0.0.1:1</text>').length - 1).toBe(1);
    expect(svg.split('>x&gt;y</text>').length - 1).toBe(1);
  });

  it('the spec has a row per connection and marks for each kind of event', () => {
    const spec = tracePlotSpec([sawtooth('a', 100, 30)]) as unknown as {
      facet: { row: { field: string } };
      data: { values: { series?: string; event?: string }[] };
    };
    expect(spec.facet.row.field).toBe('conn');
    const values = spec.data.values;
    expect(values.filter((r) => r.event === 'fast_retransmit').length).toBe(3);
    expect(new Set(values.map((r) => r.series).filter(Boolean))).toEqual(new Set(SERIES_NAMES));
  });

  it('a long transfer (400,000 records) gives a small SVG', async () => {
    const start = performance.now();
    const svg = await renderTracePlot([sawtooth('long', 400_000)]);
    const ms = performance.now() - start;
    console.log(`400,000 records: ${(svg.length / 1024).toFixed(0)} KiB of SVG in ${ms.toFixed(0)} ms`);
    expect(svg.length).toBeLessThan(2 * 1024 * 1024);
  });
});
