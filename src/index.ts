/**
 * pilha's public API: `import { ... } from 'pilha'`. Everything a program needs to build a stack, put it on
 * a link and run applications over it: compositions (build*Stack, createStackContainer) and config
 * (stackConfig, StackConfig and its defaults), links (MemoryLink, TunLink, RawSocketLink, and the ImpairedLink and PcapLink
 * decorators), clocks, transports and sockets (PilhaStreamTransport, KernelStreamTransport, TcpSocket,
 * TcpServer), applications (HttpApp, httpGet, Pinger, FramedEchoApp, FramedClient), addresses, loggers and errors. The modules behind these
 * names are internal and may move; the container's TOKENS are here for resolving parts of a composition.
 */
import 'reflect-metadata';

export * from './app/framed/index.js';
export {
  type ConnectionSummary,
  HttpApp,
  type HttpAppOptions,
  type HttpTotals,
} from './app/http-app.js';
export {
  formatHttpGetResult,
  type HttpGetOptions,
  type HttpGetResult,
  httpGet,
  type ImmediateSink,
} from './app/http-get.js';
export {
  formatPingError,
  formatPingReply,
  formatPingSummary,
  type PingError,
  Pinger,
  type PingOptions,
  type PingReply,
  type PingSummary,
} from './app/pinger.js';
export type { Clock, Timer } from './core/clock.js';
export { PilhaError, type PilhaErrorCode } from './core/errors.js';
export { formatIpv4, type Ipv4Address, parseIpv4 } from './core/ipv4-address.js';
export { LayerLoggers, type LogSpec, parseLogSpec, silentLoggers } from './core/logger.js';
export { SystemClock } from './core/system-clock.js';
export { VirtualClock } from './core/virtual-clock.js';
export {
  type AppStack,
  buildFramedStack,
  buildHttpStack,
  buildNetworkStack,
  buildPingStack,
  buildTcpStack,
  createStackContainer,
  type FramedStack,
  type HttpStack,
  type NetworkStack,
  type ServingApp,
  type StackOverrides,
  type TcpStack,
} from './di/compositions.js';
export { type StackConfigOptions, stackConfig } from './di/config-defaults.js';
// The inversify that createStackContainer's containers are made with (in dist/, a bundle of it): a container
// of the inversify package a caller installed cannot be their parent or child (inversify 8 reads its own
// classes' private fields across them). Its modules load into them either way.
export { Container, ContainerModule } from './di/inversify.js';
export {
  DEFAULT_MTU,
  DEFAULT_REASSEMBLY_MAX_BYTES,
  DEFAULT_REASSEMBLY_TIMEOUT_MS,
  type ProvidedLinkConfig,
  type RawLinkConfig,
  type StackConfig,
  type TunLinkConfig,
} from './di/stack-config.js';
export { TOKENS } from './di/tokens.js';
export type { EchoReply, IcmpLayer } from './layers/icmp/icmp-layer.js';
export type { IPLayer } from './layers/ip/ip-layer.js';
export type { ReassemblyInfo } from './layers/ip/reassembler.js';
export { type ImpairedDirection, ImpairedLink } from './layers/link/decorators/impaired-link.js';
export { type Impairment, NO_IMPAIRMENT, parseImpairment } from './layers/link/decorators/impairment.js';
export { PcapLink } from './layers/link/decorators/pcap-link.js';
export { PcapWriter, type PcapWriterOptions } from './layers/link/decorators/pcap-writer.js';
export { MemoryLink } from './layers/link/memory-link.js';
export type { RawLink } from './layers/link/raw-link.js';
export { RawSocketLink, type RawSocketLinkOptions } from './layers/link/raw-socket/raw-socket-link.js';
export { TunLink, type TunLinkOptions } from './layers/link/tun/tun-link.js';
export { KernelStreamTransport } from './transport/socket/kernel-stream-transport.js';
export { PilhaStreamTransport } from './transport/socket/pilha-stream-transport.js';
export type {
  StreamServer,
  StreamServerOptions,
  StreamSocket,
  StreamTransport,
} from './transport/socket/stream-transport.js';
export { TcpServer } from './transport/socket/tcp-server.js';
export { type InPlaceReader, TcpSocket } from './transport/socket/tcp-socket.js';
export type { TcpConnectionStats } from './transport/tcp/connection/tcp-connection-types.js';
export { isImmutable, markImmutable } from './transport/tcp/send/immutable-bytes.js';
export { DEFAULT_TCP_CONFIG, type TcpConfig } from './transport/tcp/tcp-config.js';
export type { TcpLayer } from './transport/tcp/tcp-layer.js';
