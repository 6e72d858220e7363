import type { PilhaError } from '../../../core/errors.js';
import type { FdReaderOptions } from './fd-reader.js';

/**
 * How often a reader's poll() looks whether it is stopping while the fd is quiet, should its stop eventfd be
 * missing (stop() writes to it, and the poll returns at once).
 */
export const POLL_TIMEOUT_MS = 200;

/** What a link reads its fd with: FdReader (a worker thread reads) or MainThreadFdReader. */
export interface DatagramReader {
  stats(): Record<string, number>;
  stop(): Promise<void>;
  /** Stops the reader as failed for good (onFailure is told). */
  fail(error: PilhaError): void;
  /** Why the reader stopped for good by itself (onFailure was told), if it has. */
  readonly failure: PilhaError | undefined;
}

/**
 * The life of a reader, shared by FdReader and MainThreadFdReader: started (or stopped again if starting
 * fails), its failure told once to onFailure unless it is stopping, stopped once (`shutdown`, the subclass's).
 */
export abstract class ReaderLifecycle implements DatagramReader {
  /** Why the reader stopped for good by itself, once it has (onFailure). */
  private stoppedFor: PilhaError | undefined;
  protected stopping: Promise<void> | undefined;

  protected constructor(protected readonly options: FdReaderOptions) {}

  abstract stats(): Record<string, number>;

  /** Ends what the reader runs (its thread, its wake-ups); called once, by stop(). */
  protected abstract shutdown(): Promise<void>;

  /** Why the reader stopped for good by itself (onFailure was told), if it has. */
  get failure(): PilhaError | undefined {
    return this.stoppedFor;
  }

  /**
   * Stops the reader as failed for good (onFailure is told): what the fd's owner knows is the end of it, such
   * as a packet socket's interface deleted, which its reads do not tell apart from one gone down.
   */
  fail(error: PilhaError): void {
    this.failed(error);
    void this.stop();
  }

  /** Stops the reader at once; no datagram is delivered once this is called. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Runs `start`; if it fails, stops what it started and throws its error. */
  protected async startOrStop(start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Tells onFailure, once, unless the reader is being stopped. */
  protected failed(error: PilhaError): void {
    if (this.stoppedFor !== undefined || this.stopping !== undefined) return;
    this.stoppedFor = error;
    this.options.onFailure?.(error);
  }
}
