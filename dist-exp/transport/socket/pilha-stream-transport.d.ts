/**
 * StreamTransport over pilha's own TCP: servers are TcpServers, connections TcpSockets. Hosts are IPv4
 * addresses in dotted form (pilha resolves no names).
 */
import type { Clock } from '../../core/clock.js';
import type { TcpLayer } from '../tcp/tcp-layer.js';
import type { StreamTransport } from './stream-transport.js';
import { TcpServer, type TcpServerOptions } from './tcp-server.js';
import { TcpSocket } from './tcp-socket.js';
export interface PilhaTransportOptions {
    /** For accepted and opened sockets alike; default false, as net. */
    readonly allowHalfOpen?: boolean;
}
export declare class PilhaStreamTransport implements StreamTransport {
    readonly tcp: TcpLayer;
    private readonly clock;
    private readonly options;
    readonly name: "pilha";
    constructor(tcp: TcpLayer, clock: Clock, options?: PilhaTransportOptions);
    createServer(onConnection: (socket: TcpSocket) => void, options?: TcpServerOptions): TcpServer;
    /** Opens a connection; resolves on 'connect', rejects with its error (ECONNREFUSED, ETIMEDOUT...). */
    connect(host: string, port: number): Promise<TcpSocket>;
    /** As net.createConnection: the socket at once, still connecting ('connect' follows). */
    createConnection(port: number, host: string): TcpSocket;
}
