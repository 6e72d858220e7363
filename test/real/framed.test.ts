/**
 * Stage 1 against real peers, inside namespaces this file creates and deletes: `pilha framed serve` on pilha's
 * TCP (a TUN device) for the kernel's TCP (pilha's own client with --transport kernel, and a Python client
 * written from the wire description); and pilha's client on pilha's TCP against a Python server and against
 * `pilha framed serve --transport kernel` on the kernel side.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Namespace,
  PILHA_CLI,
  type PilhaProcess,
  ROOT,
  realPeerSkipReason,
  SYSTEM_PYTHON,
} from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'head', 'bash']);
const INPUT_TXT = join(ROOT, 'examples/input.txt');
const PY_CLIENT = join(ROOT, 'test/real/clients/framed_client.py');
const PY_SERVER = join(ROOT, 'test/real/clients/framed_server.py');
const BIG = 104_857_600;
const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const INPUT_SHA = createHash('sha256').update('A'.repeat(16385)).digest('hex');

/** The figures of `pilha framed send`'s report line. */
function report(stdout: string): { bytes: number; messages: number; sha256: string } {
  const m =
    /^pilha framed send: confirmed (\d+) bytes \(.*?, (\d+) messages?\) by .* sha256 ([0-9a-f]{64})$/m.exec(
      stdout,
    );
  if (m === null) throw new Error(`no report line in: ${stdout}`);
  return { bytes: Number(m[1]), messages: Number(m[2]), sha256: m[3]! };
}

describe.skipIf(skip !== undefined)('framed messages against real peers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-framed-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('pilha framed serve on pilha TCP, clients on the kernel TCP', () => {
    let ns: Namespace;
    let server: PilhaProcess;
    const send = (args: readonly string[], timeoutMs = 60_000) =>
      ns.runAsync(
        process.execPath,
        [PILHA_CLI, 'framed', 'send', ...args, '--to', '10.77.0.2:7000', '--transport', 'kernel'],
        timeoutMs,
      );

    beforeAll(async () => {
      ns = Namespace.create('framed-serve');
      server = await ns.startPilha(['framed', 'serve', '--tun', 'pf0', '--port', '7000']);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    it('pilha framed send --transport kernel: examples/input.txt confirmed', async () => {
      const r = await send([INPUT_TXT]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(report(r.stdout)).toEqual({ bytes: 16385, messages: 1, sha256: INPUT_SHA });
    });

    it('a 100 MB stream from standard input, SHA-256 equal to what went in', async () => {
      const copy = join(dir, 'stdin-copy');
      const r = await ns.runAsync(
        'bash',
        [
          '-c',
          `set -o pipefail; head -c ${BIG} /dev/urandom | tee ${copy} | ${process.execPath} ${PILHA_CLI} framed send - --to 10.77.0.2:7000 --transport kernel`,
        ],
        180_000,
      );
      expect(r.status, r.stderr).toBe(0);
      const figures = report(r.stdout);
      expect(figures.bytes).toBe(BIG);
      expect(figures.messages).toBe(7); // 16 MiB messages: the header cannot say 104,857,600
      expect(figures.sha256).toBe(sha256File(copy));
      rmSync(copy);
    });

    it('an empty message', async () => {
      const r = await send(['--message', '']);
      expect(r.status, r.stderr).toBe(0);
      expect(report(r.stdout)).toMatchObject({ bytes: 0, messages: 1 });
    });

    it('a Python client written from the wire description: input.txt, a text, and an empty message', async () => {
      const file = await ns.runAsync(SYSTEM_PYTHON, [PY_CLIENT, '10.77.0.2', '7000', INPUT_TXT]);
      expect(file.stdout).toBe(`OK 16385 ${INPUT_SHA}\n`);
      expect(file.status).toBe(0);
      const text = await ns.runAsync(SYSTEM_PYTHON, [PY_CLIENT, '10.77.0.2', '7000', '--text', 'olá pombo']);
      expect(text.status, text.stdout).toBe(0);
      const empty = await ns.runAsync(SYSTEM_PYTHON, [PY_CLIENT, '10.77.0.2', '7000', '--text', '']);
      expect(empty.stdout).toMatch(/^OK 0 e3b0c442/);
    });

    it('malformed headers get ERR from pilha (oversized: see the kernel-side server below)', async () => {
      const bad = await ns.runAsync(SYSTEM_PYTHON, [PY_CLIENT, '10.77.0.2', '7000', '--raw', ' 12     ']);
      expect(bad.stdout).toBe('ERR bad size header " 12     ": no digits before the spaces\n');
      expect(bad.status).toBe(1);
      const plus = await ns.runAsync(SYSTEM_PYTHON, [PY_CLIENT, '10.77.0.2', '7000', '--raw', '+5      ']);
      expect(plus.stdout).toMatch(/^ERR bad size header "\+5 {6}": not digits followed by spaces\n$/);
    });

    it('the client says so and exits 1 when nobody listens', async () => {
      const r = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'framed',
        'send',
        INPUT_TXT,
        '--to',
        '10.77.0.2:7999',
        '--transport',
        'kernel',
      ]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^pilha: cannot connect to 10\.77\.0\.2:7999: .*ECONNREFUSED.*\n$/);
    });

    it('stops cleanly on SIGINT with totals that add up', async () => {
      expect(await server.stop()).toBe(0);
      const totals = JSON.parse(/^totals (.*)$/m.exec(server.stdout)![1]!);
      expect(totals).toMatchObject({ refused: 2, incomplete: 0, activeConnections: 0 });
      expect(totals.messageBytes).toBe(16385 + BIG + 16385 + Buffer.byteLength('olá pombo'));
      expect(server.stderr).toMatch(/"msg":"confirmed 16385 bytes"/);
    });
  });

  describe("pilha's client on pilha TCP, servers on the kernel TCP", () => {
    let ns: Namespace;
    beforeAll(() => {
      ns = Namespace.create('framed-send');
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    const pilhaSend = (args: readonly string[], port: number, tun: string) =>
      ns.runAsync(
        process.execPath,
        [
          PILHA_CLI,
          'framed',
          'send',
          ...args,
          '--to',
          `10.77.0.1:${port}`,
          '--transport',
          'pilha',
          '--tun',
          tun,
        ],
        120_000,
      );

    it('against a Python server written from the wire description: input.txt and 20 MB', async () => {
      const python = ns.spawn(SYSTEM_PYTHON, [PY_SERVER, '0.0.0.0', '7100']);
      let out = '';
      python.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      for (let i = 0; i < 200 && !out.includes('listening'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toContain('listening');

      const small = await pilhaSend([INPUT_TXT], 7100, 'pf1');
      expect(small.status, small.stderr).toBe(0);
      expect(report(small.stdout)).toEqual({ bytes: 16385, messages: 1, sha256: INPUT_SHA });
      expect(out).toContain(`got 16385 ${INPUT_SHA}`);

      const big = join(dir, 'twenty');
      writeFileSync(big, Buffer.alloc(20 * 1024 * 1024, 7));
      const r = await pilhaSend([big], 7100, 'pf2');
      expect(r.status, r.stderr).toBe(0);
      expect(report(r.stdout)).toEqual({ bytes: 20 * 1024 * 1024, messages: 1, sha256: sha256File(big) });
      expect(out).toContain(`got ${20 * 1024 * 1024} ${sha256File(big)}`);
      python.kill('SIGKILL');
    });

    it('against pilha framed serve --transport kernel, which refuses what is over its --max-size', async () => {
      const server = await ns.startPilha([
        'framed',
        'serve',
        '--transport',
        'kernel',
        '--listen-host',
        '0.0.0.0',
        '--port',
        '7200',
        '--max-size',
        '100000',
      ]);
      const r = await pilhaSend([INPUT_TXT], 7200, 'pf3');
      expect(r.status, r.stderr).toBe(0);
      expect(report(r.stdout).sha256).toBe(INPUT_SHA);
      const refused = await pilhaSend(['--message', 'x'.repeat(100_001)], 7200, 'pf4');
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(
        'pilha: 10.77.0.1:7200 refused the message: message of 100001 bytes is over the maximum of 100000\n',
      );
      expect(await server.stop()).toBe(0);
      expect(server.stdout).toMatch(
        /^totals \{"connections":2,"activeConnections":0,"messages":1,"messageBytes":16385,"refused":1,/m,
      );
    });
  });
});
