import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { type RandomWords, randomWords } from '../core/random-words.js';
import type { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import { congestionControllerFactoryFor } from '../transport/congestion/congestion-control-by-name.js';
import type { CongestionControllerFactory } from '../transport/congestion/congestion-controller.js';
import { PilhaStreamTransport } from '../transport/socket/pilha-stream-transport.js';
import type { StreamTransport } from '../transport/socket/stream-transport.js';
import {
  DefaultTcpConnectionFactory,
  type TcpConnectionFactory,
} from '../transport/tcp/connection/tcp-connection-factory.js';
import { IsnGenerator, type IsnSource } from '../transport/tcp/isn-generator.js';
import { resolveTcpConfig, type TcpConfig } from '../transport/tcp/tcp-config.js';
import { TcpLayer } from '../transport/tcp/tcp-layer.js';
import { fileTraceSink, JsonLinesTcpTracer } from '../transport/tcp/trace/json-lines-tcp-tracer.js';
import { NO_TCP_TRACER, type TcpTracer } from '../transport/tcp/trace/tcp-tracer.js';
import { ContainerModule } from './inversify.js';
import type { StackConfig } from './stack-config.js';
import { TOKENS } from './tokens.js';

/** `--trace`: a file-writing tracer when StackConfig.traceFile is set, else the no-op one. */
export function traceFileTracer(config: StackConfig, clock: Clock): TcpTracer {
  return config.traceFile === undefined
    ? NO_TCP_TRACER
    : new JsonLinesTcpTracer(clock, fileTraceSink(config.traceFile));
}

/**
 * TCP: its configuration (defaults merged with StackConfig.tcp), the congestion controller factory
 * (the algorithm TcpConfig.congestionControl names, CUBIC by default, unless a caller rebinds it), the tracer
 * (`--trace`), the connection factory, the ISN source, the layer itself (which
 * registers with IP and hears ICMP errors when first resolved) and pilha's StreamTransport over it.
 */
export const tcpModule = new ContainerModule(({ bind }) => {
  bind<TcpConfig>(TOKENS.TcpConfig)
    .toResolvedValue((config: StackConfig) => resolveTcpConfig(config.tcp), [TOKENS.StackConfig])
    .inSingletonScope();
  bind<CongestionControllerFactory>(TOKENS.CongestionControllerFactory)
    .toResolvedValue(
      (config: TcpConfig) =>
        congestionControllerFactoryFor(config.congestionControl, { hystart: config.hystart }),
      [TOKENS.TcpConfig],
    )
    .inSingletonScope();
  // --trace: a file-writing tracer when StackConfig.traceFile is set, else the no-op one.
  bind<TcpTracer>(TOKENS.TcpTracer)
    .toResolvedValue(traceFileTracer, [TOKENS.StackConfig, TOKENS.Clock])
    .inSingletonScope();
  bind<IsnSource>(TOKENS.IsnSource)
    .toResolvedValue((clock: Clock) => new IsnGenerator(clock), [TOKENS.Clock])
    .inSingletonScope();
  bind<RandomWords>(TOKENS.TcpRandom).toConstantValue(randomWords);
  bind<TcpConnectionFactory>(TOKENS.TcpConnectionFactory)
    .toResolvedValue(
      (
        clock: Clock,
        log: Logger,
        config: TcpConfig,
        congestion: CongestionControllerFactory,
        ip: IPLayer,
        tracer: TcpTracer,
      ) => new DefaultTcpConnectionFactory(clock, log, config, congestion, ip, undefined, tracer),
      [
        TOKENS.Clock,
        TOKENS.TcpLogger,
        TOKENS.TcpConfig,
        TOKENS.CongestionControllerFactory,
        TOKENS.IPLayer,
        TOKENS.TcpTracer,
      ],
    )
    .inSingletonScope();
  bind<TcpLayer>(TOKENS.TcpLayer)
    .toResolvedValue(
      (
        ip: IPLayer,
        icmp: IcmpLayer,
        clock: Clock,
        log: Logger,
        config: TcpConfig,
        factory: TcpConnectionFactory,
        isn: IsnSource,
        random: RandomWords,
      ) => {
        const tcp = new TcpLayer(ip, clock, log, config, factory, isn, random);
        icmp.onError((report) => tcp.handleIcmpError(report));
        return tcp;
      },
      [
        TOKENS.IPLayer,
        TOKENS.IcmpLayer,
        TOKENS.Clock,
        TOKENS.TcpLogger,
        TOKENS.TcpConfig,
        TOKENS.TcpConnectionFactory,
        TOKENS.IsnSource,
        TOKENS.TcpRandom,
      ],
    )
    .inSingletonScope();
  bind<StreamTransport>(TOKENS.StreamTransport)
    .toResolvedValue(
      (tcp: TcpLayer, clock: Clock) => new PilhaStreamTransport(tcp, clock),
      [TOKENS.TcpLayer, TOKENS.Clock],
    )
    .inSingletonScope();
});
