import { Duplex } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { formatIpv4 } from '../../../src/core/ipv4-address.js';
import { PilhaStreamTransport } from '../../../src/transport/socket/pilha-stream-transport.js';
import type { TcpServerOptions } from '../../../src/transport/socket/tcp-server.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { ADDRESS_A, ADDRESS_B, drive, pattern, twoTcpStacks } from '../../helpers/tcp-stacks.js';
import { ACK, bytes, expectSegment, FIN, IRS, ISS, PSH, RST, SYN, TcpHarness } from './tcp-harness.js';

const HOST_B = formatIpv4(ADDRESS_B);

async function connected(
  options: Parameters<typeof twoTcpStacks>[0] = {},
  serverOptions: TcpServerOptions = {},
) {
  const stacks = await twoTcpStacks(options);
  const accepted: TcpSocket[] = [];
  const server = stacks.b.transport.createServer((s) => accepted.push(s), serverOptions);
  await server.listen(80);
  let client: TcpSocket | undefined;
  void stacks.a.transport.connect(HOST_B, 80).then((s) => {
    client = s;
  });
  await drive(stacks.clock, () => client !== undefined && accepted.length === 1);
  return { ...stacks, server, client: client!, peer: accepted[0]! };
}

/** A TcpHarness with a server on port 80 (`onConnection` its 'connection' handler), the peer's SYN answered. */
async function harnessServer(onConnection: (socket: TcpSocket) => void) {
  const h = new TcpHarness();
  const server = new PilhaStreamTransport(h.tcp, h.clock).createServer(onConnection);
  await server.listen(80);
  h.send({ flags: SYN, seq: IRS, options: { mss: 1460 } });
  expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
  return { h, server };
}

/** The peer's request of `length` bytes right after the handshake, then its RST (an abortive close). */
function requestThenReset(h: TcpHarness, length: number): void {
  h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(length) });
  h.send({ flags: RST, seq: IRS + 1 + length, ack: 0 });
}

/** `n` turns of the event loop. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

function collect(socket: TcpSocket): { data: Buffer[]; bytes: () => Buffer; ended: boolean } {
  const state = { data: [] as Buffer[], bytes: () => Buffer.concat(state.data), ended: false };
  socket.on('data', (d: Buffer) => state.data.push(d));
  socket.on('end', () => {
    state.ended = true;
  });
  return state;
}

describe('TcpSocket and TcpServer', () => {
  it('connect: addresses, ports, connect event, byte counters, echo', async () => {
    const { clock, client, peer, server } = await connected();
    expect(client.remoteAddress).toBe(HOST_B);
    expect(client.remotePort).toBe(80);
    expect(client.localAddress).toBe(formatIpv4(ADDRESS_A));
    expect(peer.remotePort).toBe(client.localPort);
    expect(client.connecting).toBe(false);
    expect(server.port).toBe(80);
    peer.pipe(peer);
    const got = collect(client);
    client.write('hello, ');
    client.write(Buffer.from('pilha'));
    await drive(clock, () => got.bytes().length === 12);
    expect(got.bytes().toString()).toBe('hello, pilha');
    expect(client.bytesWritten).toBe(12);
    expect(client.bytesRead).toBe(12);
    expect(peer.bytesRead).toBe(12);
    expect(client.stats()).toMatchObject({ state: 'ESTABLISHED', bytesAcked: 12 });
  });

  it("data arriving with the handshake's final ACK, and right after, reaches the 'connection' handler", async () => {
    const received: Buffer[] = [];
    let ended = false;
    const { h } = await harnessServer((socket) => {
      socket.on('data', (d: Buffer) => received.push(d));
      socket.on('end', () => {
        ended = true;
      });
    });
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(100) });
    h.send({ flags: ACK | PSH, seq: IRS + 101, ack: ISS + 1, payload: bytes(100, 100) });
    h.send({ flags: ACK | 0x01, seq: IRS + 201, ack: ISS + 1 });
    expect(received).toEqual([]); // nothing runs inside segment processing
    await new Promise((resolve) => setImmediate(resolve));
    expect(Array.from(Buffer.concat(received))).toEqual(Array.from(bytes(200)));
    expect(ended).toBe(true);
  });

  it("a request and a RST right after it: the 'connection' handler reads the request, then ECONNRESET", async () => {
    const events: string[] = [];
    const { h } = await harnessServer((socket) => {
      socket.on('data', (d: Buffer) => events.push(`data ${d.length}`));
      socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
      socket.on('close', () => events.push('close'));
    });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    // As from a client that sends its request and closes with SO_LINGER 0: both in one read pass.
    requestThenReset(h, 300);
    await turns(2);
    expect(events).toEqual(['data 300', 'error ECONNRESET', 'close']);
  });

  it("a request, the peer's FIN and its RST in one read pass: the handler reads the request and the EOF, no error, as over Linux; a write meets EPIPE", async () => {
    const events: string[] = [];
    const { h } = await harnessServer((socket) => {
      socket.on('data', (d: Buffer) => events.push(`data ${d.length}`));
      socket.on('end', () => {
        events.push('end');
        socket.write('late', (e) => events.push(`write ${(e as NodeJS.ErrnoException | null)?.code}`));
      });
      socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
      socket.on('close', () => events.push('close'));
    });
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(300) });
    h.send({ flags: ACK | FIN, seq: IRS + 301, ack: ISS + 1 });
    h.send({ flags: RST, seq: IRS + 302, ack: 0 });
    await turns(4);
    expect(events).toEqual(['data 300', 'end', 'write EPIPE', 'error EPIPE', 'close']);
  });

  it("a half-open socket (allowHalfOpen) that read the peer's FIN and then gets its RST: no error until it writes, then EPIPE", async () => {
    const events: string[] = [];
    let accepted: TcpSocket | undefined;
    const h = new TcpHarness();
    const server = new PilhaStreamTransport(h.tcp, h.clock).createServer(
      (socket) => {
        accepted = socket;
        socket.on('data', (d: Buffer) => events.push(`data ${d.length}`));
        socket.on('end', () => events.push('end'));
        socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
        socket.on('close', () => events.push('close'));
      },
      { allowHalfOpen: true },
    );
    await server.listen(80);
    h.send({ flags: SYN, seq: IRS, options: { mss: 1460 } });
    expectSegment(h.recv(), { flags: 'SYN|ACK', seq: ISS, ack: IRS + 1 });
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(300) });
    h.send({ flags: ACK | FIN, seq: IRS + 301, ack: ISS + 1 });
    await turns(3);
    expect(events).toEqual(['data 300', 'end']);
    h.send({ flags: RST, seq: IRS + 302, ack: 0 });
    await turns(3);
    // Linux: recv() went on returning 0, nothing said; the reset is met by the next send().
    expect(events).toEqual(['data 300', 'end']);
    accepted!.write('late', (e) => events.push(`write ${(e as NodeJS.ErrnoException | null)?.code}`));
    await turns(3);
    expect(events).toEqual(['data 300', 'end', 'write EPIPE', 'error EPIPE', 'close']);
  });

  it('a reset connection kept in the accept queue for its data gives its memory back when the server closes', async () => {
    let accepted = 0;
    const { h, server } = await harnessServer(() => {
      accepted++;
    });
    requestThenReset(h, 300);
    expect(h.tcp.stats()).toMatchObject({ memoryBytes: 300 });
    const closed = server.close();
    await closed;
    expect(accepted).toBe(0);
    expect(h.tcp.stats()).toMatchObject({ memoryBytes: 0, txResets: 0 });
  });

  it('data queued before a reset waits for a socket its reader paused, then comes whole, then the reset', async () => {
    const { clock, client, peer, b } = await connected();
    peer.pause(); // as node:net stops reading then, and meets the reset only when it resumes
    client.write(pattern(5000));
    await drive(clock, () => (peer.stats().receiveQueue ?? 0) === 5000);
    client.resetAndDestroy();
    await drive(clock, () => peer.stats().state === 'CLOSED');
    let error: NodeJS.ErrnoException | undefined;
    let closed = false;
    peer.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    peer.on('close', () => {
      closed = true;
    });
    let steps = 0;
    await drive(clock, () => ++steps > 100);
    expect(error).toBeUndefined(); // nothing read yet: the error waits behind the data
    const got = collect(peer);
    peer.resume();
    await drive(clock, () => closed);
    expect(got.bytes().equals(pattern(5000))).toBe(true);
    expect(got.ended).toBe(false);
    expect(error?.code).toBe('ECONNRESET');
    expect(b.tcp.stats()).toMatchObject({ txResets: 0, memoryBytes: 0 });
  });

  it('after a reset with data unread: a write gets the reset; a socket nobody reads is destroyed at once', async () => {
    const paused = await connected();
    paused.peer.pause();
    paused.client.write(pattern(100));
    await drive(paused.clock, () => (paused.peer.stats().receiveQueue ?? 0) === 100);
    paused.client.resetAndDestroy();
    await drive(paused.clock, () => paused.peer.stats().state === 'CLOSED');
    let writeError: NodeJS.ErrnoException | undefined;
    paused.peer.on('error', () => {});
    paused.peer.write('answer', (e) => {
      writeError = e ?? undefined;
    });
    await drive(paused.clock, () => paused.peer.destroyed && writeError !== undefined);
    expect(writeError?.code).toBe('ECONNRESET');
    expect(paused.b.tcp.stats().memoryBytes).toBe(0);

    // Never read (no 'data' listener, no pause): as net, which reads from the start, the reset ends it at once.
    const idle = await connected();
    idle.client.write(pattern(100));
    await drive(idle.clock, () => (idle.peer.stats().receiveQueue ?? 0) === 100);
    let error: NodeJS.ErrnoException | undefined;
    idle.peer.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    idle.client.resetAndDestroy();
    await drive(idle.clock, () => idle.peer.destroyed && error !== undefined);
    expect(error?.code).toBe('ECONNRESET');
    expect(idle.b.tcp.stats().memoryBytes).toBe(0);
  });

  it("a reader in paused mode ('readable', for await) gets what was buffered before a reset, then the error", async () => {
    const events: string[] = [];
    const { h } = await harnessServer((socket) => {
      void (async () => {
        try {
          for await (const chunk of socket) events.push(`data ${(chunk as Buffer).length}`);
          events.push('end');
        } catch (e) {
          events.push(`error ${(e as NodeJS.ErrnoException).code}`);
        }
      })();
    });
    h.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1 });
    await turns(1);
    requestThenReset(h, 300);
    await turns(5);
    expect(events).toEqual(['data 300', 'error ECONNRESET']);
    expect(h.tcp.stats().memoryBytes).toBe(0);
  });

  it('resetAndDestroy() of a socket accepted already reset gives the memory its data held back', async () => {
    let closed = false;
    const { h } = await harnessServer((socket) => {
      socket.on('close', () => {
        closed = true;
      });
      socket.resetAndDestroy(); // a server refusing a client over its limit, say
    });
    requestThenReset(h, 300);
    expect(h.tcp.stats().memoryBytes).toBe(300);
    await turns(3);
    expect(closed).toBe(true);
    expect(h.tcp.stats()).toMatchObject({ memoryBytes: 0, txResets: 0 });
  });

  it("write() returns false when the send buffer is full, and 'drain' follows", async () => {
    const { clock, client, peer } = await connected({ tcp: { sendBufferSize: 64 * 1024 } });
    peer.pause(); // the receiver does not read yet: its window fills, ACKs stop freeing our buffer
    let accepted = 0;
    const chunk = Buffer.alloc(16 * 1024, 1);
    while (client.write(chunk)) accepted += chunk.length;
    expect(accepted).toBeGreaterThanOrEqual(48 * 1024);
    expect(accepted).toBeLessThan(64 * 1024 + 16 * 1024);
    let drained = false;
    client.once('drain', () => {
      drained = true;
    });
    await drive(clock, () => drained);
    const got = collect(peer);
    peer.resume();
    await drive(clock, () => got.bytes().length === accepted + chunk.length);
  });

  it('a write() of one 10 MB chunk flows through a 256 KiB send buffer, byte-exact', async () => {
    const { clock, client, peer } = await connected();
    const data = pattern(10 * 1024 * 1024);
    const got = collect(peer);
    let written = false;
    const more = client.write(data, () => {
      written = true;
    });
    expect(more).toBe(false);
    await drive(clock, () => got.bytes().length >= data.length && written, { limitMs: 600_000 });
    expect(got.bytes().equals(data)).toBe(true);
  });

  it('receive backpressure: a paused reader closes the window; resuming reopens it', async () => {
    const { clock, client, peer } = await connected({ tcp: { receiveBufferSize: 64 * 1024 } });
    peer.pause();
    const data = pattern(1024 * 1024);
    client.write(data);
    await drive(clock, () => client.stats().sndWnd === 0, { limitMs: 10_000 });
    const held = peer.stats().receiveQueue;
    expect(held).toBeGreaterThan(60 * 1024);
    expect(held).toBeLessThanOrEqual(64 * 1024);
    const got = collect(peer);
    peer.resume();
    await drive(clock, () => got.bytes().length === data.length, { limitMs: 120_000 });
    expect(got.bytes().equals(data)).toBe(true);
  });

  it("half-close: end() sends FIN after the data; the peer reads to 'end', answers, ends too; both close cleanly", async () => {
    const { clock, client, peer, a, b } = await connected(
      { tcp: { timeWaitMs: 1000 } },
      { allowHalfOpen: true },
    );
    const fromClient = collect(peer);
    const fromPeer = collect(client);
    const closes: Array<[string, boolean]> = [];
    client.on('close', (hadError: boolean) => closes.push(['client', hadError]));
    peer.on('close', (hadError: boolean) => closes.push(['peer', hadError]));
    client.end(pattern(100_000));
    await drive(clock, () => fromClient.ended);
    expect(fromClient.bytes().equals(pattern(100_000))).toBe(true);
    peer.end('bye');
    await drive(clock, () => closes.length === 2);
    expect(fromPeer.bytes().toString()).toBe('bye');
    expect(closes.map(([, e]) => e)).toEqual([false, false]);
    await drive(clock, () => a.tcp.connections().length === 0 && b.tcp.connections().length === 0);
    expect(a.tcp.stats().txResets + b.tcp.stats().txResets).toBe(0);
  });

  it("a bare end() of a finished side returns at once (node:http's socketOnEnd); end(cb) still hears why", async () => {
    const { clock, client, peer } = await connected({}, { allowHalfOpen: true });
    client.resume();
    peer.resume();
    let finished = false;
    peer.on('finish', () => {
      finished = true;
    });
    peer.end('answer');
    await drive(clock, () => finished);
    // As node:http does when the client half-closes after the answer: end() again, with nothing.
    const writableEnd = vi.spyOn(Duplex.prototype, 'end');
    try {
      expect(peer.end()).toBe(peer);
      expect(writableEnd).not.toHaveBeenCalled();
      const err = await new Promise<Error | null | undefined>((resolve) => peer.end(resolve));
      expect(writableEnd).toHaveBeenCalledTimes(1);
      expect((err as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_STREAM_ALREADY_FINISHED');
    } finally {
      writableEnd.mockRestore();
    }
    client.end();
    await drive(clock, () => peer.destroyed || peer.readableEnded);
  });

  it('allowHalfOpen false (the default): the peer ending makes the socket end too', async () => {
    const { clock, client, peer } = await connected();
    const got = collect(peer);
    let clientEnded = false;
    client.on('end', () => {
      clientEnded = true;
    });
    client.resume();
    peer.end('x');
    await drive(clock, () => clientEnded && got.ended);
  });

  it('ECONNREFUSED when nobody listens', async () => {
    const { clock, a } = await twoTcpStacks();
    let error: NodeJS.ErrnoException | undefined;
    a.transport.connect(HOST_B, 81).catch((e: NodeJS.ErrnoException) => {
      error = e;
    });
    await drive(clock, () => error !== undefined);
    expect(error).toBeInstanceOf(Error);
    expect(error!.code).toBe('ECONNREFUSED');
  });

  it('ETIMEDOUT when nothing answers the SYN', async () => {
    const { clock, a } = await twoTcpStacks({ tcp: { synRetries: 1 } });
    let error: NodeJS.ErrnoException | undefined;
    a.transport.connect('10.9.0.77', 80).catch((e: NodeJS.ErrnoException) => {
      error = e;
    });
    await drive(clock, () => error !== undefined, { stepMs: 10 });
    expect(error!.code).toBe('ETIMEDOUT');
    expect(clock.now()).toBeGreaterThanOrEqual(3000);
  });

  it("resetAndDestroy() resets: the peer gets ECONNRESET and 'close' with hadError", async () => {
    const { clock, client, peer } = await connected();
    let error: NodeJS.ErrnoException | undefined;
    let hadError: boolean | undefined;
    client.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    client.on('close', (h: boolean) => {
      hadError = h;
    });
    peer.resetAndDestroy();
    await drive(clock, () => hadError !== undefined);
    expect(error?.code).toBe('ECONNRESET');
    expect(hadError).toBe(true);
  });

  it('destroy() closes like close(2): the peer reads the end of the stream, no RST', async () => {
    const { clock, client, peer, b } = await connected();
    const got = collect(client);
    peer.destroy();
    await drive(clock, () => got.ended);
    expect(b.tcp.stats().txResets).toBe(0);
  });

  it('destroy() with received data never read resets the connection, as the kernel does', async () => {
    const { clock, client, peer } = await connected();
    let error: NodeJS.ErrnoException | undefined;
    client.on('error', (e: NodeJS.ErrnoException) => {
      error = e;
    });
    peer.pause();
    client.write(pattern(1000));
    await drive(
      clock,
      () => peer.bytesRead > 0 || peer.readableLength > 0 || (peer.stats?.().receiveQueue ?? 0) > 0,
    );
    peer.destroy();
    await drive(clock, () => error !== undefined);
    expect(error?.code).toBe('ECONNRESET');
  });

  it('destroy() after end() closes gracefully: the data and the FIN still arrive, no RST', async () => {
    const { clock, client, peer, a } = await connected();
    const got = collect(peer);
    client.end(pattern(300_000));
    client.destroy();
    await drive(clock, () => got.ended);
    expect(got.bytes().equals(pattern(300_000))).toBe(true);
    expect(a.tcp.stats().txResets).toBe(0);
  });

  it("setTimeout emits 'timeout' after the idle time, once, and again after activity", async () => {
    const { clock, client } = await connected();
    let timeouts = 0;
    client.setTimeout(5000, () => {
      timeouts++;
    });
    client.on('timeout', () => {});
    await drive(clock, () => clock.now() > 20_000, { stepMs: 100 });
    expect(timeouts).toBe(1);
    client.write('x');
    client.setTimeout(5000);
    let again = 0;
    client.on('timeout', () => again++);
    await drive(clock, () => clock.now() > 40_000, { stepMs: 100 });
    expect(again).toBe(1);
  });

  it('server.close() stops listening and resolves once its connections close', async () => {
    const { clock, client, peer, server, b } = await connected();
    let closed = false;
    void server.close().then(() => {
      closed = true;
    });
    await drive(clock, () => clock.now() > 100);
    expect(closed).toBe(false);
    expect(b.tcp.stats().connections).toBe(1);
    client.end();
    peer.end();
    client.resume();
    peer.resume();
    await drive(clock, () => closed);
    expect(server.listening).toBe(false);
  });
});

describe('TcpServer.listen', () => {
  it("rejects a port in use (EADDRINUSE) and emits 'error' to whoever listens", async () => {
    const { b } = await twoTcpStacks();
    const first = b.transport.createServer(() => {});
    await first.listen(80);
    const second = b.transport.createServer(() => {});
    const errors: Error[] = [];
    second.on('error', (e: Error) => errors.push(e));
    await expect(second.listen(80)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((resolve) => process.nextTick(resolve));
    expect(errors.length).toBe(1);
    await expect(b.transport.createServer(() => {}).listen(81, '10.9.9.9')).rejects.toMatchObject({
      code: 'EBADADDR',
    });
  });

  it("listen(0) picks an ephemeral port; 'listening' is emitted", async () => {
    const { b } = await twoTcpStacks();
    const server = b.transport.createServer(() => {});
    let listening = false;
    server.on('listening', () => {
      listening = true;
    });
    await server.listen(0);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(listening).toBe(true);
    expect(server.port).toBeGreaterThanOrEqual(32_768);
    expect(server.address()).toMatchObject({ address: formatIpv4(ADDRESS_B), family: 'IPv4' });
  });
});
