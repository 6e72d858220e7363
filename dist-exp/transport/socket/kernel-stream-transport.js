/**
 * StreamTransport over the kernel's TCP (node:net): the comparison every pilha run can be held against.
 */
import net from 'node:net';
/** A net.Server behind the StreamServer interface. */
export class KernelStreamServer {
    server;
    constructor(onConnection, options = {}) {
        this.server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => onConnection(socket));
    }
    listen(port, host) {
        return new Promise((resolve, reject) => {
            const onError = (error) => reject(error);
            this.server.once('error', onError);
            this.server.listen(port, host, () => {
                this.server.off('error', onError);
                resolve();
            });
        });
    }
    get port() {
        const address = this.server.address();
        return address !== null && typeof address === 'object' ? address.port : 0;
    }
    close() {
        return new Promise((resolve) => {
            if (!this.server.listening) {
                resolve();
                return;
            }
            this.server.close(() => resolve());
        });
    }
}
export class KernelStreamTransport {
    name = 'kernel';
    createServer(onConnection, options) {
        return new KernelStreamServer(onConnection, options);
    }
    connect(host, port) {
        return new Promise((resolve, reject) => {
            const socket = net.connect({ host, port });
            const onError = (error) => reject(error);
            socket.once('error', onError);
            socket.once('connect', () => {
                socket.off('error', onError);
                resolve(socket);
            });
        });
    }
}
//# sourceMappingURL=kernel-stream-transport.js.map