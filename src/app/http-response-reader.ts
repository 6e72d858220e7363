/**
 * An HTTP/1.1 response read from a byte stream (RFC 9112), for pilha get: the head (status line and header
 * fields) parsed once, then the body handed on as views of the chunks it came in, never copied. node:http's
 * client copies every body chunk out of what the socket delivered (its parser's on_body makes a new Buffer);
 * a 100 MiB download paid for that copy on the thread that also runs TCP and hashes.
 *
 * Pure: bytes in (feed, finish), events out (onHead, onBody, onEnd). Interim 1xx responses are skipped; the
 * body is framed as §6.3 says: none for 204 and 304, chunked when that is the last transfer coding, else
 * Content-Length, else until the connection closes. Malformed input is an error (HttpResponseError), and
 * nothing is delivered after one.
 */

import type { IncomingHttpHeaders } from 'node:http';

/** The most bytes a response head may take (node:http's default limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The longest chunk-size line (hex digits and extensions) of a chunked body, or trailer field line. */
const MAX_CHUNK_LINE_BYTES = 4096;

export interface HttpResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Field names lower-cased; repeated fields joined with ', ' (set-cookie: an array), as node:http does. */
  readonly headers: IncomingHttpHeaders;
}

export interface HttpResponseEvents {
  onHead(head: HttpResponseHead): void;
  /** A piece of the body: a view of a chunk given to feed(), valid as long as that chunk is. */
  onBody(chunk: Buffer): void;
  /** The body is complete (for a close-delimited body: the stream ended). */
  onEnd(): void;
}

export class HttpResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpResponseError';
  }
}

const Phase = {
  HEAD: 0,
  /** Content-Length bytes remain (`remaining`). */
  LENGTH: 1,
  /** Until the stream ends. */
  UNTIL_CLOSE: 2,
  CHUNK_SIZE: 3,
  CHUNK_DATA: 4,
  /** The CRLF after a chunk's data. */
  CHUNK_DATA_END: 5,
  TRAILER: 6,
  DONE: 7,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** Fields of which node:http keeps the first when repeated (its matchKnownFields list). */
const SINGLE_FIELDS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?$/;

export class HttpResponseReader {
  private phase: Phase = Phase.HEAD;
  /** Bytes of a head, chunk-size line or trailer line not yet complete (they may span chunks). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private remaining = 0;
  private failed = false;

  constructor(private readonly events: HttpResponseEvents) {}

  /** Whether the response is complete. */
  get done(): boolean {
    return this.phase === Phase.DONE;
  }

  /** Whether the head has been read (a body, possibly empty, follows). */
  get headRead(): boolean {
    return this.phase !== Phase.HEAD;
  }

  /** Takes the next bytes of the stream. Throws HttpResponseError on a malformed response. */
  feed(chunk: Buffer): void {
    if (this.failed) return;
    try {
      let at = 0;
      while (at < chunk.length && this.phase !== Phase.DONE) at = this.step(chunk, at);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** The stream ended. Throws HttpResponseError when the response is incomplete. */
  finish(): void {
    if (this.failed || this.phase === Phase.DONE) return;
    if (this.phase === Phase.UNTIL_CLOSE) {
      this.phase = Phase.DONE;
      this.events.onEnd();
      return;
    }
    this.failed = true;
    if (this.phase === Phase.HEAD) throw new HttpResponseError('the connection closed before a response');
    throw new HttpResponseError('the connection closed mid-body');
  }

  /** Consumes what it can of `chunk` from `at` in the current phase; returns where it stopped. */
  private step(chunk: Buffer, at: number): number {
    switch (this.phase) {
      case Phase.HEAD:
        return this.takeHead(chunk, at);
      case Phase.LENGTH: {
        const n = Math.min(this.remaining, chunk.length - at);
        this.remaining -= n;
        this.events.onBody(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n));
        if (this.remaining === 0) this.end();
        return at + n;
      }
      case Phase.UNTIL_CLOSE:
        this.events.onBody(at === 0 ? chunk : chunk.subarray(at));
        return chunk.length;
      case Phase.CHUNK_SIZE:
        return this.takeLine(chunk, at, (line) => this.chunkSize(line));
      case Phase.CHUNK_DATA: {
        const n = Math.min(this.remaining, chunk.length - at);
        this.remaining -= n;
        this.events.onBody(chunk.subarray(at, at + n));
        if (this.remaining === 0) this.phase = Phase.CHUNK_DATA_END;
        return at + n;
      }
      case Phase.CHUNK_DATA_END:
        return this.takeLine(chunk, at, (line) => {
          if (line.length !== 0) throw new HttpResponseError('malformed chunked body: no CRLF after a chunk');
          this.phase = Phase.CHUNK_SIZE;
        });
      case Phase.TRAILER:
        return this.takeLine(chunk, at, (line) => {
          if (line.length === 0) this.end();
        });
      case Phase.DONE:
        return chunk.length;
      default:
        this.phase satisfies never;
        return chunk.length;
    }
  }

  private end(): void {
    this.phase = Phase.DONE;
    this.events.onEnd();
  }

  /** Gathers the head up to its empty line; parses it and starts the body. */
  private takeHead(chunk: Buffer, at: number): number {
    const end = this.findHeadEnd(chunk, at);
    if (end < 0) {
      this.hold(chunk.subarray(at), MAX_HEAD_BYTES, 'response head');
      return chunk.length;
    }
    const head = this.release(chunk.subarray(at, end)).toString('latin1');
    this.startBody(parseHead(head));
    return end;
  }

  /**
   * Where the head ends in `chunk` (the index after its empty line), looking from `at` and across what is
   * held from earlier chunks; -1 when it has not ended yet.
   */
  private findHeadEnd(chunk: Buffer, at: number): number {
    // The blank line may straddle chunks: look at the held tail's last 3 bytes too.
    const tail = this.pendingBytes === 0 ? '' : tailOf(this.pending, 3);
    for (let i = at; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      const prev1 = i - 1 >= at ? chunk[i - 1] : tail.charCodeAt(tail.length - (at - (i - 1)));
      if (prev1 === 0x0a) return i + 1;
      if (prev1 !== 0x0d) continue;
      const prev2 = i - 2 >= at ? chunk[i - 2] : tail.charCodeAt(tail.length - (at - (i - 2)));
      if (prev2 === 0x0a) return i + 1;
    }
    return -1;
  }

  private startBody(head: ParsedHead): void {
    const { status, headers } = head;
    if (status >= 100 && status < 200) {
      if (status === 101) throw new HttpResponseError('unexpected 101 Switching Protocols');
      return; // interim: the final response's head follows
    }
    this.events.onHead({ status, statusText: head.statusText, headers });
    if (status === 204 || status === 304) {
      this.end();
      return;
    }
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      // RFC 9112 §6.1: the codings in the order applied; chunked, once, last. Any other (gzip, deflate,
      // compress) would leave the body encoded, so it is refused rather than written as if it were the body
      // ('identity', from older specifications, changes nothing).
      const codings = te
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== '' && c !== 'identity');
      const other = codings.find((c) => c !== 'chunked');
      if (other !== undefined)
        throw new HttpResponseError(`unsupported transfer coding '${other}' (only chunked is decoded)`);
      if (codings.length > 1)
        throw new HttpResponseError('malformed Transfer-Encoding: chunked more than once');
      this.phase = codings.length === 1 ? Phase.CHUNK_SIZE : Phase.UNTIL_CLOSE;
      return;
    }
    const length = head.contentLength;
    if (length === undefined) this.phase = Phase.UNTIL_CLOSE;
    else if (length === 0) this.end();
    else {
      this.phase = Phase.LENGTH;
      this.remaining = length;
    }
  }

  private chunkSize(line: string): void {
    const m = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/.exec(line);
    if (m === null) throw new HttpResponseError('malformed chunked body: bad chunk size');
    const size = Number.parseInt(m[1]!, 16);
    if (size === 0) this.phase = Phase.TRAILER;
    else {
      this.phase = Phase.CHUNK_DATA;
      this.remaining = size;
    }
  }

  /** Gathers a line (CRLF or LF) and hands it to `done` without its ending; returns where it stopped. */
  private takeLine(chunk: Buffer, at: number, done: (line: string) => void): number {
    const lf = chunk.indexOf(0x0a, at);
    if (lf < 0) {
      this.hold(chunk.subarray(at), MAX_CHUNK_LINE_BYTES, 'chunked body line');
      return chunk.length;
    }
    let line = this.release(chunk.subarray(at, lf)).toString('latin1');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    done(line);
    return lf + 1;
  }

  private hold(bytes: Buffer, limit: number, what: string): void {
    if (this.pendingBytes + bytes.length > limit) throw new HttpResponseError(`${what} over ${limit} bytes`);
    // Copied: the caller's chunk need not outlive this call.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  /** What was held, followed by `last`. */
  private release(last: Buffer): Buffer {
    if (this.pendingBytes === 0) return last;
    const all = Buffer.concat([...this.pending, last]);
    this.pending = [];
    this.pendingBytes = 0;
    return all;
  }
}

interface ParsedHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly contentLength: number | undefined;
}

/** Parses a head (status line, fields, the empty line): RFC 9112 §4 and §5. */
function parseHead(text: string): ParsedHead {
  const lines = text.split(/\r?\n/);
  // The empty line and what split() leaves after it.
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  const status = STATUS_LINE.exec(lines[0] ?? '');
  if (status === null)
    throw new HttpResponseError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string | string[]> = {};
  const lengths: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new HttpResponseError(`malformed header field: ${JSON.stringify(line)}`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-length') lengths.push(value);
    const old = headers[key];
    if (key === 'set-cookie') headers[key] = old === undefined ? [value] : [...(old as string[]), value];
    else if (old === undefined) headers[key] = value;
    else if (!SINGLE_FIELDS.has(key)) headers[key] = `${old}, ${value}`;
  }
  return {
    status: Number(status[1]),
    statusText: status[2] ?? '',
    headers: headers as IncomingHttpHeaders,
    contentLength: contentLength(lengths),
  };
}

/** RFC 9110 §8.6: one length, possibly repeated (in fields or a list); anything else is an error. */
function contentLength(values: readonly string[]): number | undefined {
  if (values.length === 0) return undefined;
  const all = new Set(values.flatMap((v) => v.split(',').map((s) => s.trim())));
  const [only] = all;
  if (all.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new HttpResponseError(`invalid Content-Length: ${JSON.stringify(values.join(', '))}`);
  }
  return Number(only);
}

/** The last `n` bytes held, as latin1 (for a blank line that straddles chunks). */
function tailOf(chunks: readonly Buffer[], n: number): string {
  let text = '';
  for (let i = chunks.length - 1; i >= 0 && text.length < n; i--) text = chunks[i]!.toString('latin1') + text;
  return text.slice(-n);
}
