import type { Duplex } from 'node:stream';

/** A listening server, shaped like net.Server. */
export interface StreamServer {
  listen(port: number, host?: string): Promise<void>;
  /** The port actually bound (useful after listen(0)). */
  readonly port: number;
  close(): Promise<void>;
}

/** What a server may ask of its transport, as net.createServer's options. */
export interface StreamServerOptions {
  /**
   * Keep the writable side open after the peer's FIN (default false, as net). An application that
   * answers after the request's end (node:http serving a client that half-closed) needs it.
   */
  readonly allowHalfOpen?: boolean;
}

/** A net-like socket: a Duplex plus the address/option surface node:http relies on. */
export interface StreamSocket extends Duplex {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  setNoDelay(noDelay?: boolean): this;
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  setTimeout(timeout: number, callback?: () => void): this;
  /**
   * Where the socket can (pilha's TcpSocket): data to `reader` instead of 'data' events, as views valid only
   * until it returns (no copy); false from it pauses the socket.
   */
  readInPlace?(reader: ((chunk: Uint8Array) => unknown) | undefined): this;
  /**
   * Where the socket can (pilha's TcpSocket): `attach` is called once the peer first sends something (data or
   * its FIN), not now, as Linux's TCP_DEFER_ACCEPT; never for a connection that closes having sent nothing.
   * Undefined stops the wait (the socket is being closed for its silence).
   */
  deferUntilReadable?(attach: ((socket: StreamSocket) => void) | undefined): void;
  /** With deferUntilReadable: whether it is still waiting (the peer has sent nothing). */
  readonly deferred?: boolean;
}

/**
 * What applications see of a transport: two implementations, the kernel's (node:net) and pilha's own TCP.
 * An application never knows which one it runs on.
 */
export interface StreamTransport {
  readonly name: 'kernel' | 'pilha';
  createServer(onConnection: (socket: StreamSocket) => void, options?: StreamServerOptions): StreamServer;
  connect(host: string, port: number): Promise<StreamSocket>;
}
