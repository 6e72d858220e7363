import { realpathSync, statSync } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock, Timer } from '../core/clock.js';
import { PilhaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { SlotMap } from '../core/slot-map.js';
import { SystemClock } from '../core/system-clock.js';
import type { StreamServer, StreamSocket, StreamTransport } from '../transport/socket/stream-transport.js';
import { markImmutable } from '../transport/tcp/send/immutable-bytes.js';
import { DETERMINISTIC_BYTES_MAX, DETERMINISTIC_CHUNK_BYTES } from './deterministic-bytes.js';
import { DETERMINISTIC_CACHE_DEFAULT_BYTES, DeterministicBytesCache } from './deterministic-bytes-cache.js';
import { helloPomboPage } from './hello-pombo.js';

export interface HttpAppOptions {
  /** Serve this directory (GET and HEAD) instead of the built-in routes `/` and `/bytes/N`. */
  readonly root?: string;
  /** The 'app' layer logger; nothing is logged when absent. */
  readonly logger?: Logger;
  /** Where durations come from; real time when absent. */
  readonly clock?: Clock;
  /** Largest N that `/bytes/N` accepts (at most, and by default, 16 GiB). */
  readonly maxBytes?: number;
  /**
   * How much of the `/bytes/N` stream is kept in memory once served (generated once, then sent as views):
   * 128 MiB by default, 0 to generate every chunk per request.
   */
  readonly bytesCacheLimit?: number;
  /**
   * How a closed connection is logged: 'full' (default) one info record with the summary and the socket's
   * stats, for machines (JSON lines); 'line' one short readable message at info (a terminal) and the full
   * record at debug.
   */
  readonly connectionLog?: 'full' | 'line';
  /** Called with each connection's summary when it closes (after it is logged). */
  readonly onConnectionClosed?: (summary: ConnectionSummary) => void;
}

/** One connection's life, logged at info when it closes. */
export interface ConnectionSummary {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly requests: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly durationMs: number;
  /** What the socket's own `stats()` returned, when it has one (pilha's TCP sockets do). */
  readonly stats?: unknown;
}

export interface HttpTotals {
  readonly connections: number;
  readonly activeConnections: number;
  readonly requests: number;
  /** Bytes written to sockets (headers and bodies), closed and open connections together. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Responses sent in full, by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Requests whose response was cut short or never sent (the client went away, or the app was closed). */
  readonly aborted: number;
}

/** What a connection's summary needs that the socket may not tell after it closes. */
class ConnectionState {
  requests = 0;
  constructor(
    readonly openedAt: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}
}

/**
 * How often connections that have sent nothing are looked at (node:http's connectionsCheckingInterval, which
 * does the same for the connections it has been handed).
 */
const SILENT_CHECK_MS = 30_000;
/** What a connection silent past node:http's headersTimeout is answered before it is closed (as node:http's). */
const REQUEST_TIMEOUT_RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** Slices of the page handed to the socket one at a time, so a slow peer holds back the writer. */
const PAGE_SLICE_BYTES = 256 * 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.mp4': 'video/mp4',
  '.woff2': 'font/woff2',
  '.pcap': 'application/vnd.tcpdump.pcap',
};

/** Content-Type for a file name, by extension; application/octet-stream when unknown. */
export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Parses the N of `/bytes/N`: decimal digits only, at most `max`; undefined when malformed. */
export function parseByteCount(text: string, max: number = DETERMINISTIC_BYTES_MAX): number | undefined {
  if (!/^[0-9]{1,12}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/**
 * The stage-2 application: node:http's own server on any StreamTransport. The http.Server never listens
 * itself; the transport's server accepts connections and hands each socket to it, so the same app runs on
 * the kernel's TCP and on pilha's. Keep-alive, pipelining and chunked uploads are node:http's.
 *
 * Routes (GET and HEAD): `/` the course's 12 MB page; `/bytes/N` N deterministic pseudo-random bytes,
 * generated once and then served from memory (DeterministicBytesCache); or, with `root`, the files of a
 * directory.
 */
export class HttpApp {
  /** The node:http server that parses requests; it never listens on its own. */
  readonly httpServer: http.Server;
  private readonly logger: Logger | undefined;
  private readonly clock: Clock;
  private readonly root: string | undefined;
  private readonly maxBytes: number;
  private page: Buffer | undefined;
  private readonly bytesCache: DeterministicBytesCache;
  /**
   * Open connections: their state when their summary will be logged or reported (summaries()), else the second
   * they were accepted (a small integer: nothing allocated). A SlotMap, not a Map: one in and one out per
   * connection (see there).
   */
  private readonly active = new SlotMap<StreamSocket, ConnectionState | number>();
  /** The check for connections that have sent nothing (checkSilent), while a server listens. */
  private silentCheck: Timer | undefined;
  private readonly checkSilentTask = (): void => this.checkSilent();
  private readonly servers: StreamServer[] = [];
  private readonly statuses: Record<string, number> = {};
  private connections = 0;
  private requests = 0;
  private aborted = 0;
  /**
   * Responses to requests handed to handleRequest not yet counted, by socket (only while there are some). A
   * SlotMap too: it gains and loses an entry per request, and as a Map it kept closed connections alive
   * through young-generation collections (ab without keep-alive: 3.7 KB promoted a request, not 0.27;
   * scavenges twice as long; short-connection-promotion.test.ts).
   */
  private readonly unanswered = new SlotMap<StreamSocket, Set<ServerResponse>>();
  private closedBytesSent = 0;
  private closedBytesReceived = 0;

  constructor(private readonly options: HttpAppOptions = {}) {
    this.logger = options.logger;
    this.clock = options.clock ?? new SystemClock();
    this.maxBytes = Math.min(options.maxBytes ?? DETERMINISTIC_BYTES_MAX, DETERMINISTIC_BYTES_MAX);
    this.bytesCache = new DeterministicBytesCache(
      options.bytesCacheLimit ?? DETERMINISTIC_CACHE_DEFAULT_BYTES,
    );
    this.root = options.root === undefined ? undefined : checkedRoot(options.root);
    this.httpServer = http.createServer((req, res) => this.handleRequest(req, res));
    // A client that half-closes after its request (shutdown(SHUT_WR): nc -N, HTTP/1.0 scripts) still gets
    // every response in full: node:http then ends the socket after the last response instead of at the
    // client's FIN, which would cut off a response still being written. Its own net.Server is half-open
    // for the same reason; listen() asks the transport for half-open sockets to match. (The property is
    // node:http's own, read in its socket 'end' handler, but not in its type declarations.)
    (this.httpServer as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    this.httpServer.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      this.logger?.debug({ err: err.message, code: err.code }, 'http client error');
      // A response already under way on the socket (garbage pipelined behind a request) is not cut into
      // by a 400: the connection just ends, as node:http's own handler does.
      const inProgress = (socket as { _httpMessage?: { _headerSent?: boolean } })._httpMessage?._headerSent;
      if (err.code === 'ECONNRESET' || !socket.writable || inProgress === true) {
        socket.destroy();
        return;
      }
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      // A request too, answered by its status, though node:http never hands it to handleRequest.
      this.requests++;
      const state = this.active.get(socket as unknown as StreamSocket);
      if (typeof state === 'object') state.requests++;
      const code = status.slice(0, 3);
      this.statuses[code] = (this.statuses[code] ?? 0) + 1;
    });
  }

  /** Makes a server on `transport`, listens, and hands every connection to this app. */
  async listen(transport: StreamTransport, port: number, host?: string): Promise<StreamServer> {
    const server = transport.createServer((socket) => this.handleConnection(socket), {
      allowHalfOpen: true,
    });
    await server.listen(port, host);
    this.servers.push(server);
    return server;
  }

  /**
   * Hands one connected socket to node:http, once it sends something where the transport can wait for that
   * (pilha's: deferUntilReadable, as TCP_DEFER_ACCEPT), and keeps its summary.
   */
  handleConnection(socket: StreamSocket): void {
    // An idle connection costs what node:http and the transport hold, and little more here: no state
    // object, address string or closure when no summary is wanted, one 'close' listener shared by all.
    // node:http's part (its parser, 1.8 KB of malloc'd memory, and 1.4 KB of listeners and closures) waits
    // for the first bytes: a connection opened and left silent (a browser's preconnect, a flood of them)
    // costs pilha's TCP and little more.
    const now = this.clock.now();
    const state = this.summaries()
      ? new ConnectionState(now, socket.remoteAddress ?? '?', socket.remotePort ?? 0)
      : Math.floor(now / 1000);
    this.connections++;
    this.active.set(socket, state);
    socket.on('close', this.socketClosed);
    if (socket.deferUntilReadable === undefined) {
      this.httpServer.emit('connection', socket);
      return;
    }
    // Until node:http has it, its errors (a reset) are the app's to hear: one listener shared by all.
    socket.on('error', this.silentSocketError);
    socket.deferUntilReadable(this.attach);
    this.silentCheck ??= this.clock.setTimer(SILENT_CHECK_MS, this.checkSilentTask);
  }

  /**
   * A socket's error (a reset): it closes, and its summary says so. Before node:http has the socket this is its
   * only 'error' listener (without one the error would end the process); after, node:http answers it too.
   */
  private readonly silentSocketError = (err: Error): void => {
    this.logger?.debug({ err: err.message }, 'connection error');
  };

  private readonly attach = (socket: StreamSocket): void => {
    this.httpServer.emit('connection', socket);
  };

  /**
   * node:http closes a connection that has not sent a whole request head within its headersTimeout (60 s,
   * looked at every 30 s); one whose socket it has not been handed yet is closed here the same way.
   */
  private checkSilent(): void {
    this.silentCheck = undefined;
    const limitMs = this.httpServer.headersTimeout;
    const now = this.clock.now();
    let waiting = false;
    for (const socket of this.active.keys()) {
      if (socket.deferred !== true) continue;
      const state = this.active.get(socket)!;
      const acceptedMs = typeof state === 'number' ? state * 1000 : state.openedAt;
      if (limitMs === 0 || now - acceptedMs < limitMs) {
        waiting = true;
        continue;
      }
      this.logger?.debug({ remote: socket.remoteAddress }, 'connection silent past headersTimeout: closed');
      socket.deferUntilReadable?.(undefined);
      socket.end(REQUEST_TIMEOUT_RESPONSE);
    }
    if (waiting) this.silentCheck = this.clock.setTimer(SILENT_CHECK_MS, this.checkSilentTask);
  }

  /** Whether closed connections are summarised: logged at info (or debug, for 'line'), or reported. */
  private summaries(): boolean {
    const log = this.logger;
    if (this.options.onConnectionClosed !== undefined || log?.isLevelEnabled('info') === true) return true;
    return this.options.connectionLog === 'line' && log?.isLevelEnabled('debug') === true;
  }

  /** Every socket's 'close' listener, called with the socket as `this` (as EventEmitter calls listeners). */
  private readonly socketClosed = ((app: HttpApp) =>
    function (this: StreamSocket): void {
      app.connectionClosed(this);
    })(this);

  totals(): HttpTotals {
    let bytesSent = this.closedBytesSent;
    let bytesReceived = this.closedBytesReceived;
    for (const socket of this.active.keys()) {
      bytesSent += socket.bytesWritten;
      bytesReceived += socket.bytesRead;
    }
    return {
      connections: this.connections,
      activeConnections: this.active.size,
      requests: this.requests,
      bytesSent,
      bytesReceived,
      statuses: { ...this.statuses },
      aborted: this.aborted,
    };
  }

  /**
   * Stops accepting, ends every open connection, and closes the servers that listen() made. Resolves once
   * every connection has closed and been logged, so totals() read afterwards match the connection log.
   */
  async close(): Promise<void> {
    this.silentCheck?.cancel();
    this.silentCheck = undefined;
    const servers = this.servers.splice(0);
    const closing: Promise<unknown>[] = servers.map((s) => s.close());
    for (const socket of this.active.keys()) {
      closing.push(new Promise((resolve) => socket.once('close', resolve)));
      socket.destroy();
    }
    await Promise.allSettled(closing);
  }

  private connectionClosed(socket: StreamSocket): void {
    if (!this.active.has(socket)) return;
    if (this.unanswered.has(socket)) {
      // Once node:http's own 'close' listeners have run too (the response on the socket closes then, in
      // them or a tick later): what is left were pipelined requests queued behind it, which get no 'close'.
      // Whatever the order, each response is counted once, by whoever takes it out of the set first.
      queueMicrotask(() => {
        const left = this.unanswered.get(socket);
        if (left === undefined) return;
        this.unanswered.delete(socket);
        for (const res of left) this.countResponse(res);
      });
    }
    const state = this.active.get(socket);
    this.active.delete(socket);
    this.closedBytesSent += socket.bytesWritten;
    this.closedBytesReceived += socket.bytesRead;
    const log = this.logger;
    const line = this.options.connectionLog === 'line';
    const info = log?.isLevelEnabled('info') === true;
    const debug = line && log?.isLevelEnabled('debug') === true;
    const onClosed = this.options.onConnectionClosed;
    // The summary (with the socket's TCP stats) only when someone reads it: not per connection at --log warn.
    if ((!info && !debug && onClosed === undefined) || typeof state !== 'object') return;
    const withStats = socket as Partial<{ stats: () => unknown }>;
    const summary: ConnectionSummary = {
      remoteAddress: state.remoteAddress,
      remotePort: state.remotePort,
      requests: state.requests,
      bytesSent: socket.bytesWritten,
      bytesReceived: socket.bytesRead,
      durationMs: Math.round((this.clock.now() - state.openedAt) * 1000) / 1000,
      ...(typeof withStats.stats === 'function' ? { stats: safeStats(withStats.stats.bind(socket)) } : {}),
    };
    if (line) {
      if (info) log?.info(`http connection closed ${describe(summary)}`);
      if (debug) log?.debug(summary, 'http connection closed');
    } else if (info) {
      log?.info(summary, 'http connection closed');
    }
    onClosed?.(summary);
  }

  /** A response done with: by its status when sent in full ('finish' came), else as aborted. */
  private countResponse(res: ServerResponse): void {
    if (!res.writableFinished) {
      this.aborted++;
      return;
    }
    const key = String(res.statusCode);
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (this.logger?.isLevelEnabled('debug')) {
      const req = res.req;
      this.logger.debug({ method: req.method, url: req.url, status: res.statusCode }, 'http request');
    }
  }

  private handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const socket = req.socket as unknown as StreamSocket;
    const state = this.active.get(socket);
    if (typeof state === 'object') state.requests++; // a number: no summary to count it in
    let pending = this.unanswered.get(socket);
    if (pending === undefined) {
      pending = new Set();
      this.unanswered.set(socket, pending);
    }
    pending.add(res);
    // 'close' comes for every response that reached the socket: counted then. (A pipelined request whose
    // response never reached it gets no 'close': connectionClosed counts it.)
    res.once('close', () => {
      const set = this.unanswered.get(socket);
      if (set === undefined || !set.delete(res)) return;
      if (set.size === 0) this.unanswered.delete(socket);
      this.countResponse(res);
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const served =
      this.root !== undefined ? this.serveFile(req, res, this.root) : this.serveBuiltIn(req, res);
    served.catch((err: unknown) => {
      // A peer that goes away mid-body ends up here; anything else is a bug worth a line.
      const code = (err as NodeJS.ErrnoException).code;
      const gone = code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
      this.logger?.[gone ? 'debug' : 'warn']({ err: String(err), url: req.url }, 'http response failed');
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  }

  private async serveBuiltIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (path === '/' || path === '/index.txt') {
      if (this.page === undefined) {
        this.page = helloPomboPage();
        // Never written again: pilha's TCP sends its slices without copying them (node:net copies anyway).
        markImmutable(this.page);
      }
      const page = this.page;
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': page.length });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(Readable.from(slices(page, PAGE_SLICE_BYTES), { objectMode: false }), res);
      return;
    }
    const match = /^\/bytes\/([^/]*)$/.exec(path);
    if (match !== null) {
      const n = parseByteCount(match[1]!, this.maxBytes);
      if (n === undefined) {
        sendText(res, 400, `N must be a whole number of bytes from 0 to ${this.maxBytes}`);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n });
      if (req.method === 'HEAD' || n === 0) {
        res.end();
        return;
      }
      if (n <= DETERMINISTIC_CHUNK_BYTES) {
        // One chunk: no stream machinery per request (what a connections/s benchmark measures).
        res.end(this.bytesCache.bytes(0, n));
        return;
      }
      await pipeline(Readable.from(this.bytesCache.chunks(0, n), { objectMode: false }), res);
      return;
    }
    sendText(res, 404, 'not found (try / or /bytes/N)');
  }

  private async serveFile(req: IncomingMessage, res: ServerResponse, root: string): Promise<void> {
    const rawPath = pathOf(req.url);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      sendText(res, 400, 'bad URL encoding');
      return;
    }
    if (!decoded.startsWith('/') || decoded.includes('\0')) {
      sendText(res, 400, 'bad path');
      return;
    }
    if (decoded.split('/').includes('..')) {
      sendText(res, 403, 'forbidden');
      return;
    }
    const target = resolve(root, `.${decoded}`);
    if (!inside(root, target)) {
      sendText(res, 403, 'forbidden');
      return;
    }
    let file = target;
    let info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        const query = (req.url ?? '').slice(rawPath.length);
        res.writeHead(301, { Location: `${rawPath}/${query}`, 'Content-Length': 0 });
        res.end();
        return;
      }
      file = join(target, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (info === undefined || !info.isFile()) {
      sendText(res, 404, 'not found');
      return;
    }
    // A symbolic link inside the root must not lead out of it.
    const real = await realpath(file).catch(() => undefined);
    if (real === undefined || !inside(root, real)) {
      sendText(res, 403, 'forbidden');
      return;
    }
    let handle: FileHandle;
    try {
      handle = await open(real, 'r');
    } catch {
      sendText(res, 403, 'forbidden');
      return;
    }
    try {
      const opened = await handle.stat();
      res.writeHead(200, {
        'Content-Type': contentTypeFor(real),
        'Content-Length': opened.size,
        'Last-Modified': opened.mtime.toUTCString(),
      });
      if (req.method === 'HEAD' || opened.size === 0) {
        res.end();
        return;
      }
      await pipeline(handle.createReadStream({ autoClose: false, end: opened.size - 1 }), res);
    } finally {
      await handle.close().catch(() => {});
    }
  }
}

/** The root as an absolute, symlink-free path; a configuration mistake throws EBADOPTION. */
function checkedRoot(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new PilhaError('EBADOPTION', `root directory '${dir}' does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new PilhaError('EBADOPTION', `root '${dir}' is not a directory`);
  return real;
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The path part of a request target, without query or fragment. */
function pathOf(url: string | undefined): string {
  const text = url ?? '/';
  const end = text.search(/[?#]/);
  return end < 0 ? text : text.slice(0, end);
}

function* slices(buffer: Buffer, size: number): Generator<Buffer, void, void> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(`${status} ${text}\n`);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** One line for people: '10.77.0.1:40312: 3 requests, 12100010 bytes sent, 240 received, 1.52 s, ...'. */
function describe(summary: ConnectionSummary): string {
  const plural = summary.requests === 1 ? 'request' : 'requests';
  let line =
    `${summary.remoteAddress}:${summary.remotePort}: ${summary.requests} ${plural}, ` +
    `${summary.bytesSent} bytes sent, ${summary.bytesReceived} received, ` +
    `${(summary.durationMs / 1000).toFixed(3)} s`;
  const stats = summary.stats as Partial<Record<'retransmitted' | 'srtt' | 'cwnd', number>> | undefined;
  if (typeof stats?.retransmitted === 'number') line += `, ${stats.retransmitted} retransmitted`;
  if (typeof stats?.srtt === 'number') line += `, srtt ${stats.srtt.toFixed(1)} ms`;
  if (typeof stats?.cwnd === 'number') line += `, cwnd ${stats.cwnd}`;
  return line;
}

function safeStats(stats: () => unknown): unknown {
  try {
    return stats();
  } catch (err) {
    return { error: String(err) };
  }
}
