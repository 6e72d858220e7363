import 'reflect-metadata';
import { Container } from 'inversify';
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
import type { StackConfig } from './stack-config.js';
/** Bindings a caller puts in place of the defaults: a MemoryLink end, a VirtualClock, silent loggers... */
export interface StackOverrides {
    readonly baseLink?: RawLink;
    readonly clock?: Clock;
    readonly loggers?: LayerLoggers;
    /** The congestion control algorithm under test; wins over StackConfig.tcp.congestionControl. */
    readonly congestionControllerFactory?: CongestionControllerFactory;
}
/** One container holding every layer's module; compositions differ only in what they resolve from it. */
export declare function createStackContainer(config: StackConfig, overrides?: StackOverrides): Container;
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
export declare function buildNetworkStack(config: StackConfig, overrides?: StackOverrides): Promise<NetworkStack>;
/** Stage 3: the network stack plus the Pinger. */
export declare function buildPingStack(config: StackConfig, overrides?: StackOverrides): Promise<NetworkStack & {
    readonly pinger: Pinger;
}>;
/** A stack with pilha's TCP: the network stack, the TCP layer, and the StreamTransport over it. */
export interface TcpStack extends NetworkStack {
    readonly tcp: TcpLayer;
    readonly transport: PilhaStreamTransport;
}
/** Stage 2 (and the framed demo on pilha TCP): the network stack plus TCP and its StreamTransport. */
export declare function buildTcpStack(config: StackConfig, overrides?: StackOverrides): Promise<TcpStack>;
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
/** Stage 2: HttpApp over pilha's TCP on the configured link, or over the kernel's TCP for comparison. */
export type HttpStack = AppStack<HttpApp>;
export declare function buildHttpStack(config: StackConfig, options: {
    readonly transport: 'pilha' | 'kernel';
    readonly app?: HttpAppOptions;
}, overrides?: StackOverrides): Promise<HttpStack>;
/** Stage 1: FramedEchoApp over pilha's TCP on the configured link, or over the kernel's TCP. */
export type FramedStack = AppStack<FramedEchoApp>;
export declare function buildFramedStack(config: StackConfig, options: {
    readonly transport: 'pilha' | 'kernel';
    readonly app?: FramedEchoAppOptions;
}, overrides?: StackOverrides): Promise<FramedStack>;
