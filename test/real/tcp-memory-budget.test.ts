/**
 * The stack-wide TCP memory budget against real clients: 100 kernel-TCP clients in a namespace each ask
 * `pilha http` for 100 MB and stop reading, so every send buffer fills. pilha's resident memory must stay
 * bounded by the budget (plus the process's own base), no connection may be reset or closed, each must
 * still deliver the right bytes once its client reads again, and a normal wget must still work.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TCP_CONFIG } from '../../src/transport/tcp/tcp-config.js';
import { Namespace, type PilhaProcess, ROOT, realPeerSkipReason, SYSTEM_PYTHON } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'wget', SYSTEM_PYTHON]);
const PILHA = '10.77.0.2';
const CLIENTS = 100;
/** Body bytes each client reads before it stops, and after it starts again. */
const FIRST = 64 * 1024;
const MORE = 1024 * 1024;
/** What node, the app and the stack's other parts take with no connection at all, generously. */
const BASE_RSS = 250 * 1024 * 1024;
const MiB = 1024 * 1024;

/** A field of /proc/PID/status in bytes (VmRSS, VmHWM). */
function procStatusBytes(pid: number, field: string): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm'));
  if (m === null) throw new Error(`no ${field} for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** Waits until the process's peak RSS has not grown by more than 1 MB for `quietMs` (or `limitMs` passed). */
async function peakAfterPlateau(pid: number, quietMs: number, limitMs: number): Promise<number> {
  const started = Date.now();
  let peak = procStatusBytes(pid, 'VmHWM');
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = procStatusBytes(pid, 'VmHWM');
    if (now > peak + MiB) since = Date.now();
    peak = Math.max(peak, now);
  }
  return peak;
}

describe.skipIf(skip !== undefined)('TCP memory budget against 100 clients that stop reading', () => {
  let dir: string;
  let ns: Namespace;
  let pilha: PilhaProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-membudget-'));
    ns = Namespace.create('membudget');
    pilha = await ns.startPilha(['http', '--tun', 'pm0', '--port', '7000']);
  });
  afterAll(async () => {
    await ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps pilha http bounded, resets nothing, and every connection still delivers the right bytes', async () => {
    const pid = pilha.child.pid!;
    // `ip netns exec` execs the command, so this PID is node running pilha itself.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('main.js');
    const baseline = procStatusBytes(pid, 'VmRSS');
    const go = join(dir, 'go');
    const clients = ns.spawn(SYSTEM_PYTHON, [
      join(ROOT, 'test/real/python/stalled-readers.py'),
      PILHA,
      '7000',
      String(CLIENTS),
      '/bytes/104857600',
      String(FIRST),
      String(MORE),
      go,
    ]);
    let out = '';
    let err = '';
    clients.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    clients.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((resolve) => clients.on('close', (code) => resolve(code ?? -1)));
    while (!out.includes('stalled')) {
      if (clients.exitCode !== null) throw new Error(`clients exited early: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Every server-side send buffer is now filling; wait until pilha's memory stops growing.
    const peak = await peakAfterPlateau(pid, 4000, 90_000);
    const budget = DEFAULT_TCP_CONFIG.memoryHigh;
    console.log(
      `memory budget: pilha http RSS ${(baseline / MiB).toFixed(0)} MiB idle, peak ${(peak / MiB).toFixed(0)} MiB ` +
        `with ${CLIENTS} non-reading clients (budget ${(budget / MiB).toFixed(0)} MiB)`,
    );
    writeFileSync(go, '');
    expect(await exited, err).toBe(0);
    const result = JSON.parse(out.slice(out.indexOf('{'))) as {
      alive: number;
      problems: string[];
      hashes: string[];
    };
    expect(result.problems).toEqual([]);
    expect(result.alive).toBe(CLIENTS);
    expect(result.hashes).toEqual([sha256OfServedBytes(FIRST + MORE)]);
    expect(peak).toBeLessThan(budget + BASE_RSS);

    // The stack still serves a normal download, byte-exact.
    const file = join(dir, 'after');
    const length = 10 * MiB;
    const r = await ns.runAsync('wget', ['-q', '-O', file, `http://${PILHA}:7000/bytes/${length}`], 120_000);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sha256OfServedBytes(length));

    expect(await pilha.stop()).toBe(0);
    const tcp = JSON.parse(pilha.stdout.match(/^tcp (.*)$/m)![1]!) as Record<string, number>;
    console.log(
      `memory budget: peak charged ${((tcp.memoryPeakBytes ?? 0) / MiB).toFixed(1)} MiB, ` +
        `pressure entered ${tcp.memoryPressureEntered}, writes held ${tcp.memorySendHeld}`,
    );
    expect(tcp.memoryPressureEntered).toBeGreaterThan(0);
    expect(tcp.memorySendHeld).toBeGreaterThan(0);
  }, 240_000);
});
