/**
 * `pilha get` and what a server answers besides 200 (node:net's transport, servers on loopback): `-o -` writes
 * the body to standard output (it made a file named '-'); a redirect says where it leads, and -L follows it
 * (only to http:// URLs with an IPv4 address); a body whose transfer coding pilha cannot decode is refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'pilha-get-redirects-'));

/** Answers GET PATH from `routes` (a response's whole text), else 404; every connection closed after it. */
async function server(routes: Record<string, (origin: string) => string>) {
  const requests: string[] = [];
  const srv = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (request: Buffer) => {
      const path = /^GET (\S+)/.exec(request.toString())?.[1] ?? '';
      requests.push(path);
      const route = routes[path];
      socket.end(route === undefined ? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' : route(origin));
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { origin, requests, close: () => new Promise((resolve) => srv.close(resolve)) };
}

function pilhaGet(...args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(process.execPath, [PILHA_CLI, 'get', '--transport', 'kernel', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: dir,
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })),
  );
}

const moved = (status: string, location: string) => () =>
  `HTTP/1.1 ${status}\r\nLocation: ${location}\r\nContent-Length: 5\r\n\r\nmoved`;

describe.skipIf(!existsSync(PILHA_CLI))('pilha get: -o -, redirects, transfer codings', () => {
  let s: Awaited<ReturnType<typeof server>>;
  beforeAll(async () => {
    s = await server({
      '/body': () => 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world',
      '/a': moved('301 Moved Permanently', '/b'),
      '/b': (origin) => moved('302 Found', `${origin}/body`)(),
      '/loop': moved('307 Temporary Redirect', '/loop'),
      '/away': moved('302 Found', 'https://10.1.2.3/x'),
      '/gzip': () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    });
  });
  afterAll(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("-o - writes the body to standard output, and makes no file named '-'", async () => {
    const r = await pilhaGet(`${s.origin}/body`, '-o', '-', '--no-hash');
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('hello world');
    expect(r.stderr).toMatch(/^pilha get: 200 OK, 11 bytes in /);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('a redirect not followed fails in one line that says where it leads and that -L follows it', async () => {
    const r = await pilhaGet(`${s.origin}/a`, '-o', join(dir, 'not-followed'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `pilha: HTTP 301 Moved Permanently from ${s.origin}/a (Location: /b; -L follows it)\n`,
    );
    expect(existsSync(join(dir, 'not-followed'))).toBe(false);
  });

  it('-L follows a relative and an absolute redirect to the body; only the body is written', async () => {
    const out = join(dir, 'followed');
    const r = await pilhaGet(`${s.origin}/a`, '-L', '-o', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('hello world');
    expect(r.stderr).toMatch(
      /^pilha get: 200 OK, 11 bytes in [0-9.]+ s \([0-9.]+ MB\/s\), sha256 [0-9a-f]{64}\n$/,
    );
  });

  it('-L gives up after 10 redirects, and refuses one to a URL pilha cannot fetch', async () => {
    const before = s.requests.filter((p) => p === '/loop').length;
    const loop = await pilhaGet(`${s.origin}/loop`, '-L', '-o', join(dir, 'loop'));
    expect(loop.code).toBe(1);
    expect(loop.stderr).toBe(
      `pilha: HTTP 307 Temporary Redirect from ${s.origin}/loop after 10 redirects, the most -L follows (Location: /loop)\n`,
    );
    expect(s.requests.filter((p) => p === '/loop').length - before).toBe(11);
    const away = await pilhaGet(`${s.origin}/away`, '-L', '-o', join(dir, 'away'));
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(
      /^pilha: .*a redirect to https:\/\/10\.1\.2\.3\/x not followed: only http:\/\/ URLs/,
    );
    expect(away.stderr.split('\n')).toHaveLength(2);
  });

  it('a transfer coding it cannot decode (gzip) is refused, not written as the body', async () => {
    const out = join(dir, 'gzip');
    const r = await pilhaGet(`${s.origin}/gzip`, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unsupported transfer coding 'gzip' \(only chunked is decoded\)\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
  });
});
