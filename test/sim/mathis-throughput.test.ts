/**
 * Reno's long-run throughput against the Mathis model (Mathis, Semke, Mahdavi, Ott 1997):
 *
 *   throughput ≈ (MSS / RTT) · √(3 / (2p))
 *
 * for a flow whose window is halved once per loss and grows by one MSS per RTT, with no timeouts and a path
 * that is not the limit. Two pilha stacks over ImpairedLinks on a VirtualClock: random loss p on the data
 * direction only (A→B; the ACKs are not lost), 10 ms each way, a 100 Mbit/s bottleneck with a queue, so that
 * the loss, not the link or the window, sets the rate. One long-running flow from A to B; after a warm-up,
 * the bytes B delivers over a window long enough for about 80 loss events give the throughput. Three seeds
 * per p, their mean within 25% of the model.
 *
 * The controller is pinned to 'newreno' (RFC 6582), not plain 'reno': the model assumes one halving per
 * loss event and no timeouts, and plain Reno leaves recovery on the first partial ACK, so two losses in one
 * window cost it a second halving or a timeout; NewReno repairs every loss of a window in one recovery, one
 * halving (it is also what Linux's "reno" does). Byte counting (RFC 3465) grows cwnd by one MSS per RTT
 * whatever the ACK ratio, so the model's b = 1 form applies despite delayed ACKs.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { ADDRESS_B, drive, twoTcpStacks } from '../helpers/tcp-stacks.js';

const ONE_WAY_MS = 10;
const RTT_MS = 2 * ONE_WAY_MS;
/** 100 Mbit/s: at p = 0.1% the model asks for about 3 MB/s, a quarter of it. */
const RATE = 12_500_000;
/** Loss events the measuring window should hold on average (the sampling error is about 1/(2√n)). */
const LOSS_EVENTS = 80;
const WARM_UP_MS = 5_000;
const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

interface MathisResult {
  readonly measured: number;
  readonly model: number;
  readonly ratio: number;
  readonly mss: number;
  readonly timeouts: number;
  readonly fastRetransmits: number;
  readonly dropped: number;
  readonly windowMs: number;
}

async function renoUnderLoss(p: number, seed: number): Promise<MathisResult> {
  const data: Impairment = {
    ...NO_IMPAIRMENT,
    loss: p,
    delayMs: ONE_WAY_MS,
    rateBytesPerSec: RATE,
    queueBytes: 1_000_000,
    seed,
  };
  const acks: Impairment = { ...NO_IMPAIRMENT, delayMs: ONE_WAY_MS, seed };
  const { clock, a, b, close } = await twoTcpStacks({
    impairment: data,
    impairmentBack: acks,
    tcp: { congestionControl: 'newreno' },
  });
  let received = 0;
  let receiver: TcpSocket | undefined;
  const server = b.transport.createServer((socket) => {
    receiver = socket;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
  });
  await server.listen(5010);
  const sender = a.transport.createConnection(5010, formatIpv4(ADDRESS_B));
  let stopped = false;
  const pump = (): void => {
    while (!stopped && sender.write(CHUNK)) {}
  };
  sender.on('drain', pump);
  pump();

  // Loss events per second under the model: p · (packets per second) = √(3p/2) / RTT.
  const eventsPerSecond = Math.sqrt((3 * p) / 2) / (RTT_MS / 1000);
  const windowMs = Math.ceil((LOSS_EVENTS / eventsPerSecond) * 1000);
  const start = clock.now();
  let atWarmUp: number | undefined;
  let timeoutsAtWarmUp = 0;
  await drive(
    clock,
    () => {
      const elapsed = clock.now() - start;
      if (atWarmUp === undefined && elapsed >= WARM_UP_MS) {
        atWarmUp = received;
        timeoutsAtWarmUp = sender.stats().timeouts;
      }
      return elapsed >= WARM_UP_MS + windowMs;
    },
    { stepMs: 1, limitMs: WARM_UP_MS + windowMs + 1000 },
  );
  stopped = true;
  const s = sender.stats();
  const measured = (received - atWarmUp!) / (windowMs / 1000);
  const model = (s.mss / (RTT_MS / 1000)) * Math.sqrt(3 / (2 * p));
  const result: MathisResult = {
    measured,
    model,
    ratio: measured / model,
    mss: s.mss,
    timeouts: s.timeouts - timeoutsAtWarmUp,
    fastRetransmits: s.fastRetransmits,
    dropped: a.link.stats().dropLoss ?? 0,
    windowMs,
  };
  expect(s.congestionControl).toBe('newreno');
  sender.destroy();
  receiver?.destroy();
  await close();
  return result;
}

/**
 * Three seeds per p, about 240 loss events in all: their mean ratio is the long-run throughput against the
 * model, within 25% as issue 8 asks. With SACK-based recovery (RACK, PRR) no timeout remains in the window
 * (before it, 1% and 2% lost 0–8 to timeouts and fell to 0.60–0.84); the mean sits above 1 because random
 * loss puts two drops in one window now and then, and one recovery repairs both with one halving (the
 * model counts a halving per drop): p = 0.1%, 1.09–1.12; 0.5%, 1.06–1.14; 1%, 1.10–1.27; 2%, about 1.17.
 */
const LOSS_RATES = [0.001, 0.005, 0.01, 0.02];
const SEEDS = [1, 2, 3];

describe('Reno (NewReno recovery) under random loss follows the Mathis model', () => {
  it.each(LOSS_RATES)(
    'p = %f: long-run throughput within 25 percent of (MSS/RTT)·√(3/(2p)), three seeds',
    async (p) => {
      const ratios: number[] = [];
      for (const seed of SEEDS) {
        const wall = Date.now();
        const r = await renoUnderLoss(p, seed);
        console.log(
          `Mathis p=${p}, seed ${seed}: measured ${(r.measured / 1e6).toFixed(3)} MB/s, model ${(r.model / 1e6).toFixed(3)} MB/s, ` +
            `ratio ${r.ratio.toFixed(3)} (MSS ${r.mss}, RTT ${RTT_MS} ms, ${(r.windowMs / 1000).toFixed(1)} s measured; ` +
            `fast retransmits ${r.fastRetransmits}, timeouts in the window ${r.timeouts}, dropped ${r.dropped}); ` +
            `wall ${Date.now() - wall} ms`,
        );
        expect(r.dropped).toBeGreaterThan(0);
        expect(r.measured).toBeLessThan(0.5 * RATE); // the loss, not the link, sets the rate
        expect(r.timeouts).toBe(0);
        ratios.push(r.ratio);
      }
      const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      expect(mean).toBeGreaterThanOrEqual(0.75);
      expect(mean).toBeLessThanOrEqual(1.25);
    },
  );
});
