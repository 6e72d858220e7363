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
export { HttpApp, } from './app/http-app.js';
export { formatHttpGetResult, httpGet } from './app/http-get.js';
export { formatPingReply, formatPingSummary, Pinger, } from './app/pinger.js';
export { PilhaError } from './core/errors.js';
export { formatIpv4, parseIpv4 } from './core/ipv4-address.js';
export { LayerLoggers, parseLogSpec, silentLoggers } from './core/logger.js';
export { SystemClock } from './core/system-clock.js';
export { VirtualClock } from './core/virtual-clock.js';
export { buildFramedStack, buildHttpStack, buildNetworkStack, buildPingStack, buildTcpStack, createStackContainer, } from './di/compositions.js';
export { stackConfig } from './di/config-defaults.js';
export { DEFAULT_MTU, DEFAULT_REASSEMBLY_MAX_BYTES, DEFAULT_REASSEMBLY_TIMEOUT_MS, } from './di/stack-config.js';
export { TOKENS } from './di/tokens.js';
export { ImpairedLink } from './layers/link/decorators/impaired-link.js';
export { NO_IMPAIRMENT, parseImpairment } from './layers/link/decorators/impairment.js';
export { PcapLink } from './layers/link/decorators/pcap-link.js';
export { PcapWriter } from './layers/link/decorators/pcap-writer.js';
export { MemoryLink } from './layers/link/memory-link.js';
export { RawSocketLink } from './layers/link/raw-socket/raw-socket-link.js';
export { TunLink } from './layers/link/tun/tun-link.js';
export { KernelStreamTransport } from './transport/socket/kernel-stream-transport.js';
export { PilhaStreamTransport } from './transport/socket/pilha-stream-transport.js';
export { TcpServer } from './transport/socket/tcp-server.js';
export { TcpSocket } from './transport/socket/tcp-socket.js';
export { DEFAULT_TCP_CONFIG } from './transport/tcp/tcp-config.js';
//# sourceMappingURL=index.js.map