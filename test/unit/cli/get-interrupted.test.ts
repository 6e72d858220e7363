/**
 * `pilha get` stopped by a signal mid-download (node:net's transport, a server on loopback that trickles the
 * body): it ends as a failed download does, in one line with exit 1, the file it created removed; before, the
 * signal killed it on the spot, a partial file left behind (and on a terminal its hidden cursor).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'pilha-get-interrupted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(PILHA_CLI))('pilha get interrupted', () => {
  it.skipIf(process.getuid?.() !== 0)(
    'a stack that cannot start (not root: no TUN device) leaves no output file behind',
    async () => {
      const shared = mkdtempSync(join(dir, 'shared-'));
      chmodSync(dir, 0o755);
      chmodSync(shared, 0o777);
      const out = join(shared, 'body');
      const r = spawnSync(process.execPath, [PILHA_CLI, 'get', 'http://10.77.0.1/', '-o', out], {
        encoding: 'utf8',
        timeout: 20_000,
        uid: 65534,
        gid: 65534,
      });
      expect(r.stderr).toMatch(/^pilha: cannot open \/dev\/net\/tun: permission denied/);
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(existsSync(out)).toBe(false);
    },
  );

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s mid-body: one line, exit 1, the partial file removed',
    async (signal) => {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
          const trickle = setInterval(() => socket.write(Buffer.alloc(1000, 7)), 20);
          socket.once('close', () => clearInterval(trickle));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const out = join(dir, `body-${signal}`);
        const { port } = server.address() as AddressInfo;
        const child = spawn(
          process.execPath,
          [PILHA_CLI, 'get', `http://127.0.0.1:${port}/`, '--transport', 'kernel', '-o', out],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        // Some of the body written first (the handlers are in place once the body flows).
        const end = Date.now() + 10_000;
        const written = () => existsSync(out) && statSync(out).size > 0;
        while (!written() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        // SIGUSR2 asks for the counters; the download goes on.
        child.kill('SIGUSR2');
        const asked = Date.now() + 10_000;
        while (!stderr.includes('counters 1 ') && Date.now() < asked)
          await new Promise((r) => setTimeout(r, 20));
        expect(stderr).toMatch(/^counters 1 \{"bytes":\d+\}\n$/);
        stderr = '';
        child.kill(signal);
        expect(await exited).toBe(1);
        expect(stderr).toMatch(
          new RegExp(
            `^pilha: http://127\\.0\\.0\\.1:${port}/: interrupted \\(${signal}\\) after \\d+ body bytes\\n$`,
          ),
        );
        expect(existsSync(out)).toBe(false);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    },
    30_000,
  );
});
