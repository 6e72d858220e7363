import { SystemClock } from '../../core/system-clock.js';
import { FRAMED_MAX_MESSAGE_BYTES } from './framed-header.js';
import { FramedServerConnection } from './framed-server-connection.js';
const DEFAULT_REFUSED_LINGER_MS = 2000;
/**
 * Stage 1's server, on any StreamTransport (the kernel's TCP or pilha's): each connection carries framed
 * messages — 8 header bytes then exactly that many message bytes — and each whole message is confirmed with
 * `OK <bytes> <sha256>`. A connection may carry several messages one after another (the original's client
 * sends one and closes, which is the one-message case); it ends when the client ends. Connections are served
 * concurrently, each message hashed as it arrives, never held.
 */
export class FramedEchoApp {
    options;
    maxSize;
    logger;
    clock;
    lingerMs;
    active = new Map();
    servers = [];
    connections = 0;
    messages = 0;
    messageBytes = 0;
    refused = 0;
    incomplete = 0;
    closedBytesReceived = 0;
    closedBytesSent = 0;
    constructor(options = {}) {
        this.options = options;
        const max = options.maxSize ?? FRAMED_MAX_MESSAGE_BYTES;
        if (!Number.isSafeInteger(max) || max < 0 || max > FRAMED_MAX_MESSAGE_BYTES) {
            throw new RangeError(`maxSize must be 0 to ${FRAMED_MAX_MESSAGE_BYTES}, got ${max}`);
        }
        this.maxSize = max;
        this.logger = options.logger;
        this.clock = options.clock ?? new SystemClock();
        this.lingerMs = options.refusedLingerMs ?? DEFAULT_REFUSED_LINGER_MS;
    }
    /** Makes a server on `transport`, listens, and serves every connection. */
    async listen(transport, port, host) {
        // Half-open: the last confirmation may still be on its way when the client's FIN arrives.
        const server = transport.createServer((socket) => this.handleConnection(socket), { allowHalfOpen: true });
        await server.listen(port, host);
        this.servers.push(server);
        return server;
    }
    handleConnection(socket) {
        const remoteAddress = socket.remoteAddress ?? '?';
        const remotePort = socket.remotePort ?? 0;
        const log = this.logger;
        let entry;
        const reader = new FramedServerConnection(socket, this.maxSize, this.lingerMs, this.clock, {
            confirmed: (bytes, sha256, durationMs) => {
                this.messages++;
                this.messageBytes += bytes;
                if (log?.isLevelEnabled('info')) {
                    log.info({ remote: `${remoteAddress}:${remotePort}`, bytes, sha256 }, `confirmed ${bytes} bytes`);
                }
                this.options.onMessage?.({ remoteAddress, remotePort, bytes, sha256, durationMs });
            },
            refused: (reason) => {
                this.refused++;
                if (entry !== undefined)
                    entry.refused = reason;
                log?.warn({ remote: `${remoteAddress}:${remotePort}` }, `refused: ${reason}`);
            },
            incomplete: (got, of, inHeader) => {
                this.incomplete++;
                if (entry !== undefined)
                    entry.incomplete = { got, of, inHeader };
                log?.warn({ remote: `${remoteAddress}:${remotePort}` }, inHeader ? `incomplete: got ${got} of ${of} header bytes` : `incomplete: got ${got} of ${of} bytes`);
            },
        });
        entry = { reader, openedAt: this.clock.now(), remoteAddress, remotePort };
        this.connections++;
        this.active.set(socket, entry);
        socket.on('error', (err) => {
            log?.debug({ remote: `${remoteAddress}:${remotePort}`, err: err.message }, 'framed connection error');
        });
        socket.once('close', () => this.connectionClosed(socket));
    }
    totals() {
        let bytesReceived = this.closedBytesReceived;
        let bytesSent = this.closedBytesSent;
        for (const socket of this.active.keys()) {
            bytesReceived += socket.bytesRead;
            bytesSent += socket.bytesWritten;
        }
        return {
            connections: this.connections,
            activeConnections: this.active.size,
            messages: this.messages,
            messageBytes: this.messageBytes,
            refused: this.refused,
            incomplete: this.incomplete,
            bytesReceived,
            bytesSent,
        };
    }
    /**
     * Stops accepting, drops every open connection, and closes the servers that listen() made. Resolves once
     * every connection has closed and been counted, so totals() read afterwards match the connection log.
     */
    async close() {
        const closing = this.servers.splice(0).map((s) => s.close());
        for (const socket of this.active.keys()) {
            closing.push(new Promise((resolve) => socket.once('close', resolve)));
            socket.destroy();
        }
        await Promise.allSettled(closing);
    }
    connectionClosed(socket) {
        const entry = this.active.get(socket);
        if (entry === undefined)
            return;
        entry.reader.closed();
        this.active.delete(socket);
        this.closedBytesReceived += socket.bytesRead;
        this.closedBytesSent += socket.bytesWritten;
        const summary = {
            remoteAddress: entry.remoteAddress,
            remotePort: entry.remotePort,
            messages: entry.reader.messages,
            messageBytes: entry.reader.messageBytes,
            bytesReceived: socket.bytesRead,
            bytesSent: socket.bytesWritten,
            ...(entry.incomplete !== undefined ? { incomplete: entry.incomplete } : {}),
            ...(entry.refused !== undefined ? { refused: entry.refused } : {}),
            durationMs: Math.round((this.clock.now() - entry.openedAt) * 1000) / 1000,
        };
        if (this.logger?.isLevelEnabled('debug'))
            this.logger.debug(summary, 'framed connection closed');
        this.options.onConnectionClosed?.(summary);
    }
}
//# sourceMappingURL=framed-echo-app.js.map