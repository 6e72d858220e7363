/**
 * The configuration a fuzzing session runs with, drawn from its seed: Linux's defaults most of the
 * time, and otherwise limits small enough to be hit within a few thousand packets (tiny buffers, one
 * out-of-order range, a backlog of one, no TIME_WAIT slots, a 2 KiB reassembly cap, short keepalives),
 * with timestamps and window scaling on or off, and MTUs from 576 to 9000.
 */

import type { StackConfig } from '../../src/di/stack-config.js';
import type { TcpConfig } from '../../src/transport/tcp/tcp-config.js';
import type { FuzzRandom } from './fuzz-random.js';

export interface SessionVariant {
  readonly mtu: number;
  readonly tcp: Partial<TcpConfig>;
  readonly reassemblyMaxBytes: number;
  readonly reassemblyTimeoutMs: number;
  /** Log every layer at trace level into a sink, so the log statements run too. */
  readonly verboseLogs: boolean;
  /** Probability that a datagram of the peer is mutated, and that it is sent in fragments. */
  readonly mutationRate: number;
  readonly fragmentRate: number;
}

export function fuzzStackConfig(address: number, mtu: number, variant?: SessionVariant): StackConfig {
  return {
    link: { kind: 'provided' },
    mtu,
    address,
    reassemblyTimeoutMs: variant?.reassemblyTimeoutMs ?? 30_000,
    reassemblyMaxBytes: variant?.reassemblyMaxBytes ?? 4 * 1024 * 1024,
    log: { defaultLevel: 'silent', layers: {} },
    tcp: variant?.tcp ?? {},
  };
}

export function randomVariant(rng: FuzzRandom): SessionVariant {
  const defaults = rng.chance(0.3);
  const tcp: Partial<TcpConfig> = defaults
    ? {}
    : {
        sendBufferSize: rng.pick([4 * 1024 * 1024, 64 * 1024, 8 * 1024, 1024, 1]),
        receiveBufferSize: rng.pick([256 * 1024, 65_536, 65_537, 4096, 100, 1]),
        maxOutOfOrderRanges: rng.pick([64, 4, 1]),
        timestamps: rng.chance(0.7),
        windowScaling: rng.chance(0.7),
        backlog: rng.pick([511, 4, 1]),
        synBacklog: rng.pick([1024, 4, 1]),
        maxTimeWait: rng.pick([32_768, 2, 0]),
        delayedAckMs: rng.pick([40, 0, 500]),
        minRtoMs: rng.pick([200, 1]),
        synRetries: rng.pick([6, 1, 0]),
        synAckRetries: rng.pick([5, 1, 0]),
        maxRetransmits: rng.pick([15, 2]),
        keepaliveIdleMs: rng.pick([7_200_000, 500]),
        keepaliveIntervalMs: rng.pick([75_000, 100]),
        keepaliveProbes: rng.pick([9, 1]),
        timeWaitMs: rng.pick([60_000, 1000]),
        finWait2TimeoutMs: rng.pick([60_000, 500]),
        connectTimeoutMs: rng.pick([0, 0, 2000]),
      };
  return {
    mtu: rng.pick([1500, 1500, 576, 9000]),
    tcp,
    reassemblyMaxBytes: rng.pick([4 * 1024 * 1024, 65_536, 2048]),
    reassemblyTimeoutMs: rng.pick([30_000, 1000]),
    verboseLogs: rng.chance(0.1),
    mutationRate: rng.pick([0.1, 0.3, 0.5]),
    fragmentRate: rng.pick([0.02, 0.1]),
  };
}
