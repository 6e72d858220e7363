/**
 * Issue 7: `pilha http`'s totals disagreed with its per-connection log after a client hung up early. A
 * response cut short was counted in no status, and totals read before the open connections were closed
 * missed the log lines those connections wrote when they closed. HttpApp on pilha's TCP, two stacks on a
 * VirtualClock: the totals after close() are the sum of the connection summaries, and every request is
 * counted once, by its status or as aborted.
 */
import { describe, expect, it } from 'vitest';
import { type ConnectionSummary, HttpApp } from '../../src/app/http-app.js';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { ADDRESS_B, drive, twoTcpStacks } from '../helpers/tcp-stacks.js';

/** Sends `request` on a new connection and resolves with what arrived once `enough` bytes did (or at EOF). */
async function get(
  stacks: Awaited<ReturnType<typeof twoTcpStacks>>,
  request: string,
  hangUpAfter = Number.POSITIVE_INFINITY,
) {
  const socket = stacks.a.transport.createConnection(80, formatIpv4(ADDRESS_B));
  let received = 0;
  let done = false;
  socket.on('data', (c: Buffer) => {
    received += c.length;
    if (received >= hangUpAfter && !done) {
      done = true;
      socket.destroy(); // a client that hangs up mid-body
    }
  });
  socket.on('end', () => {
    done = true;
    socket.end();
  });
  socket.on('error', () => {
    done = true;
  });
  socket.write(request);
  await drive(stacks.clock, () => done);
  return { socket, received };
}

describe('HttpApp totals agree with the connection summaries', () => {
  it('after a client hangs up early, a normal request, and close()', async () => {
    const stacks = await twoTcpStacks();
    const summaries: ConnectionSummary[] = [];
    const app = new HttpApp({ clock: stacks.clock, onConnectionClosed: (s) => summaries.push(s) });
    await app.listen(stacks.b.transport, 80);
    try {
      const early = await get(stacks, 'GET /bytes/100000000 HTTP/1.1\r\nHost: b\r\n\r\n', 20_000);
      expect(early.received).toBeLessThan(1_000_000);
      // A keep-alive connection left open: close() must close and log it before the totals are read.
      const open = await get(stacks, 'GET /bytes/1000 HTTP/1.1\r\nHost: b\r\n\r\n', 1000);
      await get(stacks, 'GET /bytes/5000 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n');
      expect(open.received).toBeGreaterThanOrEqual(1000);
      await drive(stacks.clock, () => summaries.length >= 2, { limitMs: 60_000 });
      await app.close();
      const totals = app.totals();
      const sum = (key: 'requests' | 'bytesSent' | 'bytesReceived') =>
        summaries.reduce((total, s) => total + s[key], 0);
      expect(summaries.length).toBe(3);
      expect(totals.activeConnections).toBe(0);
      expect(totals.requests).toBe(3);
      expect(sum('requests')).toBe(totals.requests);
      expect(sum('bytesSent')).toBe(totals.bytesSent);
      expect(sum('bytesReceived')).toBe(totals.bytesReceived);
      // The cut-short response is counted, as aborted; the two whole ones by status.
      expect(totals.statuses).toEqual({ '200': 2 });
      expect(totals.aborted).toBe(1);
    } finally {
      await app.close();
      await stacks.close();
    }
  });
});
