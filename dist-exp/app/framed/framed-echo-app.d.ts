import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { StreamServer, StreamSocket, StreamTransport } from '../../transport/socket/stream-transport.js';
export interface FramedEchoAppOptions {
    /** Largest message accepted, in bytes (default and at most 99,999,999: what 8 digits can say). */
    readonly maxSize?: number;
    /** How long a refused connection keeps draining what the client still sends before it is dropped (ms). */
    readonly refusedLingerMs?: number;
    /** The 'app' layer logger; nothing is logged when absent. */
    readonly logger?: Logger;
    /** Where durations come from; real time when absent. */
    readonly clock?: Clock;
    /** Called for every confirmed message (after it is confirmed and logged). */
    readonly onMessage?: (message: FramedMessageRecord) => void;
    /** Called with each connection's summary when it closes. */
    readonly onConnectionClosed?: (summary: FramedConnectionSummary) => void;
}
export interface FramedMessageRecord {
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly bytes: number;
    readonly sha256: string;
    readonly durationMs: number;
}
export interface FramedConnectionSummary {
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly messages: number;
    /** Bytes of confirmed messages (headers not counted). */
    readonly messageBytes: number;
    /** Bytes read from the socket: headers, bodies, and anything after a refusal. */
    readonly bytesReceived: number;
    readonly bytesSent: number;
    /** The message the connection ended inside, if any. */
    readonly incomplete?: {
        readonly got: number;
        readonly of: number;
        readonly inHeader: boolean;
    };
    readonly refused?: string;
    readonly durationMs: number;
}
export interface FramedTotals {
    readonly connections: number;
    readonly activeConnections: number;
    /** Confirmed messages and their bytes. */
    readonly messages: number;
    readonly messageBytes: number;
    /** Connections refused with ERR, and connections that ended inside a message. */
    readonly refused: number;
    readonly incomplete: number;
    /** Socket bytes, closed and open connections together. */
    readonly bytesReceived: number;
    readonly bytesSent: number;
}
/**
 * Stage 1's server, on any StreamTransport (the kernel's TCP or pilha's): each connection carries framed
 * messages — 8 header bytes then exactly that many message bytes — and each whole message is confirmed with
 * `OK <bytes> <sha256>`. A connection may carry several messages one after another (the original's client
 * sends one and closes, which is the one-message case); it ends when the client ends. Connections are served
 * concurrently, each message hashed as it arrives, never held.
 */
export declare class FramedEchoApp {
    private readonly options;
    readonly maxSize: number;
    private readonly logger;
    private readonly clock;
    private readonly lingerMs;
    private readonly active;
    private readonly servers;
    private connections;
    private messages;
    private messageBytes;
    private refused;
    private incomplete;
    private closedBytesReceived;
    private closedBytesSent;
    constructor(options?: FramedEchoAppOptions);
    /** Makes a server on `transport`, listens, and serves every connection. */
    listen(transport: StreamTransport, port: number, host?: string): Promise<StreamServer>;
    handleConnection(socket: StreamSocket): void;
    totals(): FramedTotals;
    /**
     * Stops accepting, drops every open connection, and closes the servers that listen() made. Resolves once
     * every connection has closed and been counted, so totals() read afterwards match the connection log.
     */
    close(): Promise<void>;
    private connectionClosed;
}
