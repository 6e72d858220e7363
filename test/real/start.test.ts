/**
 * `npm start`, the README's first command: the main demo on a TUN device in a namespace it creates and deletes,
 * and its in-memory fallback, forced and (without root) chosen by itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, realPeerSkipReason } from '../helpers/netns.js';

interface Run {
  readonly code: number;
  readonly out: string;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, PILHA_DEMO: undefined, PILHA_LOG: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

function namespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => l.startsWith('pilha-start-'));
}

/** What both modes must show: two downloads, SHA-256 as served, final stats, three reassembled pings. */
function expectDemo(out: string): void {
  expect(out).toMatch(
    /GET \/ +12,000,000 bytes in [\d.]+ s, +[\d.]+ MB\/s, \d+ retransmitted, SHA-256 as served/,
  );
  expect(out).toMatch(
    /GET \/bytes\/104857600 +104,857,600 bytes in [\d.]+ s, +[\d.]+ MB\/s, \d+ retransmitted, SHA-256 as served/,
  );
  expect(
    out.match(/final stats:\n {2}state (TIME_WAIT|CLOSED|LAST_ACK), mss \d+, cwnd \d+/g)?.length,
    out,
  ).toBe(2);
  expect(out.match(/reassembled id=0x[0-9a-f]{4} .* fragments=14/g)?.length, out).toBe(3);
  expect(out).toMatch(/every byte as served, every ping answered/);
  expect(out).not.toMatch(/MISMATCH|FAILED/);
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
/** Whether the demo can run as nobody here: setpriv exists and nobody may read the checkout. */
const nobodyCanRun =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', [...NOBODY, 'test', '-r', join(ROOT, 'dist/index.js')]).status === 0;
if (!nobodyCanRun)
  console.warn('SKIP start as nobody: not root, no setpriv, or nobody cannot read the checkout');

describe('npm start, in memory', () => {
  it('PILHA_DEMO=memory runs the demo over a MemoryLink and says why', async () => {
    const r = await run(process.execPath, ['scripts/start.mjs'], { PILHA_DEMO: 'memory' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(
      /over an in-memory link, not on a TUN device: asked for with --memory or PILHA_DEMO=memory\./,
    );
    expectDemo(r.out);
  }, 60_000);

  // As root, setpriv drops to nobody, as a newcomer without root runs it.
  it.skipIf(!nobodyCanRun)(
    'without root it falls back by itself, saying so',
    async () => {
      const r = await run('setpriv', [...NOBODY, process.execPath, 'scripts/start.mjs']);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/over an in-memory link, not on a TUN device: not root/);
      expectDemo(r.out);
    },
    60_000,
  );

  it('refuses an unknown argument with exit 2', async () => {
    const r = await run(process.execPath, ['scripts/start.mjs', '--bogus']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/^start: unknown argument --bogus/);
  });
});

const skip = realPeerSkipReason(['ip', 'wget']);

describe.skipIf(skip !== undefined)('npm start, on a TUN device', () => {
  // `npm start` itself, as the README's Quick start block runs it, is run by test/unit/docs/readme.test.ts.
  it('wget downloads both bodies from pilha http in its own namespace, which is deleted', async () => {
    const before = namespaces();
    // --tun: a fallback to memory would be a failure here.
    const r = await run(process.execPath, ['scripts/start.mjs', '--tun']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/in network namespace pilha-start-\d+ \(created now, deleted at the end\)/);
    expect(r.out).toMatch(/The kernel's wget downloads over it/);
    expectDemo(r.out);
    expect(namespaces()).toEqual(before);
  }, 120_000);

  it('deletes its namespace when interrupted', async () => {
    const before = namespaces();
    const child = spawn(process.execPath, ['scripts/start.mjs', '--tun'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    // Interrupt once the server is up and the first download has begun.
    for (let i = 0; i < 300 && !/wget downloads over it/.test(out); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(namespaces().length, out).toBe(before.length + 1);
    child.kill('SIGINT');
    expect(await code, out).toBe(130);
    expect(out).toMatch(/SIGINT, deleting namespace pilha-start-\d+/);
    expect(namespaces()).toEqual(before);
  }, 60_000);
});
