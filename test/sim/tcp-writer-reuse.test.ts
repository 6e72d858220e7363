/**
 * The send path keeps a writer's chunks by reference (no copy on write): what is sent at once is copied only
 * into the (kept) super-segment, and what still waits is copied before the write callback runs. A writer that
 * refills one buffer every time its callback runs, as Node's Writable contract allows, must still get its
 * bytes delivered exactly, retransmissions included, with offload (retained super-segments) and without.
 */
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, pattern, type TwoTcpStacks, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 2 * 1024 * 1024;

/** Writes `data` through one reused `chunk`-byte buffer: refilled (and poisoned first) in each callback. */
function writeReusingOneBuffer(socket: Writable, data: Uint8Array, chunk: number): void {
  const buffer = Buffer.alloc(chunk);
  let offset = 0;
  const next = (error?: Error | null): void => {
    if (error) return;
    buffer.fill(0xee);
    if (offset >= data.length) {
      socket.end();
      return;
    }
    const n = Math.min(chunk, data.length - offset);
    buffer.set(data.subarray(offset, offset + n));
    offset += n;
    socket.write(buffer.subarray(0, n), next);
  };
  next();
}

async function transferReusing(stacks: TwoTcpStacks, data: Uint8Array, chunk: number): Promise<Buffer> {
  const { clock, a, b } = stacks;
  const received: Buffer[] = [];
  let ended = false;
  const server = b.transport.createServer((socket: TcpSocket) => {
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('end', () => {
      ended = true;
    });
  });
  await server.listen(5002);
  const sender = a.transport.createConnection(5002, formatIpv4(ADDRESS_B));
  writeReusingOneBuffer(sender, data, chunk);
  await drive(clock, () => ended, { limitMs: 3_600_000 });
  return Buffer.concat(received);
}

describe('a writer reusing its buffer once its write callback ran', () => {
  for (const segmenting of [true, false]) {
    for (const loss of [0, 0.02]) {
      it(`gets its bytes delivered exactly (${segmenting ? 'offload' : 'no offload'}, loss ${loss})`, async () => {
        const stacks = await twoTcpStacks({
          segmenting,
          impairment: loss > 0 ? { ...NO_IMPAIRMENT, loss, delayMs: 5, seed: 11 } : undefined,
        });
        const data = pattern(SIZE);
        const body = await transferReusing(stacks, data, 48 * 1024 + 5);
        expect(body.length).toBe(SIZE);
        expect(body.equals(data)).toBe(true);
        await stacks.close();
      });
    }
  }
});
