import http from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { StreamServer, StreamSocket, StreamTransport } from '../transport/socket/stream-transport.js';
export interface HttpAppOptions {
    /** Serve this directory (GET and HEAD) instead of the built-in routes `/` and `/bytes/N`. */
    readonly root?: string;
    /** The 'app' layer logger; nothing is logged when absent. */
    readonly logger?: Logger;
    /** Where durations come from; real time when absent. */
    readonly clock?: Clock;
    /** Largest N that `/bytes/N` accepts (at most, and by default, 16 GiB). */
    readonly maxBytes?: number;
    /**
     * How much of the `/bytes/N` stream is kept in memory once served (generated once, then sent as views):
     * 128 MiB by default, 0 to generate every chunk per request.
     */
    readonly bytesCacheLimit?: number;
    /**
     * How a closed connection is logged: 'full' (default) one info record with the summary and the socket's
     * stats, for machines (JSON lines); 'line' one short readable message at info (a terminal) and the full
     * record at debug.
     */
    readonly connectionLog?: 'full' | 'line';
    /** Called with each connection's summary when it closes (after it is logged). */
    readonly onConnectionClosed?: (summary: ConnectionSummary) => void;
}
/** One connection's life, logged at info when it closes. */
export interface ConnectionSummary {
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly requests: number;
    readonly bytesSent: number;
    readonly bytesReceived: number;
    readonly durationMs: number;
    /** What the socket's own `stats()` returned, when it has one (pilha's TCP sockets do). */
    readonly stats?: unknown;
}
export interface HttpTotals {
    readonly connections: number;
    readonly activeConnections: number;
    readonly requests: number;
    /** Bytes written to sockets (headers and bodies), closed and open connections together. */
    readonly bytesSent: number;
    readonly bytesReceived: number;
    /** Responses sent in full, by status code. */
    readonly statuses: Readonly<Record<string, number>>;
    /** Requests whose response was cut short or never sent (the client went away, or the app was closed). */
    readonly aborted: number;
}
/** Content-Type for a file name, by extension; application/octet-stream when unknown. */
export declare function contentTypeFor(fileName: string): string;
/** Parses the N of `/bytes/N`: decimal digits only, at most `max`; undefined when malformed. */
export declare function parseByteCount(text: string, max?: number): number | undefined;
/**
 * The stage-2 application: node:http's own server on any StreamTransport. The http.Server never listens
 * itself; the transport's server accepts connections and hands each socket to it, so the same app runs on
 * the kernel's TCP and on pilha's. Keep-alive, pipelining and chunked uploads are node:http's.
 *
 * Routes (GET and HEAD): `/` the course's 12 MB page; `/bytes/N` N deterministic pseudo-random bytes,
 * generated once and then served from memory (DeterministicBytesCache); or, with `root`, the files of a
 * directory.
 */
export declare class HttpApp {
    private readonly options;
    /** The node:http server that parses requests; it never listens on its own. */
    readonly httpServer: http.Server;
    private readonly logger;
    private readonly clock;
    private readonly root;
    private readonly maxBytes;
    private page;
    private readonly bytesCache;
    private readonly active;
    private readonly servers;
    private readonly statuses;
    private connections;
    private requests;
    private aborted;
    private closedBytesSent;
    private closedBytesReceived;
    constructor(options?: HttpAppOptions);
    /** Makes a server on `transport`, listens, and hands every connection to this app. */
    listen(transport: StreamTransport, port: number, host?: string): Promise<StreamServer>;
    /** Hands one connected socket to node:http, and keeps its summary. */
    handleConnection(socket: StreamSocket): void;
    totals(): HttpTotals;
    /**
     * Stops accepting, ends every open connection, and closes the servers that listen() made. Resolves once
     * every connection has closed and been logged, so totals() read afterwards match the connection log.
     */
    close(): Promise<void>;
    private connectionClosed;
    private handleRequest;
    private serveBuiltIn;
    private serveFile;
}
