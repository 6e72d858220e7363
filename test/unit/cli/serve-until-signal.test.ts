/**
 * A server's shutdown (serveUntilSignal) and a second Ctrl-C: it used to end the process on the spot (Node's
 * handling), its totals unprinted and its link left open (a raw link's nftables table, a packet link's
 * offloads); now it cuts short the wait for closing connections and goes on with the rest of the shutdown.
 * Fakes for the app and the stack, signals emitted on `process` (no real signal reaches the test's worker).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadyFile } from '../../../src/cli/files/ready-file.js';
import { serveUntilSignal } from '../../../src/cli/run-helpers.js';
import { SystemClock } from '../../../src/core/system-clock.js';
import type { TcpStack } from '../../../src/di/compositions.js';
import { TcpState } from '../../../src/transport/tcp/connection/tcp-state.js';
import { GLIBC } from '../../helpers/glibc.js';

afterEach(() => vi.restoreAllMocks());

/** A stack whose one connection stays closing (its peer never answers): the linger would wait its full second. */
function stuckStack(closed: string[]): TcpStack {
  const stats = () => ({});
  return {
    link: { stats, close: async () => closed.push('link') },
    ip: { stats },
    icmp: { stats },
    tcp: { connections: () => [{ state: TcpState.FIN_WAIT_1 }], clock: new SystemClock(), stats },
  } as unknown as TcpStack;
}

describe('serveUntilSignal', () => {
  it('a second SIGINT cuts the wait for closing connections short; the totals are printed and the stack closed', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const closed: string[] = [];
    const before = process.listenerCount('SIGINT');
    const serving = serveUntilSignal({
      name: 'pilha test',
      readyLine: 'pilha test: ready',
      readyFile: await ReadyFile.prepare(undefined),
      app: { close: async () => {}, totals: () => ({ requests: 7 }) },
      tcpStack: stuckStack(closed),
      close: async () => {
        closed.push('stack');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    process.emit('SIGINT', 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Still lingering (its connection closing): the second one hurries it.
    expect(out.some((line) => line.startsWith('totals'))).toBe(false);
    process.emit('SIGINT', 'SIGINT');
    await serving;
    expect(performance.now() - started).toBeLessThan(900);
    const text = out.join('');
    expect(text).toContain('pilha test: SIGINT, stopping\n');
    expect(text).toContain('pilha test: SIGINT again, not waiting for closing connections\n');
    expect(text).toContain('totals {"requests":7}\n');
    expect(closed).toEqual(['stack']);
    // Its listeners are gone: a later signal is Node's again.
    expect(process.listenerCount('SIGINT')).toBe(before);
    process.exitCode = undefined;
  });

  it('SIGUSR2 under --expose-gc prints the memory line, with the malloc trim threshold the server fixed', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const global = globalThis as { gc?: () => void };
    const ownGc = global.gc;
    global.gc = () => {};
    try {
      const serving = serveUntilSignal({
        name: 'pilha test',
        readyLine: 'pilha test: ready',
        readyFile: await ReadyFile.prepare(undefined),
        app: { close: async () => {}, totals: () => ({ requests: 0 }) },
        tcpStack: undefined,
        close: async () => {},
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.emit('SIGUSR2', 'SIGUSR2');
      process.emit('SIGINT', 'SIGINT');
      await serving;
    } finally {
      global.gc = ownGc;
    }
    const line = out
      .join('')
      .split('\n')
      .find((l) => l.startsWith('memory 1 '));
    expect(line).toBeDefined();
    const memory = JSON.parse(line?.slice('memory 1 '.length) ?? '{}') as Record<string, unknown>;
    expect(memory.rssKiB).toBeGreaterThan(0);
    // 128 KiB where glibc is (mallopt), null where it is not.
    expect(memory.mallocTrimThresholdKiB).toBe(GLIBC ? 128 : null);
    process.exitCode = undefined;
  });
});
