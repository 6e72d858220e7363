/**
 * StreamTransport over the kernel's TCP (node:net): the comparison every pilha run can be held against.
 */
import net from 'node:net';
import type { StreamServer, StreamServerOptions, StreamSocket, StreamTransport } from './stream-transport.js';
/** A net.Server behind the StreamServer interface. */
export declare class KernelStreamServer implements StreamServer {
    readonly server: net.Server;
    constructor(onConnection: (socket: StreamSocket) => void, options?: StreamServerOptions);
    listen(port: number, host?: string): Promise<void>;
    get port(): number;
    close(): Promise<void>;
}
export declare class KernelStreamTransport implements StreamTransport {
    readonly name: "kernel";
    createServer(onConnection: (socket: StreamSocket) => void, options?: StreamServerOptions): KernelStreamServer;
    connect(host: string, port: number): Promise<net.Socket>;
}
