import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';

function range(n: number, from = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
}

describe('SendBuffer', () => {
  it('keeps chunks by reference and copies segments across chunk boundaries', () => {
    const b = new SendBuffer(100);
    const first = range(10);
    b.push(first);
    b.push(range(10, 10));
    b.push(range(10, 20));
    expect(b.size).toBe(30);
    expect(b.free).toBe(70);
    const out = new Uint8Array(32);
    b.copyTo(5, 20, out, 2);
    expect(Array.from(out.subarray(2, 22))).toEqual(Array.from(range(20, 5)));
    // A view inside one chunk is zero-copy.
    const view = b.view(2, 5);
    expect(view.buffer).toBe(first.buffer);
    expect(Array.from(view)).toEqual([2, 3, 4, 5, 6]);
    // Across chunks it is a copy with the right bytes.
    expect(Array.from(b.view(8, 4))).toEqual([8, 9, 10, 11]);
  });

  it('holds a Buffer written to it as a plain Uint8Array view of the same memory (one class of view, one map)', () => {
    const b = new SendBuffer(100);
    const written = Buffer.from(range(10));
    b.push(written);
    const view = b.view(2, 5);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    expect(view.buffer).toBe(written.buffer);
    expect(view.byteOffset).toBe(written.byteOffset + 2);
    expect(Array.from(view)).toEqual([2, 3, 4, 5, 6]);
    // Adopted bytes too (a copy too small for the ring is a fresh Buffer's memory).
    b.adopt();
    expect(Buffer.isBuffer(b.view(0, 10))).toBe(false);
    expect(Array.from(b.view(0, 10))).toEqual(Array.from(range(10)));
  });

  it('acknowledge() drops bytes from the front, within and across chunks', () => {
    const b = new SendBuffer(100);
    for (let i = 0; i < 5; i++) b.push(range(10, i * 10));
    b.acknowledge(3);
    expect(Array.from(b.view(0, 4))).toEqual([3, 4, 5, 6]);
    b.acknowledge(20);
    expect(b.size).toBe(27);
    expect(Array.from(b.view(0, 3))).toEqual([23, 24, 25]);
    b.acknowledge(27);
    expect(b.size).toBe(0);
    expect(() => b.acknowledge(1)).toThrow(RangeError);
  });

  it('is bounded: full at capacity, yet one big chunk is taken whole', () => {
    const b = new SendBuffer(64);
    b.push(range(200));
    expect(b.full).toBe(true);
    expect(b.free).toBe(0);
    b.acknowledge(150);
    expect(b.full).toBe(false);
    expect(b.free).toBe(14);
  });

  it('property: any pushes, copies and acknowledgments match a flat reference', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 50 }) }),
            fc.record({ op: fc.constant('ack' as const), n: fc.integer({ min: 0, max: 60 }) }),
            fc.record({
              op: fc.constant('copy' as const),
              at: fc.nat(100),
              n: fc.integer({ min: 0, max: 70 }),
            }),
          ),
          { maxLength: 80, size: 'max' },
        ),
        (ops) => {
          const b = new SendBuffer(1000);
          let ref: number[] = [];
          let next = 0;
          for (const o of ops) {
            if (o.op === 'push') {
              const chunk = range(o.n, next);
              next += o.n;
              b.push(chunk);
              ref.push(...chunk);
            } else if (o.op === 'ack') {
              const n = Math.min(o.n, ref.length);
              b.acknowledge(n);
              ref = ref.slice(n);
            } else {
              const at = Math.min(o.at, ref.length);
              const n = Math.min(o.n, ref.length - at);
              const out = new Uint8Array(n);
              b.copyTo(at, n, out, 0);
              expect(Array.from(out)).toEqual(ref.slice(at, at + n));
            }
            expect(b.size).toBe(ref.length);
          }
        },
      ),
    );
  });

  it('retain() swaps the writer bytes a kept datagram carries for views of it, across chunk boundaries', () => {
    const b = new SendBuffer(100);
    const first = range(10);
    const second = range(10, 10);
    b.push(first);
    b.push(second);
    expect(b.unowned).toBe(20);
    // A "super-segment": headers, then segments of 6 and 8 bytes copied in one after the other.
    const datagram = new Uint8Array(40);
    b.copyTo(0, 6, datagram, 4);
    b.retain(0, 6, datagram, 4);
    b.copyTo(6, 8, datagram, 10);
    b.retain(6, 8, datagram, 10);
    expect(b.unowned).toBe(6);
    expect(b.retainedBytes).toBe(14);
    // The sent bytes are read from the datagram (one view, the two segments merged), the rest from the writer.
    expect(b.view(0, 14).buffer).toBe(datagram.buffer);
    expect(b.view(15, 3).buffer).toBe(second.buffer);
    first.fill(0xee);
    second.fill(0xee, 0, 4);
    const out = new Uint8Array(20);
    b.copyTo(0, 20, out, 0);
    expect(Array.from(out.subarray(0, 14))).toEqual(Array.from(range(14)));
    // Retransmitting owned bytes changes nothing; a partial ack keeps the rest readable.
    b.retain(2, 5, new Uint8Array(5), 0);
    expect(b.view(0, 14).buffer).toBe(datagram.buffer);
    b.acknowledge(9);
    expect(b.unowned).toBe(6);
    b.copyTo(0, 5, out, 0);
    expect(Array.from(out.subarray(0, 5))).toEqual(Array.from(range(5, 9)));
  });

  it('adopt() copies only the writer bytes still queued; the writer may then reuse its buffers', () => {
    const b = new SendBuffer(100);
    const chunk = range(30);
    b.push(chunk);
    const datagram = new Uint8Array(12);
    b.copyTo(0, 12, datagram, 0);
    b.retain(0, 12, datagram, 0);
    b.adopt();
    expect(b.adoptedBytes).toBe(18);
    expect(b.unowned).toBe(0);
    chunk.fill(0xee);
    const out = new Uint8Array(30);
    b.copyTo(0, 30, out, 0);
    expect(Array.from(out)).toEqual(Array.from(range(30)));
    b.adopt();
    expect(b.adoptedBytes).toBe(18);
    // A later push is the writer's again; retain() after adopt() picks up at the owned boundary.
    const more = range(5, 30);
    b.push(more);
    expect(b.unowned).toBe(5);
    const d2 = new Uint8Array(8);
    b.copyTo(27, 8, d2, 0); // 3 owned bytes and the 5 new ones in one segment
    b.retain(27, 8, d2, 0);
    expect(b.unowned).toBe(0);
    more.fill(0xee);
    const all = new Uint8Array(35);
    b.copyTo(0, 35, all, 0);
    expect(Array.from(all)).toEqual(Array.from(range(35)));
  });

  it('a bulk writer’s ring is reused while bytes are queued and dropped once all are acknowledged', () => {
    const b = new SendBuffer(4 << 20);
    const chunk = range(64 * 1024);
    let queued = 0;
    for (let i = 0; i < 8; i++) {
      b.push(chunk);
      b.adopt();
      queued += chunk.length;
      // Half of it acknowledged each time: the queue never empties.
      b.acknowledge(queued >> 1);
      queued -= queued >> 1;
    }
    expect(b.ringAllocations).toBeGreaterThan(0);
    expect(b.ringBytes).toBeGreaterThanOrEqual(64 * 1024);
    const out = new Uint8Array(queued);
    b.copyTo(0, queued, out, 0);
    b.acknowledge(queued);
    // An idle connection (a keep-alive one after its response) holds no ring.
    expect(b.ringBytes).toBe(0);
    b.push(chunk);
    b.adopt();
    expect(b.ringBytes).toBeGreaterThan(0);
    const again = new Uint8Array(chunk.length);
    b.copyTo(0, chunk.length, again, 0);
    expect(again).toEqual(chunk);
  });

  it('stays exact over thousands of small chunks (the chunk list compacts as its head advances)', () => {
    const b = new SendBuffer(1 << 20);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = range(7, i * 7);
      chunks.push(c);
      b.push(c);
    }
    let base = 0; // stream offset of the queue start
    let sent = 0; // stream offset of the next new byte
    const datagram = new Uint8Array(3000 * 7 + 100);
    while (base < 3000 * 7) {
      const n = Math.min(33, 3000 * 7 - sent);
      if (n > 0) {
        b.copyTo(sent - base, n, datagram, sent + 50);
        b.retain(sent - base, n, datagram, sent + 50);
        for (let k = Math.floor(sent / 7); k < Math.ceil((sent + n) / 7); k++) {
          if ((k + 1) * 7 <= sent + n) chunks[k]!.fill(0xee); // wholly sent: the writer's copy is no longer read
        }
        sent += n;
      }
      const acked = Math.min(19, sent - base);
      b.acknowledge(acked);
      base += acked;
      if (b.size > 0) {
        const out = new Uint8Array(Math.min(b.size, 40));
        b.copyTo(0, out.length, out, 0);
        expect(Array.from(out)).toEqual(Array.from(range(out.length, base)));
      }
    }
    expect(b.size).toBe(0);
  });

  it('property: sends into kept datagrams, adoptions and writers reusing their chunks never change the bytes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 50 }) }),
            fc.record({ op: fc.constant('send' as const), n: fc.integer({ min: 0, max: 40 }) }),
            fc.record({ op: fc.constant('adopt' as const) }),
            fc.record({ op: fc.constant('ack' as const), n: fc.integer({ min: 0, max: 60 }) }),
            fc.record({
              op: fc.constant('copy' as const),
              at: fc.nat(100),
              n: fc.integer({ min: 0, max: 70 }),
            }),
          ),
          { maxLength: 100, size: 'max' },
        ),
        (ops) => {
          const b = new SendBuffer(1000);
          let ref: number[] = [];
          let next = 0;
          let sent = 0; // relative to the queue start
          const writerChunks: Uint8Array[] = [];
          let datagram = new Uint8Array(64);
          let used = 0;
          for (const o of ops) {
            if (o.op === 'push') {
              const chunk = range(o.n, next);
              next += o.n;
              b.push(chunk);
              writerChunks.push(chunk);
              ref.push(...chunk);
            } else if (o.op === 'send') {
              const n = Math.min(o.n, ref.length - sent);
              if (used + n > datagram.length) {
                datagram = new Uint8Array(64);
                used = 0;
              }
              b.copyTo(sent, n, datagram, used);
              b.retain(sent, n, datagram, used);
              sent += n;
              used += n;
              expect(b.unowned).toBeLessThanOrEqual(ref.length - sent);
            } else if (o.op === 'adopt') {
              b.adopt();
              expect(b.unowned).toBe(0);
              // The writer's callbacks ran: it reuses every buffer it handed over.
              for (const c of writerChunks) c.fill(0xee);
              writerChunks.length = 0;
            } else if (o.op === 'ack') {
              const n = Math.min(o.n, sent);
              b.acknowledge(n);
              ref = ref.slice(n);
              sent -= n;
            } else {
              const at = Math.min(o.at, ref.length);
              const n = Math.min(o.n, ref.length - at);
              const out = new Uint8Array(n);
              b.copyTo(at, n, out, 0);
              expect(Array.from(out)).toEqual(ref.slice(at, at + n));
            }
            expect(b.size).toBe(ref.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('SendBuffer writer wake-up', () => {
  it('wakes a waiting writer once ACKs freed a quarter of the limit, not at the first byte freed', () => {
    const b = new SendBuffer(1000);
    b.push(range(1000));
    expect(b.mustWait()).toBe(true);
    b.acknowledge(1);
    expect(b.writerMayResume()).toBe(false);
    b.acknowledge(248);
    expect(b.writerMayResume()).toBe(false);
    b.acknowledge(1);
    expect(b.writerMayResume()).toBe(true);
    // Once only.
    b.acknowledge(100);
    expect(b.writerMayResume()).toBe(false);
  });
});
