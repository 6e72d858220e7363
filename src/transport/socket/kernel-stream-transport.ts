/**
 * StreamTransport over the kernel's TCP (node:net): the comparison every pilha run can be held against.
 */

import net from 'node:net';
import type { StreamServer, StreamServerOptions, StreamSocket, StreamTransport } from './stream-transport.js';

/** A net.Server behind the StreamServer interface. */
export class KernelStreamServer implements StreamServer {
  readonly server: net.Server;

  constructor(onConnection: (socket: StreamSocket) => void, options: StreamServerOptions = {}) {
    this.server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) =>
      onConnection(socket),
    );
  }

  listen(port: number, host?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  get port(): number {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
  }
}

export class KernelStreamTransport implements StreamTransport {
  readonly name = 'kernel' as const;

  createServer(
    onConnection: (socket: StreamSocket) => void,
    options?: StreamServerOptions,
  ): KernelStreamServer {
    return new KernelStreamServer(onConnection, options);
  }

  connect(host: string, port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const onError = (error: Error): void => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }
}
