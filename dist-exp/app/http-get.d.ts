import { type IncomingHttpHeaders } from 'node:http';
import { Writable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import type { StreamTransport } from '../transport/socket/stream-transport.js';
export interface HttpGetOptions {
    /**
     * Where a 2xx body goes, created once the status is known (so a failed request leaves no file behind).
     * Without it the body is hashed, counted and discarded.
     */
    readonly sink?: () => Writable;
    /** End the sink when the body ends (default true; false for process.stdout). */
    readonly endSink?: boolean;
    /** Give up when connecting takes this long, or when the connection is then idle this long (default 30 s). */
    readonly timeoutMs?: number;
    /** Give up when the whole request (connecting, response, body) takes longer than this (default: no limit). */
    readonly maxTimeMs?: number;
    readonly clock?: Clock;
    readonly headers?: Readonly<Record<string, string>>;
    /** Called as the body arrives: bytes so far, and the Content-Length when the server sent one. */
    readonly onProgress?: (bytes: number, total: number | undefined) => void;
}
export interface HttpGetResult {
    readonly status: number;
    readonly statusText: string;
    readonly ok: boolean;
    readonly headers: IncomingHttpHeaders;
    /** Body bytes received (for a non-2xx status: read and discarded). */
    readonly bytes: number;
    /** From the start of the connection to the end of the body. */
    readonly durationMs: number;
    /** SHA-256 of the body, hex. */
    readonly sha256: string;
}
/**
 * One GET with node:http's client over any StreamTransport: the request's socket is the one
 * `transport.connect` opens (no agent, so the connection closes after the response). Resolves with the
 * status, size, time and SHA-256 of the body; rejects on a connection error, a timeout, or a body cut
 * short of its Content-Length.
 */
export declare function httpGet(transport: StreamTransport, target: string | URL, options?: HttpGetOptions): Promise<HttpGetResult>;
/** The body's destination failed (disk full, a closed pipe): a local error, not the connection's. */
export declare class SinkError extends Error {
    readonly cause: Error;
    /** Body bytes received when it failed. */
    readonly bytes: number;
    constructor(cause: Error, 
    /** Body bytes received when it failed. */
    bytes: number);
}
/** One line for people: status, bytes, time, rate and digest. */
export declare function formatHttpGetResult(result: HttpGetResult): string;
