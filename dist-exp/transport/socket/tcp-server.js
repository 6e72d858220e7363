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
import { PilhaError } from '../../core/errors.js';
import { formatIpv4, parseIpv4 } from '../../core/ipv4-address.js';
import { TcpSocket } from './tcp-socket.js';
export class TcpServer extends EventEmitter {
    tcp;
    clock;
    options;
    listener;
    sockets = new Set();
    acceptScheduled = false;
    closing = false;
    closeWaiters = [];
    constructor(tcp, clock, options = {}, onConnection) {
        super();
        this.tcp = tcp;
        this.clock = clock;
        this.options = options;
        if (onConnection !== undefined)
            this.on('connection', onConnection);
    }
    /**
     * Listens on `port` (0 picks an ephemeral one); `host`, if given, must be the stack's address or
     * 0.0.0.0. Rejects with EADDRINUSE or EBADADDR, and then also emits 'error' if anyone listens for it.
     */
    async listen(port, host) {
        try {
            if (this.listener !== undefined)
                throw new PilhaError('EADDRINUSE', 'the server is already listening');
            if (host !== undefined && host !== '0.0.0.0' && host !== '::' && parseIpv4(host) !== this.tcp.address) {
                throw new PilhaError('EBADADDR', `cannot listen on ${host}: pilha's address is ${formatIpv4(this.tcp.address)}`);
            }
            this.listener = this.tcp.listen(port, {
                ...(this.options.backlog !== undefined ? { backlog: this.options.backlog } : {}),
                onAcceptable: this.scheduleAccept,
            });
        }
        catch (error) {
            if (this.listenerCount('error') > 0)
                process.nextTick(() => this.emit('error', error));
            throw error;
        }
        this.closing = false;
        process.nextTick(() => this.emit('listening'));
    }
    get port() {
        return this.listener?.port ?? 0;
    }
    get listening() {
        return this.listener !== undefined && !this.listener.closed;
    }
    address() {
        if (this.listener === undefined)
            return null;
        return { address: formatIpv4(this.tcp.address), family: 'IPv4', port: this.listener.port };
    }
    /** Connections accepted and not yet closed. */
    get connectionCount() {
        return this.sockets.size;
    }
    /**
     * Stops listening (connections still in the accept queue are reset); resolves, and emits 'close',
     * once every accepted connection has closed, as net.Server.close does.
     */
    close() {
        return new Promise((resolve) => {
            this.closeWaiters.push(resolve);
            this.closing = true;
            this.listener?.close();
            this.listener = undefined;
            this.maybeClosed();
        });
    }
    ref() {
        return this;
    }
    unref() {
        return this;
    }
    scheduleAccept = () => {
        if (this.acceptScheduled)
            return;
        this.acceptScheduled = true;
        process.nextTick(this.drainAccept);
    };
    drainAccept = () => {
        this.acceptScheduled = false;
        const listener = this.listener;
        if (listener === undefined)
            return;
        for (let connection = listener.accept(); connection !== undefined; connection = listener.accept()) {
            const socket = new TcpSocket(connection, {
                clock: this.clock,
                ...(this.options.allowHalfOpen !== undefined ? { allowHalfOpen: this.options.allowHalfOpen } : {}),
            });
            if (this.options.noDelay)
                socket.setNoDelay(true);
            this.sockets.add(socket);
            socket.once('close', () => {
                this.sockets.delete(socket);
                this.maybeClosed();
            });
            this.emit('connection', socket);
        }
    };
    maybeClosed() {
        if (!this.closing || this.sockets.size > 0)
            return;
        this.closing = false;
        const waiters = this.closeWaiters;
        this.closeWaiters = [];
        process.nextTick(() => {
            this.emit('close');
            for (const resolve of waiters)
                resolve();
        });
    }
}
//# sourceMappingURL=tcp-server.js.map