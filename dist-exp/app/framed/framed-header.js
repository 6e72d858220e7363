/**
 * The framed protocol's size header (stage 1 of the course, wire-compatible with the original): exactly 8
 * ASCII bytes, the message length in decimal, left-justified and padded with spaces (`16385   `). Pure: bytes
 * in, a value or a reason out; no I/O.
 */
/** The header is always this many bytes. */
export const FRAMED_HEADER_BYTES = 8;
/** The largest length 8 decimal digits can say: the protocol's own limit and the server's default maximum. */
export const FRAMED_MAX_MESSAGE_BYTES = 99_999_999;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const SPACE = 0x20;
/** The 8 header bytes for a message of `size` bytes; a size the header cannot say is a RangeError. */
export function encodeFramedHeader(size) {
    if (!Number.isSafeInteger(size) || size < 0 || size > FRAMED_MAX_MESSAGE_BYTES) {
        throw new RangeError(`a framed message is 0 to ${FRAMED_MAX_MESSAGE_BYTES} bytes, got ${size}`);
    }
    return Buffer.from(String(size).padEnd(FRAMED_HEADER_BYTES, ' '), 'latin1');
}
/**
 * Reads a complete 8-byte header: one or more digits, then spaces only, and at most `maxSize`. Leading zeros
 * are digits like any other (`00000012` is 12). Never throws; a bad header gives a one-line reason.
 */
export function decodeFramedHeader(header, maxSize = FRAMED_MAX_MESSAGE_BYTES) {
    if (header.length !== FRAMED_HEADER_BYTES) {
        return { ok: false, reason: `size header must be ${FRAMED_HEADER_BYTES} bytes, got ${header.length}` };
    }
    let size = 0;
    let digits = 0;
    let spaces = 0;
    for (let i = 0; i < FRAMED_HEADER_BYTES; i++) {
        const byte = header[i];
        if (byte >= DIGIT_0 && byte <= DIGIT_9) {
            if (spaces > 0)
                return bad(header, 'digits after spaces');
            size = size * 10 + (byte - DIGIT_0);
            digits++;
        }
        else if (byte === SPACE) {
            if (digits === 0)
                return bad(header, 'no digits before the spaces');
            spaces++;
        }
        else {
            return bad(header, 'not digits followed by spaces');
        }
    }
    if (size > maxSize)
        return { ok: false, reason: `message of ${size} bytes is over the maximum of ${maxSize}` };
    return { ok: true, size };
}
function bad(header, why) {
    return { ok: false, reason: `bad size header ${printable(header)}: ${why}` };
}
/** The header as a quoted ASCII string, anything unprintable as \xNN: safe inside a one-line reply. */
export function printable(bytes) {
    let out = '"';
    for (const byte of bytes) {
        if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c)
            out += String.fromCharCode(byte);
        else
            out += `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `${out}"`;
}
/**
 * Collects the 8 header bytes however TCP splits them across reads: feed() takes what it needs from a chunk
 * and says how much; once `complete`, result() decodes. reset() readies it for the next message.
 */
export class FramedHeaderReader {
    maxSize;
    bytes = new Uint8Array(FRAMED_HEADER_BYTES);
    filled = 0;
    constructor(maxSize = FRAMED_MAX_MESSAGE_BYTES) {
        this.maxSize = maxSize;
    }
    /** How many header bytes have arrived so far. */
    get received() {
        return this.filled;
    }
    get complete() {
        return this.filled === FRAMED_HEADER_BYTES;
    }
    /** Copies up to the missing header bytes from `chunk[offset..]`; returns how many it took. */
    feed(chunk, offset = 0) {
        const take = Math.min(FRAMED_HEADER_BYTES - this.filled, chunk.length - offset);
        if (take <= 0)
            return 0;
        this.bytes.set(chunk.subarray(offset, offset + take), this.filled);
        this.filled += take;
        return take;
    }
    /** The decoded header; only meaningful once `complete`. */
    result() {
        return decodeFramedHeader(this.bytes.subarray(0, this.filled), this.maxSize);
    }
    reset() {
        this.filled = 0;
    }
}
//# sourceMappingURL=framed-header.js.map