/**
 * HyStart++ (RFC 9406) through a bottleneck with a queue: as the queue fills in slow start the RTT rises,
 * and HyStart++ ends slow start before the queue overflows. Standard slow start doubles its window until
 * the tail-drop queue loses a burst of segments. Two stacks over an ImpairedLink with a rate and a queue,
 * on a VirtualClock; the retransmission counts are compared, the time is only printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import {
  type CongestionControlName,
  INITIAL_SSTHRESH,
} from '../../src/transport/congestion/congestion-controller.js';
import { pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 4 * 1024 * 1024;
/** What the path holds: the bandwidth-delay product (2 MB/s · 10 ms) and the queue. */
const PATH_CAPACITY = 20_000 + 100_000;
const dir = mkdtempSync(join(tmpdir(), 'pilha-hystart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TraceLine {
  readonly t: number;
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly event?: string;
}

async function throughQueue(cc: CongestionControlName, hystart: boolean) {
  const traceFile = join(dir, `${cc}-${hystart}.jsonl`);
  const stacks = await twoTcpStacks({
    traceFileA: traceFile,
    tcp: { congestionControl: cc, hystart },
    // 2 MB/s (16 Mbit/s), 5 ms each way: a BDP of 20 KB, and a queue of 100 KB (50 ms) in front of it.
    impairment: { ...NO_IMPAIRMENT, rateBytesPerSec: 2_000_000, queueBytes: 100_000, delayMs: 5, seed: 1 },
  });
  const data = pattern(SIZE);
  const { body, virtualMs, sender } = await transferAtoB(stacks, data, 5010);
  expect(body.equals(data)).toBe(true);
  const s = sender.stats();
  const dropQueue = stacks.a.link.stats().dropQueue;
  console.log(
    `${cc}, HyStart++ ${hystart ? 'on' : 'off'}: ${(SIZE / 1e6 / (virtualMs / 1000)).toFixed(2)} MB/s virtual; ` +
      `retransmitted ${s.retransmitted}, fast retransmits ${s.fastRetransmits}, timeouts ${s.timeouts}, ` +
      `queue drops ${dropQueue}, ssthresh ${s.ssthresh}`,
  );
  await stacks.close();
  const trace = readFileSync(traceFile, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceLine);
  return { stats: s, dropQueue, trace };
}

describe('HyStart++ through a rate-limited bottleneck with a queue', () => {
  it.each(['cubic', 'newreno'] as const)('%s: leaves slow start before the queue overflows', async (cc) => {
    const on = await throughQueue(cc, true);
    const off = await throughQueue(cc, false);
    expect(off.dropQueue).toBeGreaterThan(0);
    expect(off.stats.retransmitted).toBeGreaterThan(0);
    expect(on.stats.retransmitted).toBeLessThan(off.stats.retransmitted);
    expect(on.dropQueue).toBeLessThan(off.dropQueue);
    // With HyStart++ slow start ends (ssthresh set, no loss event) before the first loss is detected, and
    // at a window the path still held; without it, the first ssthresh comes with the loss.
    const isLoss = (l: TraceLine) =>
      l.event === 'fast_retransmit' ||
      l.event === 'sack_recovery_enter' ||
      l.event === 'tlp_loss' ||
      l.event === 'timeout';
    const exit = on.trace.findIndex((l) => l.ssthresh < INITIAL_SSTHRESH);
    const firstLoss = on.trace.findIndex(isLoss);
    expect(exit).toBeGreaterThan(0);
    expect(on.trace[exit]!.event).toBeUndefined();
    if (firstLoss >= 0) expect(exit).toBeLessThan(firstLoss);
    const plainExit = off.trace.findIndex((l) => l.ssthresh < INITIAL_SSTHRESH);
    expect(isLoss(off.trace[plainExit]!)).toBe(true);
    // Standard slow start overshoots the path (BDP + queue) until the queue drops a burst; HyStart++ stops
    // near it.
    const plainPeak = Math.max(...off.trace.slice(0, plainExit).map((l) => l.cwnd));
    expect(plainPeak).toBeGreaterThan(1.3 * PATH_CAPACITY);
    expect(on.trace[exit]!.ssthresh).toBeLessThan(1.1 * PATH_CAPACITY);
    console.log(
      `${cc}: HyStart++ left slow start at cwnd ${on.trace[exit]!.cwnd}; standard slow start peaked at ${plainPeak}`,
    );
  });
});

describe('HyStart++ on a clean, jittery sub-millisecond path', () => {
  it('20 MB: never leaves slow start, and takes the same virtual time as without it', async () => {
    const data = pattern(20 * 1024 * 1024);
    const run = async (hystart: boolean) => {
      const stacks = await twoTcpStacks({
        tcp: { hystart },
        // 0.3 ms each way with ±0.15 ms of jitter: a TUN device's RTT, noisier.
        impairment: { ...NO_IMPAIRMENT, delayMs: 0.3, jitterMs: 0.15, seed: 3 },
      });
      const { body, virtualMs, sender } = await transferAtoB(stacks, data, 5011);
      expect(body.equals(data)).toBe(true);
      const { ssthresh, retransmitted } = sender.stats();
      await stacks.close();
      return { virtualMs, ssthresh, retransmitted };
    };
    const on = await run(true);
    const off = await run(false);
    console.log(`clean 20 MB: ${on.virtualMs} ms virtual with HyStart++, ${off.virtualMs} ms without`);
    expect(on.ssthresh).toBe(INITIAL_SSTHRESH);
    expect(on.retransmitted).toBe(0);
    expect(on.virtualMs).toBeLessThanOrEqual(off.virtualMs);
  });
});
