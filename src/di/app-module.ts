import { FramedEchoApp, type FramedEchoAppOptions } from '../app/framed/framed-echo-app.js';
import { HttpApp, type HttpAppOptions } from '../app/http-app.js';
import { Pinger } from '../app/pinger.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { KernelStreamTransport } from '../transport/socket/kernel-stream-transport.js';
import type { StreamTransport } from '../transport/socket/stream-transport.js';
import { ContainerModule } from './inversify.js';
import { TOKENS } from './tokens.js';

/** Applications that sit on the layers below. */
export const appModule = new ContainerModule(({ bind }) => {
  bind<Pinger>(TOKENS.Pinger)
    .toResolvedValue(
      (icmp: IcmpLayer, ip: IPLayer, clock: Clock) => new Pinger(icmp, ip, clock),
      [TOKENS.IcmpLayer, TOKENS.IPLayer, TOKENS.Clock],
    )
    .inSingletonScope();

  bind<HttpAppOptions>(TOKENS.HttpAppOptions).toConstantValue({});
  bind<HttpApp>(TOKENS.HttpApp)
    .toResolvedValue(
      (logger: Logger, clock: Clock, options: HttpAppOptions) => new HttpApp({ ...options, logger, clock }),
      [TOKENS.AppLogger, TOKENS.Clock, TOKENS.HttpAppOptions],
    )
    .inSingletonScope();
  bind<FramedEchoAppOptions>(TOKENS.FramedEchoAppOptions).toConstantValue({});
  bind<FramedEchoApp>(TOKENS.FramedEchoApp)
    .toResolvedValue(
      (logger: Logger, clock: Clock, options: FramedEchoAppOptions) =>
        new FramedEchoApp({ ...options, logger, clock }),
      [TOKENS.AppLogger, TOKENS.Clock, TOKENS.FramedEchoAppOptions],
    )
    .inSingletonScope();
  bind<StreamTransport>(TOKENS.KernelStreamTransport).toConstantValue(new KernelStreamTransport());
});
