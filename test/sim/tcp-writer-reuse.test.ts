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

async function transferReusing(
  stacks: TwoTcpStacks,
  data: Uint8Array,
  chunk: number,
): Promise<{ body: Buffer; sender: TcpSocket }> {
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
  return { body: Buffer.concat(received), sender };
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
        const { body, sender } = await transferReusing(stacks, data, 48 * 1024 + 5);
        expect(body.length).toBe(SIZE);
        expect(body.equals(data)).toBe(true);
        // Every byte written was taken over once: uncopied in a kept super-segment, or copied while it waited.
        const s = sender.stats();
        expect(s.sendZeroCopyBytes + s.sendCopiedBytes).toBe(SIZE);
        if (!segmenting) expect(s.sendZeroCopyBytes).toBe(0);
        await stacks.close();
      });
    }
  }

  for (const parts of [false, true]) {
    it(`a write sent at once over offload is copied once, and its buffer is reusable when the callback runs (${parts ? 'link takes parts' : 'link takes whole super-segments'})`, async () => {
      const stacks = await twoTcpStacks({ segmenting: true, segmentingParts: parts });
      const { clock, a, b } = stacks;
      const received: Buffer[] = [];
      const server = b.transport.createServer((socket: TcpSocket) => {
        socket.on('data', (c: Buffer) => received.push(c));
      });
      await server.listen(5003);
      const sender = a.transport.createConnection(5003, formatIpv4(ADDRESS_B));
      await drive(clock, () => !sender.connecting);
      sender.setNoDelay(true); // else Nagle holds each write's short last segment, which is then copied
      const data = pattern(10 * 8000);
      const buffer = Buffer.alloc(8000);
      // An application-limited writer (request, response): each write when the last one is acknowledged.
      for (let i = 0; i < 10; i++) {
        buffer.set(data.subarray(i * 8000, (i + 1) * 8000));
        let called = false;
        sender.write(buffer, () => {
          called = true;
          buffer.fill(0xee);
        });
        await drive(clock, () => called && sender.stats().sendQueue === 0);
      }
      await drive(clock, () => received.reduce((n, c) => n + c.length, 0) === data.length);
      expect(Buffer.concat(received).equals(data)).toBe(true);
      const s = sender.stats();
      expect(s.sendZeroCopyBytes + s.sendCopiedBytes).toBe(data.length);
      if (parts) {
        // Taken over (copied) before it is sent, then sent where it lies: the link writes headers and payload.
        expect(s.sendCopiedBytes).toBe(data.length);
        expect(stacks.segmentingLink!.partsWrites).toBeGreaterThanOrEqual(10);
      } else {
        // Nearly all of it copied only into the kept super-segment: a segment that leaves outside a
        // super-segment (not batched) is copied on adoption.
        expect(s.sendZeroCopyBytes).toBeGreaterThan(0.9 * data.length);
        expect(stacks.segmentingLink!.partsWrites).toBe(0);
      }
      await stacks.close();
    });
  }
});
