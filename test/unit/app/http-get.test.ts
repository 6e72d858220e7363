import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApp } from '../../../src/app/http-app.js';
import { formatHttpGetResult, httpGet } from '../../../src/app/http-get.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import type { StreamSocket, StreamTransport } from '../../../src/transport/socket/stream-transport.js';
import { referenceBytes, referenceSha256 } from './reference-bytes.js';
import { LoopbackNetTransport, recordingTransport } from './transports.js';

/** A raw TCP server on loopback that answers every connection with `reply` (then maybe closes). */
async function rawServer(
  reply: string,
  close: boolean,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => (close ? socket.end(reply) : socket.write(reply)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('httpGet over a StreamTransport', () => {
  const transport = new LoopbackNetTransport();
  const app = new HttpApp();
  let base = '';

  beforeAll(async () => {
    base = `http://127.0.0.1:${(await app.listen(transport, 0, '127.0.0.1')).port}`;
  });
  afterAll(() => app.close());

  it('downloads a body into the sink, with size and SHA-256', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const result = await httpGet(transport, `${base}/bytes/777777`, { sink: () => sink });
    expect(result.ok).toBe(true);
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(777_777);
    expect(result.sha256).toBe(referenceSha256(777_777));
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(result.sha256);
    expect(formatHttpGetResult(result)).toMatch(
      /^200 OK, 777777 bytes in [0-9.]+ s \([0-9.]+ MB\/s\), sha256 [0-9a-f]{64}$/,
    );
  });

  it('hash: false counts the body and writes it to the sink whole, but leaves sha256 undefined', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const result = await httpGet(transport, `${base}/bytes/777777`, { sink: () => sink, hash: false });
    expect(result.ok).toBe(true);
    expect(result.bytes).toBe(777_777);
    expect(result.sha256).toBeUndefined();
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(referenceSha256(777_777));
    expect(formatHttpGetResult(result)).toMatch(/^200 OK, 777777 bytes in [0-9.]+ s \([0-9.]+ MB\/s\)$/);
  });

  it('formats the result line with the digest, and without one ending after the rate (no "sha256" word)', () => {
    const result = {
      status: 200,
      statusText: 'OK',
      ok: true,
      headers: {},
      bytes: 104_857_600,
      durationMs: 200,
      url: new URL('http://10.0.0.1/'),
      redirects: 0,
    };
    const digest = 'ab'.repeat(32);
    expect(formatHttpGetResult({ ...result, sha256: digest })).toBe(
      `200 OK, 104857600 bytes in 0.200 s (524.29 MB/s), sha256 ${digest}`,
    );
    expect(formatHttpGetResult({ ...result, sha256: undefined })).toBe(
      '200 OK, 104857600 bytes in 0.200 s (524.29 MB/s)',
    );
  });

  it("writes the body to the sink as the socket delivered it, uncopied (node:http's parser copied every chunk)", async () => {
    const delivered = new Set<ArrayBufferLike>();
    const watching: StreamTransport = {
      name: 'kernel',
      createServer: () => {
        throw new Error('not used');
      },
      connect: async (host, port) => {
        const socket = await transport.connect(host, port);
        socket.on('data', (c: Buffer) => delivered.add(c.buffer));
        return socket;
      },
    };
    const written: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        callback();
      },
    });
    const result = await httpGet(watching, `${base}/bytes/300000`, { sink: () => sink });
    expect(result.sha256).toBe(referenceSha256(300_000));
    expect(written.length).toBeGreaterThan(1);
    expect(written.every((c) => delivered.has(c.buffer))).toBe(true);
  });

  it('reads a chunked body and follows interim responses', async () => {
    const server = await rawServer(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
      false,
    );
    const result = await httpGet(transport, `http://127.0.0.1:${server.port}/`);
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(5);
    expect(result.sha256).toBe(createHash('sha256').update('abcde').digest('hex'));
    await server.stop();
  });

  it('waits for a full sink with one drain listener, however many body pieces one socket chunk holds', async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => `1\r\n${String.fromCharCode(97 + (i % 26))}\r\n`);
    const server = await rawServer(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${pieces.join('')}0\r\n\r\n`,
      true,
    );
    let mostDrainListeners = 0;
    const received: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        mostDrainListeners = Math.max(mostDrainListeners, sink.listenerCount('drain'));
        setImmediate(callback);
      },
    });
    const result = await httpGet(transport, `http://127.0.0.1:${server.port}/`, { sink: () => sink });
    expect(result.bytes).toBe(50);
    expect(Buffer.concat(received).length).toBe(50);
    expect(mostDrainListeners).toBe(1);
    await server.stop();
  });

  it('reports a non-2xx status without opening the sink', async () => {
    let opened = false;
    const result = await httpGet(transport, `${base}/bytes/nope`, {
      sink: () => {
        opened = true;
        return new PassThrough();
      },
    });
    expect(result.ok).toBe(false);
    expect(result.status).toBe(400);
    expect(opened).toBe(false);
  });

  it('reports progress as the body arrives, with the Content-Length (for a progress bar)', async () => {
    const seen: Array<[number, number | undefined]> = [];
    await httpGet(transport, `${base}/bytes/300000`, {
      onProgress: (bytes, total) => seen.push([bytes, total]),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([300_000, 300_000]);
    expect(seen.every(([bytes], i) => i === 0 || bytes > seen[i - 1]![0])).toBe(true);
  });

  it('rejects when the connection is refused', async () => {
    const probe = await rawServer('', true);
    await probe.stop(); // a port that was just free
    await expect(httpGet(transport, `http://127.0.0.1:${probe.port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('gives up connecting after timeoutMs on its clock, and closes a connection that comes too late', async () => {
    // A peer that never answers: connect() settles only when the test says so, long after the timeout.
    const clock = new VirtualClock();
    let connected: ((socket: StreamSocket) => void) | undefined;
    const silent: StreamTransport = {
      name: 'pilha',
      createServer: () => {
        throw new Error('not used');
      },
      connect: () => new Promise((resolve) => (connected = resolve)),
    };
    const outcome = httpGet(silent, 'http://10.77.0.99:7000/', { clock, timeoutMs: 2000 }).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await new Promise((r) => setImmediate(r));
    clock.advance(1999);
    await new Promise((r) => setImmediate(r));
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await outcome).toBe('timed out after 2 s connecting to 10.77.0.99:7000');
    const late = new PassThrough() as unknown as StreamSocket;
    connected?.(late);
    await new Promise((r) => setImmediate(r));
    expect(late.destroyed).toBe(true);
  });

  it('closes its socket once the body is complete, also when the server keeps its end open (node:net would keep the process waiting)', async () => {
    // allowHalfOpen: the server's end stays open after the client's FIN, as a server that ignores it.
    const held: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      held.push(socket);
      socket.on('error', () => {});
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const recording = recordingTransport(transport);
    const sockets = recording.sockets;
    try {
      const { port } = server.address() as AddressInfo;
      const result = await httpGet(recording, `http://127.0.0.1:${port}/`, {});
      expect(result.bytes).toBe(5);
      const end = Date.now() + 2000;
      while (!sockets[0]!.destroyed && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(sockets[0]!.destroyed).toBe(true);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects a body cut short of its Content-Length', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..', true);
    await expect(httpGet(transport, `http://127.0.0.1:${server.port}/`)).rejects.toThrow();
    await server.stop();
  });

  it('times out when nothing arrives', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc', false);
    await expect(httpGet(transport, `http://127.0.0.1:${server.port}/`, { timeoutMs: 200 })).rejects.toThrow(
      /timed out/,
    );
    await server.stop();
  });

  it('maxTimeMs bounds the whole request: a body that trickles in (never idle) is cut off', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
        const drip = setInterval(() => socket.write('x'), 10);
        socket.once('close', () => clearInterval(drip));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const started = Date.now();
    // Idle never reaches 200 ms, so only the whole-request limit can end it.
    await expect(httpGet(transport, url, { timeoutMs: 200, maxTimeMs: 400 })).rejects.toThrow(
      'timed out after 0.4 s (the whole request)',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('maxTimeMs counts connecting too, and a connection that comes after it is closed', async () => {
    const clock = new VirtualClock();
    let connected: ((socket: StreamSocket) => void) | undefined;
    const silent: StreamTransport = {
      name: 'pilha',
      connect: () => new Promise((resolve) => (connected = resolve)),
      createServer: () => {
        throw new Error('not used');
      },
    };
    const outcome = httpGet(silent, 'http://10.77.0.99:7000/', {
      clock,
      timeoutMs: 5000,
      maxTimeMs: 1500,
    }).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await new Promise((r) => setImmediate(r));
    clock.advance(1500);
    expect(await outcome).toBe('timed out after 1.5 s (the whole request)');
    const late = new PassThrough() as unknown as StreamSocket;
    connected?.(late);
    await new Promise((r) => setImmediate(r));
    expect(late.destroyed).toBe(true);
    clock.advance(5000); // the connect timer, if still armed, must not fire into the finished request
  });

  it('follows redirects only when asked (maxRedirects), each on a new connection, discarding their bodies', async () => {
    const target = `${base}/bytes/1000`;
    const hops: string[] = [];
    const redirector = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', (request: Buffer) => {
        const path = /^GET (\S+)/.exec(request.toString())![1]!;
        hops.push(path);
        // /a redirects (relative) to /b, /b (absolute) to the real body, /loop to itself.
        const location = path === '/a' ? '/b' : path === '/b' ? target : '/loop';
        socket.end(
          `HTTP/1.1 ${path === '/a' ? 301 : 307} Moved\r\nLocation: ${location}\r\nContent-Length: 5\r\n\r\nmoved`,
        );
      });
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const from = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
    try {
      const notFollowed = await httpGet(transport, `${from}/a`);
      expect(notFollowed.status).toBe(301);
      expect(notFollowed.headers.location).toBe('/b');
      expect(notFollowed.redirects).toBe(0);
      const chunks: Buffer[] = [];
      const sink = new PassThrough();
      sink.on('data', (c: Buffer) => chunks.push(c));
      const seen: string[] = [];
      const followed = await httpGet(transport, `${from}/a`, {
        maxRedirects: 5,
        checkRedirect: (url) => seen.push(url.href),
        sink: () => sink,
      });
      expect(followed.status).toBe(200);
      expect(followed.redirects).toBe(2);
      expect(followed.url.href).toBe(target);
      expect(seen).toEqual([`${from}/b`, target]);
      // Only the final body reached the sink: the redirects' "moved" did not.
      expect(Buffer.concat(chunks).equals(Buffer.from(referenceBytes(0, 1000)))).toBe(true);
      const loop = await httpGet(transport, `${from}/loop`, { maxRedirects: 3 });
      expect([loop.status, loop.redirects]).toEqual([307, 3]);
      await expect(
        httpGet(transport, `${from}/a`, {
          maxRedirects: 5,
          checkRedirect: () => {
            throw new Error('refused');
          },
        }),
      ).rejects.toThrow('refused');
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
    }
    expect(hops).toEqual(['/a', '/a', '/b', '/loop', '/loop', '/loop', '/loop', '/a']);
  });

  it('refuses https URLs', async () => {
    await expect(httpGet(transport, 'https://127.0.0.1/')).rejects.toThrow(/only http/);
  });
});
