/**
 * `pilha framed` from the outside: usage mistakes are one line and exit 2, runtime failures exit 1, and a
 * serve/send pair on the kernel's TCP over loopback (no root needed) confirms examples/input.txt.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PILHA_CLI, ROOT } from '../../helpers/netns.js';

/** Unprivileged when the tests run as root: a missing check then fails at /dev/net/tun, not on the host. */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const INPUT_TXT = join(ROOT, 'examples/input.txt');

function pilha(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PILHA_CLI, ...args],
      { encoding: 'utf8', timeout: 20_000, ...UNPRIVILEGED },
      (err, stdout, stderr) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!existsSync(PILHA_CLI))('pilha framed', () => {
  const usage: Array<[string[], RegExp]> = [
    [
      ['framed', 'send', '--to', '10.77.0.2:7000'],
      /^pilha: give one of FILE, '-' \(standard input\) or --message TEXT\n$/,
    ],
    [['framed', 'send', 'f', '--message', 'x', '--to', '10.77.0.2:7000'], /^pilha: give one of FILE/],
    [['framed', 'send', '--message', 'x'], /^pilha: required option '--to <host:port>' not specified\n$/],
    [
      ['framed', 'send', '--message', 'x', '--to', '10.77.0.2'],
      /^pilha: --to must be HOST:PORT, got '10\.77\.0\.2'\n$/,
    ],
    [
      ['framed', 'send', '--message', 'x', '--to', '10.77.0.2:70000'],
      /^pilha: the port in --to '10\.77\.0\.2:70000' must be an integer from 1 to 65535/,
    ],
    [['framed', 'send', '--message', 'x', '--to', 'pombo:7000'], /^pilha: not an IPv4 address: 'pombo'/],
    [
      ['framed', 'send', '--message', 'x', '--to', '10.77.0.2:7000', '--transport', 'udp'],
      /^pilha: --transport must be 'pilha' or 'kernel', got 'udp'\n$/,
    ],
    [
      ['framed', 'send', '--message', 'x', '--to', '10.77.0.2:7000', '--message-size', '100000000'],
      /^pilha: --message-size must be an integer from 1 to 99999999/,
    ],
    [
      ['framed', 'send', '/nonexistent/file', '--to', '127.0.0.1:7000', '--transport', 'kernel'],
      /^pilha: cannot read \/nonexistent\/file: ENOENT/,
    ],
    [
      ['framed', 'serve', '--max-size', '100000000'],
      /^pilha: --max-size must be an integer from 0 to 99999999, got '100000000'\n$/,
    ],
    [['framed', 'serve', '--port', '0'], /^pilha: --port must be an integer from 1 to 65535, got '0'\n$/],
    [['framed', 'serve', '--bogus'], /^pilha: unknown option '--bogus'\n$/],
  ];
  for (const [args, expected] of usage) {
    it(`${args.join(' ')} → exit 2`, async () => {
      const r = await pilha(...args);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.status).toBe(2);
    });
  }

  it('framed send - with a directory as standard input is one line and exit 2 (it was sent as 0 bytes)', () => {
    const dir = openSync(tmpdir(), 'r');
    try {
      const r = spawnSync(
        process.execPath,
        [PILHA_CLI, 'framed', 'send', '-', '--to', '127.0.0.1:9', '--transport', 'kernel'],
        { stdio: [dir, 'pipe', 'pipe'], encoding: 'utf8', timeout: 20_000 },
      );
      expect(r.stderr).toBe('pilha: cannot read standard input: it is a directory\n');
      expect(r.status).toBe(2);
    } finally {
      closeSync(dir);
    }
  });

  it('bare `pilha framed` shows its subcommands', async () => {
    const r = await pilha('framed');
    expect(r.stdout).toMatch(/^Usage: pilha framed .*\n[\s\S]*\n {2}serve [\s\S]*\n {2}send /);
    expect(r.status).toBe(0);
  });

  it('an unreachable server is one line and exit 1', async () => {
    const r = await pilha(
      'framed',
      'send',
      '--message',
      'hi',
      '--to',
      '127.0.0.1:1',
      '--transport',
      'kernel',
    );
    expect(r.stderr).toMatch(/^pilha: cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/);
    expect(r.status).toBe(1);
  });

  describe('serve and send on the kernel TCP over loopback', () => {
    let server: ChildProcess | undefined;
    let out = '';
    let err = '';
    afterAll(() => {
      if (server?.exitCode === null) server.kill('SIGKILL');
    });

    it('confirms examples/input.txt and a text; ERR for an oversized one; totals on SIGINT', async () => {
      server = spawn(
        process.execPath,
        [PILHA_CLI, 'framed', 'serve', '--transport', 'kernel', '--port', '0', '--max-size', '20000'],
        { stdio: ['ignore', 'pipe', 'pipe'], ...UNPRIVILEGED },
      );
      server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      server.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 400 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      const port =
        /^pilha framed: listening on 127\.0\.0\.1:(\d+) \(the kernel's TCP\); messages of up to 20000 bytes$/m.exec(
          out,
        )?.[1];
      expect(port, out + err).toBeDefined();
      const to = `127.0.0.1:${port}`;

      const file = await pilha('framed', 'send', INPUT_TXT, '--to', to, '--transport', 'kernel');
      expect(file.status, file.stderr).toBe(0);
      expect(file.stderr).toBe(''); // no progress bar when stderr is not a terminal
      expect(file.stdout).toMatch(
        /^pilha framed send: confirmed 16385 bytes \(16\.0 KiB, 1 message\) by 127\.0\.0\.1:\d+ in \d+\.\d{3} s, .+\/s, sha256 e9b0015594030c029f167a30522c7dd2ec90379b6026ef7c7dd74b07d0bc63dd\n$/,
      );
      const text = await pilha('framed', 'send', '-m', 'hello', '--to', to, '--transport', 'kernel');
      expect(text.stdout).toMatch(
        /confirmed 5 bytes .* sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n$/,
      );

      const big = await pilha('framed', 'send', '-m', 'x'.repeat(20001), '--to', to, '--transport', 'kernel');
      expect(big.stderr).toBe(
        `pilha: ${to} refused the message: message of 20001 bytes is over the maximum of 20000\n`,
      );
      expect(big.status).toBe(1);

      const exited = new Promise<number | null>((resolve) => server!.once('exit', resolve));
      server.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toMatch(
        /^totals \{"connections":3,"activeConnections":0,"messages":2,"messageBytes":16390,"refused":1,"incomplete":0,/m,
      );
      expect(err).toMatch(/"msg":"confirmed 16385 bytes"/);
      expect(err).toMatch(/"msg":"refused: message of 20001 bytes is over the maximum of 20000"/);
    });
  });
});
