/**
 * The stack-wide TCP memory budget in simulation: two stacks on a VirtualClock, 24 connections whose
 * servers (on B) each write 1.5 MB while their clients (on A) do not read. The send queues B holds stay
 * within its budget (plus the small per-connection minimum and the chunk a writer hands over whole),
 * every connection stays open, and once the clients read, every byte arrives, in order; when all is
 * closed both budgets are back to zero.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import type { TcpConfig } from '../../src/transport/tcp/tcp-config.js';
import { ADDRESS_B, drive, pattern, twoTcpStacks, writeAll } from '../helpers/tcp-stacks.js';

const MiB = 1024 * 1024;
const CONNECTIONS = 24;
const SIZE = 1.5 * MiB;
const WRITE = 64 * 1024;
const TCP: Partial<TcpConfig> = {
  sendBufferSize: MiB,
  sendBufferMin: 4096,
  // Receive windows that together pass the budget, so that A's windows are clamped once A is under pressure.
  receiveBufferSize: 512 * 1024,
  receiveBufferMin: 4096,
  memoryLow: 3 * MiB,
  memoryPressure: 4 * MiB,
  memoryHigh: 6 * MiB,
};

/** Runs virtual time for `ms`, letting Node run its ticks between steps; calls `check` after each step. */
async function runFor(clock: VirtualClock, ms: number, check: () => void): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await yieldToLoop();
    clock.advance(1);
    check();
  }
}

describe('TCP memory budget (simulation)', () => {
  it('bounds what non-reading peers make a stack hold, breaks nothing, and loses no byte', async () => {
    const { clock, a, b, close } = await twoTcpStacks({ tcp: TCP });
    const data = pattern(SIZE);
    const problems: string[] = [];
    const server = b.transport.createServer((socket) => {
      socket.on('error', (e) => problems.push(`server: ${e.message}`));
      socket.resume(); // reads only the client's FIN, at the end
      writeAll(socket, data, WRITE);
    });
    await server.listen(5001);
    const clients: TcpSocket[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const c = a.transport.createConnection(5001, formatIpv4(ADDRESS_B));
      c.on('error', (e) => problems.push(`client ${i}: ${e.message}`));
      c.on('close', () => problems.push(`client ${i} closed early`));
      clients.push(c);
    }

    // Nobody reads: B's writers fill their send queues as far as the budget lets them.
    const slack = CONNECTIONS * (TCP.sendBufferMin! + WRITE);
    let peakQueued = 0;
    const queuedOnB = (): number => b.tcp.connectionStats().reduce((sum, s) => sum + s.sendQueue, 0);
    // RFC 9293 §3.8.6: however the budget clamps A's windows, the right edge A advertised never moves left.
    const rightEdges = new Map<number, number>();
    const checkRightEdges = (): void => {
      for (const s of a.tcp.connectionStats()) {
        const edge = s.bytesReceived + s.rcvWnd;
        const before = rightEdges.get(s.localPort) ?? 0;
        if (edge < before) problems.push(`port ${s.localPort}: right edge ${before} → ${edge}`);
        else rightEdges.set(s.localPort, edge);
      }
    };
    await runFor(clock, 5_000, () => {
      const queued = queuedOnB();
      if (queued > peakQueued) peakQueued = queued;
      checkRightEdges();
    });
    const statsB = b.tcp.stats();
    const statsA = a.tcp.stats();
    console.log(
      `memory budget (sim): B held at most ${(peakQueued / MiB).toFixed(2)} MiB in send queues ` +
        `(budget ${TCP.memoryHigh! / MiB} MiB, ${CONNECTIONS} connections wanting ${TCP.sendBufferSize! / MiB} MiB each); ` +
        `writes held ${statsB.memorySendHeld}; A held ${(statsA.memoryBytes / MiB).toFixed(2)} MiB`,
    );
    expect(peakQueued).toBeLessThanOrEqual(TCP.memoryHigh! + slack);
    expect(peakQueued).toBeGreaterThan(TCP.memoryPressure!); // the writers did push as far as allowed
    expect(statsB.memoryBytes).toBe(queuedOnB()); // the budget counts exactly what the queues hold
    expect(statsB.memoryPressure).toBe(1);
    expect(statsB.memorySendHeld).toBeGreaterThan(0);
    expect(statsA.memoryPressure).toBe(1);
    // What A holds for its non-reading clients stays within its budget too: windows promised before the
    // pressure may be filled only while A is under its hard limit; past it each buffer keeps its minimum
    // and one segment more, and the rest is dropped unacknowledged (the peer sends it again later).
    expect(statsA.memoryPeakBytes).toBeLessThanOrEqual(
      TCP.memoryHigh! + CONNECTIONS * (TCP.receiveBufferMin! + 1460),
    );
    expect(statsA.dropNoMemory).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    for (const c of clients) expect(c.tcpState).toBe('ESTABLISHED');

    // The clients read now: every byte arrives, in order, on every connection.
    const received = clients.map(() => [] as Buffer[]);
    let ended = 0;
    for (const [i, c] of clients.entries()) {
      c.removeAllListeners('close');
      c.on('data', (chunk: Buffer) => received[i]!.push(chunk));
      c.on('end', () => {
        ended++;
        c.end();
      });
    }
    await drive(
      clock,
      () => {
        checkRightEdges();
        return ended === CONNECTIONS;
      },
      { limitMs: 600_000 },
    );
    for (const chunks of received) expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(problems).toEqual([]);
    // While A drained under pressure, its reopened windows were smaller than its free buffers.
    expect(a.tcp.stats().memoryWindowClamped).toBeGreaterThan(0);

    // Everything closed: nothing stays charged on either stack, and the pressure is over.
    await drive(clock, () => a.tcp.stats().established === 0 && b.tcp.stats().established === 0);
    for (const c of clients) c.destroy();
    await drive(clock, () => b.tcp.stats().memoryBytes === 0 && a.tcp.stats().memoryBytes === 0, {
      limitMs: 10_000,
    });
    expect(b.tcp.stats().memoryPressure).toBe(0);
    expect(a.tcp.stats().memoryPressure).toBe(0);
    await close();
  }, 120_000);

  it('gives back what a closed connection held unread once its socket is destroyed', async () => {
    const { clock, a, b, close } = await twoTcpStacks();
    const server = b.transport.createServer((socket) => socket.end(pattern(10_000)));
    await server.listen(5002);
    const client = a.transport.createConnection(5002, formatIpv4(ADDRESS_B));
    // The client never reads: the 10 kB and the FIN wait in its receive buffer; it closes its side too.
    await drive(clock, () => client.stats().state === 'CLOSE_WAIT');
    client.end();
    await drive(clock, () => client.stats().state === 'CLOSED');
    expect(a.tcp.stats().memoryBytes).toBe(10_000);
    client.destroy();
    expect(a.tcp.stats().memoryBytes).toBe(0);
    await close();
  });

  it('gives back what connections held in an accept queue when the listener closes', async () => {
    const { clock, a, b, close } = await twoTcpStacks();
    const listener = b.tcp.listen(5003, { onAcceptable: () => {} }); // never accepts
    const clients = [0, 1, 2].map(() => a.transport.createConnection(5003, formatIpv4(ADDRESS_B)));
    for (const c of clients) c.write(pattern(3000));
    await drive(clock, () => b.tcp.stats().memoryBytes === 9000);
    listener.close(); // resets them
    expect(b.tcp.stats().memoryBytes).toBe(0);
    for (const c of clients) c.on('error', () => {});
    await drive(clock, () => clients.every((c) => c.destroyed));
    expect(a.tcp.stats().memoryBytes).toBe(0);
    await close();
  });
});
