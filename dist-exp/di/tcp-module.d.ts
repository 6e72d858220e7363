import { ContainerModule } from 'inversify';
/**
 * TCP: its configuration (defaults merged with StackConfig.tcp), the congestion controller factory
 * (the algorithm TcpConfig.congestionControl names, CUBIC by default, unless a caller rebinds it), the tracer
 * (`--trace`), the connection factory, the ISN source, the layer itself (which
 * registers with IP and hears ICMP errors when first resolved) and pilha's StreamTransport over it.
 */
export declare const tcpModule: ContainerModule;
