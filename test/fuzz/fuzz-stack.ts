/**
 * A stack for the fuzzer: the real composition (createStackContainer, the same modules and resolution
 * as buildTcpStack) with the two sources of randomness that are not seeded, the ISN secret and the first
 * IP identification, rebound to values drawn from the session's seed, so a session replays exactly.
 */

import type { Clock } from '../../src/core/clock.js';
import type { LayerLoggers } from '../../src/core/logger.js';
import type { RandomWords } from '../../src/core/random-words.js';
import { SeededRandom } from '../../src/core/seeded-random.js';
import { createStackContainer, type TcpStack } from '../../src/di/compositions.js';
import type { StackConfig } from '../../src/di/stack-config.js';
import { TOKENS } from '../../src/di/tokens.js';
import type { IcmpLayer } from '../../src/layers/icmp/icmp-layer.js';
import type { IPLayer } from '../../src/layers/ip/ip-layer.js';
import type { Ipv4LayerConfig } from '../../src/layers/ip/ipv4-layer.js';
import type { RawLink } from '../../src/layers/link/raw-link.js';
import type { PilhaStreamTransport } from '../../src/transport/socket/pilha-stream-transport.js';
import { IsnGenerator, type IsnSource } from '../../src/transport/tcp/isn-generator.js';
import type { TcpLayer } from '../../src/transport/tcp/tcp-layer.js';
import type { FuzzRandom } from './fuzz-random.js';

export async function buildFuzzStack(
  config: StackConfig,
  link: RawLink,
  clock: Clock,
  loggers: LayerLoggers,
  rng: FuzzRandom,
): Promise<TcpStack> {
  const container = createStackContainer(config, { baseLink: link, clock, loggers });
  container.rebind<IsnSource>(TOKENS.IsnSource).toConstantValue(new IsnGenerator(clock, rng.bytes(32)));
  // The TCP layer's random words (SYN cookie keys, first ephemeral port) from the seed too, on a stream of
  // their own, so that key rotations do not shift the fuzzer's draws.
  const words = new SeededRandom(rng.nextUint32());
  container.rebind<RandomWords>(TOKENS.TcpRandom).toConstantValue((out) => {
    for (let i = 0; i < out.length; i++) out[i] = words.nextUint32();
  });
  container.rebind<Ipv4LayerConfig>(TOKENS.Ipv4LayerConfig).toConstantValue({
    address: config.address,
    // A /24, so that the subnet's directed broadcast is a martian source too (the output check knows it).
    prefixLength: 24,
    reassembly: { timeoutMs: config.reassemblyTimeoutMs, maxBytes: config.reassemblyMaxBytes },
    initialId: rng.int(0x10000),
  });
  const rawLink = await container.getAsync<RawLink>(TOKENS.RawLink);
  const ip = await container.getAsync<IPLayer>(TOKENS.IPLayer);
  const icmp = await container.getAsync<IcmpLayer>(TOKENS.IcmpLayer);
  const tcp = await container.getAsync<TcpLayer>(TOKENS.TcpLayer);
  const transport = await container.getAsync<PilhaStreamTransport>(TOKENS.StreamTransport);
  return {
    container,
    link: rawLink,
    ip,
    icmp,
    clock,
    loggers,
    tcp,
    transport,
    close: async () => {
      tcp.close();
      await ip.close();
    },
  };
}
