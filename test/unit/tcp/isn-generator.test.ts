import { describe, expect, it } from 'vitest';
import { sipHash24, sipHashKey } from '../../../src/core/hash/sip-hash.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { IsnGenerator } from '../../../src/transport/tcp/isn-generator.js';

describe('RFC 6528 initial sequence numbers', () => {
  it('10 000 connections get 10 000 different ISNs, not sequential', () => {
    const clock = new VirtualClock();
    const gen = new IsnGenerator(clock);
    const isns: number[] = [];
    for (let port = 1024; port < 11_024; port++) {
      isns.push(gen.next(0x0a000002, 80, 0x0a000001, port).isn);
      clock.advance(0.01);
    }
    // Random 32-bit ISNs for 10,000 tuples collide by the birthday bound (n²/2³³: about once in 86 runs), so
    // all-distinct would be a flaky claim; a sequential or per-tuple-constant generator repeats far more.
    expect(isns.length - new Set(isns).size).toBeLessThanOrEqual(2);
    // Consecutive differences look random: not constant, and spread over the whole 32-bit space.
    const diffs = new Set<number>();
    let small = 0;
    for (let i = 1; i < isns.length; i++) {
      const d = (isns[i]! - isns[i - 1]!) >>> 0;
      diffs.add(d);
      if (d < 1_000_000 || d > 2 ** 32 - 1_000_000) small++;
    }
    expect(diffs.size).toBeGreaterThan(9990);
    expect(small).toBeLessThan(50); // ~5 expected by chance
    // Bits are balanced.
    const ones = isns.reduce((n, x) => n + (x >>> 31), 0);
    expect(ones).toBeGreaterThan(4700);
    expect(ones).toBeLessThan(5300);
  });

  it('the same 4-tuple advances with the 4 µs clock (RFC 6528 M)', () => {
    const clock = new VirtualClock();
    const gen = new IsnGenerator(clock);
    const a = gen.next(1, 2, 3, 4).isn;
    clock.advance(1); // 1 ms = 250 ticks
    const b = gen.next(1, 2, 3, 4).isn;
    expect((b - a) >>> 0).toBe(250);
  });

  it('two stacks (two secrets) give unrelated ISNs for the same tuple and time', () => {
    const clock = new VirtualClock();
    const a = new IsnGenerator(clock).next(1, 2, 3, 4);
    const b = new IsnGenerator(clock).next(1, 2, 3, 4);
    expect(a.isn).not.toBe(b.isn);
    expect(a.tsOffset).not.toBe(b.tsOffset);
  });

  it('a given secret is deterministic; a short one is refused', () => {
    const clock = new VirtualClock();
    const secret = new Uint8Array(16).fill(7);
    expect(new IsnGenerator(clock, secret).next(1, 2, 3, 4)).toEqual(
      new IsnGenerator(clock, secret).next(1, 2, 3, 4),
    );
    expect(() => new IsnGenerator(clock, new Uint8Array(8))).toThrow(RangeError);
  });

  it('F is SipHash-2-4 of local address, ports, remote address under the secret (RFC 6528 §3, as Linux)', () => {
    const clock = new VirtualClock();
    clock.advance(2); // M = 500 ticks of 4 µs
    const secret = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
    const digest = new Uint32Array(2);
    // 10.0.0.2:8080, 10.0.0.1:50000; only the secret's first 16 bytes are the key.
    sipHash24(sipHashKey(secret.subarray(0, 16)), [0x0a000002, (8080 << 16) | 50_000, 0x0a000001], 3, digest);
    const gen = new IsnGenerator(clock, secret);
    const choice = gen.next(0x0a000002, 8080, 0x0a000001, 50_000);
    expect(choice.isn).toBe((500 + digest[0]!) | 0); // held signed (seq.ts)
    expect(choice.tsOffset).toBe(digest[1]);
    // The tuple is written in place each time: another tuple, then this one again, gives the same F.
    gen.next(1, 2, 3, 4);
    expect(gen.next(0x0a000002, 8080, 0x0a000001, 50_000)).toEqual(choice);
    // Every part of the tuple counts.
    for (const other of [
      gen.next(0x0a000003, 8080, 0x0a000001, 50_000),
      gen.next(0x0a000002, 8081, 0x0a000001, 50_000),
      gen.next(0x0a000002, 8080, 0x0a000009, 50_000),
      gen.next(0x0a000002, 8080, 0x0a000001, 50_001),
    ])
      expect(other.isn).not.toBe(choice.isn);
  });
});
