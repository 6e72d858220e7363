import net, { type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import type {
  StreamServer,
  StreamServerOptions,
  StreamSocket,
  StreamTransport,
} from '../../../src/transport/socket/stream-transport.js';

/**
 * A minimal node:net StreamTransport on loopback, for the app tests (src/transport/socket/kernel-stream-transport.ts
 * is the real one; this keeps the app tests independent of it).
 */
export class LoopbackNetTransport implements StreamTransport {
  readonly name = 'kernel' as const;

  createServer(
    onConnection: (socket: StreamSocket) => void,
    options: StreamServerOptions = {},
  ): StreamServer {
    const server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) =>
      onConnection(socket),
    );
    return {
      listen: (port: number, host = '127.0.0.1') =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        }),
      get port() {
        return (server.address() as AddressInfo | null)?.port ?? 0;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  connect(host: string, port: number): Promise<StreamSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  }
}

/** `transport`, with every socket it connects kept in `sockets` (to see what the code under test did with it). */
export function recordingTransport(
  transport: StreamTransport,
): StreamTransport & { sockets: StreamSocket[] } {
  const sockets: StreamSocket[] = [];
  return {
    name: transport.name,
    sockets,
    createServer: (...args) => transport.createServer(...args),
    connect: async (host, port) => {
      const socket = await transport.connect(host, port);
      sockets.push(socket);
      return socket;
    },
  };
}

/**
 * One end of an in-memory connection: a plain Duplex (not a net.Socket) with the StreamSocket surface and a
 * `stats()` method, as pilha's TCP sockets have. Shows that node:http needs nothing beyond the interface.
 */
export class PairSocket extends Duplex implements StreamSocket {
  peer!: PairSocket;
  bytesRead = 0;
  bytesWritten = 0;
  private timeoutMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super({ allowHalfOpen: true });
  }

  static pair(): [client: PairSocket, server: PairSocket] {
    const client = new PairSocket('10.9.0.1', 40000, '10.9.0.2', 80);
    const server = new PairSocket('10.9.0.2', 80, '10.9.0.1', 40000);
    client.peer = server;
    server.peer = client;
    return [client, server];
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytesWritten += chunk.length;
    this.touch();
    setImmediate(() => {
      if (this.peer.destroyed) return callback(new Error('EPIPE'));
      this.peer.bytesRead += chunk.length;
      this.peer.touch();
      this.peer.push(chunk);
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.destroy();
    });
    callback(error);
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(timeout: number, callback?: () => void): this {
    this.timeoutMs = timeout;
    if (callback !== undefined) this.once('timeout', callback);
    this.touch();
    return this;
  }

  stats(): { state: string; bytesRead: number; bytesWritten: number } {
    return { state: 'ESTABLISHED', bytesRead: this.bytesRead, bytesWritten: this.bytesWritten };
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.timeoutMs > 0) this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeoutMs).unref();
  }
}

/** A StreamTransport of PairSockets: connect() finds the server by port, in memory. */
export class PairTransport implements StreamTransport {
  readonly name = 'pilha' as const;
  private readonly servers = new Map<number, (socket: StreamSocket) => void>();

  createServer(onConnection: (socket: StreamSocket) => void): StreamServer {
    let bound = 0;
    return {
      listen: async (port: number) => {
        if (this.servers.has(port)) throw new Error(`port ${port} in use`);
        this.servers.set(port, onConnection);
        bound = port;
      },
      get port() {
        return bound;
      },
      close: async () => {
        this.servers.delete(bound);
      },
    };
  }

  async connect(_host: string, port: number): Promise<StreamSocket> {
    const onConnection = this.servers.get(port);
    if (onConnection === undefined) throw new Error(`connection refused on port ${port}`);
    const [client, server] = PairSocket.pair();
    setImmediate(() => onConnection(server));
    return client;
  }
}
