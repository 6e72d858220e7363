/**
 * What short connections leave in V8's old generation: HttpApp answering one request per connection (ab
 * without keep-alive), 20 connections at a time, a young-generation collection forced after each round.
 * Every connection of a round has closed before its collection, so what reaches the old generation should be
 * the server's TIME_WAIT records and little else. A Map keyed by socket that gains and loses an entry per
 * request keeps closed connections alive through those collections into the old generation (HttpApp's
 * responses not yet counted were one): whole connections, a few KB each.
 *
 * Measured on Node 20 (x64), both stacks in this one heap: 7,450–7,770 bytes a request with that Map,
 * 3,100–3,360 with it a SlotMap (the server's TIME_WAIT records, and what else of both ends' outlives a round
 * here: 10,100–10,260 while the VirtualClock's cancelled timers still held their connections). The bound sits
 * between; it is tuned to Node 20's V8, the version CI runs. A full collection during the rounds could only
 * lower the figure. The benchmark's ab row is where the time it costs shows (pilha http under ab: 3.7 KB a
 * request promoted with the Map, 0.27 KB without).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HttpApp } from '../../src/app/http-app.js';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { ADDRESS_B, drive, type TwoTcpStacks, twoTcpStacks } from '../helpers/tcp-stacks.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

const IN_FLIGHT = 20;
const WARM_ROUNDS = 10;
const ROUNDS = 60;
/** Old-generation bytes a request may leave behind. */
const BOUND_PER_REQUEST = 5_000;
const REQUEST = 'GET /bytes/1024 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n';

function oldSpaceUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
}

/** IN_FLIGHT connections from A, each one request answered and closed; resolves once all have closed. */
async function round(stacks: TwoTcpStacks, host: string): Promise<number> {
  let closed = 0;
  let received = 0;
  for (let i = 0; i < IN_FLIGHT; i++) {
    const socket = stacks.a.transport.createConnection(80, host);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => closed++);
    socket.write(REQUEST);
  }
  await drive(stacks.clock, () => closed === IN_FLIGHT);
  return received;
}

describe('short connections', () => {
  it(`leave at most ${BOUND_PER_REQUEST} bytes a request in the old generation (ab without keep-alive)`, async () => {
    const stacks = await twoTcpStacks();
    const app = new HttpApp({ clock: stacks.clock });
    await app.listen(stacks.b.transport, 80);
    const host = formatIpv4(ADDRESS_B);
    try {
      // Warm up: first-use code, pools and the tables' growth are not a request's cost.
      for (let i = 0; i < WARM_ROUNDS; i++) {
        await round(stacks, host);
        gc({ type: 'minor' });
      }
      gc();
      gc();
      const before = oldSpaceUsed();
      let received = 0;
      for (let i = 0; i < ROUNDS; i++) {
        received += await round(stacks, host);
        gc({ type: 'minor' });
      }
      // No full collection here: what a scavenge wrongly kept alive is garbage a full one would take.
      const perRequest = (oldSpaceUsed() - before) / (ROUNDS * IN_FLIGHT);
      console.log(
        `${ROUNDS * IN_FLIGHT} short connections: ${perRequest.toFixed(0)} bytes a request promoted`,
      );
      expect(received).toBeGreaterThan(ROUNDS * IN_FLIGHT * 1024); // every request answered in full
      expect(app.totals().statuses).toEqual({ '200': (WARM_ROUNDS + ROUNDS) * IN_FLIGHT });
      expect(perRequest).toBeGreaterThan(0); // the measurement sees the TIME_WAIT records at all
      expect(perRequest).toBeLessThanOrEqual(BOUND_PER_REQUEST);
    } finally {
      await app.close();
      await stacks.close();
    }
  }, 120_000);
});
