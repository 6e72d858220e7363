import { ContainerModule } from 'inversify';
import { LayerLoggers } from '../core/logger.js';
import { SystemClock } from '../core/system-clock.js';
import { TOKENS } from './tokens.js';
/** The clock and the per-layer loggers. Tests rebind Clock to a VirtualClock and Loggers to silent ones. */
export const coreModule = new ContainerModule(({ bind }) => {
    bind(TOKENS.Clock).to(SystemClock).inSingletonScope();
    bind(TOKENS.Loggers)
        .toDynamicValue((ctx) => new LayerLoggers(ctx.get(TOKENS.StackConfig).log))
        .inSingletonScope();
    const layers = [
        [TOKENS.LinkLogger, 'link'],
        [TOKENS.EthernetLogger, 'ethernet'],
        [TOKENS.IpLogger, 'ip'],
        [TOKENS.IcmpLogger, 'icmp'],
        [TOKENS.TcpLogger, 'tcp'],
        [TOKENS.AppLogger, 'app'],
    ];
    for (const [token, layer] of layers) {
        bind(token)
            .toDynamicValue((ctx) => ctx.get(TOKENS.Loggers).for(layer))
            .inSingletonScope();
    }
});
//# sourceMappingURL=core-module.js.map