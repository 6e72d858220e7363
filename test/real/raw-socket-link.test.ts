/**
 * `pilha http --link raw` on 127.0.0.1 inside a network namespace this file creates (its `lo` and its
 * 127.0.0.1 are the namespace's own): the system's wget and curl download from pilha by `localhost:7000`,
 * tshark judges pilha's segments on `lo`, and the nftables table pilha installs is gone after it exits,
 * also when a SIGKILLed pilha left it behind and the next start cleaned it up.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Namespace,
  PILHA_CLI,
  type PilhaProcess,
  ROOT,
  realPeerSkipReason,
  tsharkCount,
  tsharkProblems,
} from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';
import { stopCapture, tsharkCapturing } from '../helpers/tshark.js';

const skip = realPeerSkipReason(['ip', 'nft', 'wget', 'curl', 'tshark']);
const PORT = '7000';
const TABLE = 'pilha_raw_127_0_0_1_7000';
const PAGE_SHA256 = createHash('sha256').update('hello pombo\n'.repeat(1_000_000)).digest('hex');
const RAW = ['http', '--link', 'raw', '--address', '127.0.0.1', '--port', PORT];

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(skip !== undefined)('pilha http --link raw on 127.0.0.1', () => {
  let ns: Namespace;
  let dir: string;
  let pilha: PilhaProcess | undefined;

  beforeAll(() => {
    ns = Namespace.create('rawlink');
    dir = mkdtempSync(join(tmpdir(), 'pilha-rawlink-'));
  });

  afterAll(async () => {
    await pilha?.stop();
    await ns?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const ruleset = () => ns.run('nft', ['list', 'ruleset']).stdout;
  const start = async () => {
    pilha = await ns.startPilha(RAW);
    return pilha;
  };

  it('installs its table, with the rule for its address and port', async () => {
    await start();
    const rules = ruleset();
    expect(rules).toContain(`table ip ${TABLE}`);
    expect(rules).toMatch(
      /ip saddr 127\.0\.0\.1 tcp sport 7000 tcp flags & rst == rst meta mark != 0x70696c68 drop/,
    );
    expect(rules).toContain(`pilha pid ${pilha!.child.pid}`);
  });

  it('wget localhost:7000 gets the 12 MB page, every byte as served, and tshark finds pilha segments sound', async () => {
    const pcap = join(dir, 'lo.pcap');
    // A 256 MiB capture buffer: on a loaded machine dumpcap fell behind the 64 KB segments on lo with the
    // default 2 MiB and kept only 30 of pilha's ~190 data segments.
    const tshark = ns.spawn('tshark', [
      '-i',
      'lo',
      '-B',
      '256',
      '-n',
      '-q',
      '-f',
      `tcp port ${PORT}`,
      '-w',
      pcap,
    ]);
    await tsharkCapturing(tshark);
    const out = join(dir, 'page');
    const r = await ns.runAsync('wget', ['-q', '-O', out, `http://localhost:${PORT}/`], 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(sha256File(out)).toBe(PAGE_SHA256);
    await stopCapture(tshark, pcap);

    // pilha's own segments: checksums right, nothing malformed. (The kernel's segments on lo carry offloaded,
    // unfinished TCP checksums, which tshark calls bad; the link completes them on receipt.)
    const fromPilha = 'tcp.srcport == 7000';
    // TCP judged, the 12 MB HTTP body as plain data: its dissection as text can hit tshark's item limit.
    expect(tsharkCount(pcap, `${fromPilha} && tcp.len > 0`)).toBeGreaterThan(100);
    expect(tsharkProblems(pcap, ['tcp.port==7000,data'], fromPilha)).toEqual({ count: 0, lines: '' });
    // No RST reached the wire: the kernel's were dropped by the rule, and pilha sent none.
    expect(tsharkCount(pcap, 'tcp.flags.reset == 1')).toBe(0);
  }, 90_000);

  it('serves /bytes/N to wget and curl', async () => {
    const size = 5_000_000;
    const viaWget = join(dir, 'bytes-wget');
    const w = await ns.runAsync(
      'wget',
      ['-q', '-O', viaWget, `http://localhost:${PORT}/bytes/${size}`],
      60_000,
    );
    expect(w.status, w.stderr).toBe(0);
    expect(sha256File(viaWget)).toBe(sha256OfServedBytes(size));
    const viaCurl = join(dir, 'bytes-curl');
    const c = await ns.runAsync(
      'curl',
      ['-sS', '-o', viaCurl, `http://127.0.0.1:${PORT}/bytes/300000`],
      60_000,
    );
    expect(c.status, c.stderr).toBe(0);
    expect(sha256File(viaCurl)).toBe(sha256OfServedBytes(300_000));
  }, 90_000);

  it('refuses a second pilha on the same port, a port a kernel socket listens on, and a foreign address', async () => {
    const second = await ns.runAsync(process.execPath, [PILHA_CLI, ...RAW]);
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `pilha: 127.0.0.1:7000 is already claimed by pilha pid ${pilha!.child.pid} (nftables table ip ${TABLE})\n`,
    );
    const server = ns.spawn('/usr/bin/python3', ['-m', 'http.server', '7001', '--bind', '127.0.0.1']);
    try {
      await until(() => ns.run('ss', ['-Hltn', 'sport = :7001']).stdout.includes('7001'));
      const taken = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'http',
        '--link',
        'raw',
        '--port',
        '7001',
      ]);
      expect(taken.status).toBe(1);
      expect(taken.stderr).toMatch(/^pilha: a kernel socket already listens on 127\.0\.0\.1:7001/);
    } finally {
      server.kill('SIGKILL');
    }
    const foreign = await ns.runAsync(process.execPath, [
      PILHA_CLI,
      'http',
      '--link',
      'raw',
      '--address',
      '10.9.9.9',
    ]);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/^pilha: --address 10\.9\.9\.9 is not an address of this host/);
  }, 60_000);

  it('on SIGINT exits 0 and removes its table; its counters show what it ignored and completed', async () => {
    const code = await pilha!.stop();
    expect(code, pilha!.stderr).toBe(0);
    const link = pilha!.stats().link;
    pilha = undefined;
    expect(ruleset()).not.toContain('pilha_raw');
    // Its own segments looping back on lo are seen and ignored; wget's offloaded checksums were completed.
    expect(link.ignoredOtherTraffic).toBeGreaterThan(0);
    expect(link.rxChecksumsCompleted).toBeGreaterThan(0);
    expect(link.rxHandlerErrors).toBe(0);
  });

  it('framed serve --link raw on 127.0.0.1: the kernel-side client gets examples/input.txt confirmed', async () => {
    const framed = await ns.startPilha(['framed', 'serve', '--link', 'raw', '--port', '7001']);
    try {
      expect(ruleset()).toContain('table ip pilha_raw_127_0_0_1_7001');
      const r = await ns.runAsync(
        'node',
        [
          PILHA_CLI,
          'framed',
          'send',
          join(ROOT, 'examples/input.txt'),
          '--to',
          '127.0.0.1:7001',
          '--transport',
          'kernel',
        ],
        60_000,
      );
      expect(r.status, r.stderr).toBe(0);
      const inputSha = createHash('sha256').update('A'.repeat(16_385)).digest('hex');
      expect(r.stdout).toContain(`confirmed 16385 bytes`);
      expect(r.stdout).toContain(`sha256 ${inputSha}`);
    } finally {
      expect(await framed.stop()).toBe(0);
    }
    expect(ruleset()).not.toContain('pilha_raw_127_0_0_1_7001');
  }, 60_000);

  it('after SIGKILL the table stays; the next start removes it, serves, and exits clean', async () => {
    const killed = await start();
    const killedPid = killed.child.pid;
    killed.child.kill('SIGKILL');
    expect(await killed.stop()).toBe(-1);
    expect(ruleset()).toContain(`pilha pid ${killedPid}:`);

    const next = await start();
    const rules = ruleset();
    expect(rules).toContain(`pilha pid ${next.child.pid}:`);
    expect(rules).not.toContain(`pilha pid ${killedPid}:`);
    const out = join(dir, 'after-kill');
    const r = await ns.runAsync('wget', ['-q', '-O', out, `http://localhost:${PORT}/bytes/1000000`], 60_000);
    expect(r.status, r.stderr).toBe(0);
    expect(sha256File(out)).toBe(sha256OfServedBytes(1_000_000));
    expect(await next.stop()).toBe(0);
    pilha = undefined;
    expect(ruleset()).not.toContain('pilha_raw');
  }, 90_000);
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
