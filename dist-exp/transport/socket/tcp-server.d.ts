/**
 * A listening pilha TCP port as a `net.Server`-like EventEmitter: 'listening', 'connection' (a
 * TcpSocket), 'close' (once stopped and every connection it accepted has closed), 'error'.
 *
 * The TCP layer puts established connections in the listener's accept queue and calls back from the
 * packet path; the server drains the queue on the next tick, so the application's 'connection' handler
 * never runs inside segment processing, and data that came with the handshake waits in the connection
 * until the socket reads it.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import type { TcpLayer } from '../tcp/tcp-layer.js';
import type { StreamServer } from './stream-transport.js';
import { TcpSocket } from './tcp-socket.js';
export interface TcpServerOptions {
    /** As net.createServer's: sockets keep their writable side open after the peer's FIN. */
    readonly allowHalfOpen?: boolean;
    /** Accept queue length; the TCP configuration's backlog when absent. */
    readonly backlog?: number;
    /** setNoDelay on every accepted socket (node:http's servers ask for it). */
    readonly noDelay?: boolean;
}
export declare class TcpServer extends EventEmitter implements StreamServer {
    private readonly tcp;
    private readonly clock;
    private readonly options;
    private listener;
    private readonly sockets;
    private acceptScheduled;
    private closing;
    private closeWaiters;
    constructor(tcp: TcpLayer, clock: Clock, options?: TcpServerOptions, onConnection?: (socket: TcpSocket) => void);
    /**
     * Listens on `port` (0 picks an ephemeral one); `host`, if given, must be the stack's address or
     * 0.0.0.0. Rejects with EADDRINUSE or EBADADDR, and then also emits 'error' if anyone listens for it.
     */
    listen(port: number, host?: string): Promise<void>;
    get port(): number;
    get listening(): boolean;
    address(): {
        address: string;
        family: string;
        port: number;
    } | null;
    /** Connections accepted and not yet closed. */
    get connectionCount(): number;
    /**
     * Stops listening (connections still in the accept queue are reset); resolves, and emits 'close',
     * once every accepted connection has closed, as net.Server.close does.
     */
    close(): Promise<void>;
    ref(): this;
    unref(): this;
    private readonly scheduleAccept;
    private readonly drainAccept;
    private maybeClosed;
}
