import { createHash, type Hash } from 'node:crypto';
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../core/clock.js';
import { PilhaError } from '../core/errors.js';
import { SystemClock } from '../core/system-clock.js';
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
export async function httpGet(
  transport: StreamTransport,
  target: string | URL,
  options: HttpGetOptions = {},
): Promise<HttpGetResult> {
  const maxTimeMs = options.maxTimeMs;
  if (maxTimeMs === undefined) return getOnce(transport, target, options, undefined);
  const clock = options.clock ?? new SystemClock();
  const deadline = new Deadline(maxTimeMs);
  const timer = clock.setTimer(maxTimeMs, () => deadline.expire());
  try {
    return await getOnce(transport, target, { ...options, clock }, deadline);
  } catch (err) {
    throw deadline.error ?? err;
  } finally {
    timer.cancel();
  }
}

/** The whole request's time limit: when it passes, the request (or the connection being opened) is dropped. */
class Deadline {
  error: PilhaError | undefined;
  private onExpire: (() => void) | undefined;

  constructor(private readonly ms: number) {}

  /** What to drop when the time is up (the request, once there is one). */
  watch(onExpire: () => void): void {
    this.onExpire = onExpire;
  }

  expire(): void {
    this.error = new PilhaError('ETIMEDOUT', `timed out after ${this.ms / 1000} s (the whole request)`);
    this.onExpire?.();
  }
}

async function getOnce(
  transport: StreamTransport,
  target: string | URL,
  options: HttpGetOptions,
  deadline: Deadline | undefined,
): Promise<HttpGetResult> {
  const url = typeof target === 'string' ? new URL(target) : target;
  if (url.protocol !== 'http:') throw new Error(`only http:// URLs are supported, got ${url.protocol}//`);
  const host = url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  const clock = options.clock ?? new SystemClock();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const start = clock.now();

  let failure: Error | undefined;
  const req: ClientRequest = http.request(url, {
    method: 'GET',
    headers: { 'User-Agent': 'pilha-get/0.1', ...options.headers },
    // No agent: node:http then takes its socket from createConnection and sends Connection: close.
    // node:http's own timeout starts only once a socket is connected, so connecting has a timer of its own:
    // a peer that never answers would otherwise hold the request through every SYN retransmission.
    createConnection: ((_opts: unknown, done: (err: Error | null, socket?: Socket) => void) => {
      let settled = false;
      // A request without its socket yet cannot be destroyed into an error: the connect itself fails.
      deadline?.watch(() => {
        if (settled) return;
        settled = true;
        timer.cancel();
        done(deadline.error!);
      });
      const timer = clock.setTimer(timeoutMs, () => {
        if (settled) return;
        settled = true;
        done(
          new PilhaError('ETIMEDOUT', `timed out after ${timeoutMs / 1000} s connecting to ${host}:${port}`),
        );
      });
      transport.connect(host, port).then(
        (socket) => {
          if (settled) {
            socket.destroy(); // connected after the request gave up
            return;
          }
          settled = true;
          timer.cancel();
          deadline?.watch(() => req.destroy(deadline.error));
          done(null, socket as unknown as Socket);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return undefined;
    }) as unknown as http.RequestOptions['createConnection'],
  });
  let socketError: Error | undefined;
  req.on('socket', (socket) => {
    socket.on('error', (err: Error) => {
      socketError ??= err;
    });
  });
  req.setTimeout(timeoutMs, () => {
    req.destroy(new Error(`timed out: nothing received for ${timeoutMs / 1000} s from ${url.host}`));
  });

  const res = await new Promise<IncomingMessage>((resolve, reject) => {
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
  const counter = new HashingCounter(
    options.onProgress === undefined ? undefined : (bytes) => options.onProgress?.(bytes, total),
  );
  let sinkError: Error | undefined;
  try {
    const sink = ok ? options.sink?.() : undefined;
    sink?.once('error', (err: Error) => {
      sinkError ??= err;
    });
    if (sink !== undefined) await pipeline(res, counter, sink, { end: options.endSink ?? true });
    else await pipeline(res, counter, discard());
  } catch (err) {
    // The sink failing (a full disk) is a local error, not the connection's.
    if (sinkError !== undefined) throw new SinkError(sinkError, counter.bytes);
    // Say how far the body got and why it stopped (node:http's own word for a broken body is 'aborted').
    const cause = socketError ?? failure ?? (err instanceof Error ? err : new Error(String(err)));
    const code = (cause as NodeJS.ErrnoException).code;
    const expected = res.headers['content-length'] ?? '?';
    throw new Error(
      `connection to ${url.host} broke after ${counter.bytes} of ${expected} body bytes: ${cause.message}` +
        (code !== undefined && !cause.message.includes(code) ? ` (${code})` : ''),
    );
  }
  if (res.complete === false) throw failure ?? new Error(`connection to ${url.host} closed mid-body`);
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
  constructor(
    override readonly cause: Error,
    /** Body bytes received when it failed. */
    readonly bytes: number,
  ) {
    super(`writing the body failed after ${bytes} bytes: ${cause.message}`);
    this.name = 'SinkError';
  }
}

/** One line for people: status, bytes, time, rate and digest. */
export function formatHttpGetResult(result: HttpGetResult): string {
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? result.bytes / seconds / 1e6 : 0;
  return (
    `${result.status} ${result.statusText}, ${result.bytes} bytes in ${seconds.toFixed(3)} s ` +
    `(${rate.toFixed(2)} MB/s), sha256 ${result.sha256}`
  );
}

/** Passes the body through, counting and hashing it. */
class HashingCounter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  digest(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
