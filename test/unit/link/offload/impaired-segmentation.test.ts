import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../src/core/virtual-clock.js';
import { ImpairedLink } from '../../../../src/layers/link/decorators/impaired-link.js';
import { type Impairment, NO_IMPAIRMENT } from '../../../../src/layers/link/decorators/impairment.js';
import { splitSuperSegment } from '../../../../src/layers/link/offload/tcp-super-segment.js';
import { MSS, superSegment, WireRecorder } from './super-segment-fixtures.js';

/** The payload lengths of the super-segments each run sends: full, ragged, single-segment, long. */
const SHAPES = [MSS * 45, MSS * 20 + 333, MSS, 700, MSS * 44 + 1, MSS * 3];

const IMPAIRED_COUNTERS = [
  'txPackets',
  'txBytes',
  'dropLoss',
  'dropQueue',
  'duplicated',
  'corrupted',
  'reordered',
  'reorderTimeout',
  'delayed',
] as const;

/**
 * The same traffic two ways, on a VirtualClock: split into segments (splitSuperSegment) and sent one by one
 * through an ImpairedLink over a link without offload, and sent as super-segments through an ImpairedLink
 * over a link with offload. Returns both wires (segments as the kernel would put them on it) and counters.
 */
function both(partial: Partial<Impairment>, rounds = 8) {
  const impairment: Impairment = { ...NO_IMPAIRMENT, ...partial };
  const run = (segmented: boolean) => {
    const clock = new VirtualClock();
    const inner = new WireRecorder(segmented);
    const link = new ImpairedLink(inner, impairment, clock, 'tx');
    expect(link.segmentation !== undefined).toBe(segmented);
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      for (const length of SHAPES) {
        const d = superSegment(n++, length);
        if (segmented) link.segmentation!.sendSegmented(d, MSS);
        else for (const s of splitSuperSegment(d, MSS)!) link.send(s);
        d.fill(0); // the caller may reuse its buffer once the call returns
      }
      clock.advance(3);
    }
    clock.runAll();
    const stats = link.stats();
    const counters = Object.fromEntries(IMPAIRED_COUNTERS.map((k) => [k, stats[k]]));
    return { inner, counters };
  };
  return { oneByOne: run(false), offloaded: run(true) };
}

const totalSegments = (rounds: number) => rounds * SHAPES.reduce((n, l) => n + Math.ceil(l / MSS), 0);

describe('ImpairedLink over a link with segmentation offload', () => {
  const cases: [string, Partial<Impairment>][] = [
    ['nothing', {}],
    ['loss 1%', { loss: 0.01 }],
    ['loss 10%', { loss: 0.1 }],
    ['loss, duplicate, corrupt, reorder', { loss: 0.03, duplicate: 0.03, corrupt: 0.03, reorder: 0.03 }],
    ['the same with delay', { loss: 0.03, duplicate: 0.03, corrupt: 0.03, reorder: 0.03, delayMs: 2 }],
    ['reorder 20% with delay and a long hold', { reorder: 0.2, delayMs: 5, reorderHoldMs: 10 }],
    [
      'reorder, duplicate and jitter',
      { reorder: 0.1, duplicate: 0.02, delayMs: 5, jitterMs: 1, reorderHoldMs: 10 },
    ],
    ['loss, jitter and a rate', { loss: 0.02, delayMs: 5, jitterMs: 2, rateBytesPerSec: 50_000_000 }],
    [
      'loss, duplicate, corrupt, rate and a queue that overflows',
      { loss: 0.02, duplicate: 0.02, corrupt: 0.02, rateBytesPerSec: 20_000_000, queueBytes: 100_000 },
    ],
  ];
  for (const [name, impairment] of cases) {
    for (const seed of [1, 7, 12345]) {
      it(`${name}, seed ${seed}: the same segments on the wire, in the same order, as one by one`, () => {
        const { oneByOne, offloaded } = both({ ...impairment, seed });
        // Compared as lengths and one concatenation (toEqual on thousands of arrays is slow).
        expect(offloaded.inner.wire.map((s) => s.length)).toEqual(oneByOne.inner.wire.map((s) => s.length));
        expect(Buffer.concat(offloaded.inner.wire).equals(Buffer.concat(oneByOne.inner.wire))).toBe(true);
        expect(offloaded.counters).toEqual(oneByOne.counters);
        // Segments are counted as segments, and most still leave in super-segments.
        expect(offloaded.counters.txPackets).toBe(totalSegments(8));
        expect(offloaded.inner.superSegments).toBeGreaterThan(0);
      });
    }
  }

  it('actually impairs: loss, duplication, corruption, reordering and queue drops all happen in these cases', () => {
    const r = both({ loss: 0.03, duplicate: 0.03, corrupt: 0.03, reorder: 0.03, seed: 7 }).offloaded.counters;
    for (const k of ['dropLoss', 'duplicated', 'corrupted', 'reordered'] as const)
      expect(r[k]).toBeGreaterThan(0);
    const q = both({ rateBytesPerSec: 20_000_000, queueBytes: 100_000, seed: 7 }).offloaded.counters;
    expect(q.dropQueue).toBeGreaterThan(0);
  });

  it('passes an untouched super-segment on whole, and a lossy one as sub-ranges around the lost segment', () => {
    const clock = new VirtualClock();
    const inner = new WireRecorder(true);
    const link = new ImpairedLink(inner, { ...NO_IMPAIRMENT, loss: 0.05, seed: 3 }, clock, 'tx');
    const sent: Uint8Array[] = [];
    for (let n = 0; n < 20; n++) {
      const d = superSegment(n, MSS * 45);
      sent.push(d);
      link.segmentation!.sendSegmented(d, MSS);
    }
    const lost = link.stats().dropLoss!;
    expect(lost).toBeGreaterThan(0);
    expect(inner.wire).toHaveLength(20 * 45 - lost);
    // Whole ones are handed over byte for byte; partial ones are shorter super-segments.
    const whole = inner.handed.filter((h) =>
      sent.some((d) => d.length === h.length && h.every((b, i) => b === d[i])),
    );
    expect(whole.length).toBeGreaterThan(0);
    expect(inner.handed.length).toBeGreaterThan(whole.length);
    expect(inner.handed.length).toBeLessThanOrEqual(20 + lost);
  });

  it('counts what is in flight at close as segments (dropClosed)', async () => {
    const clock = new VirtualClock();
    const inner = new WireRecorder(true);
    const link = new ImpairedLink(inner, { ...NO_IMPAIRMENT, delayMs: 10 }, clock, 'tx');
    link.segmentation!.sendSegmented(superSegment(0, MSS * 10), MSS);
    expect(link.stats().delayed).toBe(10);
    await link.close();
    expect(link.stats().dropClosed).toBe(10);
    clock.runAll();
    expect(inner.wire).toHaveLength(0);
  });

  it('offers no segmentation over a link without it', () => {
    const link = new ImpairedLink(new WireRecorder(false), NO_IMPAIRMENT, new VirtualClock());
    expect(link.segmentation).toBeUndefined();
  });
});
