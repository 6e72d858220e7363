/**
 * The datagram reader: a worker thread that blocks in poll() on a datagram fd (a TUN device, a raw IP socket),
 * drains every datagram that is ready with non-blocking read()s, and posts them to the main thread in batches,
 * so the main thread pays one message per batch and never a syscall per packet (an fs.read per datagram tops
 * out far below this). Its main-thread side is FdReader (fd-reader.ts).
 *
 * Call order: fcntl(O_NONBLOCK) → loop { wait while too many batches are in flight; poll(fd, 200 ms);
 * read until EAGAIN or the batch is full; post the batch } until control[STOP] is set.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL, type FdReaderData, type FdReaderMessage } from './fd-reader-protocol.js';
import { ERRNO, loadLibc, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL } from './libc.js';

/** The largest datagram an IPv4 total-length field allows: every read can take a whole one. */
const READ_CAPACITY = 65535;
const PREFIX = 2;

function run(port: NonNullable<typeof parentPort>, data: FdReaderData): void {
  const { fd, label, pollTimeoutMs, maxBatchPackets, maxBatchBytes, maxInFlight } = data;
  const control = new Int32Array(data.control);
  const libc = loadLibc();
  const post = (message: FdReaderMessage): void => port.postMessage(message);
  const fail = (what: string, errno: number): void => {
    Atomics.add(control, CONTROL.READ_ERRORS, 1);
    post({
      kind: 'error',
      message: `${what} on the ${label} failed: ${libc.strerror(errno)} (errno ${errno})`,
    });
  };

  const flags = libc.fcntlGetFlags(fd);
  if (flags < 0 || libc.fcntlSetFlags(fd, flags | O_NONBLOCK) < 0) {
    fail('fcntl(O_NONBLOCK)', libc.errno());
    return;
  }
  post({ kind: 'ready' });

  // struct pollfd { int fd; short events; short revents; }
  const pollfd = new Uint8Array(8);
  const pollView = new DataView(pollfd.buffer);
  pollView.setInt32(0, fd, true);
  pollView.setInt16(4, POLLIN, true);

  // Datagrams are read straight into the scratch buffer behind their length prefix; a batch is posted as a
  // right-sized copy (the only copy on the receive path, made here rather than on the main thread).
  const scratch = new Uint8Array(maxBatchBytes + PREFIX + READ_CAPACITY);
  let used = 0;
  let count = 0;

  const stopping = (): boolean => Atomics.load(control, CONTROL.STOP) !== 0;

  const flush = (): void => {
    const batch = scratch.slice(0, used).buffer;
    used = 0;
    count = 0;
    Atomics.add(control, CONTROL.IN_FLIGHT, 1);
    port.postMessage(batch, [batch]);
  };

  /** Backpressure: while the main thread is behind, leave datagrams in the kernel's (bounded) queue. */
  const waitForRoom = (): void => {
    let inFlight = Atomics.load(control, CONTROL.IN_FLIGHT);
    if (inFlight < maxInFlight) return;
    Atomics.add(control, CONTROL.STALLS, 1);
    while (inFlight >= maxInFlight && !stopping()) {
      Atomics.wait(control, CONTROL.IN_FLIGHT, inFlight, pollTimeoutMs);
      inFlight = Atomics.load(control, CONTROL.IN_FLIGHT);
    }
  };

  while (!stopping()) {
    waitForRoom();
    if (stopping()) break;
    const ready = libc.poll(pollfd, 1, pollTimeoutMs);
    if (ready < 0) {
      const errno = libc.errno();
      if (errno === ERRNO.EINTR) continue;
      fail('poll', errno);
      return;
    }
    if (ready === 0) continue;
    const revents = pollView.getInt16(6, true);
    if (revents & POLLNVAL) {
      fail('poll', ERRNO.EBADF);
      return;
    }
    // Drain: a POLLERR/POLLHUP normally shows up as a failing read below, with its errno.
    for (;;) {
      const n = libc.read(fd, scratch.subarray(used + PREFIX, used + PREFIX + READ_CAPACITY), READ_CAPACITY);
      if (n > 0) {
        scratch[used] = n & 0xff;
        scratch[used + 1] = n >>> 8;
        used += PREFIX + n;
        count++;
        if (count >= maxBatchPackets || used >= maxBatchBytes) {
          flush();
          waitForRoom();
          if (stopping()) break;
        }
        continue;
      }
      if (n === 0) {
        if (revents & (POLLERR | POLLHUP)) {
          if (count > 0) flush();
          Atomics.add(control, CONTROL.READ_ERRORS, 1);
          post({ kind: 'error', message: `the ${label} hung up` });
          return;
        }
        break;
      }
      const errno = libc.errno();
      if (errno === ERRNO.EAGAIN) break;
      if (errno === ERRNO.EINTR) continue;
      if (count > 0) flush();
      fail('read', errno);
      return;
    }
    if (count > 0) flush();
  }
}

if (parentPort !== null) run(parentPort, workerData as FdReaderData);
