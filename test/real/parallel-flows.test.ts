/**
 * Several flows at once against one `pilha http`, as the course's fairness test runs them: one listener per
 * port (`--port` repeated), the kernel's wget as the clients, in a namespace this file creates.
 *
 * Four wgets, one per port, through one rate-limited bottleneck (`--impair rate=...,queue=...`) must share it
 * fairly (Jain's index over their throughputs ≥ 0.9) and arrive byte-exact. Then 64 wgets at once on an
 * unimpaired link: every download byte-exact, and the TUN device's queue toward pilha (tx_dropped) drops
 * nothing, nor does pilha's reader backlog: the reader keeps reading while the main thread is behind.
 * Jain's index of the 64 is printed, not asserted (their start times spread over the process launches).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jainIndex } from '../helpers/fairness.js';
import { Namespace, type PilhaProcess, realPeerSkipReason } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'wget', 'bash', 'sha256sum']);
const PILHA = '10.77.0.2';
const DEVICE = 'pt0';

interface Download {
  readonly status: number;
  readonly sha256: string;
  /** Bytes per second, from wget's start to its end as timed inside the namespace. */
  readonly rate: number;
  readonly stderr: string;
}

describe.skipIf(skip !== undefined)('parallel flows against one pilha http', () => {
  let ns: Namespace;
  let pilha: PilhaProcess | undefined;

  beforeAll(() => {
    ns = Namespace.create('flows');
  });
  afterEach(async () => {
    await pilha?.stop();
    pilha = undefined;
  });
  afterAll(async () => {
    await ns?.destroy();
  });

  /** wget of /bytes/LENGTH on a port, hashed as it arrives (nothing on disk), timed inside the namespace. */
  async function download(port: number, length: number, timeoutMs: number): Promise<Download> {
    const url = `http://${PILHA}:${port}/bytes/${length}`;
    const script = `set -o pipefail; s=$(date +%s%N); h=$(wget -q -O - ${url} | sha256sum) || exit 1; e=$(date +%s%N); echo "$h $s $e"`;
    const r = await ns.runAsync('bash', ['-c', script], timeoutMs);
    const [sha256 = '', , start = '0', end = '0'] = r.stdout.trim().split(/\s+/);
    const seconds = Number(BigInt(end) - BigInt(start)) / 1e9;
    return { status: r.status, sha256, rate: length / seconds, stderr: r.stderr };
  }

  function deviceDrops(): number {
    return Number(ns.run('cat', [`/sys/class/net/${DEVICE}/statistics/tx_dropped`]).stdout.trim());
  }

  it('four wgets on four ports through one 20 MB/s bottleneck share it fairly (Jain ≥ 0.9), byte-exact', async () => {
    const ports = [7000, 7001, 7002, 7003];
    const length = 20_000_000;
    pilha = await ns.startPilha([
      'http',
      '--tun',
      DEVICE,
      ...ports.flatMap((p) => ['--port', String(p)]),
      '--impair',
      'rate=20000000,queue=262144,seed=7',
    ]);
    expect(pilha.stdout).toContain(ports.map((p) => `http://${PILHA}:${p}/`).join(', '));
    const results = await Promise.all(ports.map((port) => download(port, length, 40_000)));
    const expected = sha256OfServedBytes(length);
    for (const r of results) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.sha256).toBe(expected);
    }
    const rates = results.map((r) => r.rate);
    const jain = jainIndex(rates);
    console.log(
      `4 flows through 20 MB/s: ${rates.map((r) => (r / 1e6).toFixed(2)).join(', ')} MB/s; Jain's index ${jain.toFixed(3)}`,
    );
    expect(jain).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('64 wgets at once: byte-exact, and nothing dropped at the TUN queue or in pilha’s reader', async () => {
    const length = 4_000_000;
    pilha = await ns.startPilha(['http', '--tun', DEVICE, '--port', '7000']);
    const qlen = ns.run('cat', [`/sys/class/net/${DEVICE}/tx_queue_len`]).stdout.trim();
    expect(qlen).toBe('4096');
    const before = deviceDrops();
    const results = await Promise.all(Array.from({ length: 64 }, () => download(7000, length, 50_000)));
    const dropped = deviceDrops() - before;
    const expected = sha256OfServedBytes(length);
    for (const r of results) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.sha256).toBe(expected);
    }
    await pilha.stop();
    const link = pilha.stats().link;
    const rates = results.map((r) => r.rate);
    console.log(
      `64 flows: Jain's index ${jainIndex(rates).toFixed(3)} (min ${(Math.min(...rates) / 1e6).toFixed(2)}, max ${(Math.max(...rates) / 1e6).toFixed(2)} MB/s); device tx_dropped +${dropped}; reader backlog drops ${link.rxBacklogDrops}, peak ${link.rxBacklogPeakBytes} bytes`,
    );
    expect(link.txQueueLength).toBe(4096);
    expect(dropped).toBe(0);
    expect(link.rxBacklogDrops).toBe(0);
  }, 60_000);
});
