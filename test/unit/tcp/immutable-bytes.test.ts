import { describe, expect, it } from 'vitest';
import { DeterministicBytesCache } from '../../../src/app/deterministic-bytes-cache.js';
import { isImmutable, markImmutable } from '../../../src/transport/tcp/send/immutable-bytes.js';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';

const K = 1024;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

describe('markImmutable', () => {
  it('marks a buffer that owns its whole memory, and every view of it', () => {
    const bytes = new Uint8Array(64 * K);
    expect(isImmutable(bytes)).toBe(false);
    expect(markImmutable(bytes)).toBe(true);
    expect(isImmutable(bytes)).toBe(true);
    expect(isImmutable(bytes.subarray(100, 200))).toBe(true);
    expect(isImmutable(new Uint8Array(64 * K))).toBe(false);
  });

  it('refuses Node’s shared pool even as a view spanning it whole, and any memory that small', () => {
    const pool = Buffer.allocUnsafe(16).buffer; // the 8 KiB pool small Buffers are sliced from
    expect(markImmutable(new Uint8Array(pool))).toBe(false);
    expect(isImmutable(Buffer.allocUnsafe(32))).toBe(false);
    expect(markImmutable(new Uint8Array(Buffer.poolSize))).toBe(false);
    expect(markImmutable(new Uint8Array(Buffer.poolSize + 1))).toBe(true);
  });

  it('refuses a slice of shared memory (Node’s pool): its other bytes are others’', () => {
    const small = Buffer.from('hello pombo'); // a slice of Node's 8 KiB pool
    expect(small.byteLength).toBeLessThan(small.buffer.byteLength);
    expect(markImmutable(small)).toBe(false);
    expect(isImmutable(small)).toBe(false);
    const whole = new Uint8Array(1000);
    expect(markImmutable(whole.subarray(10))).toBe(false);
    expect(isImmutable(whole)).toBe(false);
  });

  it('the deterministic bytes cache serves immutable blocks', () => {
    const cache = new DeterministicBytesCache(256 * K);
    for (const chunk of cache.chunks(0, 200 * K)) expect(isImmutable(chunk)).toBe(true);
    expect(isImmutable(cache.bytes(1000, 2000))).toBe(true);
  });
});

describe('SendBuffer with immutable chunks', () => {
  it('keeps an immutable chunk by reference: nothing to adopt, no copy, sent from where it lies', () => {
    const q = new SendBuffer(1024 * K);
    const data = pattern(256 * K, 1);
    markImmutable(data);
    q.push(data.subarray(0, 64 * K));
    q.push(data.subarray(64 * K));
    expect(q.unowned).toBe(0);
    q.adopt();
    expect(q.adoptedBytes).toBe(0);
    expect(q.ringBytes).toBe(0);
    // A segment's payload is a view of the application's memory itself, not of a copy.
    const view = q.peek(70 * K, 1448)!;
    expect(view.buffer).toBe(data.buffer);
    q.acknowledge(100 * K);
    const out = new Uint8Array(q.size);
    q.copyTo(0, q.size, out, 0);
    expect(Buffer.from(out).equals(Buffer.from(data.subarray(100 * K)))).toBe(true);
  });

  it('copies an immutable chunk queued behind the writer’s own bytes, with them (the owned bytes stay a prefix)', () => {
    const q = new SendBuffer(1024 * K);
    const mutable = pattern(32 * K, 2);
    const frozen = pattern(64 * K, 3);
    markImmutable(frozen);
    q.push(mutable);
    q.push(frozen);
    expect(q.unowned).toBe(96 * K);
    q.adopt();
    mutable.fill(0); // the writer reuses its buffer once its callback has run
    expect(q.unowned).toBe(0);
    expect(q.adoptedBytes).toBe(96 * K);
    const out = new Uint8Array(q.size);
    q.copyTo(0, q.size, out, 0);
    expect(Buffer.from(out.subarray(0, 32 * K)).equals(Buffer.from(pattern(32 * K, 2)))).toBe(true);
    expect(Buffer.from(out.subarray(32 * K)).equals(Buffer.from(frozen))).toBe(true);
    // Once all is owned again, the next immutable chunk is kept by reference.
    const next = pattern(64 * K, 4);
    markImmutable(next);
    q.push(next);
    expect(q.unowned).toBe(0);
  });

  it('holds consecutive immutable chunks of one memory as one view: a segment across them is sent where it lies', () => {
    const slab = pattern(256 * K, 5);
    markImmutable(slab);
    const q = new SendBuffer(1024 * K);
    q.push(slab.subarray(0, 64 * K));
    q.acknowledge(1000); // the head chunk partly acknowledged: it still grows at its end
    q.push(slab.subarray(64 * K, 128 * K));
    q.push(slab.subarray(128 * K, 192 * K));
    const across = q.peek(64 * K - 1000 - 700, 1448)!;
    expect(across).toBeDefined();
    expect(across.buffer).toBe(slab.buffer);
    expect(across.byteOffset).toBe(64 * K - 700);
    const out = new Uint8Array(q.size);
    q.copyTo(0, q.size, out, 0);
    expect(Buffer.from(out).equals(Buffer.from(slab.subarray(1000, 192 * K)))).toBe(true);
    // Not adjacent (a gap), or another memory: separate chunks, and a segment across them is no single view.
    q.push(slab.subarray(200 * K, 256 * K));
    expect(q.peek(192 * K - 1000 - 700, 1448)).toBeUndefined();
    const other = pattern(64 * K, 6);
    markImmutable(other);
    const r = new SendBuffer(1024 * K);
    r.push(slab.subarray(0, 64 * K));
    r.push(other);
    expect(r.peek(64 * K - 700, 1448)).toBeUndefined();
    expect(r.unowned).toBe(0);
  });

  it('the cache’s consecutive blocks lie end to end in one memory', () => {
    const cache = new DeterministicBytesCache(1024 * K);
    const [a, b] = [...cache.chunks(0, 128 * K)];
    expect(a!.buffer).toBe(b!.buffer);
    expect(a!.byteOffset + a!.length).toBe(b!.byteOffset);
  });

  it('grows the last chunk under a cursor left past the end by the writer’s bytes taken over', () => {
    const memory = pattern(128 * K, 7);
    markImmutable(memory);
    const q = new SendBuffer(1024 * K);
    const writers = pattern(64, 8);
    q.push(writers);
    // The writer's bytes copied into kept memory (a super-segment's), which the queue then reads instead.
    memory.set(writers, 0);
    q.retain(0, 64, memory, 0);
    expect(q.unowned).toBe(0);
    // Immutable bytes right after that copy, in the same memory: one view, and the next read finds them.
    q.push(memory.subarray(64, 4096));
    expect(q.peek(64, 1448)?.buffer).toBe(memory.buffer);
    const out = new Uint8Array(q.size);
    q.copyTo(0, q.size, out, 0);
    expect(Buffer.from(out).equals(Buffer.from(memory.subarray(0, 4096)))).toBe(true);
  });
});
