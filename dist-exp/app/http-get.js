import { createHash } from 'node:crypto';
import http from 'node:http';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PilhaError } from '../core/errors.js';
import { SystemClock } from '../core/system-clock.js';
/**
 * One GET with node:http's client over any StreamTransport: the request's socket is the one
 * `transport.connect` opens (no agent, so the connection closes after the response). Resolves with the
 * status, size, time and SHA-256 of the body; rejects on a connection error, a timeout, or a body cut
 * short of its Content-Length.
 */
export async function httpGet(transport, target, options = {}) {
    const maxTimeMs = options.maxTimeMs;
    if (maxTimeMs === undefined)
        return getOnce(transport, target, options, undefined);
    const clock = options.clock ?? new SystemClock();
    const deadline = new Deadline(maxTimeMs);
    const timer = clock.setTimer(maxTimeMs, () => deadline.expire());
    try {
        return await getOnce(transport, target, { ...options, clock }, deadline);
    }
    catch (err) {
        throw deadline.error ?? err;
    }
    finally {
        timer.cancel();
    }
}
/** The whole request's time limit: when it passes, the request (or the connection being opened) is dropped. */
class Deadline {
    ms;
    error;
    onExpire;
    constructor(ms) {
        this.ms = ms;
    }
    /** What to drop when the time is up (the request, once there is one). */
    watch(onExpire) {
        this.onExpire = onExpire;
    }
    expire() {
        this.error = new PilhaError('ETIMEDOUT', `timed out after ${this.ms / 1000} s (the whole request)`);
        this.onExpire?.();
    }
}
async function getOnce(transport, target, options, deadline) {
    const url = typeof target === 'string' ? new URL(target) : target;
    if (url.protocol !== 'http:')
        throw new Error(`only http:// URLs are supported, got ${url.protocol}//`);
    const host = url.hostname;
    const port = url.port === '' ? 80 : Number(url.port);
    const clock = options.clock ?? new SystemClock();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const start = clock.now();
    let failure;
    const req = http.request(url, {
        method: 'GET',
        headers: { 'User-Agent': 'pilha-get/0.1', ...options.headers },
        // No agent: node:http then takes its socket from createConnection and sends Connection: close.
        // node:http's own timeout starts only once a socket is connected, so connecting has a timer of its own:
        // a peer that never answers would otherwise hold the request through every SYN retransmission.
        createConnection: ((_opts, done) => {
            let settled = false;
            // A request without its socket yet cannot be destroyed into an error: the connect itself fails.
            deadline?.watch(() => {
                if (settled)
                    return;
                settled = true;
                timer.cancel();
                done(deadline.error);
            });
            const timer = clock.setTimer(timeoutMs, () => {
                if (settled)
                    return;
                settled = true;
                done(new PilhaError('ETIMEDOUT', `timed out after ${timeoutMs / 1000} s connecting to ${host}:${port}`));
            });
            transport.connect(host, port).then((socket) => {
                if (settled) {
                    socket.destroy(); // connected after the request gave up
                    return;
                }
                settled = true;
                timer.cancel();
                deadline?.watch(() => req.destroy(deadline.error));
                done(null, socket);
            }, (err) => {
                if (settled)
                    return;
                settled = true;
                timer.cancel();
                done(err instanceof Error ? err : new Error(String(err)));
            });
            return undefined;
        }),
    });
    let socketError;
    req.on('socket', (socket) => {
        socket.on('error', (err) => {
            socketError ??= err;
        });
    });
    req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`timed out: nothing received for ${timeoutMs / 1000} s from ${url.host}`));
    });
    const res = await new Promise((resolve, reject) => {
        req.on('error', (err) => {
            failure ??= err;
            reject(err);
        });
        req.once('response', resolve);
        req.end();
    });
    const status = res.statusCode ?? 0;
    const ok = status >= 200 && status <= 299;
    const length = Number(res.headers['content-length'] ?? Number.NaN);
    const total = Number.isSafeInteger(length) ? length : undefined;
    const counter = new HashingCounter(options.onProgress === undefined ? undefined : (bytes) => options.onProgress?.(bytes, total));
    let sinkError;
    try {
        const sink = ok ? options.sink?.() : undefined;
        sink?.once('error', (err) => {
            sinkError ??= err;
        });
        if (sink !== undefined)
            await pipeline(res, counter, sink, { end: options.endSink ?? true });
        else
            await pipeline(res, counter, discard());
    }
    catch (err) {
        // The sink failing (a full disk) is a local error, not the connection's.
        if (sinkError !== undefined)
            throw new SinkError(sinkError, counter.bytes);
        // Say how far the body got and why it stopped (node:http's own word for a broken body is 'aborted').
        const cause = socketError ?? failure ?? (err instanceof Error ? err : new Error(String(err)));
        const code = cause.code;
        const expected = res.headers['content-length'] ?? '?';
        throw new Error(`connection to ${url.host} broke after ${counter.bytes} of ${expected} body bytes: ${cause.message}` +
            (code !== undefined && !cause.message.includes(code) ? ` (${code})` : ''));
    }
    if (res.complete === false)
        throw failure ?? new Error(`connection to ${url.host} closed mid-body`);
    const expected = res.headers['content-length'];
    if (expected !== undefined && Number(expected) !== counter.bytes) {
        throw new Error(`connection to ${url.host} closed after ${counter.bytes} of ${expected} body bytes`);
    }
    return {
        status,
        statusText: res.statusMessage ?? '',
        ok,
        headers: res.headers,
        bytes: counter.bytes,
        durationMs: clock.now() - start,
        sha256: counter.digest(),
    };
}
/** The body's destination failed (disk full, a closed pipe): a local error, not the connection's. */
export class SinkError extends Error {
    cause;
    bytes;
    constructor(cause, 
    /** Body bytes received when it failed. */
    bytes) {
        super(`writing the body failed after ${bytes} bytes: ${cause.message}`);
        this.cause = cause;
        this.bytes = bytes;
        this.name = 'SinkError';
    }
}
/** One line for people: status, bytes, time, rate and digest. */
export function formatHttpGetResult(result) {
    const seconds = result.durationMs / 1000;
    const rate = seconds > 0 ? result.bytes / seconds / 1e6 : 0;
    return (`${result.status} ${result.statusText}, ${result.bytes} bytes in ${seconds.toFixed(3)} s ` +
        `(${rate.toFixed(2)} MB/s), sha256 ${result.sha256}`);
}
/** Passes the body through, counting and hashing it. */
class HashingCounter extends Transform {
    onBytes;
    bytes = 0;
    hash = createHash('sha256');
    hex;
    constructor(onBytes) {
        super();
        this.onBytes = onBytes;
    }
    _transform(chunk, _encoding, callback) {
        this.bytes += chunk.length;
        this.hash.update(chunk);
        this.onBytes?.(this.bytes);
        callback(null, chunk);
    }
    digest() {
        this.hex ??= this.hash.digest('hex');
        return this.hex;
    }
}
function discard() {
    return new Writable({
        write(_chunk, _encoding, callback) {
            callback();
        },
    });
}
//# sourceMappingURL=http-get.js.map