/**
 * Stage 1 end to end, the same cases on both StreamTransports: FramedEchoApp built by buildFramedStack and
 * FramedClient, over two pilha stacks joined by a MemoryLink (on a VirtualClock) and over the kernel's TCP on
 * loopback. Raw sockets from the same transport play the misbehaving clients.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FramedClient, type FramedClientError } from '../../src/app/framed/framed-client.js';
import type { FramedMessageRecord } from '../../src/app/framed/framed-echo-app.js';
import { encodeFramedHeader } from '../../src/app/framed/framed-header.js';
import { bytesSource, type FramedSource, fileSource } from '../../src/app/framed/framed-message-source.js';
import type { Clock } from '../../src/core/clock.js';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { LayerLoggers, silentLoggers } from '../../src/core/logger.js';
import { SystemClock } from '../../src/core/system-clock.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import {
  buildFramedStack,
  buildTcpStack,
  type FramedStack,
  type TcpStack,
} from '../../src/di/compositions.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import { KernelStreamTransport } from '../../src/transport/socket/kernel-stream-transport.js';
import type { StreamSocket, StreamTransport } from '../../src/transport/socket/stream-transport.js';
import { ADDRESS_A, ADDRESS_B, memoryConfig } from '../helpers/memory-stacks.js';
import { drive, pattern } from '../helpers/tcp-stacks.js';

const INPUT_TXT = fileURLToPath(new URL('../../examples/input.txt', import.meta.url));
const MAX_SIZE = 8 * 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A server and a client transport, and how to wait for a promise on them. */
interface Harness {
  readonly server: FramedStack;
  readonly clientTransport: StreamTransport;
  readonly clock: Clock;
  readonly host: string;
  readonly port: number;
  readonly messages: FramedMessageRecord[];
  /** The app's log lines ('msg' of each). */
  readonly logs: string[];
  settle<T>(promise: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function capturingLoggers(logs: string[]): LayerLoggers {
  const root = pino({ level: 'trace' }, { write: (line: string) => logs.push(JSON.parse(line).msg) });
  return new LayerLoggers({ defaultLevel: 'silent', layers: { app: 'info' } }, root);
}

async function memoryHarness(): Promise<Harness> {
  const clock = new VirtualClock();
  const [linkA, linkB] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
  const logs: string[] = [];
  const messages: FramedMessageRecord[] = [];
  const client: TcpStack = await buildTcpStack(memoryConfig(ADDRESS_A), {
    baseLink: linkA,
    clock,
    loggers: silentLoggers(),
  });
  const server = await buildFramedStack(
    memoryConfig(ADDRESS_B),
    { transport: 'pilha', app: { maxSize: MAX_SIZE, onMessage: (m) => messages.push(m) } },
    { baseLink: linkB, clock, loggers: capturingLoggers(logs) },
  );
  const listening = await server.app.listen(server.transport, 7000);
  return {
    server,
    clientTransport: client.transport,
    clock,
    host: formatIpv4(ADDRESS_B),
    port: listening.port,
    messages,
    logs,
    async settle<T>(promise: Promise<T>): Promise<T> {
      let done = false;
      const watched = promise.finally(() => {
        done = true;
      });
      watched.catch(() => {});
      await drive(clock, () => done, { stepMs: 5 });
      return watched;
    },
    close: async () => {
      await server.close();
      await client.close();
    },
  };
}

async function kernelHarness(): Promise<Harness> {
  const logs: string[] = [];
  const messages: FramedMessageRecord[] = [];
  const server = await buildFramedStack(
    memoryConfig(ADDRESS_B),
    { transport: 'kernel', app: { maxSize: MAX_SIZE, onMessage: (m) => messages.push(m) } },
    { loggers: capturingLoggers(logs) },
  );
  const listening = await server.app.listen(server.transport, 0, '127.0.0.1');
  return {
    server,
    clientTransport: new KernelStreamTransport(),
    clock: new SystemClock(),
    host: '127.0.0.1',
    port: listening.port,
    messages,
    logs,
    settle: (promise) => promise,
    close: () => server.close(),
  };
}

/** A client that writes raw bytes and collects what comes back until the server ends. */
async function rawExchange(h: Harness, parts: readonly Uint8Array[], endAfter = true) {
  const socket: StreamSocket = await h.settle(h.clientTransport.connect(h.host, h.port));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
    socket.once('error', () => resolve());
  });
  for (const part of parts) socket.write(part);
  if (endAfter) socket.end();
  await h.settle(ended);
  socket.destroy();
  return received;
}

function send(h: Harness, source: FramedSource) {
  return h.settle(new FramedClient(h.clientTransport, { clock: h.clock }).send(h.host, h.port, source));
}

/** Waits until `check` holds (the server logs after the client has seen its side). */
async function until(h: Harness, check: () => boolean): Promise<void> {
  if (h.clock instanceof VirtualClock) return drive(h.clock, check, { stepMs: 5 });
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe.each([
  ['pilha TCP over a MemoryLink pair', memoryHarness],
  ["the kernel's TCP on loopback", kernelHarness],
])('framed messages over %s', (_name, makeHarness) => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('examples/input.txt: 16,385 bytes confirmed with their SHA-256', async () => {
    const input = readFileSync(INPUT_TXT);
    expect(input.length).toBe(16385);
    const result = await send(h, await fileSource(INPUT_TXT));
    expect(result).toMatchObject({ messages: 1, bytes: 16385, sha256: sha256(input) });
    expect(result.confirmations).toEqual([{ bytes: 16385, sha256: sha256(input) }]);
    expect(h.messages.map((m) => [m.bytes, m.sha256])).toEqual([[16385, sha256(input)]]);
  });

  it('the exact wire: header, bytes, and one OK line back', async () => {
    const reply = await rawExchange(h, [Buffer.from('5       hello')]);
    expect(reply).toBe(`OK 5 ${sha256(Buffer.from('hello'))}\n`);
  });

  it('an empty message: `0       ` is confirmed as 0 bytes', async () => {
    expect(await rawExchange(h, [Buffer.from('0       ')])).toBe(`OK 0 ${sha256(new Uint8Array(0))}\n`);
    const result = await send(h, bytesSource(new Uint8Array(0)));
    expect(result).toMatchObject({ messages: 1, bytes: 0, sha256: sha256(new Uint8Array(0)) });
  });

  it('a multi-MB message, and one connection carrying several', async () => {
    const data = pattern(6 * 1024 * 1024 + 7);
    const one = await send(h, bytesSource(data));
    expect(one).toMatchObject({ messages: 1, bytes: data.length, sha256: sha256(data) });
    const three = await send(h, bytesSource(data, 'pattern', 2_500_000));
    expect(three.messages).toBe(3);
    expect(three.sha256).toBe(sha256(data));
    expect(three.confirmations.map((c) => c.bytes)).toEqual([2_500_000, 2_500_000, data.length - 5_000_000]);
    expect(three.confirmations[1]!.sha256).toBe(sha256(data.subarray(2_500_000, 5_000_000)));
    expect(h.server.app.totals()).toMatchObject({
      messages: 4,
      messageBytes: 2 * data.length,
      incomplete: 0,
    });
  });

  it('a client that disconnects halfway is logged incomplete, never confirmed, and the next one is served', async () => {
    const reply = await rawExchange(h, [encodeFramedHeader(1_000_000), pattern(300_000)]);
    expect(reply).toBe('');
    await until(h, () => h.logs.some((l) => l.startsWith('incomplete')));
    expect(h.logs).toContain('incomplete: got 300000 of 1000000 bytes');
    expect(h.messages).toEqual([]);
    const next = await send(h, await fileSource(INPUT_TXT));
    expect(next.bytes).toBe(16385);
    expect(h.server.app.totals()).toMatchObject({ messages: 1, incomplete: 1 });
  });

  it('a client that stops inside the header is logged incomplete too', async () => {
    expect(await rawExchange(h, [Buffer.from('163')])).toBe('');
    await until(h, () => h.logs.some((l) => l.startsWith('incomplete')));
    expect(h.logs).toContain('incomplete: got 3 of 8 header bytes');
  });

  it('a malformed header gets ERR and the connection closes', async () => {
    const reply = await rawExchange(h, [Buffer.from('12a4    '), pattern(5000)], false);
    expect(reply).toBe('ERR bad size header "12a4    ": not digits followed by spaces\n');
    expect(h.server.app.totals()).toMatchObject({ refused: 1, messages: 0 });
  });

  it('an oversized header gets ERR; the client reports the refusal', async () => {
    const reply = await rawExchange(h, [encodeFramedHeader(MAX_SIZE + 1)], false);
    expect(reply).toBe(`ERR message of ${MAX_SIZE + 1} bytes is over the maximum of ${MAX_SIZE}\n`);
    const refused = await send(h, bytesSource(pattern(MAX_SIZE + 1))).catch((e: FramedClientError) => e);
    expect(refused).toMatchObject({
      kind: 'refused',
      message: `${h.host}:${h.port} refused the message: message of ${MAX_SIZE + 1} bytes is over the maximum of ${MAX_SIZE}`,
    });
  });

  it('a message at the maximum size is accepted', async () => {
    const data = pattern(MAX_SIZE);
    expect((await send(h, bytesSource(data))).sha256).toBe(sha256(data));
  });

  it('serves connections concurrently', async () => {
    const sources = [1, 2, 3, 4].map((i) => pattern(200_000 * i, i));
    const client = new FramedClient(h.clientTransport, { clock: h.clock });
    const results = await h.settle(
      Promise.all(sources.map((data) => client.send(h.host, h.port, bytesSource(data)))),
    );
    expect(results.map((r) => r.sha256)).toEqual(sources.map(sha256));
    expect(h.server.app.totals()).toMatchObject({ connections: 4, messages: 4 });
  });

  it('a port nobody listens on: the client says it cannot connect', async () => {
    const failure = await h
      .settle(
        new FramedClient(h.clientTransport, { clock: h.clock }).send(h.host, 1, bytesSource(pattern(10))),
      )
      .catch((e: FramedClientError) => e);
    expect(failure).toMatchObject({ kind: 'connect', message: expect.stringMatching(/^cannot connect to /) });
  });
});
