/**
 * `--trace` and `pilha plot` with a real peer: `pilha http --trace FILE --impair loss=0.01` in a namespace
 * of its own, the kernel's wget downloading 20 MiB from it, then `pilha plot` of the trace. The trace
 * shows the recovery pilha's counters report, and the plot is an SVG with the connection's panel.
 * (docs/cwnd-1pct-loss.svg, the README's picture, was made this way.) A trace file that cannot be created
 * is a usage mistake: one line, exit 2.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, PILHA_CLI, realPeerSkipReason } from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'wget']);
const SIZE = 20 * 1024 * 1024;

describe.skipIf(skip !== undefined)('--trace and pilha plot with wget at 1% loss', () => {
  let ns: Namespace;
  let dir: string;
  beforeAll(() => {
    ns = Namespace.create('trace');
    dir = mkdtempSync(join(tmpdir(), 'pilha-trace-real-'));
  });
  afterAll(async () => {
    await ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records fast retransmits and timeouts as the counters say; pilha plot draws the connection', async () => {
    const trace = join(dir, 'http.jsonl');
    const pilha = await ns.startPilha(['http', '--trace', trace, '--impair', 'loss=0.01,seed=3']);
    const wget = await ns.runAsync(
      'wget',
      ['-q', '-O', '/dev/null', `http://10.77.0.2:7000/bytes/${SIZE}`],
      120_000,
    );
    expect(wget.status).toBe(0);
    expect(await pilha.stop()).toBe(0);
    const tcp = JSON.parse(pilha.stdout.match(/^tcp (.*)$/m)![1]!) as Record<string, number>;
    const lines = readFileSync(trace, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: number; conn: string; event?: string });
    const count = (event: string) => lines.filter((l) => l.event === event).length;
    // With SACK (the kernel's wget offers it), a fast retransmit is the entry into SACK-based recovery.
    expect(count('fast_retransmit') + count('sack_recovery_enter')).toBe(tcp.fastRetransmits);
    expect(count('timeout')).toBe(tcp.timeouts);
    expect(count('tlp')).toBe(tcp.tlpProbes);
    expect(count('undo')).toBe(tcp.undos);
    expect(count('sack_recovery_enter') + count('timeout')).toBeGreaterThan(0);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.t).toBeGreaterThanOrEqual(lines[i - 1]!.t);
    const conns = [...new Set(lines.map((l) => l.conn))];
    expect(conns).toEqual([expect.stringMatching(/^10\.77\.0\.2:7000>10\.77\.0\.1:\d+$/)]);

    const svgFile = join(dir, 'http.svg');
    const plot = ns.run(process.execPath, [PILHA_CLI, 'plot', trace, '-o', svgFile]);
    expect(plot.stderr).toBe('');
    expect(plot.status).toBe(0);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of ['cwnd', 'ssthresh', 'bytes in flight']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain(`>${conns[0]!.replace('>', '&gt;')}</text>`);
  }, 180_000);

  it('a trace file that cannot be created: one line, exit 2', () => {
    const r = ns.run(process.execPath, [PILHA_CLI, 'http', '--trace', '/nonexistent-dir/t.jsonl']);
    expect(r.stderr).toMatch(/^pilha: cannot create trace file '\/nonexistent-dir\/t\.jsonl': ENOENT/);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.status).toBe(2);
  });
});
