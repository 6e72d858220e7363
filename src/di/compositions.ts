import 'reflect-metadata';
import type { FramedEchoApp, FramedEchoAppOptions } from '../app/framed/framed-echo-app.js';
import type { HttpApp, HttpAppOptions } from '../app/http-app.js';
import type { Pinger } from '../app/pinger.js';
import type { Clock } from '../core/clock.js';
import type { LayerLoggers } from '../core/logger.js';
import { EthernetLayer } from '../layers/ethernet/ethernet-layer.js';
import type { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import type { RawLink } from '../layers/link/raw-link.js';
import type { CongestionControllerFactory } from '../transport/congestion/congestion-controller.js';
import type { PilhaStreamTransport } from '../transport/socket/pilha-stream-transport.js';
import type { StreamTransport } from '../transport/socket/stream-transport.js';
import type { TcpLayer } from '../transport/tcp/tcp-layer.js';
import type { TcpTracer } from '../transport/tcp/trace/tcp-tracer.js';
import { appModule } from './app-module.js';
import { coreModule } from './core-module.js';
import { ethernetModule } from './ethernet-module.js';
import { icmpModule } from './icmp-module.js';
import { Container } from './inversify.js';
import { ipModule } from './ip-module.js';
import { linkModule } from './link-module.js';
import type { StackConfig } from './stack-config.js';
import { tcpModule, traceFileTracer } from './tcp-module.js';
import { TOKENS } from './tokens.js';

/** Bindings a caller puts in place of the defaults: a MemoryLink end, a VirtualClock, silent loggers... */
export interface StackOverrides {
  readonly baseLink?: RawLink;
  readonly clock?: Clock;
  readonly loggers?: LayerLoggers;
  /** The congestion control algorithm under test; wins over StackConfig.tcp.congestionControl. */
  readonly congestionControllerFactory?: CongestionControllerFactory;
  /** Wraps the tracer the configuration gives (`--trace`'s, or the no-op one): the dashboard's tap. */
  readonly wrapTcpTracer?: (tracer: TcpTracer) => TcpTracer;
}

/** One container holding every layer's module; compositions differ only in what they resolve from it. */
export function createStackContainer(config: StackConfig, overrides: StackOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<StackConfig>(TOKENS.StackConfig).toConstantValue(config);
  container.load(coreModule, linkModule, ethernetModule, ipModule, icmpModule, tcpModule, appModule);
  if (overrides.baseLink !== undefined)
    container.rebind<RawLink>(TOKENS.BaseLink).toConstantValue(overrides.baseLink);
  if (overrides.clock !== undefined) container.rebind<Clock>(TOKENS.Clock).toConstantValue(overrides.clock);
  if (overrides.loggers !== undefined)
    container.rebind<LayerLoggers>(TOKENS.Loggers).toConstantValue(overrides.loggers);
  if (overrides.congestionControllerFactory !== undefined) {
    container
      .rebind<CongestionControllerFactory>(TOKENS.CongestionControllerFactory)
      .toConstantValue(overrides.congestionControllerFactory);
  }
  const wrap = overrides.wrapTcpTracer;
  if (wrap !== undefined) {
    container
      .rebind<TcpTracer>(TOKENS.TcpTracer)
      .toResolvedValue(
        (config: StackConfig, clock: Clock) => wrap(traceFileTracer(config, clock)),
        [TOKENS.StackConfig, TOKENS.Clock],
      )
      .inSingletonScope();
  }
  return container;
}

/** The network part every demo shares: link, IPv4 and ICMP (so pilha always answers pings). */
export interface NetworkStack {
  readonly container: Container;
  /** What the IP layer sends on: the device link, or the EthernetLayer over it. */
  readonly link: RawLink;
  /** The Ethernet layer with ARP, when the device's medium is Ethernet (its `arpCache()`, its stats). */
  readonly ethernet?: EthernetLayer;
  readonly ip: IPLayer;
  readonly icmp: IcmpLayer;
  readonly clock: Clock;
  readonly loggers: LayerLoggers;
  close(): Promise<void>;
}

export async function buildNetworkStack(
  config: StackConfig,
  overrides: StackOverrides = {},
): Promise<NetworkStack> {
  const container = createStackContainer(config, overrides);
  const link = await container.getAsync<RawLink>(TOKENS.RawLink);
  const ip = await container.getAsync<IPLayer>(TOKENS.IPLayer);
  const icmp = await container.getAsync<IcmpLayer>(TOKENS.IcmpLayer);
  return {
    container,
    link,
    ...(link instanceof EthernetLayer ? { ethernet: link } : {}),
    ip,
    icmp,
    clock: container.get<Clock>(TOKENS.Clock),
    loggers: container.get<LayerLoggers>(TOKENS.Loggers),
    close: () => ip.close(),
  };
}

/** Stage 3: the network stack plus the Pinger. */
export async function buildPingStack(
  config: StackConfig,
  overrides: StackOverrides = {},
): Promise<NetworkStack & { readonly pinger: Pinger }> {
  const stack = await buildNetworkStack(config, overrides);
  return { ...stack, pinger: await stack.container.getAsync<Pinger>(TOKENS.Pinger) };
}

/** A stack with pilha's TCP: the network stack, the TCP layer, and the StreamTransport over it. */
export interface TcpStack extends NetworkStack {
  readonly tcp: TcpLayer;
  readonly transport: PilhaStreamTransport;
}

/** Stage 2 (and the framed demo on pilha TCP): the network stack plus TCP and its StreamTransport. */
export async function buildTcpStack(config: StackConfig, overrides: StackOverrides = {}): Promise<TcpStack> {
  const stack = await buildNetworkStack(config, overrides);
  const tcp = await stack.container.getAsync<TcpLayer>(TOKENS.TcpLayer);
  const transport = await stack.container.getAsync<PilhaStreamTransport>(TOKENS.StreamTransport);
  const tracer = stack.container.get<TcpTracer>(TOKENS.TcpTracer);
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

/** An application that listens on a StreamTransport: HttpApp, FramedEchoApp. */
export interface ServingApp {
  /** Stops accepting and resolves once every connection has closed and been logged. */
  close(): Promise<void>;
  /** What it served, summed over its connections (the same numbers as its connection log). */
  totals(): object;
}

/** An app over pilha's TCP on the configured link, or over the kernel's TCP (then no link is ever opened). */
export interface AppStack<A extends ServingApp> {
  readonly app: A;
  readonly transport: StreamTransport;
  /** Present when the app runs on pilha's TCP. */
  readonly tcpStack?: TcpStack;
  readonly loggers: LayerLoggers;
  close(): Promise<void>;
}

/** Which app to resolve from the container, and the options it is given. */
interface AppBinding<O> {
  readonly appToken: symbol;
  readonly optionsToken: symbol;
  readonly options: O;
}

/**
 * The one way an app stack is built: the same container, the app's options bound, and only the transport
 * differing between the kernel's TCP and pilha's.
 */
async function buildAppStack<A extends ServingApp, O>(
  config: StackConfig,
  transport: 'pilha' | 'kernel',
  binding: AppBinding<O>,
  overrides: StackOverrides,
): Promise<AppStack<A>> {
  if (transport === 'kernel') {
    const container = createStackContainer(config, overrides);
    container.rebind<O>(binding.optionsToken).toConstantValue(binding.options);
    const app = container.get<A>(binding.appToken);
    return {
      app,
      transport: container.get<StreamTransport>(TOKENS.KernelStreamTransport),
      loggers: container.get<LayerLoggers>(TOKENS.Loggers),
      close: () => app.close(),
    };
  }
  const tcpStack = await buildTcpStack(config, overrides);
  tcpStack.container.rebind<O>(binding.optionsToken).toConstantValue(binding.options);
  const app = tcpStack.container.get<A>(binding.appToken);
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

/** Stage 2: HttpApp over pilha's TCP on the configured link, or over the kernel's TCP for comparison. */
export type HttpStack = AppStack<HttpApp>;

export function buildHttpStack(
  config: StackConfig,
  options: { readonly transport: 'pilha' | 'kernel'; readonly app?: HttpAppOptions },
  overrides: StackOverrides = {},
): Promise<HttpStack> {
  return buildAppStack<HttpApp, HttpAppOptions>(
    config,
    options.transport,
    { appToken: TOKENS.HttpApp, optionsToken: TOKENS.HttpAppOptions, options: options.app ?? {} },
    overrides,
  );
}

/** Stage 1: FramedEchoApp over pilha's TCP on the configured link, or over the kernel's TCP. */
export type FramedStack = AppStack<FramedEchoApp>;

export function buildFramedStack(
  config: StackConfig,
  options: { readonly transport: 'pilha' | 'kernel'; readonly app?: FramedEchoAppOptions },
  overrides: StackOverrides = {},
): Promise<FramedStack> {
  return buildAppStack<FramedEchoApp, FramedEchoAppOptions>(
    config,
    options.transport,
    { appToken: TOKENS.FramedEchoApp, optionsToken: TOKENS.FramedEchoAppOptions, options: options.app ?? {} },
    overrides,
  );
}
