/**
 * 20 MB with CUBIC (the default) between two pilha stacks through random loss, byte-exact. Prints the
 * virtual time and the sender's loss counters (measurements, never asserted as timings).
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, pattern, twoTcpStacks, writeAll } from '../helpers/tcp-stacks.js';

const SIZE = 20 * 1024 * 1024;

async function transfer(label: string, impairment: Impairment) {
  const { clock, a, b, close } = await twoTcpStacks({ impairment });
  const data = pattern(SIZE);
  const received: Buffer[] = [];
  let ended = false;
  let receiver: TcpSocket | undefined;
  const server = b.transport.createServer((socket) => {
    receiver = socket;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => {
      ended = true;
    });
  });
  await server.listen(5002);
  const socket = a.transport.createConnection(5002, formatIpv4(ADDRESS_B));
  const start = clock.now();
  writeAll(socket, data, 64 * 1024);
  await drive(clock, () => ended, { limitMs: 3_600_000 });
  const virtualMs = clock.now() - start;
  const body = Buffer.concat(received);
  expect(body.length).toBe(SIZE);
  expect(body.equals(data)).toBe(true);
  const s = socket.stats();
  console.log(
    `${label}: 20 MB in ${(virtualMs / 1000).toFixed(1)} s virtual (${(SIZE / 1e6 / (virtualMs / 1000)).toFixed(2)} MB/s); ` +
      `cc ${s.congestionControl}, retransmitted ${s.retransmitted}, fast retransmits ${s.fastRetransmits}, timeouts ${s.timeouts}, ` +
      `dropped by the link ${a.link.stats().dropLoss}`,
  );
  const result = { sender: s, receiver: receiver!.stats(), linkStats: a.link.stats() };
  await close();
  return result;
}

describe('20 MB with CUBIC, the default, through random loss', () => {
  it.each([
    [0.01, 11],
    [0.05, 12],
  ])('loss %f both ways, 5 ms each way: byte-exact', async (loss, seed) => {
    const r = await transfer(`CUBIC, ${loss * 100}% loss`, { ...NO_IMPAIRMENT, loss, delayMs: 5, seed });
    expect(r.sender.congestionControl).toBe('cubic');
    expect(r.linkStats.dropLoss).toBeGreaterThan(0);
    expect(r.sender.fastRetransmits).toBeGreaterThan(0);
    expect(r.receiver.bytesReceived).toBe(SIZE);
  });
});
