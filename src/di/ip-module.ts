import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { Ipv4Layer, type Ipv4LayerConfig } from '../layers/ip/ipv4-layer.js';
import type { RawLink } from '../layers/link/raw-link.js';
import { ContainerModule } from './inversify.js';
import type { StackConfig } from './stack-config.js';
import { TOKENS } from './tokens.js';

/** The network layer: IPv4 with its reassembler, over whatever RawLink is bound. */
export const ipModule = new ContainerModule(({ bind }) => {
  bind<Ipv4LayerConfig>(TOKENS.Ipv4LayerConfig).toDynamicValue((ctx) => {
    const config = ctx.get<StackConfig>(TOKENS.StackConfig);
    // The TUN's prefix is the subnet both ends share (the CLI checks pilha's address is on it); a raw socket
    // shares the host's address and needs none.
    const prefixLength = config.link.kind === 'raw' ? undefined : config.link.prefixLength;
    return {
      address: config.address,
      ...(prefixLength !== undefined ? { prefixLength } : {}),
      // A raw socket shares the host's address: its peers are local programs, from 127/8 or that address.
      loopback: config.link.kind === 'raw',
      reassembly: { timeoutMs: config.reassemblyTimeoutMs, maxBytes: config.reassemblyMaxBytes },
      ...(config.pathMtuExpiryMs !== undefined ? { pathMtuExpiryMs: config.pathMtuExpiryMs } : {}),
    };
  });
  bind<IPLayer>(TOKENS.IPLayer)
    .toResolvedValue(
      (link: RawLink, clock: Clock, log: Logger, config: Ipv4LayerConfig) =>
        new Ipv4Layer(link, clock, log, config),
      [TOKENS.RawLink, TOKENS.Clock, TOKENS.IpLogger, TOKENS.Ipv4LayerConfig],
    )
    .inSingletonScope();
});
