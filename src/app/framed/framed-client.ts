import { createHash, type Hash } from 'node:crypto';
import type { Clock, Timer } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import { SystemClock } from '../../core/system-clock.js';
import type { StreamSocket, StreamTransport } from '../../transport/socket/stream-transport.js';
import { confirmationProblem, FRAMED_MAX_REPLY_BYTES, parseFramedReply } from './framed-confirmation.js';
import { encodeFramedHeader } from './framed-header.js';
import type { FramedSource } from './framed-message-source.js';

export interface FramedClientOptions {
  /** Give up connecting, or when the connection is idle (nothing sent or received), after this long (default 30 s). */
  readonly timeoutMs?: number;
  /** Called as bytes are handed to the socket, with the total so far (message bytes, headers not counted). */
  readonly onProgress?: (sentBytes: number) => void;
  /** Aborting stops the transfer; send() then rejects with kind 'interrupted'. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export type FramedClientFailure =
  | 'connect'
  | 'refused'
  | 'mismatch'
  | 'missing'
  | 'broken'
  | 'timeout'
  | 'source'
  | 'interrupted';

/** Why a send failed, in one line, and which kind of failure it was. */
export class FramedClientError extends Error {
  constructor(
    readonly kind: FramedClientFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FramedClientError';
  }
}

export interface FramedSendResult {
  readonly messages: number;
  /** Message bytes sent and confirmed (headers not counted). */
  readonly bytes: number;
  /** SHA-256 of every byte sent, all messages together (for one message: the confirmed hash). */
  readonly sha256: string;
  /** From before connecting to the last confirmation. */
  readonly durationMs: number;
  /** The server's confirmation of each message, in order. */
  readonly confirmations: ReadonlyArray<{ readonly bytes: number; readonly sha256: string }>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long to wait for the server's FIN after ours, once everything is confirmed. */
const CLOSE_GRACE_MS = 2000;

/**
 * Stage 1's client, on any StreamTransport: sends a source's messages on one connection (header, then the
 * bytes, hashed as they go), reads one confirmation per message and checks its length and SHA-256 against
 * what was sent. Messages are pipelined: the next one goes out while the previous one's confirmation is on its
 * way. Every failure is a FramedClientError with a one-line message.
 */
export class FramedClient {
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(
    private readonly transport: StreamTransport,
    private readonly options: FramedClientOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(host: string, port: number, source: FramedSource): Promise<FramedSendResult> {
    const start = this.clock.now();
    const socket = await this.connect(host, port);
    const session = new ClientSession(socket, `${host}:${port}`, this.clock, this.timeoutMs, this.options);
    try {
      await session.run(source);
    } finally {
      session.dispose();
    }
    // To the last confirmation, not the close after it.
    return { ...session.result(), durationMs: (session.confirmedAt ?? this.clock.now()) - start };
  }

  private connect(host: string, port: number): Promise<StreamSocket> {
    const where = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () =>
        settle(() =>
          reject(new FramedClientError('interrupted', `interrupted while connecting to ${where}`)),
        );
      const timer = this.clock.setTimer(this.timeoutMs, () =>
        settle(() =>
          reject(
            new FramedClientError(
              'connect',
              `cannot connect to ${where}: no answer in ${this.timeoutMs / 1000} s`,
            ),
          ),
        ),
      );
      if (this.options.signal?.aborted) onAbort();
      this.options.signal?.addEventListener('abort', onAbort);
      this.transport.connect(host, port).then(
        (socket) => {
          if (settled) socket.destroy();
          settle(() => resolve(socket));
        },
        (err: unknown) =>
          settle(() =>
            reject(new FramedClientError('connect', `cannot connect to ${where}: ${describeError(err)}`)),
          ),
      );
    });
  }
}

/** One connection's sending and confirming. */
class ClientSession {
  private failure: FramedClientError | undefined;
  private readonly failed: Promise<never>;
  private rejectFailed!: (err: FramedClientError) => void;
  private allConfirmed!: () => void;
  private readonly confirmedAll: Promise<void>;
  private readonly expected: Array<{ bytes: number; sha256: string }> = [];
  private readonly confirmations: Array<{ bytes: number; sha256: string }> = [];
  private readonly whole: Hash = createHash('sha256');
  private sendingDone = false;
  private closed = false;
  /** When the last confirmation came (the clock's time), once every message is confirmed. */
  confirmedAt: number | undefined;
  private line = '';
  private sent = 0;
  private messages = 0;
  private readonly onAbort = () =>
    this.fail('interrupted', `interrupted after ${this.sent} bytes sent to ${this.where}`);

  constructor(
    private readonly socket: StreamSocket,
    private readonly where: string,
    private readonly clock: Clock,
    timeoutMs: number,
    private readonly options: FramedClientOptions,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
    this.confirmedAll = new Promise((resolve) => {
      this.allConfirmed = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onGone('closed the connection'));
    socket.on('close', () => {
      this.closed = true;
      this.onGone('closed the connection');
    });
    socket.on('error', (err: Error) =>
      this.fail('broken', `connection to ${where} broke: ${describeError(err)}`),
    );
    socket.setTimeout(timeoutMs, () =>
      this.fail(
        'timeout',
        `timed out: nothing sent or received for ${timeoutMs / 1000} s (${this.progress()})`,
      ),
    );
    options.signal?.addEventListener('abort', this.onAbort);
    if (options.signal?.aborted) this.onAbort();
  }

  async run(source: FramedSource): Promise<void> {
    try {
      // Each next message raced against a failure: reading a pipe can wait indefinitely, an interrupt cannot.
      const messages = source.messages()[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([messages.next(), this.failed]);
        if (next.done === true) break;
        const message = next.value;
        this.check();
        this.write(encodeFramedHeader(message.size));
        const hash = createHash('sha256');
        let bytes = 0;
        // The message is expected to be confirmed as soon as its last byte is handed to the socket: the
        // confirmation may arrive while this loop still waits for 'drain'.
        const expect = () => {
          this.messages++;
          this.expected.push({ bytes, sha256: hash.digest('hex') });
        };
        if (message.size === 0) expect();
        for await (const chunk of message.chunks) {
          this.check();
          if (chunk.length === 0) continue;
          bytes += chunk.length;
          if (bytes > message.size) break;
          hash.update(chunk);
          this.whole.update(chunk);
          this.sent += chunk.length;
          if (bytes === message.size) expect();
          const more = this.write(chunk);
          this.options.onProgress?.(this.sent);
          if (!more) await Promise.race([new Promise((r) => this.socket.once('drain', r)), this.failed]);
        }
        if (bytes !== message.size) {
          throw new FramedClientError(
            'source',
            `${source.description} changed while it was sent: ${bytes} bytes where ${message.size} were announced`,
          );
        }
      }
    } catch (err) {
      if (err instanceof FramedClientError) this.fail(err.kind, err.message);
      else this.fail('source', `cannot read ${source.description}: ${describeError(err)}`);
      this.check();
    }
    this.sendingDone = true;
    this.checkDone();
    await Promise.race([this.confirmedAll, this.failed]);
    this.confirmedAt = this.clock.now();
    // All confirmed: our FIN, then the server's, for a clean close (bounded: a server that keeps its end open
    // gets the socket closed after CLOSE_GRACE_MS, by dispose()).
    this.socket.end();
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        const timer: Timer = this.clock.setTimer(CLOSE_GRACE_MS, resolve);
        this.socket.once('close', () => {
          timer.cancel();
          resolve();
        });
      });
    }
  }

  result(): Omit<FramedSendResult, 'durationMs'> {
    return {
      messages: this.messages,
      bytes: this.sent,
      sha256: this.whole.digest('hex'),
      confirmations: this.confirmations,
    };
  }

  dispose(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket.setTimeout(0);
    // After a failure, or a server that kept its end open past the grace: closed here (node:net's socket would
    // otherwise keep the process waiting for the server's FIN).
    if (this.failure !== undefined || !this.closed) this.socket.destroy();
  }

  private write(bytes: Uint8Array): boolean {
    return this.socket.write(bytes);
  }

  /** Throws the failure, if there is one. */
  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private onData(chunk: Buffer): void {
    this.line += chunk.toString('latin1');
    for (let nl = this.line.indexOf('\n'); nl >= 0; nl = this.line.indexOf('\n')) {
      const text = this.line.slice(0, nl);
      this.line = this.line.slice(nl + 1);
      this.onReply(text);
      if (this.failure !== undefined) return;
    }
    if (this.line.length > FRAMED_MAX_REPLY_BYTES) {
      this.fail('mismatch', `not a confirmation: ${JSON.stringify(this.line.slice(0, 120))}...`);
    }
  }

  private onReply(text: string): void {
    const reply = parseFramedReply(text);
    if (reply.kind === 'err') {
      this.fail('refused', `${this.where} refused the message: ${reply.reason}`);
      return;
    }
    const expected = this.expected.shift();
    if (expected === undefined) {
      this.fail(
        'mismatch',
        `unexpected reply before the message was sent: ${JSON.stringify(text.slice(0, 120))}`,
      );
      return;
    }
    const problem = confirmationProblem(reply, expected.bytes, expected.sha256);
    if (problem !== undefined) {
      this.fail('mismatch', problem);
      return;
    }
    this.confirmations.push(expected);
    this.checkDone();
  }

  private checkDone(): void {
    if (this.sendingDone && this.expected.length === 0 && this.failure === undefined) this.allConfirmed();
  }

  private onGone(what: string): void {
    if (this.sendingDone && this.expected.length === 0) return;
    if (this.line !== '') this.onReply(this.line); // a last reply without its newline
    this.line = '';
    if (this.sendingDone && this.expected.length === 0) return;
    this.fail('missing', `${this.where} ${what} before confirming (${this.progress()})`);
  }

  private progress(): string {
    const confirmed = this.confirmations.length;
    return `${this.sent} bytes sent, ${confirmed} of ${this.messages + (this.sendingDone ? 0 : 1)} messages confirmed`;
  }

  private fail(kind: FramedClientFailure, message: string): void {
    if (this.failure !== undefined) return;
    this.failure = new FramedClientError(kind, message);
    this.rejectFailed(this.failure);
    this.socket.destroy();
  }
}
