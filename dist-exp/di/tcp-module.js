import { ContainerModule } from 'inversify';
import { randomWords } from '../core/random-words.js';
import { congestionControllerFactoryFor } from '../transport/congestion/congestion-control-by-name.js';
import { PilhaStreamTransport } from '../transport/socket/pilha-stream-transport.js';
import { DefaultTcpConnectionFactory, } from '../transport/tcp/connection/tcp-connection-factory.js';
import { IsnGenerator } from '../transport/tcp/isn-generator.js';
import { resolveTcpConfig } from '../transport/tcp/tcp-config.js';
import { TcpLayer } from '../transport/tcp/tcp-layer.js';
import { fileTraceSink, JsonLinesTcpTracer } from '../transport/tcp/trace/json-lines-tcp-tracer.js';
import { NO_TCP_TRACER } from '../transport/tcp/trace/tcp-tracer.js';
import { TOKENS } from './tokens.js';
/**
 * TCP: its configuration (defaults merged with StackConfig.tcp), the congestion controller factory
 * (the algorithm TcpConfig.congestionControl names, CUBIC by default, unless a caller rebinds it), the tracer
 * (`--trace`), the connection factory, the ISN source, the layer itself (which
 * registers with IP and hears ICMP errors when first resolved) and pilha's StreamTransport over it.
 */
export const tcpModule = new ContainerModule(({ bind }) => {
    bind(TOKENS.TcpConfig)
        .toResolvedValue((config) => resolveTcpConfig(config.tcp), [TOKENS.StackConfig])
        .inSingletonScope();
    bind(TOKENS.CongestionControllerFactory)
        .toResolvedValue((config) => congestionControllerFactoryFor(config.congestionControl, { hystart: config.hystart }), [TOKENS.TcpConfig])
        .inSingletonScope();
    // --trace: a file-writing tracer when StackConfig.traceFile is set, else the no-op one.
    bind(TOKENS.TcpTracer)
        .toResolvedValue((config, clock) => config.traceFile === undefined
        ? NO_TCP_TRACER
        : new JsonLinesTcpTracer(clock, fileTraceSink(config.traceFile)), [TOKENS.StackConfig, TOKENS.Clock])
        .inSingletonScope();
    bind(TOKENS.IsnSource)
        .toResolvedValue((clock) => new IsnGenerator(clock), [TOKENS.Clock])
        .inSingletonScope();
    bind(TOKENS.TcpRandom).toConstantValue(randomWords);
    bind(TOKENS.TcpConnectionFactory)
        .toResolvedValue((clock, log, config, congestion, ip, tracer) => new DefaultTcpConnectionFactory(clock, log, config, congestion, ip, undefined, tracer), [
        TOKENS.Clock,
        TOKENS.TcpLogger,
        TOKENS.TcpConfig,
        TOKENS.CongestionControllerFactory,
        TOKENS.IPLayer,
        TOKENS.TcpTracer,
    ])
        .inSingletonScope();
    bind(TOKENS.TcpLayer)
        .toResolvedValue((ip, icmp, clock, log, config, factory, isn, random) => {
        const tcp = new TcpLayer(ip, clock, log, config, factory, isn, random);
        icmp.onError((report) => tcp.handleIcmpError(report));
        return tcp;
    }, [
        TOKENS.IPLayer,
        TOKENS.IcmpLayer,
        TOKENS.Clock,
        TOKENS.TcpLogger,
        TOKENS.TcpConfig,
        TOKENS.TcpConnectionFactory,
        TOKENS.IsnSource,
        TOKENS.TcpRandom,
    ])
        .inSingletonScope();
    bind(TOKENS.StreamTransport)
        .toResolvedValue((tcp, clock) => new PilhaStreamTransport(tcp, clock), [TOKENS.TcpLayer, TOKENS.Clock])
        .inSingletonScope();
});
//# sourceMappingURL=tcp-module.js.map