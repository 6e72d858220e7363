import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { ImmediateSink } from '../../app/http-get.js';

/**
 * A Writable over a file descriptor that writes each chunk at once with write(2), as wget and curl do: no
 * thread-pool round trip and no promise per chunk. A stream over a FileHandle cost pilha get about 0.18
 * CPU-seconds per GB writing to /dev/null, on the thread that also runs TCP; this costs about 0.01. A write
 * that fails (a full disk) fails the stream with the error.
 */
export class SyncFileSink extends Writable implements ImmediateSink {
  /** write() has written the chunk when it returns: it may be given views valid only during the call. */
  readonly writesImmediately = true;

  constructor(private readonly fd: number) {
    // Every chunk is written before write() returns, so the queue is always empty: a mark above any chunk
    // keeps write() from asking its caller to wait for a 'drain' it would only get on the next tick.
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      writeAll(this.fd, chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback();
  }
}

/** write(2) until every byte of `chunk` is written (a regular file may take less than asked). */
function writeAll(fd: number, chunk: Uint8Array): void {
  let at = 0;
  while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at);
}
