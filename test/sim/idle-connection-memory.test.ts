/**
 * What an idle connection costs in the JS heap: 1,000 connections opened from stack A to an http.Server on
 * stack B and left idle, measured after full collections on both sides of the opening. A guard against a
 * per-connection field or object slipping back in (the benchmark's idle step measures the server process's
 * RSS against the kernel's; this is its part that pilha's own objects decide).
 *
 * Counted here: both ends of each connection (pilha's TcpConnection and its parts, twice) and the server's
 * node:http state for each socket. Measured on Node 20 (x64): 9,280–9,520 bytes a pair; 9,950–10,120 before
 * sequence numbers were held as small integers, 9,540–9,740 with that but before CUBIC's curve was made
 * lazily (its own test: cubic-congestion-controller.test.ts). The bound fails without the first; it leaves
 * room for V8's run-to-run spread (up to about 200), not for a new per-connection record. It is tuned to
 * Node 20's node:http, the version CI runs.
 */
import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, twoTcpStacks } from '../helpers/tcp-stacks.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CONNECTIONS = 1000;
/** Bytes of heap and external memory per connection pair (both ends and the server's node:http state). */
const BOUND_PER_PAIR = 9_800;

function heapNow(): number {
  gc();
  gc(); // the second pass frees what the first one's finalizers released
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('idle connections', () => {
  it(`cost at most ${BOUND_PER_PAIR} bytes of heap a pair (both ends and node:http)`, async () => {
    const stacks = await twoTcpStacks();
    const web = http.createServer((_req, res) => res.end('x'));
    const accepted: TcpSocket[] = [];
    const server = stacks.b.transport.createServer((socket) => {
      accepted.push(socket);
      web.emit('connection', socket);
    });
    await server.listen(80);
    const host = formatIpv4(ADDRESS_B);
    const open = async (count: number) => {
      const sockets: TcpSocket[] = [];
      for (let i = 0; i < count; i++) {
        const socket = stacks.a.transport.createConnection(80, host);
        sockets.push(socket);
      }
      await drive(
        stacks.clock,
        () => accepted.length >= count && sockets.every((s) => s.stats().state === 'ESTABLISHED'),
      );
      return sockets;
    };
    // Warm up: first-use code, pools and the table's growth are not a connection's cost.
    const warm = await open(50);
    for (const s of warm) s.destroy();
    for (const s of accepted.splice(0)) s.destroy();
    const settled = stacks.clock.now() + 5_000;
    await drive(stacks.clock, () => stacks.clock.now() >= settled);

    try {
      const before = heapNow();
      const idle = await open(CONNECTIONS);
      const perPair = (heapNow() - before) / CONNECTIONS;
      console.log(`${CONNECTIONS} idle connections: ${perPair.toFixed(0)} bytes of heap a pair`);
      expect(idle.length).toBe(CONNECTIONS);
      expect(accepted.length).toBe(CONNECTIONS);
      expect(perPair).toBeGreaterThan(2_000); // the measurement sees the connections at all
      expect(perPair).toBeLessThanOrEqual(BOUND_PER_PAIR);
      for (const s of idle) s.destroy();
    } finally {
      await stacks.a.close();
      await stacks.b.close();
    }
  }, 120_000);
});
