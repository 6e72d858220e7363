import 'reflect-metadata';
import { Container } from 'inversify';
import { EthernetLayer } from '../layers/ethernet/ethernet-layer.js';
import { appModule } from './app-module.js';
import { coreModule } from './core-module.js';
import { ethernetModule } from './ethernet-module.js';
import { icmpModule } from './icmp-module.js';
import { ipModule } from './ip-module.js';
import { linkModule } from './link-module.js';
import { tcpModule } from './tcp-module.js';
import { TOKENS } from './tokens.js';
/** One container holding every layer's module; compositions differ only in what they resolve from it. */
export function createStackContainer(config, overrides = {}) {
    const container = new Container({ defaultScope: 'Singleton' });
    container.bind(TOKENS.StackConfig).toConstantValue(config);
    container.load(coreModule, linkModule, ethernetModule, ipModule, icmpModule, tcpModule, appModule);
    if (overrides.baseLink !== undefined)
        container.rebind(TOKENS.BaseLink).toConstantValue(overrides.baseLink);
    if (overrides.clock !== undefined)
        container.rebind(TOKENS.Clock).toConstantValue(overrides.clock);
    if (overrides.loggers !== undefined)
        container.rebind(TOKENS.Loggers).toConstantValue(overrides.loggers);
    if (overrides.congestionControllerFactory !== undefined) {
        container
            .rebind(TOKENS.CongestionControllerFactory)
            .toConstantValue(overrides.congestionControllerFactory);
    }
    return container;
}
export async function buildNetworkStack(config, overrides = {}) {
    const container = createStackContainer(config, overrides);
    const link = await container.getAsync(TOKENS.RawLink);
    const ip = await container.getAsync(TOKENS.IPLayer);
    const icmp = await container.getAsync(TOKENS.IcmpLayer);
    return {
        container,
        link,
        ...(link instanceof EthernetLayer ? { ethernet: link } : {}),
        ip,
        icmp,
        clock: container.get(TOKENS.Clock),
        loggers: container.get(TOKENS.Loggers),
        close: () => ip.close(),
    };
}
/** Stage 3: the network stack plus the Pinger. */
export async function buildPingStack(config, overrides = {}) {
    const stack = await buildNetworkStack(config, overrides);
    return { ...stack, pinger: await stack.container.getAsync(TOKENS.Pinger) };
}
/** Stage 2 (and the framed demo on pilha TCP): the network stack plus TCP and its StreamTransport. */
export async function buildTcpStack(config, overrides = {}) {
    const stack = await buildNetworkStack(config, overrides);
    const tcp = await stack.container.getAsync(TOKENS.TcpLayer);
    const transport = await stack.container.getAsync(TOKENS.StreamTransport);
    const tracer = stack.container.get(TOKENS.TcpTracer);
    return {
        ...stack,
        tcp,
        transport,
        close: async () => {
            tcp.close();
            tracer.close(); // after the connections' last records
            await stack.close();
        },
    };
}
/**
 * The one way an app stack is built: the same container, the app's options bound, and only the transport
 * differing between the kernel's TCP and pilha's.
 */
async function buildAppStack(config, transport, binding, overrides) {
    if (transport === 'kernel') {
        const container = createStackContainer(config, overrides);
        container.rebind(binding.optionsToken).toConstantValue(binding.options);
        const app = container.get(binding.appToken);
        return {
            app,
            transport: container.get(TOKENS.KernelStreamTransport),
            loggers: container.get(TOKENS.Loggers),
            close: () => app.close(),
        };
    }
    const tcpStack = await buildTcpStack(config, overrides);
    tcpStack.container.rebind(binding.optionsToken).toConstantValue(binding.options);
    const app = tcpStack.container.get(binding.appToken);
    return {
        app,
        transport: tcpStack.transport,
        tcpStack,
        loggers: tcpStack.loggers,
        close: async () => {
            await app.close();
            await tcpStack.close();
        },
    };
}
export function buildHttpStack(config, options, overrides = {}) {
    return buildAppStack(config, options.transport, { appToken: TOKENS.HttpApp, optionsToken: TOKENS.HttpAppOptions, options: options.app ?? {} }, overrides);
}
export function buildFramedStack(config, options, overrides = {}) {
    return buildAppStack(config, options.transport, { appToken: TOKENS.FramedEchoApp, optionsToken: TOKENS.FramedEchoAppOptions, options: options.app ?? {} }, overrides);
}
//# sourceMappingURL=compositions.js.map