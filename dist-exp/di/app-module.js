import { ContainerModule } from 'inversify';
import { FramedEchoApp } from '../app/framed/framed-echo-app.js';
import { HttpApp } from '../app/http-app.js';
import { Pinger } from '../app/pinger.js';
import { KernelStreamTransport } from '../transport/socket/kernel-stream-transport.js';
import { TOKENS } from './tokens.js';
/** Applications that sit on the layers below. */
export const appModule = new ContainerModule(({ bind }) => {
    bind(TOKENS.Pinger)
        .toResolvedValue((icmp, ip, clock) => new Pinger(icmp, ip, clock), [TOKENS.IcmpLayer, TOKENS.IPLayer, TOKENS.Clock])
        .inSingletonScope();
    bind(TOKENS.HttpAppOptions).toConstantValue({});
    bind(TOKENS.HttpApp)
        .toResolvedValue((logger, clock, options) => new HttpApp({ ...options, logger, clock }), [TOKENS.AppLogger, TOKENS.Clock, TOKENS.HttpAppOptions])
        .inSingletonScope();
    bind(TOKENS.FramedEchoAppOptions).toConstantValue({});
    bind(TOKENS.FramedEchoApp)
        .toResolvedValue((logger, clock, options) => new FramedEchoApp({ ...options, logger, clock }), [TOKENS.AppLogger, TOKENS.Clock, TOKENS.FramedEchoAppOptions])
        .inSingletonScope();
    bind(TOKENS.KernelStreamTransport).toConstantValue(new KernelStreamTransport());
});
//# sourceMappingURL=app-module.js.map