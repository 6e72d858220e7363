/**
 * The framed protocol's size header (stage 1 of the course, wire-compatible with the original): exactly 8
 * ASCII bytes, the message length in decimal, left-justified and padded with spaces (`16385   `). Pure: bytes
 * in, a value or a reason out; no I/O.
 */
/** The header is always this many bytes. */
export declare const FRAMED_HEADER_BYTES = 8;
/** The largest length 8 decimal digits can say: the protocol's own limit and the server's default maximum. */
export declare const FRAMED_MAX_MESSAGE_BYTES = 99999999;
/** The 8 header bytes for a message of `size` bytes; a size the header cannot say is a RangeError. */
export declare function encodeFramedHeader(size: number): Buffer;
export type FramedHeaderResult = {
    readonly ok: true;
    readonly size: number;
} | {
    readonly ok: false;
    readonly reason: string;
};
/**
 * Reads a complete 8-byte header: one or more digits, then spaces only, and at most `maxSize`. Leading zeros
 * are digits like any other (`00000012` is 12). Never throws; a bad header gives a one-line reason.
 */
export declare function decodeFramedHeader(header: Uint8Array, maxSize?: number): FramedHeaderResult;
/** The header as a quoted ASCII string, anything unprintable as \xNN: safe inside a one-line reply. */
export declare function printable(bytes: Uint8Array): string;
/**
 * Collects the 8 header bytes however TCP splits them across reads: feed() takes what it needs from a chunk
 * and says how much; once `complete`, result() decodes. reset() readies it for the next message.
 */
export declare class FramedHeaderReader {
    private readonly maxSize;
    private readonly bytes;
    private filled;
    constructor(maxSize?: number);
    /** How many header bytes have arrived so far. */
    get received(): number;
    get complete(): boolean;
    /** Copies up to the missing header bytes from `chunk[offset..]`; returns how many it took. */
    feed(chunk: Uint8Array, offset?: number): number;
    /** The decoded header; only meaningful once `complete`. */
    result(): FramedHeaderResult;
    reset(): void;
}
