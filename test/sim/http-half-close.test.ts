/**
 * Issue 6, finding 1: a client that sends its request and then shuts down its write side (shutdown(SHUT_WR),
 * as `nc -N` and many HTTP/1.0 scripts do) must still get the whole response: the peer's FIN closes only the
 * receiving direction. HttpApp on pilha's TCP at both ends, two stacks on a VirtualClock.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpApp } from '../../src/app/http-app.js';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, twoTcpStacks } from '../helpers/tcp-stacks.js';
import { referenceSha256 } from '../unit/app/reference-bytes.js';

const N = 1_048_576;

/** Connects, sends `request` with a FIN right behind it, and reads to EOF. */
async function halfClosedGet(
  stacks: Awaited<ReturnType<typeof twoTcpStacks>>,
  request: string,
): Promise<{ head: string; body: Buffer; state: string }> {
  const socket: TcpSocket = stacks.a.transport.createConnection(80, formatIpv4(ADDRESS_B));
  const chunks: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', (e: Error) => {
    failure = e;
  });
  socket.end(request);
  await drive(stacks.clock, () => ended || failure !== undefined);
  if (failure !== undefined) throw failure;
  const all = Buffer.concat(chunks);
  const split = all.indexOf('\r\n\r\n');
  return {
    head: all.subarray(0, split).toString('latin1'),
    body: all.subarray(split + 4),
    state: socket.tcpState,
  };
}

describe('a client that half-closes after its request gets the whole response', () => {
  for (const version of ['1.0', '1.1']) {
    it(`HTTP/${version}, /bytes/${N}, 20 of 20`, async () => {
      const stacks = await twoTcpStacks();
      const app = new HttpApp({ clock: stacks.clock });
      await app.listen(stacks.b.transport, 80);
      try {
        const whole: number[] = [];
        for (let i = 0; i < 20; i++) {
          const r = await halfClosedGet(stacks, `GET /bytes/${N} HTTP/${version}\r\nHost: b\r\n\r\n`);
          expect(r.head).toMatch(/^HTTP\/1\.1 200 OK/);
          expect(r.head).toContain(`Content-Length: ${N}`);
          if (r.body.length === N && createHash('sha256').update(r.body).digest('hex') === referenceSha256(N))
            whole.push(i);
        }
        expect(whole.length).toBe(20);
        // Every connection closed cleanly (FIN both ways), none reset.
        await drive(stacks.clock, () => app.totals().activeConnections === 0);
        expect(stacks.b.tcp.stats().txResets).toBe(0);
        expect(app.totals().requests).toBe(20);
      } finally {
        await app.close();
        await stacks.close();
      }
    });
  }

  it('a response written long after the FIN still arrives, and then our FIN', async () => {
    const stacks = await twoTcpStacks();
    // The slowest case: the server answers only after the client's FIN was processed.
    const server = stacks.b.transport.createServer(
      (socket) => {
        socket.on('data', () => {});
        socket.on('end', () => {
          stacks.clock.setTimer(500, () => socket.end(Buffer.alloc(300_000, 7)));
        });
      },
      { allowHalfOpen: true },
    );
    await server.listen(81);
    const socket = stacks.a.transport.createConnection(81, formatIpv4(ADDRESS_B));
    let got = 0;
    let ended = false;
    socket.on('data', (c: Buffer) => {
      got += c.length;
    });
    socket.on('end', () => {
      ended = true;
    });
    socket.end('bye');
    await drive(stacks.clock, () => ended);
    expect(got).toBe(300_000);
    await server.close();
    await stacks.close();
  });
});
