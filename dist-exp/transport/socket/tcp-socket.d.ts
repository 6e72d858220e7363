/**
 * A pilha TCP connection as a `net.Socket`-like Duplex, close enough that node:http's server and client
 * run on it unchanged: 'connect'/'ready', 'data'/'end' (allowHalfOpen as in net), 'drain', 'timeout',
 * 'close' with hadError, errors with a `code` (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE), addresses and
 * ports, bytesRead/bytesWritten, setNoDelay/setKeepAlive/setTimeout, ref/unref, address().
 *
 * Receive backpressure: the socket pulls chunks from the connection only while its readable side wants
 * them (push() returned true); what it leaves in the connection keeps the advertised window closed until
 * _read() asks for more. Send backpressure: a write is taken whole into the connection's send queue and
 * its callback held while the queue is at capacity, so write() returns false once the queue is full and
 * 'drain' follows when ACKs make room. The chunk is queued by reference, not copied: what TCP sends at
 * once in a super-segment (a link with segmentation offload) is copied only into it, which the queue keeps
 * for retransmission; whatever of the writer's bytes is still queued is copied just before the callback
 * runs (adoptWritten), since, as with net.Socket, the writer may reuse its buffer once the callback has run,
 * long before the bytes are acknowledged (or even sent). A writer that stays ahead of the network (a bulk
 * download, whose queue always holds unsent bytes) thus still pays one copy; one that TCP keeps up with
 * (request and response) pays none.
 *
 * end() queues a FIN after all written data (never a RST). destroy() is close(2): the connection finishes
 * its close in the background (FIN after what was queued), unless data that came in was never read, which
 * resets it, as the kernel does; resetAndDestroy() sends a RST on purpose. destroy() of a closed connection
 * sends nothing.
 */
import { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import type { TcpConnection } from '../tcp/connection/tcp-connection.js';
import type { TcpConnectionHandler, TcpConnectionStats } from '../tcp/connection/tcp-connection-types.js';
import type { StreamSocket } from './stream-transport.js';
export interface TcpSocketOptions {
    /** Where the idle timeout (setTimeout) takes its time from. */
    readonly clock: Clock;
    /** As in net: when false (the default) the socket ends its writable side when the peer's FIN is read. */
    readonly allowHalfOpen?: boolean;
}
type WriteCallback = (error?: Error | null) => void;
export declare class TcpSocket extends Duplex implements StreamSocket {
    readonly remoteAddress: string | undefined;
    readonly remotePort: number | undefined;
    readonly localAddress: string | undefined;
    readonly localPort: number | undefined;
    readonly remoteFamily = "IPv4";
    bytesRead: number;
    private written;
    private connection;
    /** The last connection, kept for stats() after close. */
    private readonly origin;
    private reading;
    private eofPushed;
    private pendingWrite;
    private isConnecting;
    private readonly clock;
    private idleMs;
    private idleTimer;
    private lastActivity;
    private readonly handler;
    /**
     * Wraps `connection`; or, given a function, calls it with the socket's handler to open the connection
     * (so that no event of a connection whose SYN is already out can be missed).
     */
    constructor(connection: TcpConnection | ((handler: TcpConnectionHandler) => TcpConnection), options: TcpSocketOptions);
    get connecting(): boolean;
    get pending(): boolean;
    get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed';
    get bytesWritten(): number;
    /** The TCP state of the connection, by its RFC name. */
    get tcpState(): string;
    /** What `ss -ti` would show for this connection. */
    stats(): TcpConnectionStats;
    address(): {
        address: string;
        family: string;
        port: number;
    } | Record<string, never>;
    setNoDelay(noDelay?: boolean): this;
    setKeepAlive(enable?: boolean, initialDelay?: number): this;
    /** Emits 'timeout' after `timeout` ms without data in or out (0 turns it off), as net.Socket does. */
    setTimeout(timeout: number, callback?: () => void): this;
    ref(): this;
    unref(): this;
    /** As net.Socket: end, then destroy once everything written has been handed over. */
    destroySoon(): void;
    /** RST now, whatever was written (net's resetAndDestroy). */
    resetAndDestroy(): this;
    _read(): void;
    _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void;
    _writev(chunks: Array<{
        chunk: Buffer;
        encoding: BufferEncoding;
    }>, callback: WriteCallback): void;
    _final(callback: (error?: Error | null) => void): void;
    _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
    private connected;
    /** Moves in-order data into the readable side while it wants more; then the EOF once the FIN is read. */
    private pull;
    private resumeWriter;
    private connectionClosed;
    /** Activity: restarts the idle period (the timer itself is re-armed lazily, at most once per period). */
    private touch;
    private readonly onIdleTimer;
}
export {};
