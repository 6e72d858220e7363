/**
 * StreamTransport over pilha's own TCP: servers are TcpServers, connections TcpSockets. Hosts are IPv4
 * addresses in dotted form (pilha resolves no names).
 */
import { parseIpv4 } from '../../core/ipv4-address.js';
import { TcpServer } from './tcp-server.js';
import { TcpSocket } from './tcp-socket.js';
export class PilhaStreamTransport {
    tcp;
    clock;
    options;
    name = 'pilha';
    constructor(tcp, clock, options = {}) {
        this.tcp = tcp;
        this.clock = clock;
        this.options = options;
    }
    createServer(onConnection, options = {}) {
        return new TcpServer(this.tcp, this.clock, {
            ...(this.options.allowHalfOpen !== undefined ? { allowHalfOpen: this.options.allowHalfOpen } : {}),
            ...options,
        }, onConnection);
    }
    /** Opens a connection; resolves on 'connect', rejects with its error (ECONNREFUSED, ETIMEDOUT...). */
    connect(host, port) {
        let socket;
        try {
            socket = this.createConnection(port, host);
        }
        catch (error) {
            return Promise.reject(error);
        }
        return new Promise((resolve, reject) => {
            const onError = (error) => reject(error);
            socket.once('error', onError);
            socket.once('connect', () => {
                socket.off('error', onError);
                resolve(socket);
            });
        });
    }
    /** As net.createConnection: the socket at once, still connecting ('connect' follows). */
    createConnection(port, host) {
        const remote = parseIpv4(host);
        return new TcpSocket((handler) => this.tcp.connect(remote, port, { handler }), {
            clock: this.clock,
            ...(this.options.allowHalfOpen !== undefined ? { allowHalfOpen: this.options.allowHalfOpen } : {}),
        });
    }
}
//# sourceMappingURL=pilha-stream-transport.js.map