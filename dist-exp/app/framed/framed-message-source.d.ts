import type { Readable } from 'node:stream';
/** One message to send: its length (the header) and then exactly that many bytes, in chunks. */
export interface FramedMessage {
    readonly size: number;
    readonly chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}
/**
 * What a client sends: the messages, one after another on one connection, and how many bytes in all when that
 * is known beforehand (a file, a text; not a pipe).
 */
export interface FramedSource {
    readonly totalBytes: number | undefined;
    readonly description: string;
    messages(): AsyncIterable<FramedMessage>;
}
/** Messages a pipe is cut into by default: its length must be known before its header is sent. */
export declare const DEFAULT_STREAM_MESSAGE_BYTES: number;
/** Bytes in memory (a --message text, a test's buffer) as one message, or several of at most `messageSize`. */
export declare function bytesSource(data: Uint8Array, description?: string, messageSize?: number): FramedSource;
/**
 * A file, read as it is sent: one message, or several of at most `messageSize` bytes when it is larger than
 * that (by default, than the 99,999,999 bytes a header can say). Its size is taken when sending starts.
 */
export declare function fileSource(path: string, messageSize?: number): Promise<FramedSource>;
/**
 * A stream of unknown length (standard input, a pipe): read into messages of `messageSize` bytes (the last
 * one shorter), each held in memory only until it is sent, since its length goes first. An empty stream is
 * one empty message.
 */
export declare function streamSource(stream: Readable, description?: string, messageSize?: number): FramedSource;
