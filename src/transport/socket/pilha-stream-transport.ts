/**
 * StreamTransport over pilha's own TCP: servers are TcpServers, connections TcpSockets. Hosts are IPv4
 * addresses in dotted form (pilha resolves no names).
 */

import type { Clock } from '../../core/clock.js';
import { parseIpv4 } from '../../core/ipv4-address.js';
import type { TcpLayer } from '../tcp/tcp-layer.js';
import type { StreamTransport } from './stream-transport.js';
import { TcpServer, type TcpServerOptions } from './tcp-server.js';
import { TcpSocket } from './tcp-socket.js';

export interface PilhaTransportOptions {
  /** For accepted and opened sockets alike; default false, as net. */
  readonly allowHalfOpen?: boolean;
}

export class PilhaStreamTransport implements StreamTransport {
  readonly name = 'pilha' as const;

  constructor(
    readonly tcp: TcpLayer,
    private readonly clock: Clock,
    private readonly options: PilhaTransportOptions = {},
  ) {}

  createServer(onConnection: (socket: TcpSocket) => void, options: TcpServerOptions = {}): TcpServer {
    return new TcpServer(
      this.tcp,
      this.clock,
      {
        ...(this.options.allowHalfOpen !== undefined ? { allowHalfOpen: this.options.allowHalfOpen } : {}),
        ...options,
      },
      onConnection,
    );
  }

  /** Opens a connection; resolves on 'connect', rejects with its error (ECONNREFUSED, ETIMEDOUT...). */
  connect(host: string, port: number): Promise<TcpSocket> {
    let socket: TcpSocket;
    try {
      socket = this.createConnection(port, host);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  /** As net.createConnection: the socket at once, still connecting ('connect' follows). */
  createConnection(port: number, host: string): TcpSocket {
    const remote = parseIpv4(host);
    return new TcpSocket((handler) => this.tcp.connect(remote, port, { handler }), {
      clock: this.clock,
      ...(this.options.allowHalfOpen !== undefined ? { allowHalfOpen: this.options.allowHalfOpen } : {}),
    });
  }
}
