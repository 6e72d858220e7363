import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Writable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { PilhaError } from '../core/errors.js';
import { SystemClock } from '../core/system-clock.js';
import type { StreamSocket, StreamTransport } from '../transport/socket/stream-transport.js';
import { type HttpResponseHead, HttpResponseReader } from './http-response-reader.js';

/**
 * A sink whose write() has taken the chunk whole by the time it returns (write(2), as SyncFileSink does), so
 * it may be given views valid only during the call: with one (or none), httpGet reads the body in place.
 */
export interface ImmediateSink {
  readonly writesImmediately: true;
  /**
   * Takes `chunk` as write() would, without the Writable's queue, callbacks and state: written or copied when
   * it returns; a failure is thrown, not emitted. httpGet uses it when the sink has it (end() still ends it).
   */
  writeNow?(chunk: Uint8Array): void;
}

export interface HttpGetOptions {
  /**
   * Where a 2xx body goes, created once the status is known (so a failed request leaves no file behind).
   * Without it the body is counted (and hashed, unless `hash` is false) and discarded. An ImmediateSink lets
   * the body be read in place.
   */
  readonly sink?: () => Writable;
  /**
   * Compute the body's SHA-256 (default true). False leaves `sha256` undefined: for a large download to a file,
   * where the hash would cost about a third of the client's CPU.
   */
  readonly hash?: boolean;
  /** End the sink when the body ends (default true; false for process.stdout). */
  readonly endSink?: boolean;
  /** Give up when connecting takes this long, or when the connection is then idle this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Give up when the whole request (connecting, response, body) takes longer than this (default: no limit). */
  readonly maxTimeMs?: number;
  /** Aborting ends the request with the signal's reason (an Error), as the time limit does with its own. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly headers?: Readonly<Record<string, string>>;
  /** Called as the body arrives: bytes so far, and the Content-Length when the server sent one. */
  readonly onProgress?: (bytes: number, total: number | undefined) => void;
  /**
   * Redirects followed (301, 302, 303, 307 or 308 with a Location), each on a connection of its own, before a
   * response is taken as it is (default 0: a redirect is the result, as curl without -L). Each one's body is
   * read and discarded.
   */
  readonly maxRedirects?: number;
  /** Checks each URL a redirect leads to before it is fetched; it refuses one by throwing. */
  readonly checkRedirect?: (url: URL) => void;
}

export interface HttpGetResult {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: IncomingHttpHeaders;
  /** Body bytes received (for a non-2xx status: read and discarded). */
  readonly bytes: number;
  /** From the start of the first connection to the end of the body (redirects followed included). */
  readonly durationMs: number;
  /** The URL the response came from: the one asked for, or where the redirects followed led. */
  readonly url: URL;
  /** Redirects followed to get here. */
  readonly redirects: number;
  /** SHA-256 of the body, hex; undefined when the request asked for no hash (`hash: false`). */
  readonly sha256: string | undefined;
}

/**
 * One HTTP/1.1 GET over any StreamTransport, on a connection of its own (Connection: close). The response
 * is read by HttpResponseReader rather than node:http's client, whose parser copied every body chunk: the
 * body reaches the hash and the sink as the chunks the socket delivered. Resolves with the status, size,
 * time and (unless `hash: false`) SHA-256 of the body; rejects on a connection error, a timeout, or a body cut short.
 */
export async function httpGet(
  transport: StreamTransport,
  target: string | URL,
  options: HttpGetOptions = {},
): Promise<HttpGetResult> {
  const { maxTimeMs, signal } = options;
  if (maxTimeMs === undefined && signal === undefined)
    return getFollowing(transport, target, options, undefined);
  const clock = options.clock ?? new SystemClock();
  const cutoff = new Cutoff();
  const timer =
    maxTimeMs === undefined
      ? undefined
      : clock.setTimer(maxTimeMs, () =>
          cutoff.cut(
            new PilhaError('ETIMEDOUT', `timed out after ${maxTimeMs / 1000} s (the whole request)`),
          ),
        );
  const onAbort = () =>
    cutoff.cut(signal?.reason instanceof Error ? signal.reason : new Error('the request was aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted === true) onAbort();
  try {
    return await getFollowing(transport, target, { ...options, clock }, cutoff);
  } catch (err) {
    throw cutoff.error ?? err;
  } finally {
    timer?.cancel();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * What ends a request from outside: the whole request's time limit (maxTimeMs) or the caller's abort signal.
 * When it comes, the request (or the connection being opened) is dropped with its error.
 */
class Cutoff {
  error: Error | undefined;
  private onCut: (() => void) | undefined;

  /** What to drop when it comes (the request, once there is one). */
  watch(onCut: () => void): void {
    this.onCut = onCut;
    if (this.error !== undefined) onCut();
  }

  cut(error: Error): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.onCut?.();
  }
}

/** Statuses whose Location a redirect follows (RFC 9110 §15.4; 300 and 305 are not followed, as curl -L). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** getOnce, and again where a redirect leads while `maxRedirects` allows. */
async function getFollowing(
  transport: StreamTransport,
  target: string | URL,
  options: HttpGetOptions,
  cutoff: Cutoff | undefined,
): Promise<HttpGetResult> {
  const clock = options.clock ?? new SystemClock();
  const hop = { ...options, clock };
  const start = clock.now();
  const maxRedirects = options.maxRedirects ?? 0;
  let url = typeof target === 'string' ? new URL(target) : target;
  for (let redirects = 0; ; redirects++) {
    const result = await getOnce(transport, url, hop, cutoff);
    const location = result.headers.location;
    if (!REDIRECTS.has(result.status) || location === undefined || redirects === maxRedirects) {
      return { ...result, url, redirects, durationMs: clock.now() - start };
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new Error(
        `${result.status} ${result.statusText} from ${url.href}: its Location is not a URL: '${location}'`,
      );
    }
    options.checkRedirect?.(next);
    url = next;
  }
}

/** One GET on a connection of its own; durationMs from connecting (url and redirects: getFollowing's). */
async function getOnce(
  transport: StreamTransport,
  url: URL,
  options: HttpGetOptions,
  cutoff: Cutoff | undefined,
): Promise<Omit<HttpGetResult, 'url' | 'redirects'>> {
  if (url.protocol !== 'http:') throw new Error(`only http:// URLs are supported, got ${url.protocol}//`);
  const host = url.hostname;
  const port = url.port === '' ? 80 : Number(url.port);
  const clock = options.clock ?? new SystemClock();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const start = clock.now();

  const socket = await connectWithin(transport, host, port, clock, timeoutMs, cutoff);
  const download = new Download(socket, url, options, timeoutMs);
  cutoff?.watch(() => download.fail(cutoff.error!));
  socket.write(requestHead(url, options.headers));
  const { head, counter } = await download.done;
  return {
    status: head.status,
    statusText: head.statusText,
    ok: head.status >= 200 && head.status <= 299,
    headers: head.headers,
    bytes: counter.bytes,
    durationMs: clock.now() - start,
    sha256: counter.digest(),
  };
}

/** The request: GET with Host, the caller's fields, and Connection: close (one request per connection). */
function requestHead(url: URL, headers: Readonly<Record<string, string>> | undefined): string {
  const fields: Record<string, string> = {
    Host: url.host,
    'User-Agent': 'pilha-get/0.1',
    ...headers,
    Connection: 'close',
  };
  let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`invalid header field ${name}`);
    text += `${name}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}

/**
 * Opens the connection, giving up after `timeoutMs` on `clock` (a peer that never answers would otherwise hold
 * the request through every SYN retransmission) or when the request is cut off (its time limit, an abort); a connection
 * that comes after that is closed.
 */
function connectWithin(
  transport: StreamTransport,
  host: string,
  port: number,
  clock: Clock,
  timeoutMs: number,
  cutoff: Cutoff | undefined,
): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimer(timeoutMs, () => {
      if (settled) return;
      settled = true;
      reject(
        new PilhaError('ETIMEDOUT', `timed out after ${timeoutMs / 1000} s connecting to ${host}:${port}`),
      );
    });
    cutoff?.watch(() => {
      if (settled) return;
      settled = true;
      timer.cancel();
      reject(cutoff.error!);
    });
    transport.connect(host, port).then(
      (socket) => {
        if (settled) {
          socket.destroy(); // connected after the request gave up
          return;
        }
        settled = true;
        timer.cancel();
        resolve(socket);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * One response read off its socket: the head, then the body hashed, counted and written to the sink (for a
 * 2xx status) chunk by chunk as the socket delivers it, with the socket paused while the sink is full.
 */
class Download {
  readonly done: Promise<{ head: HttpResponseHead; counter: BodyCounter }>;
  private head: HttpResponseHead | undefined;
  private sink: Writable | undefined;
  private readonly counter: BodyCounter;
  private readonly reader: HttpResponseReader;
  private settled = false;
  private resolve!: (value: { head: HttpResponseHead; counter: BodyCounter }) => void;
  private reject!: (err: Error) => void;
  /** The sink is full: the socket is paused until it drains. */
  private waitingForDrain = false;
  /** The body arrives as views valid only during feed() (the socket reads in place). */
  private inPlace = false;
  /** In place, and the sink keeps what it is given past write(): it gets copies. */
  private copyForSink = false;
  /**
   * The sink's writeNow (ImmediateSink), bound to it: per chunk, a Writable's write() costs more JS than the
   * write(2) under it (pilha get of 100 MiB: about a tenth of the main thread, in its baseline code).
   */
  private writeNow: ((chunk: Uint8Array) => void) | undefined;
  /** The Content-Length, for onProgress (undefined without one). */
  private total: number | undefined;
  private readonly resume = (): void => {
    this.waitingForDrain = false;
    this.socket.resume();
  };

  constructor(
    private readonly socket: StreamSocket,
    private readonly url: URL,
    private readonly options: HttpGetOptions,
    timeoutMs: number,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.counter = new BodyCounter(options.hash ?? true);
    this.reader = new HttpResponseReader({
      onHead: (head) => this.onHead(head),
      onBody: (chunk) => this.onBody(chunk),
      onEnd: () => this.onEnd(),
    });
    const feed = (chunk: Buffer): void => {
      try {
        this.reader.feed(chunk);
      } catch (err) {
        this.fail(err as Error);
      }
    };
    // In place on pilha's socket: the response reader (which copies what it holds), the hash and the counter
    // are done with a chunk when feed() returns, so the socket may hand over views of what arrived instead of
    // copies; a sink gets a copy unless it writes immediately. On node:net, 'data' events.
    if (socket.readInPlace !== undefined) {
      this.inPlace = true;
      socket.readInPlace((chunk) => feed(asBuffer(chunk)));
    } else socket.on('data', feed);
    socket.on('end', () => {
      try {
        this.reader.finish();
      } catch (err) {
        this.fail(err as Error);
      }
    });
    // Once the body is complete, the connection may close (or reset) while the sink finishes.
    socket.on('error', (err: Error) => {
      if (!this.reader.done) this.fail(err);
    });
    socket.on('close', () => {
      if (!this.reader.done) this.fail(new Error('the connection closed'));
    });
    socket.setTimeout(timeoutMs, () =>
      this.fail(new Error(`timed out: nothing received for ${timeoutMs / 1000} s from ${url.host}`)),
    );
  }

  /** Ends the download with `err` (the first failure wins; nothing after a success). */
  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.socket.destroy();
    if (this.head === undefined || err instanceof SinkError) {
      this.reject(err);
      return;
    }
    // Say how far the body got and why it stopped.
    const code = (err as NodeJS.ErrnoException).code;
    const expected = this.head.headers['content-length'] ?? '?';
    this.reject(
      new Error(
        `connection to ${this.url.host} broke after ${this.counter.bytes} of ${expected} body bytes: ${err.message}` +
          (code !== undefined && !err.message.includes(code) ? ` (${code})` : ''),
      ),
    );
  }

  private onHead(head: HttpResponseHead): void {
    this.head = head;
    const length = Number(head.headers['content-length'] ?? Number.NaN);
    this.total = Number.isSafeInteger(length) ? length : undefined;
    const ok = head.status >= 200 && head.status <= 299;
    if (!ok || this.options.sink === undefined) return;
    let sink: Writable;
    try {
      sink = this.options.sink();
    } catch (err) {
      this.fail(new SinkError(err as Error, 0));
      return;
    }
    this.sink = sink;
    const immediate = sink as Writable & Partial<ImmediateSink>;
    this.copyForSink = this.inPlace && immediate.writesImmediately !== true;
    if (immediate.writesImmediately === true && typeof immediate.writeNow === 'function')
      this.writeNow = immediate.writeNow.bind(sink);
    // The sink failing (a full disk) is a local error, not the connection's.
    sink.on('error', (err: Error) => this.fail(new SinkError(err, this.counter.bytes)));
  }

  private onBody(chunk: Buffer): void {
    const counter = this.counter;
    counter.add(chunk);
    this.options.onProgress?.(counter.bytes, this.total);
    const writeNow = this.writeNow;
    if (writeNow !== undefined) {
      try {
        writeNow(chunk);
      } catch (err) {
        this.fail(new SinkError(err as Error, counter.bytes));
      }
      return;
    }
    const sink = this.sink;
    if (
      sink !== undefined &&
      !sink.write(this.copyForSink ? Buffer.from(chunk) : chunk) &&
      !this.waitingForDrain
    ) {
      this.waitingForDrain = true;
      this.socket.pause();
      sink.once('drain', this.resume);
    }
  }

  private onEnd(): void {
    const head = this.head!;
    const sink = this.sink;
    const finished = (err?: Error | null): void => {
      if (err) {
        this.fail(new SinkError(err, this.counter.bytes));
        return;
      }
      if (this.settled) return;
      this.settled = true;
      // As node:http's client ends a connection it asked to close: a FIN, not a reset; and the socket closed
      // once the FIN is out (as curl's close()), or a server that keeps its end open would keep node:net's
      // socket, and so the process, waiting.
      this.socket.setTimeout(0);
      const socket = this.socket as StreamSocket & { destroySoon?: () => void };
      if (typeof socket.destroySoon === 'function') socket.destroySoon();
      else if (socket.writable) socket.end();
      this.resolve({ head, counter: this.counter });
    };
    if (sink === undefined || this.options.endSink === false) {
      // What was written must still reach the sink before the result says it did.
      if (sink === undefined || sink.writableNeedDrain !== true) finished();
      else sink.once('drain', () => finished());
      return;
    }
    sink.end(finished);
  }
}

/** A Buffer over the same bytes (pilha's TCP may deliver plain Uint8Array views). */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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

/**
 * One line for people: status, bytes, time, rate and digest. Without a digest the line ends after the rate
 * (no "sha256" word at all), so that a missing digest is not mistaken for one.
 */
export function formatHttpGetResult(result: HttpGetResult): string {
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? result.bytes / seconds / 1e6 : 0;
  return (
    `${result.status} ${result.statusText}, ${result.bytes} bytes in ${seconds.toFixed(3)} s ` +
    `(${rate.toFixed(2)} MB/s)${result.sha256 === undefined ? '' : `, sha256 ${result.sha256}`}`
  );
}

/** Counts the body, and hashes it unless asked not to. */
class BodyCounter {
  bytes = 0;
  private readonly hash: Hash | undefined;
  private hex: string | undefined;

  constructor(hash: boolean) {
    this.hash = hash ? createHash('sha256') : undefined;
  }

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
  }

  /** The SHA-256 in hex, or undefined when the body is not hashed. */
  digest(): string | undefined {
    if (this.hash === undefined) return undefined;
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}
