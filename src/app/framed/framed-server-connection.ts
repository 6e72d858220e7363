import { createHash, type Hash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { StreamSocket } from '../../transport/socket/stream-transport.js';
import { formatConfirmation, formatRefusal } from './framed-confirmation.js';
import { FRAMED_HEADER_BYTES, FramedHeaderReader } from './framed-header.js';

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
export class FramedServerConnection {
  messages = 0;
  messageBytes = 0;
  private state: 'header' | 'body' | 'refused' | 'done' = 'header';
  private readonly header: FramedHeaderReader;
  private hash: Hash | undefined;
  private expected = 0;
  private got = 0;
  private startedAt = 0;

  constructor(
    private readonly socket: StreamSocket,
    maxSize: number,
    private readonly lingerMs: number,
    private readonly clock: Clock,
    private readonly events: FramedConnectionEvents,
  ) {
    this.header = new FramedHeaderReader(maxSize);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
  }

  /** Called once the socket has closed (cleanly or not): a message still open is incomplete. */
  closed(): void {
    this.finishInput();
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.state === 'header') {
        if (this.header.received === 0) this.startedAt = this.clock.now();
        offset += this.header.feed(chunk, offset);
        if (!this.header.complete) return;
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
        if (this.expected === 0) this.confirm();
      } else if (this.state === 'body') {
        const take = Math.min(this.expected - this.got, chunk.length - offset);
        this.hash!.update(chunk.subarray(offset, offset + take));
        this.got += take;
        offset += take;
        if (this.got === this.expected) this.confirm();
      } else {
        return; // refused or done: dropped
      }
    }
  }

  private confirm(): void {
    const sha256 = this.hash!.digest('hex');
    this.hash = undefined;
    this.messages++;
    this.messageBytes += this.expected;
    this.state = 'header';
    if (this.socket.writable) this.socket.write(formatConfirmation(this.expected, sha256));
    this.events.confirmed(this.expected, sha256, this.clock.now() - this.startedAt);
  }

  private refuse(reason: string): void {
    this.state = 'refused';
    this.events.refused(reason);
    if (this.socket.writable) this.socket.end(formatRefusal(reason));
    // Keep reading (and dropping) a while so the client reads the ERR line before any reset; then drop it.
    this.clock.setTimer(this.lingerMs, () => this.socket.destroy());
  }

  private onEnd(): void {
    this.finishInput();
    if (this.socket.writable) this.socket.end();
  }

  /** The client will send nothing more: anything half-read is incomplete, and is reported once. */
  private finishInput(): void {
    if (this.state === 'header' && this.header.received > 0) {
      this.events.incomplete(this.header.received, FRAMED_HEADER_BYTES, true);
    } else if (this.state === 'body') {
      this.events.incomplete(this.got, this.expected, false);
    }
    if (this.state !== 'refused') this.state = 'done';
    this.hash = undefined;
  }
}
