/**
 * `pilha plot` from the command line (dist/cli/main.js): a trace becomes an SVG file with a panel per
 * connection chosen; mistakes (no file, no records, a --conn that matches nothing, a bad --max-panels)
 * are one readable line and exit code 2.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';
import { runProgram } from '../../helpers/run-node.js';

const dir = mkdtempSync(join(tmpdir(), 'pilha-plot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plot(...args: string[]) {
  return runProgram(process.execPath, [PILHA_CLI, 'plot', ...args], { cwd: dir, timeoutMs: 30_000 });
}

/** Three connections, each a short sawtooth with one fast retransmit. */
function writeTrace(file: string): void {
  const out: string[] = [];
  for (let c = 0; c < 3; c++) {
    const conn = `10.77.0.2:7000>10.77.0.1:${45_000 + c}`;
    for (let i = 0; i < 50; i++) {
      const cwnd = 4380 + (i % 25) * 1448;
      const event = i === 25 ? ',"event":"fast_retransmit"' : '';
      out.push(
        `{"t":${c * 10 + i},"conn":"${conn}","cwnd":${cwnd},"ssthresh":${i < 25 ? 2147483647 : 10000},"inflight":${cwnd - 1448},"srtt":0.5,"rto":200${event}}`,
      );
    }
  }
  writeFileSync(file, `${out.join('\n')}\n`);
}

describe.skipIf(!existsSync(PILHA_CLI))('pilha plot', () => {
  const trace = join(dir, 'three.jsonl');
  writeTrace(trace);

  it('draws every connection by default, and only those --conn names', async () => {
    const all = await plot(trace, '-o', 'all.svg');
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^pilha plot: all\.svg: 3 connection\(s\), 150 records, \d+ KiB\n$/);
    const svg = readFileSync(join(dir, 'all.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/>10\.77\.0\.2:7000&gt;10\.77\.0\.1:4500\d<\/text>/g)?.length).toBe(3);

    const one = await plot(trace, '-o', 'one.svg', '--conn', ':45001');
    expect(one.code).toBe(0);
    const svgOne = readFileSync(join(dir, 'one.svg'), 'utf8');
    expect(svgOne.match(/>10\.77\.0\.2:7000&gt;10\.77\.0\.1:4500\d<\/text>/g)).toEqual([
      '>10.77.0.2:7000&gt;10.77.0.1:45001</text>',
    ]);
  });

  it('caps the panels at --max-panels and says so', async () => {
    const r = await plot(trace, '-o', 'capped.svg', '--max-panels', '2');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^pilha plot: 3 connections; drawing the 2 busiest/);
    const svg = readFileSync(join(dir, 'capped.svg'), 'utf8');
    expect(svg.match(/>10\.77\.0\.2:7000&gt;10\.77\.0\.1:4500\d<\/text>/g)?.length).toBe(2);
  });

  const mistakes: Array<[string[], RegExp]> = [
    [
      [join(dir, 'missing.jsonl'), '-o', 'x.svg'],
      /^pilha: cannot read trace file '.*missing\.jsonl': ENOENT/,
    ],
    [[trace], /^pilha: required option '-o, --output <file>' not specified\n$/],
    [[trace, '-o', 'x.svg', '--conn', 'nothing-like-this'], /^pilha: no connection in '.*' matches --conn/],
    [[trace, '-o', 'x.svg', '--max-panels', '0'], /^pilha: --max-panels must be an integer from 1 to 1000/],
    [[trace, '-o', join(dir, 'no-dir', 'x.svg')], /^pilha: cannot write '.*no-dir\/x\.svg': ENOENT/],
  ];
  for (const [args, message] of mistakes) {
    it(`pilha plot ${args.map((a) => a.replace(dir, 'DIR')).join(' ')}: one line, exit 2`, async () => {
      const r = await plot(...args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
      expect(r.code).toBe(2);
    });
  }

  it('a file with no records says so (exit 2)', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, 'hello\n');
    const r = await plot(empty, '-o', 'x.svg');
    expect(r.stderr).toBe(`pilha: no trace records in '${empty}' (is it a --trace file?)\n`);
    expect(r.code).toBe(2);
  });
});
