/**
 * The datagram reader: a worker thread that blocks in poll() on a datagram fd (a TUN device, a raw IP socket),
 * drains every datagram that is ready with non-blocking read()s straight into a ring shared with the main thread
 * (fd-reader-protocol.ts), and publishes each one as soon as it is read. It wakes the main thread with a
 * message only when the main thread sleeps; an awake one finds the new records when it drains again before
 * sleeping. A message per batch made the hand-off latency, not CPU, bound the receive rate: the main thread sat
 * idle waiting for each batch, which held about one packet. Its main-thread side is FdReader (fd-reader.ts).
 *
 * Backpressure: the reader never stops reading while the main thread is behind. Datagrams wait in the ring, up
 * to a limit in bytes (maxBacklogBytes, counting what is published and not yet consumed); a datagram beyond it
 * is read and dropped, counted in BACKLOG_DROPS. A reader that paused instead would leave them in the device's
 * queue, which is short (a TUN device holds txqueuelen packets, 500 by default) and drops silently when full:
 * 64 parallel downloads made the kernel drop over 10,000 ACKs there. Connection requests (TCP SYNs without
 * ACK) are admitted by the wait they can expect instead: beyond a small backlog (synFreeBacklogBytes), one that
 * would wait longer than maxSynWaitMs (backlog over the drain rate the DrainRateMeter measures) or find
 * maxSynBacklogBytes queued is dropped, counted. A SYN answered before the client's retransmission timer (1 s)
 * is worth queueing, however many wait ahead of it, and one answered later is worth nothing, so under a SYN
 * flood every SYN that can still be answered in time is kept, the client's among them, on a fast machine and
 * a slow one; established connections keep the rest of the backlog.
 *
 * Waiting for a busy main thread (parkMs > 0): a main thread in the middle of a long batch (one of 64 parallel
 * downloads' ACKs and writes lasts milliseconds) takes nothing the worker reads before its next batch, and
 * waking the worker for each datagram meanwhile (a context switch each, about one ACK per wake-up) cost more
 * than the datagrams. Once the main thread has been busy with one batch for BUSY_BEFORE_PARK_MS and records
 * wait for its next one (published, not yet taken into a batch), the worker parks on control[BATCHES_BEGUN]
 * (Atomics.wait) instead of polling, until the main thread begins its next batch or parkMs pass (so that the
 * kernel's queue does not fill), then reads all that came meanwhile in one pass. A main thread that takes
 * each datagram as it comes is never waited for.
 *
 * Call order: fcntl(O_NONBLOCK) → loop { poll(fd and the stop eventfd, 200 ms), or park; read until EAGAIN, each
 * datagram into the ring at its head, published, and the main thread woken if it sleeps } until control[STOP]
 * is set (the main thread writes to the stop eventfd as it sets it, so that stopping waits for no timeout).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checksumVouched } from '../offload/virtio-net-receive.js';
import { RX_CHECKSUM_VOUCHED } from '../raw-link.js';
import { isConnectionRequestOnLink } from './connection-request.js';
import { DatagramRing } from './datagram-ring.js';
import { DrainRateMeter } from './drain-rate-meter.js';
import { fdPollSet } from './fd-poll-set.js';
import {
  CONTROL,
  type FdReaderData,
  type FdReaderMessage,
  ringRecordBytes,
  WAKE_MESSAGE,
} from './fd-reader-protocol.js';
import { ERRNO, loadLibc, O_NONBLOCK, POLLERR, POLLHUP, POLLNVAL } from './libc.js';
import { ReaderPriority, threadNice } from './reader-priority.js';
import { readLayout, takeVnetRead } from './vnet-read.js';

/**
 * How long the main thread must have been busy with one batch before the worker parks (FdReaderData.parkMs):
 * a main thread that takes each datagram as it comes is never waited for.
 */
const BUSY_BEFORE_PARK_MS = 0.2;

function run(port: NonNullable<typeof parentPort>, data: FdReaderData): void {
  const {
    fd,
    label,
    pollTimeoutMs,
    maxBacklogBytes,
    maxSynBacklogBytes,
    synFreeBacklogBytes,
    maxSynWaitMs,
    nice,
    linkHeaderBytes,
    vnetHeaderBytes,
    trustKernelChecksums,
    parkMs,
    stopFd,
    pressureReads,
    pressureCalmMs,
  } = data;
  const control = new Int32Array(data.control);
  const libc = loadLibc();
  const post = (message: FdReaderMessage): void => port.postMessage(message);
  /** A packet the header could not describe, or longer than a read: counted, and the first one told. */
  const vnetHeaderDrop = (): void => {
    if (Atomics.add(control, CONTROL.VNET_DROPS, 1) === 0) post({ kind: 'vnetHeaderDrop' });
  };
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
  // Under a flood, like a NIC driver's interrupt work, reading comes before ordinary processes: descheduled
  // for a few ms, the reader would leave the device's queue to overflow (a burst of 300k datagrams/s fills
  // 4096 slots in 14 ms). Without the privilege it stays at the ordinary priority.
  const base = threadNice();
  Atomics.store(control, CONTROL.NICE, base);
  const priority = new ReaderPriority(
    (value) => {
      if (libc.setThreadNice(value) !== 0) return false;
      if (value < Atomics.load(control, CONTROL.NICE)) Atomics.add(control, CONTROL.NICE_RAISES, 1);
      Atomics.store(control, CONTROL.NICE, value);
      return true;
    },
    base,
    nice,
    pressureReads,
    pressureCalmMs,
  );
  priority.start();
  post({ kind: 'ready' });

  const { pollfd, view: pollView, count: pollCount } = fdPollSet(fd, stopFd);

  // Datagrams are read straight into the ring at its head, behind their length prefix: no copy on the way to
  // the main thread. A datagram beyond the backlog limit is read all the same (the device's queue drains) and
  // forgotten: its room is not published.
  // The virtio_net_hdr stays in the record as headroom (readLayout).
  const { headroom, pad, maxPacket, readCapacity } = readLayout(vnetHeaderBytes, linkHeaderBytes);
  const ring = new DatagramRing(data.ring, control);
  const bytes = ring.bytes;
  /** Where datagrams go that the ring has no room for: read (the device's queue drains) and dropped. */
  let discard: Uint8Array | undefined;

  const stopping = (): boolean => Atomics.load(control, CONTROL.STOP) !== 0;

  const drain = new DrainRateMeter();
  const sampleDrain = (now = performance.now()): void =>
    drain.sample(now, Atomics.load(control, CONTROL.CONSUMED_BYTES), ring.backlogBytes());
  /** Whether a connection request would find `backlog` bytes ahead of it for too long to be worth keeping. */
  const synTooLate = (backlog: number): boolean => {
    sampleDrain();
    return backlog > maxSynBacklogBytes || drain.expectedWaitMs(backlog) > maxSynWaitMs;
  };

  /** The main thread's BATCHES_BEGUN as last seen changing, and when. */
  let begunSeen = -1;
  let begunSeenAt = 0;
  while (!stopping()) {
    const now = performance.now();
    sampleDrain(now);
    priority.settle(now);
    let revents = 0;
    const begun = Atomics.load(control, CONTROL.BATCHES_BEGUN);
    if (begun !== begunSeen) {
      begunSeen = begun;
      begunSeenAt = now;
    }
    if (
      parkMs > 0 &&
      now - begunSeenAt >= BUSY_BEFORE_PARK_MS &&
      Atomics.load(control, CONTROL.PUBLISHED) !== Atomics.load(control, CONTROL.TAKEN_RECORDS)
    ) {
      // The main thread has been busy with one batch for a while and its next batch waits in the ring: what
      // arrives now would wait for the batch after. Wait (bounded, for the device's queue) until it begins
      // the next one, then read all that came meanwhile in one pass, instead of waking for each datagram.
      // With nothing waiting for it, the worker reads on: the main thread will want what comes next.
      Atomics.store(control, CONTROL.READER_PARKED, 1);
      Atomics.wait(control, CONTROL.BATCHES_BEGUN, begun, parkMs);
      Atomics.store(control, CONTROL.READER_PARKED, 0);
      Atomics.add(control, CONTROL.PARKS, 1);
    } else {
      const ready = libc.poll(pollfd, pollCount, pollTimeoutMs);
      if (ready < 0) {
        const errno = libc.errno();
        if (errno === ERRNO.EINTR) continue;
        fail('poll', errno);
        return;
      }
      if (ready === 0) continue;
      revents = pollView.getInt16(6, true);
      if (revents & POLLNVAL) {
        fail('poll', ERRNO.EBADF);
        return;
      }
    }
    // Drain: a POLLERR/POLLHUP normally shows up as a failing read below, with its errno.
    let passReads = 0;
    while (!stopping()) {
      const reserved = ring.reserve(pad + readCapacity);
      const at = reserved < 0 ? -1 : reserved + pad;
      let target: Uint8Array;
      if (at >= 0) target = bytes.subarray(at, at + readCapacity);
      else {
        discard ??= new Uint8Array(readCapacity);
        target = discard;
      }
      let n = libc.read(fd, target, readCapacity);
      if (n > 0 && ++passReads === priority.pressureReads) priority.pressure(performance.now());
      if (n > 0 && at < 0) {
        Atomics.add(control, CONTROL.STALLS, 1);
        Atomics.add(control, CONTROL.BACKLOG_DROPS, 1);
        continue;
      }
      let rxFlags = 0;
      if (n > 0 && vnetHeaderBytes > 0) {
        if (trustKernelChecksums && checksumVouched(bytes, at, n, linkHeaderBytes))
          rxFlags = RX_CHECKSUM_VOUCHED;
        // The datagram stays behind the header (the record's headroom): no 64 KB move.
        n = takeVnetRead(bytes, at, n, rxFlags !== 0, linkHeaderBytes, maxPacket, control);
        if (n < 0) {
          vnetHeaderDrop();
          continue;
        }
      }
      if (n > 0) {
        const recordBytes = ringRecordBytes(n, headroom);
        const backlog = ring.backlogBytes() + recordBytes;
        if (backlog > maxBacklogBytes) {
          // Better dropped here, counted, than silently by the kernel's queue.
          Atomics.add(control, CONTROL.BACKLOG_DROPS, 1);
          continue;
        }
        if (
          backlog > synFreeBacklogBytes &&
          isConnectionRequestOnLink(bytes, at + vnetHeaderBytes, n, linkHeaderBytes) &&
          synTooLate(backlog)
        ) {
          Atomics.add(control, CONTROL.SYN_DROPS, 1);
          continue;
        }
        // Posted only to a sleeping main thread: an awake one drains again before it sleeps.
        if (ring.publish(n, headroom, rxFlags)) {
          port.postMessage(WAKE_MESSAGE);
          // It was asleep: its next batch begins now, not busy since the last one.
          begunSeenAt = performance.now();
        }
        if (backlog > Atomics.load(control, CONTROL.PEAK_BYTES))
          Atomics.store(control, CONTROL.PEAK_BYTES, backlog);
        continue;
      }
      if (n === 0) {
        if (revents & (POLLERR | POLLHUP)) {
          Atomics.add(control, CONTROL.READ_ERRORS, 1);
          post({ kind: 'error', message: `the ${label} hung up` });
          return;
        }
        break;
      }
      const errno = libc.errno();
      if (errno === ERRNO.EAGAIN) break;
      if (errno === ERRNO.EINTR) continue;
      if (errno === ERRNO.ENETDOWN) {
        // A packet socket's interface went down (ip link set down), or was deleted: reported once, to this read,
        // alike. Frames come again once it is up; whether it is gone, the main thread asks (onLinkDown).
        Atomics.add(control, CONTROL.LINK_DOWNS, 1);
        post({ kind: 'linkDown' });
        break;
      }
      if (errno === ERRNO.EINVAL && vnetHeaderBytes > 0) {
        // With a virtio_net_hdr (a TUN or TAP device, a PACKET_VNET_HDR socket) the kernel fails the read of a
        // packet the header cannot describe (a tunnel's GSO packet): that one is gone, the next read takes the next.
        vnetHeaderDrop();
        continue;
      }
      fail('read', errno);
      return;
    }
    // A long pass keeps the thread raised for a while after it (ReaderPriority).
    if (passReads >= priority.pressureReads) priority.pressure(performance.now());
  }
}

if (parentPort !== null) run(parentPort, workerData as FdReaderData);
