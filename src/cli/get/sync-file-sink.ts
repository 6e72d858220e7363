import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { ImmediateSink } from '../../app/http-get.js';

/**
 * Chunks shorter than this are gathered and written together: a link without segmentation offload delivers
 * the body one segment (1,448 bytes at MTU 1500) at a time, and one write(2) per segment cost pilha get a
 * quarter of its main thread (46,000 calls for 64 MiB). Longer chunks (a TUN device's 64 KB GSO reads) go
 * straight through, as before.
 */
const GATHER_BELOW = 16 * 1024;
/** The gathering buffer: about what curl writes at a time (16 KiB) times four, so one write per read batch. */
const GATHER_BYTES = 64 * 1024;

/**
 * A Writable over a file descriptor that writes with write(2) on the calling thread, as wget and curl do: no
 * thread-pool round trip and no promise per chunk. A stream over a FileHandle cost pilha get about 0.18
 * CPU-seconds per GB writing to /dev/null, on the thread that also runs TCP; this costs about 0.01. A long
 * chunk is written before write() returns; short ones are copied into a buffer that is written when it is
 * full, before a long chunk, at the end of the current task (a microtask), and at end(). A write that fails
 * (a full disk) fails the stream with the error.
 */
export class SyncFileSink extends Writable implements ImmediateSink {
  /** write() has taken the chunk (written or copied) when it returns: it may be given views valid only then. */
  readonly writesImmediately = true;
  private readonly gathered = Buffer.allocUnsafe(GATHER_BYTES);
  private gatheredBytes = 0;
  private flushQueued = false;
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    try {
      this.flushGathered();
    } catch (err) {
      this.destroy(err as Error);
    }
  };

  constructor(private readonly fd: number) {
    // Every chunk is taken before write() returns, so the queue is always empty: a mark above any chunk
    // keeps write() from asking its caller to wait for a 'drain' it would only get on the next tick.
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  /** Writes or gathers `chunk` before returning (ImmediateSink); a failed write(2) is thrown. */
  writeNow(chunk: Uint8Array): void {
    if (chunk.length >= GATHER_BELOW) {
      this.flushGathered();
      writeAll(this.fd, chunk);
      return;
    }
    if (this.gatheredBytes + chunk.length > GATHER_BYTES) this.flushGathered();
    this.gathered.set(chunk, this.gatheredBytes);
    this.gatheredBytes += chunk.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.writeNow(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.flushGathered();
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback();
  }

  private flushGathered(): void {
    if (this.gatheredBytes === 0) return;
    const length = this.gatheredBytes;
    this.gatheredBytes = 0;
    writeAll(this.fd, this.gathered.subarray(0, length));
  }
}

/** write(2) until every byte of `chunk` is written (a regular file may take less than asked). */
function writeAll(fd: number, chunk: Uint8Array): void {
  let at = 0;
  while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at);
}
