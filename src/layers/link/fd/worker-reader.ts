import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PilhaError, type PilhaErrorCode } from '../../../core/errors.js';
import type { FdReaderMessage } from './fd-reader-protocol.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, EVENTFD_ONE, loadLibc } from './libc.js';
import { ReaderLifecycle } from './reader-lifecycle.js';

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;

/**
 * A worker's compiled file (`fileName`): next to this module in dist/; from the command line's bundle
 * (dist/cli/, scripts/bundle-cli.mjs), in dist/layers/link/fd/; or, when this module is the TypeScript source
 * (loaded by vitest or a TS runner), in the dist/ tree the build made of it.
 */
function findReaderWorker(fileName: string, errorCode: PilhaErrorCode): URL {
  const candidates = [
    new URL(`./${fileName}`, import.meta.url),
    new URL(`../layers/link/fd/${fileName}`, import.meta.url),
  ];
  if (import.meta.url.endsWith('.ts')) {
    candidates.push(new URL(`../../../../dist/layers/link/fd/${fileName}`, import.meta.url));
  }
  for (const url of candidates) if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  throw new PilhaError(
    errorCode,
    `datagram reader worker not found at ${candidates[0]!.href}: pilha's Linux links run from the compiled output (npm run build)`,
  );
}

/**
 * The life of FdReader's worker thread, which reads the fd into a ring: started with its data and a stop
 * eventfd, ready when it says so (or a start error), its failures told once to onFailure unless stopping, its
 * wake-ups (number messages) handed to the subclass; stopped by the subclass's flag and the eventfd,
 * terminated if it will not end.
 */
export abstract class WorkerReader extends ReaderLifecycle {
  private worker: Worker | undefined;
  private workerExited = false;
  /** The eventfd that wakes the worker's poll() when stopping; −1: none. */
  private stopFd = -1;

  /** The worker posted a wake-up (WAKE_MESSAGE). */
  protected abstract onWake(message: number): void;

  /** Sets the worker's stop flag (the eventfd then wakes it). */
  protected abstract signalStop(): void;

  /**
   * Starts the worker `fileName` with the data `makeData` gives for the stop eventfd; resolves once it is
   * ready. On failure the caller stops the reader (which ends a worker that did start).
   */
  protected startWorker(fileName: string, makeData: (stopFd: number) => object): Promise<void> {
    const { label, errorCode, logger } = this.options;
    const url = findReaderWorker(fileName, errorCode);
    this.openStopFd();
    // The reader needs none of the parent's flags, and some (--input-type, loaders) would break it.
    const worker = new Worker(url, { workerData: makeData(this.stopFd), execArgv: [] });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) reject(new PilhaError(errorCode, `reader for the ${label} did not start`));
      }, READY_TIMEOUT_MS);
      timer.unref();
      worker.on('message', (message: number | FdReaderMessage) => {
        if (typeof message === 'number') {
          this.onWake(message);
        } else if (message.kind === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else if (message.kind === 'linkDown') {
          this.options.onLinkDown?.();
        } else if (message.kind === 'vnetHeaderDrop') {
          this.options.onVnetHeaderDrop?.();
        } else if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError(errorCode, `reader for the ${label} failed: ${message.message}`));
        } else {
          logger.error({ fd: label }, `reader stopped: ${message.message}`);
          // The worker's message says what failed on which fd ("read on the ... failed: ...").
          this.failed(new PilhaError(errorCode, message.message));
        }
      });
      worker.on('error', (err) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError(errorCode, `reader for the ${label} failed: ${err.message}`));
        } else {
          logger.error({ fd: label, err }, 'reader crashed');
          this.failed(new PilhaError(errorCode, `the reader of the ${label} crashed: ${err.message}`));
        }
      });
      worker.on('exit', (code) => {
        this.workerExited = true;
        if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError(errorCode, `reader for the ${label} exited (code ${code}) before starting`));
        } else if (this.stopping === undefined) {
          logger.error({ fd: label, code }, 'reader exited; no more datagrams will arrive');
          this.failed(new PilhaError(errorCode, `the reader of the ${label} exited (code ${code})`));
        }
      });
    });
  }

  protected async shutdown(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) {
      this.closeStopFd();
      return;
    }
    this.signalStop();
    // Wakes a worker blocked in poll(): it sees the flag now, not at the poll's timeout.
    if (this.stopFd >= 0) loadLibc().write(this.stopFd, EVENTFD_ONE, 8);
    // A worker that already exited emits nothing more; one that ignores the stop flag is terminated.
    if (!this.workerExited) {
      const exited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS);
        timer.unref();
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!exited) await worker.terminate();
    }
    worker.removeAllListeners('message');
    this.closeStopFd();
  }

  /** Makes the stop eventfd; without one (no eventfd, or no libc), the worker sees its flag at its poll's timeout. */
  private openStopFd(): void {
    try {
      this.stopFd = loadLibc().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); // −1 on failure
    } catch {
      // No libc to load: the poll timeout alone.
    }
  }

  /** Closes the stop eventfd, once the worker that polls it has ended. */
  private closeStopFd(): void {
    if (this.stopFd < 0) return;
    loadLibc().close(this.stopFd);
    this.stopFd = -1;
  }
}
