/**
 * Congestion control between flows: two pilha stacks over an ImpairedLink with a rate-limited bottleneck
 * and a tail-drop queue, several long-running flows from A to B in parallel, each to its own port. Over a
 * window after they have settled, each flow's share of the bytes delivered gives Jain's fairness index,
 * (Σx)² / (n·Σx²): 1 when all flows get the same, 1/n when one takes everything.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { congestionControllerFactoryFor } from '../../src/transport/congestion/congestion-control-by-name.js';
import type {
  CongestionController,
  CongestionControllerFactory,
  CongestionControlName,
} from '../../src/transport/congestion/congestion-controller.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { jainIndex } from '../helpers/fairness.js';
import { ADDRESS_B, drive, twoTcpStacks } from '../helpers/tcp-stacks.js';

/** Hands out controllers of the named algorithms in turn: the i-th connection A opens gets names[i % n]. */
class TakingTurnsFactory implements CongestionControllerFactory {
  private next = 0;
  private readonly factories: CongestionControllerFactory[];

  constructor(names: readonly CongestionControlName[]) {
    this.factories = names.map((name) => congestionControllerFactoryFor(name));
  }

  create(mss: number): CongestionController {
    const f = this.factories[this.next++ % this.factories.length]!;
    return f.create(mss);
  }
}

interface FlowsResult {
  /** Bytes each flow delivered inside the measuring window. */
  readonly shares: number[];
  readonly jain: number;
  readonly names: string[];
  readonly timeouts: number[];
  /** Bytes per second the bottleneck carried in the window, all flows together. */
  readonly throughput: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

async function parallelFlows(options: {
  readonly flows: number;
  /** The algorithms of the flows, in turn: flow i runs names[i % names.length]. */
  readonly names: readonly CongestionControlName[];
  readonly impairment: Impairment;
  /** Flow i starts at i·startGapMs. */
  readonly startGapMs: number;
  /** The measuring window, virtual ms from the first start. */
  readonly fromMs: number;
  readonly toMs: number;
}): Promise<FlowsResult> {
  const n = options.flows;
  const { clock, a, b, close } = await twoTcpStacks({
    impairment: options.impairment,
    congestionA: new TakingTurnsFactory(options.names),
  });
  const received = new Array<number>(n).fill(0);
  const servers = [];
  const serverSockets: TcpSocket[] = [];
  for (let i = 0; i < n; i++) {
    const server = b.transport.createServer((socket) => {
      serverSockets.push(socket);
      socket.on('data', (chunk: Buffer) => {
        received[i]! += chunk.length;
      });
      socket.on('error', () => {});
    });
    await server.listen(6000 + i);
    servers.push(server);
  }
  const senders: TcpSocket[] = [];
  let stopped = false;
  const start = clock.now();
  for (let i = 0; i < n; i++) {
    clock.setTimer(i * options.startGapMs, () => {
      // Flows are opened in order, so flow i gets the i-th controller.
      const socket = a.transport.createConnection(6000 + i, formatIpv4(ADDRESS_B));
      socket.on('error', () => {});
      senders[i] = socket;
      const pump = (): void => {
        while (!stopped && socket.write(CHUNK)) {}
      };
      socket.on('drain', pump);
      pump();
    });
  }
  let snapshot: number[] | undefined;
  await drive(
    clock,
    () => {
      const elapsed = clock.now() - start;
      if (snapshot === undefined && elapsed >= options.fromMs) snapshot = [...received];
      return elapsed >= options.toMs;
    },
    { limitMs: options.toMs + 1000 },
  );
  stopped = true;
  const shares = received.map((r, i) => r - snapshot![i]!);
  const result: FlowsResult = {
    shares,
    jain: jainIndex(shares),
    names: senders.map((s) => s.stats().congestionControl),
    timeouts: senders.map((s) => s.stats().timeouts),
    throughput: shares.reduce((x, y) => x + y, 0) / ((options.toMs - options.fromMs) / 1000),
  };
  for (const s of senders) s.destroy();
  for (const s of serverSockets) s.destroy();
  await close();
  return result;
}

/**
 * 10 Mbit/s, 10 ms each way (a 20 ms RTT, a BDP of 25 kB), a queue of about two BDPs; ±1 ms of jitter so
 * that the seed changes the run (the bottleneck alone is deterministic).
 */
function bottleneck(seed: number): Impairment {
  return {
    ...NO_IMPAIRMENT,
    rateBytesPerSec: 1_250_000,
    queueBytes: 50_000,
    delayMs: 10,
    jitterMs: 1,
    seed,
  };
}

function describeResult(label: string, r: FlowsResult): string {
  const mb = r.shares.map((s, i) => `${r.names[i]} ${(s / 1e6).toFixed(2)} MB`).join(', ');
  return `${label}: Jain ${r.jain.toFixed(3)}; ${mb}; ${(r.throughput / 1e6).toFixed(2)} MB/s in all; timeouts ${r.timeouts.join('/')}`;
}

describe('fairness at a shared bottleneck (Jain’s index)', () => {
  it.each([1, 2, 3])(
    'four CUBIC flows, started 500 ms apart, share it: index ≥ 0.95 (seed %i)',
    async (seed) => {
      const r = await parallelFlows({
        flows: 4,
        names: ['cubic'],
        impairment: bottleneck(seed),
        startGapMs: 500,
        fromMs: 10_000,
        toMs: 40_000,
      });
      console.log(describeResult(`4 × CUBIC, seed ${seed}`, r));
      expect(r.names.length).toBe(4);
      expect(r.names.every((name) => name === 'cubic')).toBe(true);
      expect(r.jain).toBeGreaterThanOrEqual(0.95);
      expect(r.throughput).toBeGreaterThan(0.9 * 1_250_000 * (1460 / 1500)); // the link stays busy
    },
  );

  // Issue 8's target, ≥ 0.95, for two CUBIC against two Reno-style flows (Linux's "reno" recovers as NewReno).
  // Over seeds 1–3 the index was 0.968–0.991, CUBIC taking 10–11 MB to NewReno's 7–9 (CUBIC is the bolder
  // prober at this BDP).
  it.each([1, 2, 3])('two CUBIC and two NewReno flows: index ≥ 0.95 (seed %i)', async (seed) => {
    const r = await parallelFlows({
      flows: 4,
      names: ['cubic', 'newreno'],
      impairment: bottleneck(seed),
      startGapMs: 500,
      fromMs: 10_000,
      toMs: 40_000,
    });
    console.log(describeResult(`2 × CUBIC + 2 × NewReno, seed ${seed}`, r));
    expect(r.names).toEqual(['cubic', 'newreno', 'cubic', 'newreno']);
    expect(r.jain).toBeGreaterThanOrEqual(0.95);
  });

  // Plain Reno leaves recovery on the first partial ACK. Before SACK-based recovery that cost it a timeout
  // at every burst of tail drops (about 20 in 40 s here) and the index was 0.904–0.944 over seeds 4–11;
  // with SACK (on by default) RACK repairs the burst in one recovery, as for the others: 0.97–0.98.
  it('two CUBIC and two plain Reno flows: index ≥ 0.95, Reno behind', async () => {
    const r = await parallelFlows({
      flows: 4,
      names: ['cubic', 'reno'],
      impairment: bottleneck(4),
      startGapMs: 500,
      fromMs: 10_000,
      toMs: 40_000,
    });
    console.log(describeResult('2 × CUBIC + 2 × Reno, seed 4', r));
    expect(r.names).toEqual(['cubic', 'reno', 'cubic', 'reno']);
    expect(r.jain).toBeGreaterThanOrEqual(0.95);
    expect(r.shares[1]! + r.shares[3]!).toBeLessThan(r.shares[0]! + r.shares[2]!);
  });
});
