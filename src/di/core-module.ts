import type { Clock } from '../core/clock.js';
import { LayerLoggers } from '../core/logger.js';
import { SystemClock } from '../core/system-clock.js';
import { ContainerModule } from './inversify.js';
import type { StackConfig } from './stack-config.js';
import { TOKENS } from './tokens.js';

/** The clock and the per-layer loggers. Tests rebind Clock to a VirtualClock and Loggers to silent ones. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind<Clock>(TOKENS.Clock).to(SystemClock).inSingletonScope();
  bind<LayerLoggers>(TOKENS.Loggers)
    .toDynamicValue((ctx) => new LayerLoggers(ctx.get<StackConfig>(TOKENS.StackConfig).log))
    .inSingletonScope();
  const layers = [
    [TOKENS.LinkLogger, 'link'],
    [TOKENS.EthernetLogger, 'ethernet'],
    [TOKENS.IpLogger, 'ip'],
    [TOKENS.IcmpLogger, 'icmp'],
    [TOKENS.TcpLogger, 'tcp'],
    [TOKENS.AppLogger, 'app'],
  ] as const;
  for (const [token, layer] of layers) {
    bind(token)
      .toDynamicValue((ctx) => ctx.get<LayerLoggers>(TOKENS.Loggers).for(layer))
      .inSingletonScope();
  }
});
