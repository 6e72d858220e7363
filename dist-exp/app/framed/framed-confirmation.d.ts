/**
 * The server's replies in the framed protocol, one line each: `OK <bytes> <sha256-hex>\n` once a whole
 * message has arrived, `ERR <reason>\n` before closing on a bad header. Pure: text in, a value out.
 */
export type FramedReply = {
    readonly kind: 'ok';
    readonly bytes: number;
    readonly sha256: string;
} | {
    readonly kind: 'err';
    readonly reason: string;
} | {
    readonly kind: 'garbage';
    readonly line: string;
};
/** Longest reply line a client reads before calling it garbage (an OK line is 77 bytes and its newline). */
export declare const FRAMED_MAX_REPLY_BYTES = 1024;
export declare function formatConfirmation(bytes: number, sha256: string): string;
/** An ERR line; the reason is kept to one printable line. */
export declare function formatRefusal(reason: string): string;
/** Reads one reply line (without its '\n'; a trailing '\r' is tolerated). Never throws. */
export declare function parseFramedReply(line: string): FramedReply;
/**
 * Whether a reply confirms a message of `bytes` bytes whose SHA-256 is `sha256`: undefined when it does,
 * otherwise what is wrong, in one line.
 */
export declare function confirmationProblem(reply: FramedReply, bytes: number, sha256: string): string | undefined;
