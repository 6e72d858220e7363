/**
 * The TCP layer of a host: registered with the IP layer for protocol 6, it parses every segment
 * (checksum verified; anything malformed dropped and counted by reason, never thrown), finds its
 * connection by the 4-tuple, and otherwise hands a SYN to a listener or answers with RST (RFC 9293
 * §3.10.7.1). It owns the tables: connections per local port keyed by a number (remote address ·
 * 65536 + remote port, no string per packet), listeners with their SYN and accept queues, the bounded
 * TIME_WAIT set, and ephemeral ports for active opens.
 *
 * Call order: IPLayer → onDatagram → parseTcpSegment → demultiplex → TcpConnection.receive, or
 * listenInput (SYN: a new connection from the factory, or a SYN cookie when the SYN queue is full; ACK:
 * a connection rebuilt from its cookie, or RST), or closedInput (RST).
 */
import type { Clock } from '../../core/clock.js';
import { type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { type RandomWords } from '../../core/random-words.js';
import type { IcmpErrorReport } from '../../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../../layers/ip/ip-layer.js';
import type { TcpConnection } from './connection/tcp-connection.js';
import type { TcpConnectionFactory } from './connection/tcp-connection-factory.js';
import { type TcpConnectionHandler, type TcpConnectionObserver, type TcpConnectionStats } from './connection/tcp-connection-types.js';
import { TcpState } from './connection/tcp-state.js';
import type { IsnSource } from './isn-generator.js';
import { TcpListener } from './listen/tcp-listener.js';
import type { TcpConfig } from './tcp-config.js';
/** What the TCP layer needs of the network layer. */
export type TcpIp = Pick<IPLayer, 'address' | 'mtu' | 'registerProtocol' | 'allocateDatagram' | 'sendDatagram'>;
export interface ListenOptions {
    /** Accept queue length (default: config.backlog). */
    readonly backlog?: number;
    /** Called from the packet path when a connection is waiting in the accept queue. */
    readonly onAcceptable: () => void;
}
export interface ConnectOptions {
    /** A fixed local port; an ephemeral one otherwise. */
    readonly localPort?: number;
    /** Attached before the SYN goes out, so no event can be missed. */
    readonly handler?: TcpConnectionHandler;
}
export declare class TcpLayer implements TcpConnectionObserver<TcpConnection> {
    private readonly ip;
    readonly clock: Clock;
    private readonly log;
    readonly config: TcpConfig;
    private readonly factory;
    private readonly isn;
    readonly address: Ipv4Address;
    private readonly ports;
    private readonly counters;
    private readonly closedTotals;
    /** TIME_WAIT connections, oldest first (a Set keeps insertion order). */
    private readonly timeWait;
    private portCursor;
    private closed;
    private readonly cookies;
    constructor(ip: TcpIp, clock: Clock, log: Logger, config: TcpConfig, factory: TcpConnectionFactory, isn: IsnSource, 
    /** Random words: SYN cookie keys, and where the ephemeral port search starts (RFC 6056). */
    random?: RandomWords);
    /** Listens on `port` (0: an ephemeral port). Throws EADDRINUSE if it already has a listener. */
    listen(port: number, options: ListenOptions): TcpListener;
    /** Active open to `remote:remotePort`; the connection is in SYN_SENT when this returns. */
    connect(remote: Ipv4Address, remotePort: number, options?: ConnectOptions): TcpConnection;
    /** Every connection, listeners' pending ones included. */
    connections(): TcpConnection[];
    /** `ss -ti` for every connection. */
    connectionStats(): TcpConnectionStats[];
    /** Layer counters, plus the per-connection counters summed over live and closed connections. */
    stats(): Record<string, number>;
    /** The memory budget's figures (bytes charged to buffers, pressure, writes held, windows clamped). */
    private addMemoryStats;
    /**
     * An ICMP error quoting one of our segments (RFC 5927): port or protocol unreachable while our SYN is
     * unanswered refuses the connection; everything else is counted (soft errors).
     */
    handleIcmpError(report: IcmpErrorReport): void;
    /** Aborts every connection (RST) and closes every listener. */
    close(): void;
    private readonly onDatagram;
    private deliver;
    /** RFC 9293 §3.10.7.2, LISTEN. */
    private listenInput;
    /**
     * An ACK to a listener with no connection for it, while cookies are in use: if it acknowledges a cookie
     * of ours, the connection that SYN would have made is rebuilt, joins the accept queue and takes the
     * segment. Returns false when it is no cookie (the caller resets it); true when the segment was taken,
     * or dropped because the accept queue is full.
     */
    private cookieAck;
    /** RFC 9293 §3.10.7.1, CLOSED: RST for anything but a RST. */
    private closedInput;
    private sendReset;
    onStateChange(connection: TcpConnection, from: TcpState, to: TcpState): void;
    private readonly unbind;
    private create;
    private entry;
    /**
     * An ephemeral port: one with nothing on it if any is left; else, for a connection to `key`, one
     * shared with connections to other peers.
     */
    private ephemeralPort;
    private checkOpen;
}
