import type { Clock } from '../../core/clock.js';
import type { StreamSocket } from '../../transport/socket/stream-transport.js';
/** What the app hears from one connection, in the order things happen. */
export interface FramedConnectionEvents {
    confirmed(bytes: number, sha256: string, durationMs: number): void;
    refused(reason: string): void;
    /** The connection ended inside a message: `got` of `expected` bytes (of the header when `inHeader`). */
    incomplete(got: number, expected: number, inHeader: boolean): void;
}
/**
 * One server connection's reading state machine: header (8 bytes, however split) → body (exactly N bytes,
 * hashed as they arrive and never kept) → confirmation → header again, until the client ends. A bad header
 * gets ERR and a FIN; what the client still sends is read and dropped so its ERR line is not lost to a reset,
 * for at most `lingerMs`.
 */
export declare class FramedServerConnection {
    private readonly socket;
    private readonly lingerMs;
    private readonly clock;
    private readonly events;
    messages: number;
    messageBytes: number;
    private state;
    private readonly header;
    private hash;
    private expected;
    private got;
    private startedAt;
    constructor(socket: StreamSocket, maxSize: number, lingerMs: number, clock: Clock, events: FramedConnectionEvents);
    /** Called once the socket has closed (cleanly or not): a message still open is incomplete. */
    closed(): void;
    private onData;
    private confirm;
    private refuse;
    private onEnd;
    /** The client will send nothing more: anything half-read is incomplete, and is reported once. */
    private finishInput;
}
