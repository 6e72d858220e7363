/**
 * node:http, unchanged, on pilha's TCP at both ends: an http.Server fed pilha sockets through
 * emit('connection'), and node:http's client on sockets from PilhaStreamTransport.createConnection,
 * over two complete stacks on a MemoryLink and a VirtualClock.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, pattern, twoTcpStacks } from '../helpers/tcp-stacks.js';

const BODY = pattern(1024 * 1024);

async function httpOverPilha(delayMs = 0) {
  const stacks = await twoTcpStacks(
    delayMs > 0 ? { impairment: { ...NO_IMPAIRMENT, delayMs, seed: 1 } } : {},
  );
  const requests: string[] = [];
  const httpServer = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/big') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BODY.length });
      res.end(BODY);
      return;
    }
    const text = `hello ${req.url}`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  const serverSockets: TcpSocket[] = [];
  const server = stacks.b.transport.createServer((socket) => {
    serverSockets.push(socket);
    httpServer.emit('connection', socket);
  });
  await server.listen(8080);
  const host = formatIpv4(ADDRESS_B);
  const createConnection = () => stacks.a.transport.createConnection(8080, host) as unknown as Socket;
  return { ...stacks, httpServer, requests, serverSockets, host, createConnection };
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reused: boolean;
}

function get(options: http.RequestOptions): { done: () => boolean; result: () => Response } {
  // Every request must ride on pilha: never let node:http fall back to a kernel socket.
  if (options.agent === undefined && options.createConnection === undefined)
    throw new Error('no pilha socket');
  if (options.agent === false) throw new Error('agent: false would use the kernel');
  let response: Response | undefined;
  let failure: Error | undefined;
  const req = http.request({ method: 'GET', ...options }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      response = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
        reused: req.reusedSocket,
      };
    });
  });
  req.on('error', (e) => {
    failure = e;
  });
  req.end();
  return {
    done: () => response !== undefined || failure !== undefined,
    result: () => {
      if (failure !== undefined) throw failure;
      return response!;
    },
  };
}

describe('node:http over pilha TCP, both ends', () => {
  it('GET of 1 MB, byte-exact (Connection: close)', async () => {
    const s = await httpOverPilha();
    // No `agent` option: with createConnection and no agent, node:http takes its socket from createConnection
    // (agent: false would make a fresh kernel Agent instead).
    const r = get({ host: s.host, port: 8080, path: '/big', createConnection: s.createConnection });
    await drive(s.clock, r.done);
    const res = r.result();
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(BODY.length));
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(
      createHash('sha256').update(BODY).digest('hex'),
    );
    expect(res.body.equals(BODY)).toBe(true);
    // The connection then closes cleanly on both sides: FIN, not RST.
    await drive(
      s.clock,
      () =>
        s.a.tcp.stats().connections === 0 && s.b.tcp.connectionStats().every((c) => c.state === 'TIME_WAIT'),
      { limitMs: 10_000 },
    );
    expect(s.a.tcp.stats().txResets + s.b.tcp.stats().txResets).toBe(0);
  });

  it('keep-alive: three requests on one connection', async () => {
    const s = await httpOverPilha(1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    (agent as unknown as { createConnection: () => Socket }).createConnection = s.createConnection;
    const bodies: string[] = [];
    const reused: boolean[] = [];
    for (const path of ['/one', '/two', '/big']) {
      const r = get({ host: s.host, port: 8080, path, agent });
      await drive(s.clock, r.done);
      const res = r.result();
      expect(res.status).toBe(200);
      bodies.push(path === '/big' ? String(res.body.equals(BODY)) : res.body.toString());
      reused.push(res.reused);
    }
    expect(bodies).toEqual(['hello /one', 'hello /two', 'true']);
    expect(reused).toEqual([false, true, true]);
    expect(s.requests).toEqual(['GET /one', 'GET /two', 'GET /big']);
    expect(s.serverSockets.length).toBe(1);
    expect(s.b.tcp.stats().passiveOpens).toBe(1);
    agent.destroy();
  });
});
