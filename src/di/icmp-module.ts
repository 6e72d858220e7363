import { ContainerModule } from 'inversify';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { TOKENS } from './tokens.js';

/** ICMP: echo, errors in and out. Registers itself with the IP layer when first resolved. */
export const icmpModule = new ContainerModule(({ bind }) => {
  bind<IcmpLayer>(TOKENS.IcmpLayer)
    .toResolvedValue(
      (ip: IPLayer, clock: Clock, log: Logger) => new IcmpLayer(ip, clock, log),
      [TOKENS.IPLayer, TOKENS.Clock, TOKENS.IcmpLogger],
    )
    .inSingletonScope();
});
