import { fdPollSet } from './fd-poll-set.js';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  ERRNO,
  EVENTFD_ONE,
  type Libc,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
} from './libc.js';

/**
 * poll() fails (−1) only for a signal (EINTR) or a lack of memory: it is asked again, but this many failures
 * in a row end the doorbell rather than spin.
 */
const MAX_POLL_FAILURES = 100;

/**
 * Wakes a reader that reads on the main thread (MainThreadFdReader) when its fd is readable again: once armed,
 * one poll() on the fd and a stop eventfd runs on libuv's thread pool (koffi's asynchronous call), and its
 * result comes back on the main thread's event loop. While armed it keeps the process alive, as a listening
 * socket does.
 *
 * It was a worker thread: a Node isolate that booted (about 100 ms of a 2-CPU machine's time before pilha get
 * could connect, and a few MB), and a message per wake-up. A thread-pool call costs neither.
 */
export class FdDoorbell {
  private readonly pollfd: Uint8Array;
  private readonly view: DataView;
  private readonly count: number;
  /** The eventfd close() writes to, to end a poll at once; −1: none (the poll then times out to look). */
  private readonly stopFd: number;
  private polling = false;
  private failures = 0;
  private closing = false;
  private closed: (() => void) | undefined;
  private readonly polled = (error: unknown, ready: number): void => this.onPolled(error, ready);

  /**
   * `onRing(revents)`: the fd is readable (or has an error for a read to say); the doorbell is disarmed.
   * `onError(message)`: it can no longer tell (the fd hung up with nothing to read, or is no longer valid).
   */
  constructor(
    private readonly libc: Libc,
    fd: number,
    private readonly label: string,
    private readonly timeoutMs: number,
    private readonly onRing: (revents: number) => void,
    private readonly onError: (message: string) => void,
  ) {
    this.stopFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const set = fdPollSet(fd, this.stopFd);
    this.pollfd = set.pollfd;
    this.view = set.view;
    this.count = set.count;
  }

  /** Waits for the fd to be readable (nothing if it already waits, or is closed). */
  arm(): void {
    if (this.polling || this.closing) return;
    this.polling = true;
    this.view.setInt16(6, 0, true);
    this.libc.pollAsync(this.pollfd, this.count, this.stopFd >= 0 ? -1 : this.timeoutMs, this.polled);
  }

  /** Ends the wait at once (the stop eventfd), and frees the eventfd once no poll uses it. */
  close(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.closing = true;
    if (!this.polling) {
      this.closeStopFd();
      return Promise.resolve();
    }
    if (this.stopFd >= 0) this.libc.write(this.stopFd, EVENTFD_ONE, 8);
    return new Promise((resolve) => {
      this.closed = resolve;
    });
  }

  private onPolled(error: unknown, ready: number): void {
    this.polling = false;
    if (this.closing) {
      this.closeStopFd();
      this.closed?.();
      return;
    }
    if (error !== null && error !== undefined) {
      this.onError(`poll on the ${this.label} failed: ${(error as Error).message ?? String(error)}`);
      return;
    }
    if (ready < 0) {
      if (++this.failures >= MAX_POLL_FAILURES) {
        this.onError(`poll on the ${this.label} failed ${MAX_POLL_FAILURES} times in a row`);
        return;
      }
      this.arm();
      return;
    }
    this.failures = 0;
    const revents = this.view.getInt16(6, true);
    // Timed out (no eventfd), or only the stop eventfd, which nobody wrote yet: wait again.
    if (ready === 0 || revents === 0) {
      this.arm();
      return;
    }
    if (revents & POLLNVAL) {
      this.onError(`poll on the ${this.label} failed: ${this.libc.strerror(ERRNO.EBADF)}`);
      return;
    }
    if ((revents & (POLLIN | POLLERR)) === 0 && revents & POLLHUP) {
      this.onError(`the ${this.label} hung up`);
      return;
    }
    this.onRing(revents);
  }

  private closeStopFd(): void {
    if (this.stopFd >= 0) this.libc.close(this.stopFd);
  }
}
