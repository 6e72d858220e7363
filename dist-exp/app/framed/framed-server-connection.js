import { createHash } from 'node:crypto';
import { formatConfirmation, formatRefusal } from './framed-confirmation.js';
import { FRAMED_HEADER_BYTES, FramedHeaderReader } from './framed-header.js';
/**
 * One server connection's reading state machine: header (8 bytes, however split) → body (exactly N bytes,
 * hashed as they arrive and never kept) → confirmation → header again, until the client ends. A bad header
 * gets ERR and a FIN; what the client still sends is read and dropped so its ERR line is not lost to a reset,
 * for at most `lingerMs`.
 */
export class FramedServerConnection {
    socket;
    lingerMs;
    clock;
    events;
    messages = 0;
    messageBytes = 0;
    state = 'header';
    header;
    hash;
    expected = 0;
    got = 0;
    startedAt = 0;
    constructor(socket, maxSize, lingerMs, clock, events) {
        this.socket = socket;
        this.lingerMs = lingerMs;
        this.clock = clock;
        this.events = events;
        this.header = new FramedHeaderReader(maxSize);
        socket.on('data', (chunk) => this.onData(chunk));
        socket.on('end', () => this.onEnd());
    }
    /** Called once the socket has closed (cleanly or not): a message still open is incomplete. */
    closed() {
        this.finishInput();
    }
    onData(chunk) {
        let offset = 0;
        while (offset < chunk.length) {
            if (this.state === 'header') {
                if (this.header.received === 0)
                    this.startedAt = this.clock.now();
                offset += this.header.feed(chunk, offset);
                if (!this.header.complete)
                    return;
                const result = this.header.result();
                this.header.reset();
                if (!result.ok) {
                    this.refuse(result.reason);
                    return;
                }
                this.expected = result.size;
                this.got = 0;
                this.hash = createHash('sha256');
                this.state = 'body';
                if (this.expected === 0)
                    this.confirm();
            }
            else if (this.state === 'body') {
                const take = Math.min(this.expected - this.got, chunk.length - offset);
                this.hash.update(chunk.subarray(offset, offset + take));
                this.got += take;
                offset += take;
                if (this.got === this.expected)
                    this.confirm();
            }
            else {
                return; // refused or done: dropped
            }
        }
    }
    confirm() {
        const sha256 = this.hash.digest('hex');
        this.hash = undefined;
        this.messages++;
        this.messageBytes += this.expected;
        this.state = 'header';
        if (this.socket.writable)
            this.socket.write(formatConfirmation(this.expected, sha256));
        this.events.confirmed(this.expected, sha256, this.clock.now() - this.startedAt);
    }
    refuse(reason) {
        this.state = 'refused';
        this.events.refused(reason);
        if (this.socket.writable)
            this.socket.end(formatRefusal(reason));
        // Keep reading (and dropping) a while so the client reads the ERR line before any reset; then drop it.
        this.clock.setTimer(this.lingerMs, () => this.socket.destroy());
    }
    onEnd() {
        this.finishInput();
        if (this.socket.writable)
            this.socket.end();
    }
    /** The client will send nothing more: anything half-read is incomplete, and is reported once. */
    finishInput() {
        if (this.state === 'header' && this.header.received > 0) {
            this.events.incomplete(this.header.received, FRAMED_HEADER_BYTES, true);
        }
        else if (this.state === 'body') {
            this.events.incomplete(this.got, this.expected, false);
        }
        if (this.state !== 'refused')
            this.state = 'done';
        this.hash = undefined;
    }
}
//# sourceMappingURL=framed-server-connection.js.map