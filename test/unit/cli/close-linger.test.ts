import { afterEach, describe, expect, it } from 'vitest';
import { lingerWhileClosing } from '../../../src/cli/close-linger.js';
import { buildTcpStack, type TcpStack } from '../../../src/di/compositions.js';
import { stackConfig } from '../../../src/di/config-defaults.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';

/** Each datagram arrives 20 ms after it was sent, in both directions. */
const DELAY_MS = 20;

const TCP_RST = 0x04;

let stacks: TcpStack[] = [];
afterEach(async () => {
  for (const s of stacks) await s.close();
  stacks = [];
});

/**
 * A server socket closed just after the client's FIN left (before it arrives), as when `pilha http` is stopped
 * the moment a client exits. Returns the server's stack and how many RSTs reached the client.
 */
async function closeAcrossFins(
  serverHearsNothing = false,
): Promise<{ server: TcpStack; resets: () => number }> {
  const [a, b] = MemoryLink.pair(1500, (run) => setTimeout(run, DELAY_MS));
  let resets = 0;
  let deaf = false;
  const serverReceive = b.receive.bind(b);
  b.receive = (datagram: Uint8Array) => {
    if (!deaf) serverReceive(datagram);
  };
  const receive = a.receive.bind(a);
  a.receive = (datagram: Uint8Array) => {
    if (datagram[9] === 6 && (datagram[((datagram[0]! & 0x0f) << 2) + 13]! & TCP_RST) !== 0) resets++;
    receive(datagram);
  };
  const server = await buildTcpStack(stackConfig({ address: '10.9.0.2' }), { baseLink: b });
  const client = await buildTcpStack(stackConfig({ address: '10.9.0.1' }), { baseLink: a });
  stacks.push(client, server);
  const accepted = new Promise<TcpSocket>((resolve) => {
    void server.transport.createServer((socket) => resolve(socket as TcpSocket)).listen(80);
  });
  const socket = await client.transport.connect('10.9.0.2', 80);
  socket.on('error', () => {});
  const serverSocket = await accepted;
  serverSocket.on('error', () => {});
  deaf = serverHearsNothing;
  socket.end(); // the client's FIN is on its way...
  await new Promise((r) => setTimeout(r, 2));
  serverSocket.destroy(); // ...when the server closes its side: FIN_WAIT_1
  return { server, resets: () => resets };
}

describe('lingerWhileClosing', () => {
  it('lets a connection whose peer’s FIN is on its way finish closing: no RST when the stack then stops', async () => {
    const { server, resets } = await closeAcrossFins();
    expect(await lingerWhileClosing(server.tcp, 1000)).toBe(true);
    server.tcp.close();
    await new Promise((r) => setTimeout(r, 3 * DELAY_MS));
    expect(resets()).toBe(0);
  });

  it('without it, the stopping stack resets that connection (what the linger is for)', async () => {
    const { server, resets } = await closeAcrossFins();
    server.tcp.close();
    await new Promise((r) => setTimeout(r, 3 * DELAY_MS));
    expect(resets()).toBeGreaterThan(0);
  });

  it('gives up after maxMs on a peer that never answers', async () => {
    // From the client's FIN on, nothing reaches the server: its FIN is never acknowledged.
    const { server } = await closeAcrossFins(true);
    const started = performance.now();
    expect(await lingerWhileClosing(server.tcp, 150)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('gives up at once when hurried (a second Ctrl-C), long before maxMs', async () => {
    const { server } = await closeAcrossFins(true);
    const hurry = new AbortController();
    setTimeout(() => hurry.abort(), 50);
    const started = performance.now();
    expect(await lingerWhileClosing(server.tcp, 10_000, hurry.signal)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
