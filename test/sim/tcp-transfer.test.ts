/**
 * Two complete stacks (link, IPv4, ICMP, TCP, built by the real container) on a MemoryLink and a
 * VirtualClock move 10 MB through TcpSocket/TcpServer, byte-exact, on a clean link and through a seeded
 * ImpairedLink. Each run prints its virtual time and how many MB of virtual transfer it made per real
 * second (a measurement, never asserted).
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpConnectionStats } from '../../src/transport/tcp/connection/tcp-connection-types.js';
import { ADDRESS_B, drive, pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 10 * 1024 * 1024;

interface Result {
  readonly virtualMs: number;
  readonly sender: TcpConnectionStats;
  readonly receiver: TcpConnectionStats;
  readonly linkStats: Record<string, number>;
}

async function transfer(label: string, impairment?: Impairment): Promise<Result> {
  const stacks = await twoTcpStacks(impairment === undefined ? {} : { impairment });
  const data = pattern(SIZE);
  const startReal = performance.now();
  // Application-sized writes, with backpressure: write until false, wait for 'drain'.
  const { body, virtualMs, sender, receiver } = await transferAtoB(stacks, data);
  const realMs = performance.now() - startReal;
  expect(body.length).toBe(SIZE);
  expect(body.equals(data)).toBe(true);
  const result: Result = {
    virtualMs,
    sender: sender.stats(),
    receiver: receiver.stats(),
    linkStats: stacks.a.link.stats(),
  };
  const s = result.sender;
  console.log(
    `${label}: 10 MB in ${virtualMs.toFixed(0)} ms virtual, ${realMs.toFixed(0)} ms real ` +
      `(${(SIZE / 1e6 / (realMs / 1000)).toFixed(0)} MB of virtual transfer per real second); ` +
      `segments ${s.segmentsSent}, retransmitted ${s.retransmitted}, fast retransmits ${s.fastRetransmits}, ` +
      `timeouts ${s.timeouts}, receiver ACKs ${result.receiver.segmentsSent}`,
  );
  await stacks.close();
  return result;
}

describe('10 MB between two pilha stacks', () => {
  it('on a clean link: byte-exact, no retransmission, delayed ACKs (about one per two segments)', async () => {
    const r = await transfer('clean link');
    expect(r.sender.retransmitted).toBe(0);
    expect(r.sender.timeouts).toBe(0);
    expect(r.receiver.bytesReceived).toBe(SIZE);
    const dataSegments = Math.ceil(SIZE / r.sender.mss);
    expect(r.receiver.segmentsSent).toBeLessThan(dataSegments * 0.6);
  });

  it('with 5 ms each way: byte-exact; the RTT is measured', async () => {
    const r = await transfer('5 ms delay', { ...NO_IMPAIRMENT, delayMs: 5, seed: 1 });
    expect(r.sender.retransmitted).toBe(0);
    expect(r.sender.srtt).toBeGreaterThanOrEqual(10);
    expect(r.sender.srtt).toBeLessThan(60);
  });

  it('with 1% loss (and 5 ms each way): byte-exact, recovered mostly by fast retransmit', async () => {
    const r = await transfer('1% loss, 5 ms delay', { ...NO_IMPAIRMENT, loss: 0.01, delayMs: 5, seed: 42 });
    expect(r.linkStats.dropLoss).toBeGreaterThan(0);
    expect(r.sender.retransmitted).toBeGreaterThan(0);
    expect(r.sender.fastRetransmits).toBeGreaterThan(r.sender.timeouts);
  });

  it('with 1% loss on a zero-delay link: byte-exact', async () => {
    const r = await transfer('1% loss', { ...NO_IMPAIRMENT, loss: 0.01, seed: 7 });
    expect(r.sender.retransmitted).toBeGreaterThan(0);
  });

  it('with reordering, duplication and corruption: byte-exact', async () => {
    const r = await transfer('reorder 2%, duplicate 1%, corrupt 0.5%', {
      ...NO_IMPAIRMENT,
      reorder: 0.02,
      duplicate: 0.01,
      corrupt: 0.005,
      delayMs: 2,
      seed: 3,
    });
    expect(r.receiver.outOfOrderReceived).toBeGreaterThan(0);
  });
});

describe('re-entrancy', () => {
  it('survives a synchronous link, where every answer arrives inside the send that caused it', async () => {
    // No scheduler: delivery inside send().
    const { clock, a, b, close } = await twoTcpStacks({ synchronous: true });
    const server = b.transport.createServer((socket) => socket.pipe(socket));
    await server.listen(7);
    const socket = a.transport.createConnection(7, formatIpv4(ADDRESS_B));
    const data = pattern(2 * 1024 * 1024);
    const echoed: Buffer[] = [];
    let length = 0;
    socket.on('data', (chunk: Buffer) => {
      echoed.push(chunk);
      length += chunk.length;
    });
    socket.end(data);
    await drive(clock, () => length === data.length, { limitMs: 60_000 });
    expect(Buffer.concat(echoed).equals(data)).toBe(true);
    expect(socket.stats().retransmitted).toBe(0);
    await close();
  });
});
