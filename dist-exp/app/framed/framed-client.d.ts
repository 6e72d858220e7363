import type { Clock } from '../../core/clock.js';
import type { StreamTransport } from '../../transport/socket/stream-transport.js';
import type { FramedSource } from './framed-message-source.js';
export interface FramedClientOptions {
    /** Give up connecting, or when the connection is idle (nothing sent or received), after this long (default 30 s). */
    readonly timeoutMs?: number;
    /** Called as bytes are handed to the socket, with the total so far (message bytes, headers not counted). */
    readonly onProgress?: (sentBytes: number) => void;
    /** Aborting stops the transfer; send() then rejects with kind 'interrupted'. */
    readonly signal?: AbortSignal;
    readonly clock?: Clock;
}
export type FramedClientFailure = 'connect' | 'refused' | 'mismatch' | 'missing' | 'broken' | 'timeout' | 'source' | 'interrupted';
/** Why a send failed, in one line, and which kind of failure it was. */
export declare class FramedClientError extends Error {
    readonly kind: FramedClientFailure;
    constructor(kind: FramedClientFailure, message: string);
}
export interface FramedSendResult {
    readonly messages: number;
    /** Message bytes sent and confirmed (headers not counted). */
    readonly bytes: number;
    /** SHA-256 of every byte sent, all messages together (for one message: the confirmed hash). */
    readonly sha256: string;
    /** From before connecting to the last confirmation. */
    readonly durationMs: number;
    /** The server's confirmation of each message, in order. */
    readonly confirmations: ReadonlyArray<{
        readonly bytes: number;
        readonly sha256: string;
    }>;
}
/**
 * Stage 1's client, on any StreamTransport: sends a source's messages on one connection (header, then the
 * bytes, hashed as they go), reads one confirmation per message and checks its length and SHA-256 against
 * what was sent. Messages are pipelined: the next one goes out while the previous one's confirmation is on its
 * way. Every failure is a FramedClientError with a one-line message.
 */
export declare class FramedClient {
    private readonly transport;
    private readonly options;
    private readonly clock;
    private readonly timeoutMs;
    constructor(transport: StreamTransport, options?: FramedClientOptions);
    send(host: string, port: number, source: FramedSource): Promise<FramedSendResult>;
    private connect;
}
