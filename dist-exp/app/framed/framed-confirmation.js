/**
 * The server's replies in the framed protocol, one line each: `OK <bytes> <sha256-hex>\n` once a whole
 * message has arrived, `ERR <reason>\n` before closing on a bad header. Pure: text in, a value out.
 */
/** Longest reply line a client reads before calling it garbage (an OK line is 77 bytes and its newline). */
export const FRAMED_MAX_REPLY_BYTES = 1024;
export function formatConfirmation(bytes, sha256) {
    return `OK ${bytes} ${sha256}\n`;
}
/** An ERR line; the reason is kept to one printable line. */
export function formatRefusal(reason) {
    return `ERR ${reason.replace(/[^\x20-\x7e]/g, '?')}\n`;
}
const OK_LINE = /^OK (0|[1-9][0-9]{0,15}) ([0-9a-f]{64})$/;
/** Reads one reply line (without its '\n'; a trailing '\r' is tolerated). Never throws. */
export function parseFramedReply(line) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const ok = OK_LINE.exec(text);
    if (ok !== null)
        return { kind: 'ok', bytes: Number(ok[1]), sha256: ok[2] };
    if (text === 'ERR' || text.startsWith('ERR '))
        return { kind: 'err', reason: text.slice(4) || 'no reason' };
    return { kind: 'garbage', line: text };
}
/**
 * Whether a reply confirms a message of `bytes` bytes whose SHA-256 is `sha256`: undefined when it does,
 * otherwise what is wrong, in one line.
 */
export function confirmationProblem(reply, bytes, sha256) {
    switch (reply.kind) {
        case 'ok':
            if (reply.bytes !== bytes)
                return `server confirmed ${reply.bytes} bytes, ${bytes} were sent`;
            if (reply.sha256 !== sha256)
                return `server's SHA-256 ${reply.sha256} differs from the sent ${sha256}`;
            return undefined;
        case 'err':
            return `server refused the message: ${reply.reason}`;
        case 'garbage':
            return `not a confirmation: ${JSON.stringify(reply.line.slice(0, 120))}`;
        default: {
            const never = reply;
            return never;
        }
    }
}
//# sourceMappingURL=framed-confirmation.js.map