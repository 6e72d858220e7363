/**
 * The application on the stack under test, driven by the fuzzer through the socket API as a program
 * would use it: servers that accept, active opens, write, end, destroy, resetAndDestroy, pause and
 * resume, setNoDelay, setKeepAlive, setTimeout. It writes the stack stream (a function of the offset) and
 * checks that what it reads is the peer's stream at the right offset, unless the flow was tainted by a
 * mutation that may legitimately have changed the bytes. Errors must be the ones a socket may have.
 */

import { PilhaError } from '../../src/core/errors.js';
import type { TcpStack } from '../../src/di/compositions.js';
import type { TcpServer } from '../../src/transport/socket/tcp-server.js';
import { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import type { TcpConnectionHandler } from '../../src/transport/tcp/connection/tcp-connection-types.js';
import { firstMismatch, peerStreamByte, stackStreamByte, streamBytes } from './byte-pattern.js';
import type { FuzzRandom } from './fuzz-random.js';

interface AppSocket {
  readonly key: number;
  readonly socket: TcpSocket;
  written: number;
  readOffset: number;
  tainted: boolean;
  closed: boolean;
}

/** Error codes a socket may end with. */
const SOCKET_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);
/** Bytes the application lets pile up in a socket's writable buffer before it stops writing (it is polite). */
const WRITABLE_LIMIT = 256 * 1024;
/** Local ports for active opens: a range of its own, cycled. */
const ACTIVE_PORT_MIN = 20_000;
const ACTIVE_PORT_SPAN = 10_000;

export const USER_ACTIONS = [
  'write',
  'end',
  'destroy',
  'reset',
  'pause',
  'resume',
  'nodelay',
  'keepalive',
  'timeout',
  'connect',
  'relisten',
] as const;
export type UserAction = (typeof USER_ACTIONS)[number];

export class FuzzApp {
  private readonly sockets = new Map<number, AppSocket>();
  /** Bytes written per 4-tuple, kept after the socket closes: its connection may still be sending them. */
  private readonly writtenByKey = new Map<number, number>();
  private list: AppSocket[] = [];
  private readonly servers = new Map<number, TcpServer>();
  private nextActivePort = 0;
  readonly errorCodes: Record<string, number> = {};
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    private readonly stack: TcpStack,
    private readonly rng: FuzzRandom,
    private readonly peerAddress: number,
    /** Whether the fuzzing peer still vouches for the bytes of a flow. */
    private readonly isClean: (key: number) => boolean,
    private readonly report: (violation: string) => void,
    private readonly maxSockets: number,
  ) {}

  static key(remotePort: number, localPort: number): number {
    return remotePort * 65536 + localPort;
  }

  /** Servers on 80 (allowHalfOpen off) and 8080 (allowHalfOpen on, noDelay). */
  async listen(): Promise<void> {
    await this.listenOn(80);
    await this.listenOn(8080);
  }

  written(key: number): number {
    return this.writtenByKey.get(key) ?? 0;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Applies a user call to a random socket (or opens one); API errors of the documented kinds are fine. */
  act(action: UserAction, peerPorts: readonly number[]): void {
    if (action === 'connect') {
      this.connect(this.rng.pick(peerPorts));
      return;
    }
    if (action === 'relisten') {
      this.relisten();
      return;
    }
    if (this.list.length === 0) return;
    const s = this.rng.pick(this.list);
    const socket = s.socket;
    switch (action) {
      case 'write': {
        if (!socket.writable || socket.destroyed || socket.writableLength > WRITABLE_LIMIT) return;
        const length = this.rng.chance(0.8) ? this.rng.range(1, 3000) : this.rng.range(1, 70_000);
        const chunk = streamBytes(stackStreamByte, s.written, length);
        s.written += length;
        this.writtenByKey.set(s.key, s.written);
        this.bytesWritten += length;
        socket.write(chunk);
        return;
      }
      case 'end':
        if (socket.writable) socket.end();
        return;
      case 'destroy':
        socket.destroy();
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'pause':
        socket.pause();
        return;
      case 'resume':
        socket.resume();
        return;
      case 'nodelay':
        socket.setNoDelay(this.rng.chance(0.5));
        return;
      case 'keepalive':
        socket.setKeepAlive(this.rng.chance(0.7), this.rng.pick([0, 100, 1000, 10_000]));
        return;
      case 'timeout':
        socket.setTimeout(this.rng.pick([0, 50, 1000, 30_000]));
        return;
      default:
        action satisfies never;
    }
  }

  /** Every socket, destroyed (as a program exiting would); the stack finishes the connections itself. */
  destroyAll(): void {
    for (const s of [...this.sockets.values()]) s.socket.destroy();
  }

  async closeServers(): Promise<void> {
    for (const server of this.servers.values()) void server.close();
    this.servers.clear();
  }

  private async listenOn(port: number): Promise<void> {
    const halfOpen = port === 8080;
    const server = this.stack.transport.createServer((socket) => this.adopt(socket), {
      allowHalfOpen: halfOpen,
      noDelay: halfOpen,
    });
    server.on('error', (error: Error) => this.report(`server error: ${error.message}`));
    await server.listen(port);
    this.servers.set(port, server);
  }

  /** Closes a server and opens it again at once (connections it accepted carry on). */
  private relisten(): void {
    const port = this.rng.chance(0.5) ? 80 : 8080;
    const server = this.servers.get(port);
    if (server === undefined) return;
    this.servers.delete(port);
    void server.close();
    this.listenOn(port).catch((error: unknown) => this.report(`listen again failed: ${String(error)}`));
  }

  private connect(peerPort: number): void {
    if (this.sockets.size >= this.maxSockets) return;
    const localPort = ACTIVE_PORT_MIN + (this.nextActivePort++ % ACTIVE_PORT_SPAN);
    const tcp = this.stack.tcp;
    let socket: TcpSocket;
    try {
      socket = new TcpSocket(
        (handler: TcpConnectionHandler) => tcp.connect(this.peerAddress, peerPort, { localPort, handler }),
        { clock: this.stack.clock, allowHalfOpen: this.rng.chance(0.5) },
      );
    } catch (error) {
      if (error instanceof PilhaError && error.code === 'EADDRINUSE') return;
      throw error;
    }
    this.adopt(socket);
  }

  private adopt(socket: TcpSocket): void {
    const key = FuzzApp.key(socket.remotePort ?? 0, socket.localPort ?? 0);
    const s: AppSocket = { key, socket, written: 0, readOffset: 0, tainted: false, closed: false };
    const old = this.sockets.get(key);
    if (old !== undefined) old.closed = true;
    this.sockets.set(key, s);
    this.writtenByKey.set(key, 0);
    this.list = [...this.sockets.values()];
    socket.on('data', (chunk: Buffer) => this.onData(s, chunk));
    socket.on('error', (error: Error & { code?: string }) => {
      const code = error.code ?? 'none';
      this.errorCodes[code] = (this.errorCodes[code] ?? 0) + 1;
      if (!SOCKET_ERRORS.has(code)) this.report(`socket error ${code}: ${error.message}`);
    });
    socket.on('timeout', () => {
      if (this.rng.chance(0.5)) socket.destroy();
    });
    socket.on('close', () => {
      s.closed = true;
      if (this.sockets.get(key) === s) {
        this.sockets.delete(key);
        this.list = [...this.sockets.values()];
      }
    });
    if (this.rng.chance(0.1)) socket.pause();
  }

  private onData(s: AppSocket, chunk: Buffer): void {
    this.bytesRead += chunk.length;
    if (!s.tainted && !this.isClean(s.key)) s.tainted = true;
    if (!s.tainted) {
      const at = firstMismatch(peerStreamByte, s.readOffset, chunk);
      if (at >= 0) {
        this.report(
          `application read a wrong byte at stream offset ${s.readOffset + at} (remote port ${Math.floor(s.key / 65536)})`,
        );
      }
    }
    s.readOffset += chunk.length;
  }
}
