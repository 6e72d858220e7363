import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { SlotMap } from '../../core/slot-map.js';
import { SystemClock } from '../../core/system-clock.js';
import type { StreamServer, StreamSocket, StreamTransport } from '../../transport/socket/stream-transport.js';
import { FRAMED_MAX_MESSAGE_BYTES } from './framed-header.js';
import { FramedServerConnection } from './framed-server-connection.js';

export interface FramedEchoAppOptions {
  /** Largest message accepted, in bytes (default and at most 99,999,999: what 8 digits can say). */
  readonly maxSize?: number;
  /** How long a refused connection keeps draining what the client still sends before it is dropped (ms). */
  readonly refusedLingerMs?: number;
  /** The 'app' layer logger; nothing is logged when absent. */
  readonly logger?: Logger;
  /** Where durations come from; real time when absent. */
  readonly clock?: Clock;
  /** Called for every confirmed message (after it is confirmed and logged). */
  readonly onMessage?: (message: FramedMessageRecord) => void;
  /** Called with each connection's summary when it closes. */
  readonly onConnectionClosed?: (summary: FramedConnectionSummary) => void;
}

export interface FramedMessageRecord {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly durationMs: number;
}

export interface FramedConnectionSummary {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly messages: number;
  /** Bytes of confirmed messages (headers not counted). */
  readonly messageBytes: number;
  /** Bytes read from the socket: headers, bodies, and anything after a refusal. */
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** The message the connection ended inside, if any. */
  readonly incomplete?: { readonly got: number; readonly of: number; readonly inHeader: boolean };
  readonly refused?: string;
  readonly durationMs: number;
}

export interface FramedTotals {
  readonly connections: number;
  readonly activeConnections: number;
  /** Confirmed messages and their bytes. */
  readonly messages: number;
  readonly messageBytes: number;
  /** Connections refused with ERR, and connections that ended inside a message. */
  readonly refused: number;
  readonly incomplete: number;
  /** Socket bytes, closed and open connections together. */
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

interface Entry {
  readonly reader: FramedServerConnection;
  readonly openedAt: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  incomplete?: { got: number; of: number; inHeader: boolean };
  refused?: string;
}

const DEFAULT_REFUSED_LINGER_MS = 2000;

/**
 * Stage 1's server, on any StreamTransport (the kernel's TCP or pilha's): each connection carries framed
 * messages — 8 header bytes then exactly that many message bytes — and each whole message is confirmed with
 * `OK <bytes> <sha256>`. A connection may carry several messages one after another (the original's client
 * sends one and closes, which is the one-message case); it ends when the client ends. Connections are served
 * concurrently, each message hashed as it arrives, never held.
 */
export class FramedEchoApp {
  readonly maxSize: number;
  private readonly logger: Logger | undefined;
  private readonly clock: Clock;
  private readonly lingerMs: number;
  /** Open connections: a SlotMap, not a Map, as a server's registries are (core/slot-map.ts says why). */
  private readonly active = new SlotMap<StreamSocket, Entry>();
  private readonly servers: StreamServer[] = [];
  private connections = 0;
  private messages = 0;
  private messageBytes = 0;
  private refused = 0;
  private incomplete = 0;
  private closedBytesReceived = 0;
  private closedBytesSent = 0;

  constructor(private readonly options: FramedEchoAppOptions = {}) {
    const max = options.maxSize ?? FRAMED_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(max) || max < 0 || max > FRAMED_MAX_MESSAGE_BYTES) {
      throw new RangeError(`maxSize must be 0 to ${FRAMED_MAX_MESSAGE_BYTES}, got ${max}`);
    }
    this.maxSize = max;
    this.logger = options.logger;
    this.clock = options.clock ?? new SystemClock();
    this.lingerMs = options.refusedLingerMs ?? DEFAULT_REFUSED_LINGER_MS;
  }

  /** Makes a server on `transport`, listens, and serves every connection. */
  async listen(transport: StreamTransport, port: number, host?: string): Promise<StreamServer> {
    // Half-open: the last confirmation may still be on its way when the client's FIN arrives.
    const server = transport.createServer((socket) => this.handleConnection(socket), { allowHalfOpen: true });
    await server.listen(port, host);
    this.servers.push(server);
    return server;
  }

  handleConnection(socket: StreamSocket): void {
    const remoteAddress = socket.remoteAddress ?? '?';
    const remotePort = socket.remotePort ?? 0;
    const log = this.logger;
    let entry: Entry | undefined;
    const reader = new FramedServerConnection(socket, this.maxSize, this.lingerMs, this.clock, {
      confirmed: (bytes, sha256, durationMs) => {
        this.messages++;
        this.messageBytes += bytes;
        if (log?.isLevelEnabled('info')) {
          log.info({ remote: `${remoteAddress}:${remotePort}`, bytes, sha256 }, `confirmed ${bytes} bytes`);
        }
        this.options.onMessage?.({ remoteAddress, remotePort, bytes, sha256, durationMs });
      },
      refused: (reason) => {
        this.refused++;
        if (entry !== undefined) entry.refused = reason;
        log?.warn({ remote: `${remoteAddress}:${remotePort}` }, `refused: ${reason}`);
      },
      incomplete: (got, of, inHeader) => {
        this.incomplete++;
        if (entry !== undefined) entry.incomplete = { got, of, inHeader };
        log?.warn(
          { remote: `${remoteAddress}:${remotePort}` },
          inHeader ? `incomplete: got ${got} of ${of} header bytes` : `incomplete: got ${got} of ${of} bytes`,
        );
      },
    });
    entry = { reader, openedAt: this.clock.now(), remoteAddress, remotePort };
    this.connections++;
    this.active.set(socket, entry);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log?.debug({ remote: `${remoteAddress}:${remotePort}`, err: err.message }, 'framed connection error');
    });
    socket.once('close', () => this.connectionClosed(socket));
  }

  totals(): FramedTotals {
    let bytesReceived = this.closedBytesReceived;
    let bytesSent = this.closedBytesSent;
    for (const socket of this.active.keys()) {
      bytesReceived += socket.bytesRead;
      bytesSent += socket.bytesWritten;
    }
    return {
      connections: this.connections,
      activeConnections: this.active.size,
      messages: this.messages,
      messageBytes: this.messageBytes,
      refused: this.refused,
      incomplete: this.incomplete,
      bytesReceived,
      bytesSent,
    };
  }

  /**
   * Stops accepting, drops every open connection, and closes the servers that listen() made. Resolves once
   * every connection has closed and been counted, so totals() read afterwards match the connection log.
   */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = this.servers.splice(0).map((s) => s.close());
    for (const socket of this.active.keys()) {
      closing.push(new Promise((resolve) => socket.once('close', resolve)));
      socket.destroy();
    }
    await Promise.allSettled(closing);
  }

  private connectionClosed(socket: StreamSocket): void {
    const entry = this.active.get(socket);
    if (entry === undefined) return;
    entry.reader.closed();
    this.active.delete(socket);
    this.closedBytesReceived += socket.bytesRead;
    this.closedBytesSent += socket.bytesWritten;
    const summary: FramedConnectionSummary = {
      remoteAddress: entry.remoteAddress,
      remotePort: entry.remotePort,
      messages: entry.reader.messages,
      messageBytes: entry.reader.messageBytes,
      bytesReceived: socket.bytesRead,
      bytesSent: socket.bytesWritten,
      ...(entry.incomplete !== undefined ? { incomplete: entry.incomplete } : {}),
      ...(entry.refused !== undefined ? { refused: entry.refused } : {}),
      durationMs: Math.round((this.clock.now() - entry.openedAt) * 1000) / 1000,
    };
    if (this.logger?.isLevelEnabled('debug')) this.logger.debug(summary, 'framed connection closed');
    this.options.onConnectionClosed?.(summary);
  }
}
