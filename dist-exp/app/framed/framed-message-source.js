import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { FRAMED_MAX_MESSAGE_BYTES } from './framed-header.js';
/** Messages a pipe is cut into by default: its length must be known before its header is sent. */
export const DEFAULT_STREAM_MESSAGE_BYTES = 16 * 1024 * 1024;
function checkedMessageSize(size) {
    if (!Number.isSafeInteger(size) || size < 1 || size > FRAMED_MAX_MESSAGE_BYTES) {
        throw new RangeError(`message size must be 1 to ${FRAMED_MAX_MESSAGE_BYTES} bytes, got ${size}`);
    }
    return size;
}
/** Bytes in memory (a --message text, a test's buffer) as one message, or several of at most `messageSize`. */
export function bytesSource(data, description = `${data.length} bytes`, messageSize = FRAMED_MAX_MESSAGE_BYTES) {
    const max = checkedMessageSize(messageSize);
    return {
        totalBytes: data.length,
        description,
        async *messages() {
            let offset = 0;
            do {
                const end = Math.min(offset + max, data.length);
                yield { size: end - offset, chunks: [data.subarray(offset, end)] };
                offset = end;
            } while (offset < data.length);
        },
    };
}
/**
 * A file, read as it is sent: one message, or several of at most `messageSize` bytes when it is larger than
 * that (by default, than the 99,999,999 bytes a header can say). Its size is taken when sending starts.
 */
export async function fileSource(path, messageSize = FRAMED_MAX_MESSAGE_BYTES) {
    const max = checkedMessageSize(messageSize);
    const info = await stat(path);
    if (!info.isFile())
        throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EISDIR' });
    const total = info.size;
    return {
        totalBytes: total,
        description: path,
        async *messages() {
            let offset = 0;
            do {
                const end = Math.min(offset + max, total);
                const size = end - offset;
                // createReadStream's `end` is inclusive; an empty range has no stream at all.
                yield { size, chunks: size === 0 ? [] : createReadStream(path, { start: offset, end: end - 1 }) };
                offset = end;
            } while (offset < total);
        },
    };
}
/**
 * A stream of unknown length (standard input, a pipe): read into messages of `messageSize` bytes (the last
 * one shorter), each held in memory only until it is sent, since its length goes first. An empty stream is
 * one empty message.
 */
export function streamSource(stream, description = 'standard input', messageSize = DEFAULT_STREAM_MESSAGE_BYTES) {
    const max = checkedMessageSize(messageSize);
    return {
        totalBytes: undefined,
        description,
        async *messages() {
            const input = stream[Symbol.asyncIterator]();
            let pending;
            let ended = false;
            let sent = 0;
            while (!ended || pending !== undefined) {
                const parts = [];
                let size = 0;
                while (size < max) {
                    let chunk = pending;
                    pending = undefined;
                    if (chunk === undefined) {
                        const next = await input.next();
                        if (next.done === true) {
                            ended = true;
                            break;
                        }
                        chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
                    }
                    const room = max - size;
                    if (chunk.length > room) {
                        pending = chunk.subarray(room);
                        chunk = chunk.subarray(0, room);
                    }
                    parts.push(chunk);
                    size += chunk.length;
                }
                if (size > 0 || sent === 0) {
                    sent++;
                    yield { size, chunks: parts };
                }
            }
        },
    };
}
//# sourceMappingURL=framed-message-source.js.map