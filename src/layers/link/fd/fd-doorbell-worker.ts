/**
 * The doorbell of a reader that reads on the main thread (MainThreadFdReader): a worker thread that waits
 * while the main thread reads, and, once the main thread has found the fd empty and armed it
 * (DOORBELL.ARMED), blocks in poll() on the fd until it is readable, then disarms and wakes the main thread
 * (WAKE_MESSAGE). It reads nothing itself. A hang-up without data to read, or an fd that is no longer valid,
 * ends it with an error message (the reads would say nothing more).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fdPollSet } from './fd-poll-set.js';
import { DOORBELL, type FdDoorbellData, type FdReaderMessage } from './fd-reader-protocol.js';
import { ERRNO, loadLibc, POLLERR, POLLHUP, POLLIN, POLLNVAL } from './libc.js';

function ring(port: NonNullable<typeof parentPort>, data: FdDoorbellData): void {
  const { fd, label, stopFd, pollTimeoutMs } = data;
  const control = new Int32Array(data.control);
  const libc = loadLibc();
  const post = (message: FdReaderMessage | number): void => port.postMessage(message);
  const { pollfd, view: pollView, count: pollCount } = fdPollSet(fd, stopFd);
  post({ kind: 'ready' });
  while (Atomics.load(control, DOORBELL.STOP) === 0) {
    if (Atomics.load(control, DOORBELL.ARMED) === 0) {
      Atomics.wait(control, DOORBELL.ARMED, 0, pollTimeoutMs);
      continue;
    }
    const ready = libc.poll(pollfd, pollCount, pollTimeoutMs);
    if (ready < 0) {
      const errno = libc.errno();
      if (errno === ERRNO.EINTR) continue;
      post({
        kind: 'error',
        message: `poll on the ${label} failed: ${libc.strerror(errno)} (errno ${errno})`,
      });
      return;
    }
    const revents = pollView.getInt16(6, true);
    if (ready === 0 || revents === 0) continue;
    if (revents & POLLNVAL) {
      post({ kind: 'error', message: `poll on the ${label} failed: ${libc.strerror(ERRNO.EBADF)}` });
      return;
    }
    if ((revents & (POLLIN | POLLERR)) === 0 && revents & POLLHUP) {
      post({ kind: 'error', message: `the ${label} hung up` });
      return;
    }
    // Readable, or an error for a read to say: the main thread reads (and reports) it. The wake-up carries
    // the poll's revents (never 0 here), so that a read of 0 bytes after a hang-up is known for one.
    Atomics.store(control, DOORBELL.ARMED, 0);
    post(revents);
  }
}

if (parentPort !== null) ring(parentPort, workerData as FdDoorbellData);
