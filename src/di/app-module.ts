import { ContainerModule } from 'inversify';
import { Pinger } from '../app/pinger.js';
import type { Clock } from '../core/clock.js';
import type { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { TOKENS } from './tokens.js';

/** Applications that sit on the layers below. */
export const appModule = new ContainerModule(({ bind }) => {
  bind<Pinger>(TOKENS.Pinger)
    .toResolvedValue(
      (icmp: IcmpLayer, ip: IPLayer, clock: Clock) => new Pinger(icmp, ip, clock),
      [TOKENS.IcmpLayer, TOKENS.IPLayer, TOKENS.Clock],
    )
    .inSingletonScope();
});
