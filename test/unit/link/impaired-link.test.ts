import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { SeededRandom } from '../../../src/core/seeded-random.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { type ImpairedDirection, ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import {
  formatImpairment,
  type Impairment,
  NO_IMPAIRMENT,
  parseImpairment,
} from '../../../src/layers/link/decorators/impairment.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';

interface Arrival {
  readonly t: number;
  readonly seq: number;
  readonly data: Uint8Array;
}

/** A datagram of `size` bytes whose first four bytes are `seq` and the rest a pattern derived from it. */
function datagram(seq: number, size = 100): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i++) d[i] = (seq * 31 + i * 7) & 0xff;
  new DataView(d.buffer).setUint32(0, seq);
  return d;
}

function seqOf(d: Uint8Array): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0);
}

function imp(partial: Partial<Impairment>): Impairment {
  return { ...NO_IMPAIRMENT, ...partial };
}

/** a —ImpairedLink(a)→ b over a MemoryLink pair on a VirtualClock; records what b receives, and when. */
function setup(impairment: Partial<Impairment>, direction: ImpairedDirection = 'tx') {
  const clock = new VirtualClock();
  const [a, b] = MemoryLink.pair(65535);
  const link = new ImpairedLink(a, imp(impairment), clock, direction);
  const atB: Arrival[] = [];
  b.onReceive((d) => atB.push({ t: clock.now(), seq: seqOf(d), data: d.slice() }));
  const atA: Arrival[] = [];
  link.onReceive((d) => atA.push({ t: clock.now(), seq: seqOf(d), data: d.slice() }));
  return { clock, a, b, link, atB, atA };
}

function sendMany(link: ImpairedLink, count: number, size = 100): void {
  for (let i = 0; i < count; i++) link.send(datagram(i, size));
}

function bitsDiffering(x: Uint8Array, y: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    let v = x[i]! ^ y[i]!;
    while (v !== 0) {
      n += v & 1;
      v >>>= 1;
    }
  }
  return n;
}

describe('SeededRandom', () => {
  it('matches the xoshiro128** reference (state from splitmix32) for seed 7', () => {
    // Values from the C reference implementation, seeded the same way.
    const r = new SeededRandom(7);
    const got = Array.from({ length: 8 }, () => r.nextUint32());
    expect(got).toEqual([
      210494603, 711084892, 3993689120, 4089369890, 1706118055, 2746022466, 1316796690, 458993998,
    ]);
    const m = new SeededRandom(0xffffffff);
    expect([m.nextUint32(), m.nextUint32(), m.nextUint32()]).toEqual([4104197751, 1825856343, 1152209388]);
  });

  it('repeats for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 16 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(-1)).toEqual(draw(0xffffffff));
  });

  it('next() stays in [0, 1) and int() in [0, n), roughly uniformly', () => {
    const r = new SeededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      const k = r.int(10);
      if (!(Number.isInteger(k) && k >= 0 && k < 10)) outOfRange++;
      else buckets[k]!++;
    }
    expect(outOfRange).toBe(0);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
    expect(r.int(1)).toBe(0);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
  });

  it('chance() follows p and draws nothing for p = 0', () => {
    const r = new SeededRandom(9);
    const s = new SeededRandom(9);
    expect(r.chance(0)).toBe(false);
    expect(r.nextUint32()).toBe(s.nextUint32());
    expect(r.chance(1)).toBe(true);
  });
});

describe('parseImpairment / formatImpairment', () => {
  it('parses the full CLI form', () => {
    expect(
      parseImpairment(
        'loss=0.05,reorder=0.02,duplicate=0.01,corrupt=0.001,delay=10,jitter=2,rate=1000000,queue=65536,seed=7',
      ),
    ).toEqual({
      loss: 0.05,
      reorder: 0.02,
      duplicate: 0.01,
      corrupt: 0.001,
      delayMs: 10,
      jitterMs: 2,
      rateBytesPerSec: 1_000_000,
      queueBytes: 65536,
      seed: 7,
    });
  });

  it('fills missing keys from NO_IMPAIRMENT and accepts spaces, case and empty items', () => {
    expect(parseImpairment('')).toEqual(NO_IMPAIRMENT);
    expect(parseImpairment('none')).toEqual(NO_IMPAIRMENT);
    expect(parseImpairment(' LOSS = 0.5 , , delay=15.25, hold=3 ')).toEqual({
      ...NO_IMPAIRMENT,
      loss: 0.5,
      delayMs: 15.25,
      reorderHoldMs: 3,
    });
    expect(parseImpairment('loss=1,seed=4294967295')).toEqual({
      ...NO_IMPAIRMENT,
      loss: 1,
      seed: 4294967295,
    });
  });

  it('accepts the edges of every range', () => {
    expect(
      parseImpairment('loss=1,duplicate=0,delay=3600000,jitter=0,hold=3600000,rate=1000,queue=1073741824'),
    ).toMatchObject({ loss: 1, delayMs: 3_600_000, reorderHoldMs: 3_600_000, rateBytesPerSec: 1000 });
    expect(parseImpairment('rate=0,queue=0').rateBytesPerSec).toBe(0);
    expect(parseImpairment('rate=100000000000').rateBytesPerSec).toBe(1e11);
  });

  const MS = /^--impair (delay|jitter|hold) must be a number of milliseconds from 0 to 3600000, got '.*'$/;
  it.each([
    ['lose=0.1', /^unknown --impair key 'lose' \(use loss, /],
    ['loss=1.5', /^--impair loss must be a probability, a number from 0 to 1, got '1\.5'$/],
    ['loss=-0.1', /loss must be a probability/],
    ['loss=abc', /loss must be a probability/],
    ['loss=', /loss must be a probability/],
    ['loss=0x10', /loss must be a probability/],
    ['loss=5e-1', /loss must be a probability/],
    ['loss=Infinity', /loss must be a probability/],
    ['loss', /needs a value/],
    ['delay=-1', MS],
    ['delay=1e12', MS],
    ['delay=3600000.5', MS],
    ['delay=2147483648', MS],
    ['delay=1.5e1', MS],
    ['jitter=NaN', MS],
    ['jitter=0x10', MS],
    ['hold=1e9', MS],
    ['rate=1e400', /^--impair rate must be 0 \(unlimited\) or an integer from 1000 to 100000000000 bytes/],
    ['rate=999', /rate must be 0 \(unlimited\) or an integer from 1000/],
    ['rate=1000.5', /rate must be 0 \(unlimited\) or an integer/],
    ['rate=100000000001', /rate must be 0 \(unlimited\)/],
    ['queue=1e6', /^--impair queue must be an integer from 0 \(unlimited\) to 1073741824 bytes, got '1e6'$/],
    ['queue=1073741825', /queue must be an integer/],
    ['queue=065536', /queue must be an integer/],
    ['seed=1.5', /^--impair seed must be an integer from 0 to 4294967295, got '1\.5'$/],
    ['seed=4294967296', /seed must be an integer/],
    ['seed=-1', /seed must be an integer/],
    ['loss=0.1,loss=0.2', /^--impair loss is given more than once$/],
  ])('rejects %s with one readable line', (text, message) => {
    let caught: unknown;
    try {
      parseImpairment(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PilhaError);
    const e = caught as PilhaError;
    expect(e.code).toBe('EBADOPTION');
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('formats the CLI form, leaving out unset optional keys', () => {
    expect(formatImpairment(NO_IMPAIRMENT)).toBe(
      'loss=0,duplicate=0,reorder=0,corrupt=0,delay=0,jitter=0,seed=1',
    );
    expect(formatImpairment(imp({ loss: 0.05, rateBytesPerSec: 1e6, queueBytes: 65536, seed: 7 }))).toBe(
      'loss=0.05,duplicate=0,reorder=0,corrupt=0,delay=0,jitter=0,rate=1000000,queue=65536,seed=7',
    );
  });

  it('round-trips: parse(format(x)) equals x', () => {
    const p = fc.double({ min: 0, max: 1, noNaN: true });
    const ms = fc.double({ min: 0, max: 3_600_000, noNaN: true });
    fc.assert(
      fc.property(
        fc.record(
          {
            loss: p,
            duplicate: p,
            reorder: p,
            corrupt: p,
            delayMs: ms,
            jitterMs: ms,
            rateBytesPerSec: fc.oneof(fc.constant(0), fc.integer({ min: 1000, max: 100_000_000_000 })),
            queueBytes: fc.nat({ max: 1 << 30 }),
            reorderHoldMs: ms,
            seed: fc.nat({ max: 0xffffffff }),
          },
          { requiredKeys: ['loss', 'duplicate', 'reorder', 'corrupt', 'delayMs', 'jitterMs', 'seed'] },
        ),
        (x) => {
          expect(parseImpairment(formatImpairment(x))).toEqual(x);
        },
      ),
    );
  });

  it('ImpairedLink rejects an impairment built in code with a bad field', () => {
    const [a] = MemoryLink.pair();
    expect(() => new ImpairedLink(a, imp({ loss: 2 }), new VirtualClock())).toThrow(
      /loss must be a probability/,
    );
    expect(() => new ImpairedLink(a, imp({ delayMs: -1 }), new VirtualClock())).toThrow(PilhaError);
    expect(() => new ImpairedLink(a, imp({ delayMs: 1e12 }), new VirtualClock())).toThrow(
      /^impairment delay must be a number of milliseconds from 0 to 3600000, got 1000000000000$/,
    );
    expect(() => new ImpairedLink(a, imp({ rateBytesPerSec: 10 }), new VirtualClock())).toThrow(
      /rate must be/,
    );
  });
});

describe('ImpairedLink', () => {
  it('with no impairment passes datagrams through synchronously, unchanged', () => {
    const { link, atB } = setup({});
    const d = datagram(1);
    link.send(d);
    expect(atB).toHaveLength(1);
    expect(atB[0]!.data).toEqual(d);
    expect(link.mtu).toBe(65535);
  });

  it('reports its own counters and the inner link counters under inner.', () => {
    const { link, b } = setup({ loss: 0.5, seed: 3 });
    sendMany(link, 100);
    b.send(datagram(0, 10));
    const s = link.stats();
    expect(s.txPackets).toBe(100);
    expect(s.txBytes).toBe(10_000);
    expect(s['inner.txPackets']).toBe(100 - s.dropLoss!);
    expect(s.rxPackets).toBe(1);
    expect(s['inner.rxPackets']).toBe(1);
    expect(s.dropLoss).toBeGreaterThan(0);
  });

  it('is deterministic for a seed: same traffic, same arrivals (times and bytes); another seed differs', () => {
    const everything: Partial<Impairment> = {
      loss: 0.05,
      duplicate: 0.05,
      reorder: 0.05,
      corrupt: 0.05,
      delayMs: 10,
      jitterMs: 3,
      rateBytesPerSec: 100_000,
      queueBytes: 20_000,
    };
    const run = (seed: number) => {
      const { clock, link, atB } = setup({ ...everything, seed });
      for (let i = 0; i < 2000; i++) {
        link.send(datagram(i, 100 + (i % 7) * 50));
        if (i % 10 === 9) clock.advance(1);
      }
      clock.runAll();
      return { atB, stats: link.stats() };
    };
    const first = run(11);
    const again = run(11);
    expect(again.atB).toEqual(first.atB);
    expect(again.stats).toEqual(first.stats);
    expect(run(12).atB).not.toEqual(first.atB);
    // Everything actually happened in that run.
    for (const k of ['dropLoss', 'dropQueue', 'duplicated', 'corrupted', 'reordered', 'delayed'])
      expect(first.stats[k], k).toBeGreaterThan(0);
  });

  it('loses datagrams at roughly the configured rate (counted, not timed)', () => {
    const { link, atB } = setup({ loss: 0.1, seed: 5 });
    sendMany(link, 20_000);
    const s = link.stats();
    expect(s.dropLoss! + atB.length).toBe(20_000);
    // 3 standard deviations of a binomial(20000, 0.1) is about 127.
    expect(Math.abs(s.dropLoss! - 2000)).toBeLessThan(130);
  });

  it('loses everything at loss=1 and nothing at loss=0', () => {
    const all = setup({ loss: 1 });
    sendMany(all.link, 100);
    expect(all.atB).toHaveLength(0);
    const none = setup({ loss: 0 });
    sendMany(none.link, 100);
    expect(none.atB).toHaveLength(100);
  });

  it('duplicates datagrams back to back, at roughly the configured rate', () => {
    const { link, atB } = setup({ duplicate: 0.2, seed: 6 });
    sendMany(link, 10_000);
    const dups = link.stats().duplicated!;
    expect(atB.length).toBe(10_000 + dups);
    expect(Math.abs(dups - 2000)).toBeLessThan(130);
    const seqs = atB.map((x) => x.seq);
    // Removing adjacent repeats gives back the original sequence.
    expect(seqs.filter((s, i) => i === 0 || s !== seqs[i - 1])).toEqual(
      Array.from({ length: 10_000 }, (_, i) => i),
    );
  });

  it('reorders: a held datagram is overtaken by the next one', () => {
    const { link, atB } = setup({ reorder: 1 });
    sendMany(link, 6);
    expect(atB.map((x) => x.seq)).toEqual([1, 0, 3, 2, 5, 4]);
    expect(link.stats().reordered).toBe(3);
  });

  it('reorders at roughly the configured rate, only by adjacent swaps, losing nothing', () => {
    const { clock, link, atB } = setup({ reorder: 0.1, seed: 8 });
    sendMany(link, 10_000);
    clock.runAll();
    const seqs = atB.map((x) => x.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    let swaps = 0;
    for (let i = 0; i + 1 < seqs.length; i++) {
      if (seqs[i]! > seqs[i + 1]!) {
        expect(seqs[i]).toBe(seqs[i + 1]! + 1);
        swaps++;
      }
    }
    expect(swaps).toBe(link.stats().reordered);
    // A datagram picked while another is held is not held itself, so the rate is p/(1+p) of the datagrams.
    expect(Math.abs(swaps - 10_000 * (0.1 / 1.1))).toBeLessThan(120);
  });

  it('releases a held datagram after the hold time when nothing overtakes it', () => {
    const { clock, link, atB } = setup({ reorder: 1, reorderHoldMs: 4 });
    link.send(datagram(0));
    expect(atB).toHaveLength(0);
    clock.advance(3.999);
    expect(atB).toHaveLength(0);
    clock.advance(0.001);
    expect(atB.map((x) => [x.t, x.seq])).toEqual([[4, 0]]);
    expect(link.stats()).toMatchObject({ reorderTimeout: 1, reordered: 0 });
  });

  it('corrupts exactly one bit of a copy, never the caller buffer', () => {
    const { link, atB } = setup({ corrupt: 1, seed: 4 });
    const positions = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const d = datagram(i, 64);
      const before = d.slice();
      link.send(d);
      expect(d).toEqual(before);
      const got = atB[i]!.data;
      expect(got.length).toBe(64);
      expect(bitsDiffering(got, d)).toBe(1);
      for (let j = 0; j < 64; j++)
        if (got[j] !== d[j]) positions.add(j * 8 + Math.clz32(got[j]! ^ d[j]!) - 24);
    }
    expect(link.stats().corrupted).toBe(500);
    // The flipped bit moves around the datagram.
    expect(positions.size).toBeGreaterThan(200);
  });

  it('corrupts at roughly the configured rate', () => {
    const { link, atB } = setup({ corrupt: 0.01, seed: 2 });
    sendMany(link, 20_000, 40);
    // Nothing else is impaired, so the i-th arrival is the i-th datagram sent.
    const changed = atB.filter((x, i) => bitsDiffering(x.data, datagram(i, 40)) > 0).length;
    expect(changed).toBe(link.stats().corrupted);
    // 3 standard deviations of a binomial(20000, 0.01) is about 42.
    expect(Math.abs(changed - 200)).toBeLessThan(45);
  });

  it('delays by delay in virtual time, and copies what it holds', () => {
    const { clock, link, atB } = setup({ delayMs: 10 });
    const buf = datagram(1);
    link.send(buf);
    buf.fill(0); // the caller may reuse its buffer once send() returns
    clock.advance(9.5);
    expect(atB).toHaveLength(0);
    clock.advance(0.5);
    expect(atB).toHaveLength(1);
    expect(atB[0]!.t).toBe(10);
    expect(atB[0]!.data).toEqual(datagram(1));
    expect(link.stats().delayed).toBe(1);
  });

  it('varies the delay within [delay - jitter, delay + jitter] without reordering', () => {
    const { clock, link, atB } = setup({ delayMs: 20, jitterMs: 5, seed: 10 });
    const sentAt: number[] = [];
    for (let i = 0; i < 1000; i++) {
      sentAt.push(clock.now());
      link.send(datagram(i));
      clock.advance(0.5);
    }
    clock.runAll();
    expect(atB.map((x) => x.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const delays = atB.map((x) => x.t - sentAt[x.seq]!);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(15);
      expect(d).toBeLessThanOrEqual(25 + 1e-9);
    }
    expect(new Set(delays.map((d) => Math.round(d))).size).toBeGreaterThan(5);
  });

  it('spaces datagrams by their serialization time at the bottleneck rate', () => {
    const { clock, link, atB } = setup({ rateBytesPerSec: 1000, delayMs: 10 });
    sendMany(link, 3, 100); // 100 bytes at 1000 B/s is 100 ms each
    clock.advance(50);
    link.send(datagram(3, 50)); // queued behind the other three
    clock.runAll();
    expect(atB.map((x) => [x.seq, x.t])).toEqual([
      [0, 110],
      [1, 210],
      [2, 310],
      [3, 360],
    ]);
    // An idle bottleneck starts serializing at once.
    clock.advance(1000);
    const t0 = clock.now();
    link.send(datagram(4, 200));
    clock.runAll();
    expect(atB[4]!.t - t0).toBe(210);
  });

  it('tail-drops when the bottleneck queue would exceed queueBytes, and accepts again once it drains', () => {
    const { clock, link, atB } = setup({ rateBytesPerSec: 1000, queueBytes: 300 });
    sendMany(link, 5, 100);
    expect(link.stats().dropQueue).toBe(2);
    clock.advance(100); // one datagram serialized: room for one more
    link.send(datagram(5, 100));
    link.send(datagram(6, 100));
    expect(link.stats().dropQueue).toBe(3);
    clock.runAll();
    expect(atB.map((x) => [x.seq, x.t])).toEqual([
      [0, 100],
      [1, 200],
      [2, 300],
      [5, 400],
    ]);
  });

  it('impairs only the received direction with direction rx', () => {
    const { clock, link, b, atA, atB } = setup({ delayMs: 5 }, 'rx');
    link.send(datagram(1));
    expect(atB).toHaveLength(1); // tx untouched: synchronous
    b.send(datagram(2));
    expect(atA).toHaveLength(0);
    clock.advance(5);
    expect(atA.map((x) => [x.seq, x.t])).toEqual([[2, 5]]);
  });

  it('impairs both directions independently with direction both', () => {
    const { clock, link, b, atA, atB } = setup({ delayMs: 5 }, 'both');
    link.send(datagram(1));
    b.send(datagram(2));
    expect(atA.length + atB.length).toBe(0);
    clock.advance(5);
    expect(atA.map((x) => x.seq)).toEqual([2]);
    expect(atB.map((x) => x.seq)).toEqual([1]);
  });

  it('copes with a receiver that sends from its handler (re-entrant, synchronous)', () => {
    const clock = new VirtualClock();
    const [a, b] = MemoryLink.pair(65535);
    const link = new ImpairedLink(a, imp({ reorder: 0.3, duplicate: 0.2, seed: 21 }), clock, 'both');
    b.onReceive((d) => b.send(d)); // echo
    const back: number[] = [];
    link.onReceive((d) => back.push(seqOf(d)));
    sendMany(link, 1000);
    clock.runAll();
    const s = link.stats();
    expect(back.length).toBe(s.rxPackets);
    expect(s.rxPackets).toBe(1000 + s.duplicated!);
    expect(new Set(back).size).toBe(1000);
  });

  it('drops what is in flight on close, counts it, and fires nothing afterwards', async () => {
    const { clock, link, atB } = setup({ delayMs: 10, reorder: 1 });
    sendMany(link, 3);
    await link.close();
    clock.runAll();
    expect(atB).toHaveLength(0);
    link.send(datagram(9));
    expect(link.stats().dropClosed).toBe(4);
    expect(clock.pendingTimers).toBe(0);
  });

  it('conserves datagrams: delivered = sent - lost - tail-dropped + duplicated, for any impairment', () => {
    fc.assert(
      fc.property(
        fc.record({
          loss: fc.double({ min: 0, max: 1, noNaN: true }),
          duplicate: fc.double({ min: 0, max: 1, noNaN: true }),
          reorder: fc.double({ min: 0, max: 1, noNaN: true }),
          corrupt: fc.double({ min: 0, max: 1, noNaN: true }),
          delayMs: fc.integer({ min: 0, max: 50 }),
          jitterMs: fc.integer({ min: 0, max: 20 }),
          rateBytesPerSec: fc.oneof(fc.constant(0), fc.integer({ min: 1000, max: 1_000_000 })),
          queueBytes: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 10_000 })),
          seed: fc.nat({ max: 0xffffffff }),
        }),
        fc.array(fc.tuple(fc.integer({ min: 20, max: 1500 }), fc.integer({ min: 0, max: 20 })), {
          maxLength: 200,
          size: 'max',
        }),
        (impairment, traffic) => {
          const { clock, link, atB } = setup(impairment);
          traffic.forEach(([size, gap], i) => {
            link.send(datagram(i, size));
            clock.advance(gap);
          });
          clock.runAll();
          const s = link.stats();
          expect(atB.length).toBe(traffic.length - s.dropLoss! - s.dropQueue! + s.duplicated!);
          expect(clock.pendingTimers).toBe(0);
          if (impairment.corrupt === 0) {
            for (const x of atB) expect(x.data).toEqual(datagram(x.seq, traffic[x.seq]![0]));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
