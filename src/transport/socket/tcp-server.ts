/**
 * A listening pilha TCP port as a `net.Server`-like EventEmitter: 'listening', 'connection' (a
 * TcpSocket), 'close' (once stopped and every connection it accepted has closed), 'error'.
 *
 * The TCP layer puts established connections in the listener's accept queue and calls back from the
 * packet path; the server drains the queue on the next tick, so the application's 'connection' handler
 * never runs inside segment processing, and data that came with the handshake waits in the connection
 * until the socket reads it.
 */

import { EventEmitter } from 'node:events';
import type { Clock } from '../../core/clock.js';
import { PilhaError } from '../../core/errors.js';
import { formatIpv4, parseIpv4 } from '../../core/ipv4-address.js';
import { SlotMap } from '../../core/slot-map.js';
import type { TcpListener } from '../tcp/listen/tcp-listener.js';
import type { TcpLayer } from '../tcp/tcp-layer.js';
import type { StreamServer } from './stream-transport.js';
import { TcpSocket, type TcpSocketOptions } from './tcp-socket.js';

export interface TcpServerOptions {
  /** As net.createServer's: sockets keep their writable side open after the peer's FIN. */
  readonly allowHalfOpen?: boolean;
  /** Accept queue length; the TCP configuration's backlog when absent. */
  readonly backlog?: number;
  /** setNoDelay on every accepted socket (node:http's servers ask for it). */
  readonly noDelay?: boolean;
}

export class TcpServer extends EventEmitter implements StreamServer {
  private listener: TcpListener | undefined;
  /** Accepted sockets not yet closed (a SlotMap, not a Set: one in and one out per connection; see there). */
  private readonly sockets = new SlotMap<TcpSocket, true>();
  private acceptScheduled = false;
  private closing = false;
  private closeWaiters: Array<() => void> = [];
  /** The same options object for every accepted socket. */
  private readonly socketOptions: TcpSocketOptions;

  constructor(
    private readonly tcp: TcpLayer,
    clock: Clock,
    private readonly options: TcpServerOptions = {},
    onConnection?: (socket: TcpSocket) => void,
  ) {
    super();
    this.socketOptions = {
      clock,
      ...(options.allowHalfOpen !== undefined ? { allowHalfOpen: options.allowHalfOpen } : {}),
      onClosed: this.socketClosed,
    };
    if (onConnection !== undefined) this.on('connection', onConnection);
  }

  /**
   * Listens on `port` (0 picks an ephemeral one); `host`, if given, must be the stack's address or
   * 0.0.0.0. Rejects with EADDRINUSE or EBADADDR, and then also emits 'error' if anyone listens for it.
   */
  async listen(port: number, host?: string): Promise<void> {
    try {
      if (this.listener !== undefined) throw new PilhaError('EADDRINUSE', 'the server is already listening');
      if (host !== undefined && host !== '0.0.0.0' && host !== '::' && parseIpv4(host) !== this.tcp.address) {
        throw new PilhaError(
          'EBADADDR',
          `cannot listen on ${host}: pilha's address is ${formatIpv4(this.tcp.address)}`,
        );
      }
      this.listener = this.tcp.listen(port, {
        ...(this.options.backlog !== undefined ? { backlog: this.options.backlog } : {}),
        onAcceptable: this.scheduleAccept,
      });
    } catch (error) {
      if (this.listenerCount('error') > 0) process.nextTick(() => this.emit('error', error));
      throw error;
    }
    this.closing = false;
    process.nextTick(() => this.emit('listening'));
  }

  get port(): number {
    return this.listener?.port ?? 0;
  }

  get listening(): boolean {
    return this.listener !== undefined && !this.listener.closed;
  }

  address(): { address: string; family: string; port: number } | null {
    if (this.listener === undefined) return null;
    return { address: formatIpv4(this.tcp.address), family: 'IPv4', port: this.listener.port };
  }

  /** Connections accepted and not yet closed. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /**
   * Stops listening (connections still in the accept queue are reset); resolves, and emits 'close',
   * once every accepted connection has closed, as net.Server.close does.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      this.closing = true;
      this.listener?.close();
      this.listener = undefined;
      this.maybeClosed();
    });
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  private readonly scheduleAccept = (): void => {
    if (this.acceptScheduled) return;
    this.acceptScheduled = true;
    process.nextTick(this.drainAccept);
  };

  private readonly drainAccept = (): void => {
    this.acceptScheduled = false;
    const listener = this.listener;
    if (listener === undefined) return;
    for (let connection = listener.accept(); connection !== undefined; connection = listener.accept()) {
      const socket = new TcpSocket(connection, this.socketOptions);
      if (this.options.noDelay) socket.setNoDelay(true);
      this.sockets.set(socket, true);
      this.emit('connection', socket);
    }
  };

  /** A socket of ours is about to emit 'close' (its onClosed option: no listener per socket). */
  private readonly socketClosed = (socket: TcpSocket): void => {
    this.sockets.delete(socket);
    this.maybeClosed();
  };

  private maybeClosed(): void {
    if (!this.closing || this.sockets.size > 0) return;
    this.closing = false;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    process.nextTick(() => {
      this.emit('close');
      for (const resolve of waiters) resolve();
    });
  }
}
