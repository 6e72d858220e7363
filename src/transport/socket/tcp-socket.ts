/**
 * A pilha TCP connection as a `net.Socket`-like Duplex, close enough that node:http's server and client
 * run on it unchanged: 'connect'/'ready', 'data'/'end' (allowHalfOpen as in net), 'drain', 'timeout',
 * 'close' with hadError, errors with a `code` (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE), addresses and
 * ports, bytesRead/bytesWritten, setNoDelay/setKeepAlive/setTimeout, ref/unref, address().
 *
 * Receive backpressure: the socket pulls chunks from the connection only while its readable side wants
 * them (push() returned true); what it leaves in the connection keeps the advertised window closed until
 * _read() asks for more. Send backpressure: a write is taken whole into the connection's send queue and
 * its callback held while the queue is at capacity, so write() returns false once the queue is full and
 * 'drain' follows when ACKs make room. The chunk is queued by reference and copied once: into the queue's
 * own memory when TCP first sends it or just before the callback runs (adoptWritten), whichever comes
 * first, since, as with net.Socket, the writer may reuse its buffer once the callback has run, long before
 * the bytes are acknowledged (or even sent). (Over a link that needs super-segments whole, what is sent at
 * once is copied into the super-segment instead, which the queue keeps: SendBuffer.retain.)
 *
 * end() queues a FIN after all written data (never a RST). destroy() is close(2): the connection finishes
 * its close in the background (FIN after what was queued), unless data that came in was never read, which
 * resets it, as the kernel does; resetAndDestroy() sends a RST on purpose. destroy() of a closed connection
 * sends nothing.
 */

import { Duplex } from 'node:stream';
import type { Clock, Timer } from '../../core/clock.js';
import { PilhaError } from '../../core/errors.js';
import { formatIpv4 } from '../../core/ipv4-address.js';
import { settleFields } from '../settled-fields.js';
import type { TcpConnection } from '../tcp/connection/tcp-connection.js';
import type { TcpConnectionHandler, TcpConnectionStats } from '../tcp/connection/tcp-connection-types.js';
import { TcpState } from '../tcp/connection/tcp-state.js';
import type { StreamSocket } from './stream-transport.js';

export interface TcpSocketOptions {
  /** Where the idle timeout (setTimeout) takes its time from. */
  readonly clock: Clock;
  /** As in net: when false (the default) the socket ends its writable side when the peer's FIN is read. */
  readonly allowHalfOpen?: boolean;
  /**
   * Called with the socket just before it emits 'close' (once). The server that accepted it hears of the
   * close here rather than through a 'close' listener: a third listener of an event grows the emitter's
   * array of them to 19 slots (about 150 bytes per socket), and node:http and HttpApp add two.
   */
  readonly onClosed?: (socket: TcpSocket) => void;
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Takes a chunk read in place (TcpSocket.readInPlace): valid only until it returns; returning false pauses the socket.
 */
export type InPlaceReader = (chunk: Uint8Array) => unknown;

/** settleFields list (a constant: a class is settled once, on its first object). */
const SOCKET_DOUBLE_FIELDS = ['lastActivity'];

export class TcpSocket extends Duplex implements StreamSocket, TcpConnectionHandler {
  bytesRead = 0;
  private written = 0;
  private connection: TcpConnection | undefined;
  /** The last connection, kept for stats() after close. */
  private readonly origin: TcpConnection;
  private reading = false;
  /** Set by readInPlace: chunks go to it instead of 'data' events. */
  private inPlace: InPlaceReader | undefined;
  private eofPushed = false;
  private pendingWrite: WriteCallback | undefined;
  /** The reset (or timeout) that closed the connection, held until the data that came before it is read. */
  private closeError: PilhaError | undefined;
  /** Why writes fail once the connection closed after the peer's FIN (a RST in CLOSE_WAIT: EPIPE); reads end cleanly. */
  private writeError: PilhaError | undefined;
  private isConnecting: boolean;
  /** Shared by every socket a server accepts (clock, onClosed): one field, no copies per socket. */
  private readonly options: TcpSocketOptions;
  private idleMs = 0;
  private idleTimer: Timer | undefined;
  /** The idle timer's callback, made on the first setTimeout() (most sockets never have one). */
  private idleTimerCallback: (() => void) | undefined;
  private lastActivity = 0;
  /** deferUntilReadable's callback, until the connection first has something to read. */
  private deferredAttach: ((socket: TcpSocket) => void) | undefined = undefined;

  /**
   * Wraps `connection`; or, given a function, calls it with the socket's handler to open the connection
   * (so that no event of a connection whose SYN is already out can be missed).
   */
  constructor(
    connection: TcpConnection | ((handler: TcpConnectionHandler) => TcpConnection),
    options: TcpSocketOptions,
  ) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, emitClose: false, decodeStrings: true });
    this.options = options;
    // The socket is its connection's handler itself: no handler object and closures per connection.
    const c = typeof connection === 'function' ? connection(this) : connection;
    this.connection = c;
    this.origin = c;
    this.isConnecting =
      c.state === TcpState.SYN_SENT || (c.state === TcpState.SYN_RECEIVED && c.isActiveOpen);
    c.setHandler(this);
    settleFields(this, SOCKET_DOUBLE_FIELDS);
    if (c.state === TcpState.CLOSED) {
      // Closed before the socket existed (reset while in the accept queue, say): report it on the next tick,
      // after the data it had received.
      const error = c.error;
      process.nextTick(() => (error === undefined ? this.pull() : this.connectionClosed(error)));
    }
  }

  // The addresses are read from the connection when asked for (node:http rarely asks): no strings per socket.
  get remoteAddress(): string {
    return formatIpv4(this.origin.remoteAddress);
  }

  get remotePort(): number {
    return this.origin.remotePort;
  }

  get localAddress(): string {
    return formatIpv4(this.origin.localAddress);
  }

  get localPort(): number {
    return this.origin.localPort;
  }

  get remoteFamily(): string {
    return 'IPv4';
  }

  get connecting(): boolean {
    return this.isConnecting;
  }

  get pending(): boolean {
    return this.isConnecting || this.connection === undefined;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.isConnecting) return 'opening';
    if (this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  get bytesWritten(): number {
    return this.written;
  }

  /** The TCP state of the connection, by its RFC name. */
  get tcpState(): string {
    return this.origin.stats().state;
  }

  /** What `ss -ti` would show for this connection. */
  stats(): TcpConnectionStats {
    return this.origin.stats();
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }

  setNoDelay(noDelay = true): this {
    this.connection?.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.connection?.setKeepAlive(enable, initialDelay > 0 ? initialDelay : undefined);
    return this;
  }

  /** Emits 'timeout' after `timeout` ms without data in or out (0 turns it off), as net.Socket does. */
  setTimeout(timeout: number, callback?: () => void): this {
    if (callback !== undefined) {
      if (timeout === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.idleMs = timeout > 0 && Number.isFinite(timeout) ? timeout : 0;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    this.touch();
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  /**
   * Writable's end(), except that a bare end() of a side already finished returns at once. node:http ends
   * each socket whose peer half-closes (socketOnEnd), and most were ended by their response: Writable would
   * build an ERR_STREAM_ALREADY_FINISHED, stack trace included, that nobody sees (no callback to get it).
   */
  override end(...args: unknown[]): this {
    if (args.length === 0 && this.writableFinished) return this;
    return Reflect.apply(Duplex.prototype.end, this, args) as this;
  }

  /** As net.Socket: end, then destroy once everything written has been handed over. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** RST now, whatever was written (net's resetAndDestroy). */
  resetAndDestroy(): this {
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) {
      connection.setHandler(undefined);
      connection.abort();
    }
    return this.destroy();
  }

  /**
   * Reads in place, as net.Socket's `onread` option: each chunk of data goes to `reader` instead of a 'data'
   * event, and a chunk that arrives while nothing waits is a view of the segment it came in (over TUN, of the
   * reader thread's ring): no copy, valid only until `reader` returns; copy what must outlive the call. A reader
   * that returns false pauses the socket (resume() goes on, as with net). 'end', 'close' and errors come as
   * before. undefined goes back to 'data' events. Call it before reading anything, as net's `onread` is given
   * at construction: data already taken into the readable side still comes as 'data' events.
   */
  readInPlace(reader: InPlaceReader | undefined): this {
    const wasInPlace = this.inPlace !== undefined;
    this.inPlace = reader;
    this.connection?.setLending(reader !== undefined);
    if (reader !== undefined) {
      // Flowing, so that 'end' is emitted; nothing is pushed but the EOF.
      super.resume();
      this.readSoon();
    } else if (wasInPlace) {
      // Back to 'data' events: the Readable called _read() once and, with nothing pushed since, will not
      // again, so reading restarts here (what the readable side cannot take yet it buffers, as ever).
      this.readSoon();
    }
    return this;
  }

  override pause(): this {
    if (this.inPlace !== undefined) this.reading = false;
    return super.pause();
  }

  override resume(): this {
    super.resume();
    if (this.inPlace !== undefined && !this.reading) this.readSoon();
    return this;
  }

  /** Reading wanted again, outside the Readable's _read(): data moves on the next tick. */
  private readSoon(): void {
    this.reading = true;
    process.nextTick(() => this.pull());
  }

  // ─── Duplex ──────────────────────────────────────────────────────────────────────────────────────

  override _read(): void {
    this.reading = true;
    this.pull();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    const connection = this.connection;
    const refusal = this.writeRefusal();
    if (connection === undefined || refusal !== undefined) {
      callback(refusal);
      return;
    }
    try {
      connection.queue(chunk);
      connection.flushSoon();
    } catch (error) {
      connection.adoptWritten();
      callback(error as Error);
      return;
    }
    this.written += chunk.length;
    this.touch();
    if (connection.writerMustWait()) this.pendingWrite = callback;
    else {
      connection.adoptWritten();
      callback();
    }
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: WriteCallback,
  ): void {
    const connection = this.connection;
    const refusal = this.writeRefusal();
    if (connection === undefined || refusal !== undefined) {
      callback(refusal);
      return;
    }
    try {
      for (const { chunk } of chunks) {
        connection.queue(chunk);
        this.written += chunk.length;
      }
      connection.flushSoon();
    } catch (error) {
      connection.adoptWritten();
      callback(error as Error);
      return;
    }
    this.touch();
    if (connection.writerMustWait()) this.pendingWrite = callback;
    else {
      connection.adoptWritten();
      callback();
    }
  }

  /**
   * Why a write cannot go out: the reset held for the reader (closeError), the error of a connection closed
   * after the peer's FIN (writeError), or no connection any more.
   */
  private writeRefusal(): PilhaError | undefined {
    const held = this.closeError ?? this.writeError;
    if (held !== undefined) return held;
    return this.connection === undefined
      ? new PilhaError('EPIPE', 'write after the connection closed')
      : undefined;
  }

  override _final(callback: (error?: Error | null) => void): void {
    const connection = this.connection;
    if (connection !== undefined && connection.state !== TcpState.CLOSED) connection.shutdown();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.deferredAttach = undefined;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    this.pendingWrite = undefined;
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined && connection.state !== TcpState.CLOSED) {
      connection.setHandler(undefined);
      // The connection may go on sending in the background, and the writer is free to reuse its buffers.
      connection.adoptWritten();
      // As close(2) on a kernel socket: a connection still opening is dropped; otherwise a FIN follows what
      // was queued and the connection completes in the background, but data that came in and was never read
      // (or arrives later) resets it. resetAndDestroy() is the way to send a RST on purpose.
      if (connection.state === TcpState.SYN_SENT) {
        connection.abort();
      } else {
        // Release first: with unread data it resets at once (RST alone, no FIN before it, as Linux's tcp_close).
        connection.release();
        connection.shutdown();
      }
    } else if (connection !== undefined) {
      connection.release(); // closed already: frees what it still held for us to read
    }
    callback(error);
    process.nextTick(() => {
      this.options.onClosed?.(this);
      this.emit('close', error != null);
    });
  }

  /**
   * Calls `attach` once the connection first has something to read (data, or the peer's FIN), rather than now,
   * as Linux's TCP_DEFER_ACCEPT: an application whose state per connection is costly (node:http's parser and
   * listeners: 1.4 KB of heap and 1.8 KB of malloc'd parser) pays it only for connections that speak. One that
   * closes or is reset without having sent anything is never attached (its 'close' event comes all the same).
   */
  deferUntilReadable(attach: ((socket: TcpSocket) => void) | undefined): void {
    const c = this.connection;
    if (attach !== undefined && c !== undefined && (c.readableBytes > 0 || c.readEnded)) {
      this.deferredAttach = undefined;
      attach(this);
      return;
    }
    this.deferredAttach = c === undefined ? undefined : attach;
  }

  /** Whether deferUntilReadable is still waiting: the connection has sent nothing yet. */
  get deferred(): boolean {
    return this.deferredAttach !== undefined;
  }

  // ─── From the connection (TcpConnectionHandler: called by TcpLifecycle, not by applications) ─────

  /** @internal */
  onConnect(): void {
    this.connected();
  }

  /** @internal */
  onReadable(): void {
    const attach = this.deferredAttach;
    if (attach !== undefined) {
      this.deferredAttach = undefined;
      attach(this);
    }
    this.pull();
  }

  /** @internal */
  onWritable(): void {
    this.resumeWriter();
  }

  /** @internal */
  onClose(error: PilhaError | undefined): void {
    this.deferredAttach = undefined;
    this.connectionClosed(error);
  }

  private connected(): void {
    this.isConnecting = false;
    this.touch();
    // As net: 'connect' comes from the event loop, never from inside connect().
    process.nextTick(() => {
      if (this.destroyed) return;
      this.emit('connect');
      this.emit('ready');
    });
  }

  /** Moves in-order data into the readable side while it wants more; then the EOF once the FIN is read. */
  private pull(): void {
    const connection = this.connection;
    if (connection === undefined || this.eofPushed) return;
    let read = false;
    while (this.reading) {
      const chunk = connection.read();
      if (chunk === undefined) break;
      read = true;
      this.bytesRead += chunk.length;
      if (this.idleMs > 0) this.touch();
      const reader = this.inPlace;
      if (reader !== undefined) {
        if (reader(chunk) === false) this.pause();
      } else if (!this.push(connection.isLent(chunk) ? Buffer.from(chunk) : chunk)) this.reading = false;
      if (this.destroyed) return;
    }
    if (read) connection.readDone();
    if (connection.readEnded && !this.eofPushed && this.connection === connection) {
      this.eofPushed = true;
      this.push(null);
    }
    if (this.closeError !== undefined) this.failOnceRead();
  }

  /**
   * Readable's read(), then the held reset once everything that came before it has been read: in flowing
   * mode (node:http) and in paused mode ('readable', `for await`) alike, the last chunk leaves the buffer here.
   */
  override read(size?: number): unknown {
    const chunk: unknown = super.read(size);
    if (this.closeError !== undefined) this.failOnceRead();
    return chunk;
  }

  /** The held error (closeError), once neither the connection nor the readable side has data left for the reader. */
  private failOnceRead(): void {
    const error = this.closeError!;
    if (this.readableLength > 0 || (this.connection?.readableBytes ?? 0) > 0) return;
    // A tick later: after the Readable has emitted what pull() pushed from inside _read() (it does so on the
    // next tick). Writes until then get the error too; a second call meanwhile changes nothing (destroyed).
    process.nextTick(() => this.destroy(error));
  }

  private resumeWriter(): void {
    const callback = this.pendingWrite;
    if (callback === undefined) return;
    this.pendingWrite = undefined;
    this.connection?.adoptWritten();
    callback();
  }

  private connectionClosed(error: PilhaError | undefined): void {
    this.isConnecting = false;
    if (error !== undefined && this.connection?.finReceived === true) {
      // Closed with an error after the peer's FIN (a RST in CLOSE_WAIT): as over Linux, the reader gets the data
      // and then the EOF, and only a write meets the error (send() fails with EPIPE; recv() returns 0).
      this.writeError = error;
      error = undefined;
    }
    if (error !== undefined) {
      // As node:net over Linux, where recv() returns the data queued before a reset: a socket that reads
      // (flowing, or paused by its reader: net stops reading then, and meets the reset when it resumes) gets that
      // data first, a request sent just before an abortive close is served, then the error. A write waiting for
      // room fails at once, as send() would; a socket nobody reads (net reads from the start, so what it had
      // read goes with it) is destroyed at once.
      const unread = (this.connection?.readableBytes ?? 0) > 0 || this.readableLength > 0;
      if (unread && this.pendingWrite === undefined && this.readableFlowing !== null) {
        this.closeError = error;
        this.pull();
        return;
      }
      this.destroy(error);
      return;
    }
    // A clean end (our FIN and theirs both acknowledged): hand over what is left, then the EOF.
    this.pull();
    const callback = this.pendingWrite;
    if (callback !== undefined) {
      this.pendingWrite = undefined;
      callback(this.writeError ?? new PilhaError('EPIPE', 'the connection closed with data unsent'));
    }
  }

  /** Activity: restarts the idle period (the timer itself is re-armed lazily, at most once per period). */
  private touch(): void {
    if (this.idleMs <= 0 || this.destroyed) return;
    this.lastActivity = this.options.clock.now();
    if (this.idleTimer === undefined) {
      this.idleTimerCallback ??= () => this.onIdleTimer();
      this.idleTimer = this.options.clock.setTimer(this.idleMs, this.idleTimerCallback);
    }
  }

  private onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.idleMs <= 0 || this.destroyed) return;
    const idle = this.options.clock.now() - this.lastActivity;
    if (idle >= this.idleMs) {
      // As net: one 'timeout' per idle period; the next activity starts a new one.
      this.emit('timeout');
      return;
    }
    this.idleTimer = this.options.clock.setTimer(this.idleMs - idle, this.idleTimerCallback!);
  }
}

/**
 * node:http, handed a socket, replaces its on, addListener and prependListener with wrappers of its own (three
 * closures with their contexts, about 350 bytes a connection for as long as it lives) that only matter for a
 * kernel socket whose reads its parser consumes natively (unconsume); a TcpSocket has no such handle. So the
 * prototype's methods stay, and an assignment to them is ignored.
 */
for (const name of ['on', 'addListener', 'prependListener'] as const) {
  const method = Duplex.prototype[name];
  Object.defineProperty(TcpSocket.prototype, name, {
    configurable: true,
    get: () => method,
    set: () => {},
  });
}
