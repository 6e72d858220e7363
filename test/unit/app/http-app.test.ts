import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HELLO_POMBO_BYTES } from '../../../src/app/hello-pombo.js';
import {
  type ConnectionSummary,
  contentTypeFor,
  HttpApp,
  parseByteCount,
} from '../../../src/app/http-app.js';
import { httpGet } from '../../../src/app/http-get.js';
import { PilhaError } from '../../../src/core/errors.js';
import { referenceSha256 } from './reference-bytes.js';
import { LoopbackNetTransport, PairTransport } from './transports.js';

const HELLO_POMBO_SHA256 = '4561be0a8c976fb6d7344d8d706427543d55ef12ad6e78a257181cd890adc22f';

interface Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request with a fresh connection; the path goes on the wire exactly as given. */
function request(port: number, path: string, method = 'GET', agent?: http.Agent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on a socket, for request targets that node:http's client would not send. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('HttpApp built-in routes over node:net', () => {
  const summaries: ConnectionSummary[] = [];
  const app = new HttpApp({ onConnectionClosed: (s) => summaries.push(s) });
  let port = 0;

  beforeAll(async () => {
    const server = await app.listen(new LoopbackNetTransport(), 0, '127.0.0.1');
    port = server.port;
  });
  afterAll(() => app.close());

  it('GET / is the 12,000,000-byte hello pombo page', async () => {
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['content-length']).toBe(String(HELLO_POMBO_BYTES));
    expect(res.body.length).toBe(12_000_000);
    expect(res.body.subarray(0, 24).toString()).toBe('hello pombo\nhello pombo\n');
    expect(sha256(res.body)).toBe(HELLO_POMBO_SHA256);
  });

  it('HEAD / has the headers and no body', async () => {
    const res = await request(port, '/', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('12000000');
    expect(res.body.length).toBe(0);
  });

  it('/bytes/N is N bytes matching an independent computation', async () => {
    for (const n of [0, 1, 5, 65_536, 1_000_003]) {
      const res = await request(port, `/bytes/${n}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-length']).toBe(String(n));
      expect(res.body.length).toBe(n);
      expect(sha256(res.body), `N=${n}`).toBe(referenceSha256(n));
    }
  });

  it('/bytes/N with a bad N is 400', async () => {
    for (const bad of ['bad', '-1', '1.5', '1e6', '', `${2 ** 34 + 1}`, '99999999999999']) {
      const res = await request(port, `/bytes/${bad}`);
      expect(res.status, `/bytes/${bad}`).toBe(400);
    }
    expect(parseByteCount('17179869184')).toBe(2 ** 34);
    expect(parseByteCount('17179869185')).toBeUndefined();
  });

  it('unknown paths are 404, other methods 405', async () => {
    expect((await request(port, '/nope')).status).toBe(404);
    const post = await request(port, '/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('keeps a connection alive across 3 requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = app.totals();
    const seen = new Set<unknown>();
    for (const path of ['/bytes/10', '/bytes/100000', '/']) {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path, agent }, resolve).on('error', reject);
      });
      seen.add(res.socket);
      expect(res.headers.connection).toBe('keep-alive');
      res.resume();
      await new Promise((r) => res.on('end', r));
    }
    expect(seen.size).toBe(1);
    const after = app.totals();
    expect(after.connections - before.connections).toBe(1);
    expect(after.requests - before.requests).toBe(3);
    agent.destroy();
    await waitFor(() => summaries.some((s) => s.requests === 3));
    const summary = summaries.find((s) => s.requests === 3)!;
    expect(summary.remoteAddress).toBe('127.0.0.1');
    expect(summary.bytesSent).toBeGreaterThan(12_100_010);
    expect(summary.stats).toBeUndefined(); // net.Socket has no stats()
  });

  it('counts totals', async () => {
    // Its own requests, counted as differences: other tests may run before it, after it, or not at all.
    const before = app.totals();
    await request(port, '/bytes/100000');
    await request(port, '/bytes/bad');
    await request(port, '/nope');
    await request(port, '/', 'HEAD');
    const after = app.totals();
    const status = (code: string) => (after.statuses[code] ?? 0) - (before.statuses[code] ?? 0);
    expect(after.requests - before.requests).toBe(4);
    expect(after.connections - before.connections).toBe(4);
    expect(after.bytesSent - before.bytesSent).toBeGreaterThan(100_000);
    expect(after.bytesSent - before.bytesSent).toBeLessThan(102_000); // the HEAD sent no body
    expect([status('200'), status('400'), status('404')]).toEqual([2, 1, 1]);
  });

  it('answers a malformed request with 400 and closes; a head too large with 431; both counted by status', async () => {
    const before = app.totals();
    const reply = await rawRequest(port, 'GARBAGE\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const big = await rawRequest(port, `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    await waitFor(() => app.totals().activeConnections === before.activeConnections);
    const after = app.totals();
    const status = (code: string) => (after.statuses[code] ?? 0) - (before.statuses[code] ?? 0);
    expect(after.requests - before.requests).toBe(2);
    expect([status('400'), status('431')]).toEqual([1, 1]);
  });

  it('pipelined requests left unanswered when the client goes away are counted as aborted', async () => {
    const before = app.totals();
    await new Promise<void>((resolve, reject) => {
      // 50 requests for 1 MB each, never read; then the client resets.
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /bytes/1000000 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(50));
        setTimeout(() => socket.resetAndDestroy(), 300);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await waitFor(() => {
      const t = app.totals();
      const answered = Object.values(t.statuses).reduce((x, y) => x + y, 0);
      const answeredBefore = Object.values(before.statuses).reduce((x, y) => x + y, 0);
      return t.requests - before.requests === answered - answeredBefore + (t.aborted - before.aborted);
    });
    const after = app.totals();
    expect(after.requests - before.requests).toBeGreaterThan(1);
    expect(after.aborted - before.aborted).toBeGreaterThan(0);
  });
});

describe('HttpApp --root', () => {
  let dir = '';
  let root = '';
  let app: HttpApp;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-http-'));
    root = join(dir, 'www');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'index.html'), '<h1>pilha</h1>\n');
    writeFileSync(join(root, 'notes.txt'), 'some notes\n');
    writeFileSync(join(root, 'data.bin'), Buffer.alloc(300_000, 7));
    writeFileSync(join(root, 'zero.json'), '');
    writeFileSync(join(root, 'sub', 'index.html'), 'sub index\n');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root\n');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'escape.txt'));
    app = new HttpApp({ root });
    port = (await app.listen(new LoopbackNetTransport(), 0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a file with Content-Length and Content-Type by extension', async () => {
    const res = await request(port, '/notes.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('some notes\n');
    expect(res.headers['content-length']).toBe('11');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    const bin = await request(port, '/data.bin');
    expect(bin.body.equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    const empty = await request(port, '/zero.json?x=1');
    expect([empty.status, empty.body.length, empty.headers['content-type']]).toEqual([
      200,
      0,
      'application/json',
    ]);
  });

  it('HEAD has the headers and no body', async () => {
    const res = await request(port, '/data.bin', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('300000');
    expect(res.body.length).toBe(0);
  });

  it('directories serve index.html, or 404', async () => {
    expect((await request(port, '/')).body.toString()).toBe('<h1>pilha</h1>\n');
    expect((await request(port, '/sub/')).body.toString()).toBe('sub index\n');
    const redirect = await request(port, '/sub?a=b');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/sub/?a=b');
    expect((await request(port, '/empty/')).status).toBe(404);
  });

  it('missing files are 404', async () => {
    expect((await request(port, '/missing.txt')).status).toBe(404);
    expect((await request(port, '/notes.txt/more')).status).toBe(404);
  });

  it('refuses path traversal', async () => {
    for (const path of [
      '/../secret.txt',
      '/sub/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/escape.txt',
    ]) {
      const res = await request(port, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body.toString()).not.toContain('outside the root');
    }
    const raw = await rawRequest(
      port,
      'GET /../../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 40[34]/);
    expect((await request(port, '/%00')).status).toBe(400);
    expect((await request(port, '/%E0%A4%A')).status).toBe(400);
  });

  it('rejects a root that is not a directory', () => {
    expect(() => new HttpApp({ root: join(dir, 'nowhere') })).toThrow(PilhaError);
    expect(() => new HttpApp({ root: join(dir, 'secret.txt') })).toThrow(/not a directory/);
  });

  it('content types by extension', () => {
    expect(contentTypeFor('a/B.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('x.png')).toBe('image/png');
    expect(contentTypeFor('noext')).toBe('application/octet-stream');
  });
});

describe('HttpApp on sockets that are plain Duplex streams (like pilha TCP sockets)', () => {
  const summaries: ConnectionSummary[] = [];
  const transport = new PairTransport();
  const app = new HttpApp({ onConnectionClosed: (s) => summaries.push(s) });
  afterEach(() => app.close());

  it('serves /bytes/N to httpGet and logs the socket stats', async () => {
    await app.listen(transport, 80);
    const result = await httpGet(transport, 'http://10.9.0.2/bytes/300001');
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(300_001);
    expect(result.sha256).toBe(referenceSha256(300_001));
    await waitFor(() => summaries.length === 1);
    expect(summaries[0]!.requests).toBe(1);
    expect(summaries[0]!.remoteAddress).toBe('10.9.0.1');
    expect(summaries[0]!.stats).toMatchObject({ state: 'ESTABLISHED' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HttpApp connection log', () => {
  /** Runs one request on an app logging at `level` with `connectionLog`, and returns the records written. */
  async function logged(connectionLog: 'full' | 'line', level: 'info' | 'debug') {
    const records: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level, base: undefined },
      { write: (line: string) => records.push(JSON.parse(line)) },
    );
    const closed: ConnectionSummary[] = [];
    const app = new HttpApp({ logger, connectionLog, onConnectionClosed: (s) => closed.push(s) });
    const server = await app.listen(new LoopbackNetTransport(), 0, '127.0.0.1');
    await request(server.port, '/bytes/1000');
    await waitFor(() => closed.length === 1);
    await app.close();
    return records.filter((r) => String(r.msg).startsWith('http connection closed'));
  }

  it("'line' (a terminal): one short message at info, no fields for pino-pretty to expand", async () => {
    const [info, ...rest] = await logged('line', 'info');
    expect(rest).toEqual([]);
    expect(Object.keys(info!).sort()).toEqual(['level', 'msg', 'time']);
    expect(info!.msg).toMatch(
      /^http connection closed 127\.0\.0\.1:\d+: 1 request, 11\d\d bytes sent, \d+ received, \d+\.\d{3} s$/,
    );
  });

  it("'line' at debug adds the full record; 'full' (JSON lines) keeps every field at info", async () => {
    const lines = await logged('line', 'debug');
    expect(lines.map((r) => r.level)).toEqual([30, 20]);
    expect(lines[1]).toMatchObject({
      msg: 'http connection closed',
      requests: 1,
      remoteAddress: '127.0.0.1',
    });
    const [full, ...more] = await logged('full', 'info');
    expect(more).toEqual([]);
    expect(full).toMatchObject({
      level: 30,
      msg: 'http connection closed',
      requests: 1,
      bytesReceived: expect.any(Number),
    });
  });
});

describe('HttpApp connection summary', () => {
  /** One request through an app at --log warn; how often the closed connection's socket stats() ran. */
  async function statsCalls(onConnectionClosed?: (s: ConnectionSummary) => void): Promise<number> {
    const logger = pino({ level: 'warn', base: undefined }, { write: () => {} });
    const app = new HttpApp({ logger, ...(onConnectionClosed !== undefined ? { onConnectionClosed } : {}) });
    let calls = 0;
    const handle = app.handleConnection.bind(app);
    app.handleConnection = (socket) => {
      const withStats = socket as unknown as { stats: () => unknown };
      const stats = withStats.stats.bind(socket);
      withStats.stats = () => {
        calls++;
        return stats();
      };
      handle(socket);
    };
    const transport = new PairTransport();
    await app.listen(transport, 80);
    await httpGet(transport, 'http://10.9.0.2/bytes/1000');
    await waitFor(() => app.totals().activeConnections === 0);
    await app.close();
    return calls;
  }

  it('is not built when nothing reads it (no info log, no callback): no stats() per connection', async () => {
    expect(await statsCalls()).toBe(0);
    expect(await statsCalls(() => {})).toBe(1);
  });
});
