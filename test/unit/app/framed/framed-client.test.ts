/**
 * FramedClient against servers that misbehave (node:net on loopback, written here from the wire description),
 * and the message sources it sends from.
 */
import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FramedClient, type FramedClientError } from '../../../../src/app/framed/framed-client.js';
import { bytesSource, streamSource } from '../../../../src/app/framed/framed-message-source.js';
import { LoopbackNetTransport, recordingTransport } from '../transports.js';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** A server that reads the whole framed message (8 + N bytes), then does `answer` with the socket. */
async function fakeServer(
  answer: (socket: net.Socket, size: number, body: Buffer) => void,
  allowHalfOpen = false,
) {
  const server = net.createServer({ allowHalfOpen }, (socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (answered || buffered.length < 8) return;
      const size = Number(buffered.subarray(0, 8).toString('latin1').trim());
      if (buffered.length < 8 + size) return;
      answered = true;
      answer(socket, size, buffered.subarray(8, 8 + size));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function failure(port: number, data = 'hello', timeoutMs = 5000): Promise<FramedClientError> {
  const client = new FramedClient(new LoopbackNetTransport(), { timeoutMs });
  return client.send('127.0.0.1', port, bytesSource(Buffer.from(data))).then(
    () => {
      throw new Error('the send succeeded');
    },
    (err: FramedClientError) => err,
  );
}

describe('FramedClient checks the confirmation', () => {
  it('accepts a correct one (a server like the original: one message, answer, close)', async () => {
    const port = await fakeServer((socket, size, body) => socket.end(`OK ${size} ${sha256(body)}\n`));
    const result = await new FramedClient(new LoopbackNetTransport()).send(
      '127.0.0.1',
      port,
      bytesSource(Buffer.from('hello')),
    );
    expect(result).toMatchObject({ messages: 1, bytes: 5, sha256: sha256('hello') });
  });

  it('a server that confirms and keeps its end open: the time is to the confirmation, and the socket is closed after the grace', async () => {
    const port = await fakeServer((socket, size, body) => socket.write(`OK ${size} ${sha256(body)}\n`), true);
    const transport = new LoopbackNetTransport();
    const recording = recordingTransport(transport);
    const sockets = recording.sockets;
    const started = Date.now();
    const result = await new FramedClient(recording).send('127.0.0.1', port, bytesSource(Buffer.from('hi')));
    const wall = Date.now() - started;
    expect(result.bytes).toBe(2);
    // It waited the grace (2 s) for the server's FIN, but the result does not count it.
    expect(wall).toBeGreaterThanOrEqual(1900);
    expect(result.durationMs).toBeLessThan(wall - 1500);
    expect(sockets[0]!.destroyed).toBe(true);
  });

  it('a wrong byte count', async () => {
    const port = await fakeServer((socket, size, body) => socket.end(`OK ${size - 1} ${sha256(body)}\n`));
    expect(await failure(port)).toMatchObject({
      kind: 'mismatch',
      message: 'server confirmed 4 bytes, 5 were sent',
    });
  });

  it('a wrong hash', async () => {
    const port = await fakeServer((socket, size) => socket.end(`OK ${size} ${sha256('other')}\n`));
    expect(await failure(port)).toMatchObject({ kind: 'mismatch', message: /differs from the sent/ });
  });

  it('garbage', async () => {
    const port = await fakeServer((socket) => socket.end('thanks!\n'));
    expect(await failure(port)).toMatchObject({ kind: 'mismatch', message: 'not a confirmation: "thanks!"' });
  });

  it('an ERR line', async () => {
    const port = await fakeServer((socket) => socket.end('ERR go away\n'));
    expect(await failure(port)).toMatchObject({ kind: 'refused', message: /refused the message: go away$/ });
  });

  it('no confirmation: the server closes', async () => {
    const port = await fakeServer((socket) => socket.end());
    expect(await failure(port)).toMatchObject({
      kind: 'missing',
      message: /closed the connection before confirming \(5 bytes sent, 0 of 1 messages confirmed\)/,
    });
  });

  it('no confirmation: the server says nothing until the timeout', async () => {
    const port = await fakeServer(() => {});
    expect(await failure(port, 'hello', 200)).toMatchObject({ kind: 'timeout', message: /^timed out/ });
  });

  it('a confirmation whose last line has no newline still counts when the server closes', async () => {
    const port = await fakeServer((socket, size, body) => socket.end(`OK ${size} ${sha256(body)}`));
    const result = await new FramedClient(new LoopbackNetTransport()).send(
      '127.0.0.1',
      port,
      bytesSource(Buffer.from('hello')),
    );
    expect(result.bytes).toBe(5);
  });

  it('an unreachable server', async () => {
    const port = await fakeServer(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(await failure(port)).toMatchObject({
      kind: 'connect',
      message: /^cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    });
  });
});

describe('message sources', () => {
  async function collect(source: ReturnType<typeof streamSource>) {
    const out: Array<{ size: number; data: string }> = [];
    for await (const message of source.messages()) {
      const parts: Buffer[] = [];
      for await (const chunk of message.chunks) parts.push(Buffer.from(chunk));
      const data = Buffer.concat(parts).toString();
      expect(data.length).toBe(message.size);
      out.push({ size: message.size, data });
    }
    return out;
  }

  it('cuts a stream of unknown length into messages of the given size, however it is chunked', async () => {
    const stream = Readable.from(['abc', 'defgh', 'ij', 'klmnopq'].map((s) => Buffer.from(s)));
    expect(await collect(streamSource(stream, 'test', 4))).toEqual([
      { size: 4, data: 'abcd' },
      { size: 4, data: 'efgh' },
      { size: 4, data: 'ijkl' },
      { size: 4, data: 'mnop' },
      { size: 1, data: 'q' },
    ]);
  });

  it('an exact multiple gives no empty message at the end; an empty stream gives one', async () => {
    expect(await collect(streamSource(Readable.from([Buffer.from('abcdefgh')]), 'test', 4))).toHaveLength(2);
    expect(await collect(streamSource(Readable.from([]), 'test', 4))).toEqual([{ size: 0, data: '' }]);
  });

  it('bytes in memory: one message, or several', async () => {
    expect(await collect(bytesSource(Buffer.from('hello')))).toEqual([{ size: 5, data: 'hello' }]);
    expect((await collect(bytesSource(Buffer.from('hello'), 'x', 2))).map((m) => m.data)).toEqual([
      'he',
      'll',
      'o',
    ]);
  });
});
