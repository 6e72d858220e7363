/**
 * The datagram reader: a worker thread that blocks in poll() on a datagram fd (a TUN device, a raw IP socket),
 * drains every datagram that is ready with non-blocking read()s, and posts them to the main thread in batches,
 * so the main thread pays one message per batch and never a syscall per packet (an fs.read per datagram tops
 * out far below this). Its main-thread side is FdReader (fd-reader.ts).
 *
 * Backpressure: the reader never stops reading while the main thread is behind. Datagrams wait in pilha's
 * memory, up to a limit in bytes (maxBacklogBytes, counting posted batches not yet consumed and the batch being
 * filled); a datagram beyond it is read and dropped, counted in BACKLOG_DROPS. A reader that paused instead
 * would leave them in the device's queue, which is short (a TUN device holds txqueuelen packets, 500 by
 * default) and drops silently when full: 64 parallel downloads made the kernel drop over 10,000 ACKs there.
 * Connection requests (TCP SYNs without ACK) are admitted by the wait they can expect instead: beyond a small
 * backlog (synFreeBacklogBytes), one that would wait longer than maxSynWaitMs (backlog over the drain rate the
 * DrainRateMeter measures) or find maxSynBacklogBytes queued is dropped, counted. A SYN answered before the
 * client's retransmission timer (1 s) is worth queueing, however many wait ahead of it, and one answered
 * later is worth nothing, so under a SYN flood every SYN that can still be answered in time is kept, the
 * client's among them, on a fast machine and a slow one; established connections keep the rest of the backlog.
 * While maxInFlight batches wait, the main thread is behind: the batch being filled is posted only once full.
 *
 * Call order: fcntl(O_NONBLOCK) → loop { post a held batch if there is room; poll(fd, 200 ms, or 1 ms with a
 * batch held); read until EAGAIN, posting full batches; post the batch } until control[STOP] is set.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE } from '../offload/virtio-net-header.js';
import { unwrapVirtioNetPacket } from '../offload/virtio-net-receive.js';
import { isConnectionRequestOnLink } from './connection-request.js';
import { DrainRateMeter } from './drain-rate-meter.js';
import { CONTROL } from './fd-reader-protocol.js';
import { ERRNO, loadLibc, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL } from './libc.js';
/** The largest datagram an IPv4 total-length field allows: every read can take a whole one. */
const READ_CAPACITY = 65535;
const PREFIX = 2;
/** How soon a batch held back (maxInFlight batches waiting) is offered again. */
const HELD_RETRY_MS = 1;
function run(port, data) {
    const { fd, label, pollTimeoutMs, maxBatchPackets, maxBatchBytes, maxInFlight, maxBacklogBytes, maxSynBacklogBytes, synFreeBacklogBytes, maxSynWaitMs, nice, linkHeaderBytes, vnetHeaderBytes, } = data;
    const control = new Int32Array(data.control);
    const libc = loadLibc();
    const post = (message) => port.postMessage(message);
    const fail = (what, errno) => {
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
    // Like a NIC driver's interrupt work, reading comes before ordinary processes: descheduled for a few ms
    // under load, the reader leaves the device's queue to overflow (a burst of 300k datagrams/s fills 4096
    // slots in 14 ms). Without the privilege it runs at the ordinary priority.
    if (nice !== 0 && libc.setThreadNice(nice) === 0)
        Atomics.store(control, CONTROL.NICE, nice);
    post({ kind: 'ready' });
    // struct pollfd { int fd; short events; short revents; }
    const pollfd = new Uint8Array(8);
    const pollView = new DataView(pollfd.buffer);
    pollView.setInt32(0, fd, true);
    pollView.setInt16(4, POLLIN, true);
    // Datagrams are read straight into the scratch buffer behind their length prefix; a batch is posted as a
    // right-sized copy (the only copy on the receive path, made here rather than on the main thread). A datagram
    // beyond the backlog limit is read all the same (the device's queue drains) and forgotten.
    const readCapacity = READ_CAPACITY + vnetHeaderBytes;
    const scratch = new Uint8Array(maxBatchBytes + PREFIX + readCapacity);
    let used = 0;
    let count = 0;
    const stopping = () => Atomics.load(control, CONTROL.STOP) !== 0;
    const drain = new DrainRateMeter();
    const sampleDrain = () => drain.sample(performance.now(), Atomics.load(control, CONTROL.CONSUMED_BYTES), Atomics.load(control, CONTROL.IN_FLIGHT_BYTES));
    /** Whether a connection request would find `backlog` bytes ahead of it for too long to be worth keeping. */
    const synTooLate = (backlog) => {
        sampleDrain();
        return backlog > maxSynBacklogBytes || drain.expectedWaitMs(backlog) > maxSynWaitMs;
    };
    const batchFull = () => count >= maxBatchPackets || used >= maxBatchBytes;
    /**
     * Posts the batch being filled; false when it is held instead. Adaptive batching: while maxInFlight batches
     * wait, the main thread is behind and a batch is posted only once full, so that it pays for fewer messages.
     */
    const flush = () => {
        if (count === 0)
            return true;
        if (!batchFull() && Atomics.load(control, CONTROL.IN_FLIGHT) >= maxInFlight)
            return false;
        const batch = scratch.slice(0, used).buffer;
        Atomics.add(control, CONTROL.IN_FLIGHT_BYTES, used);
        Atomics.add(control, CONTROL.IN_FLIGHT, 1);
        used = 0;
        count = 0;
        port.postMessage(batch, [batch]);
        return true;
    };
    while (!stopping()) {
        // A held batch is retried within a millisecond: the main thread may have caught up meanwhile.
        const held = !flush();
        if (held)
            Atomics.add(control, CONTROL.STALLS, 1);
        sampleDrain();
        const ready = libc.poll(pollfd, 1, held ? HELD_RETRY_MS : pollTimeoutMs);
        if (ready < 0) {
            const errno = libc.errno();
            if (errno === ERRNO.EINTR)
                continue;
            fail('poll', errno);
            return;
        }
        if (ready === 0)
            continue;
        const revents = pollView.getInt16(6, true);
        if (revents & POLLNVAL) {
            fail('poll', ERRNO.EBADF);
            return;
        }
        // Drain: a POLLERR/POLLHUP normally shows up as a failing read below, with its errno.
        while (!stopping()) {
            if (batchFull())
                flush();
            let n = libc.read(fd, scratch.subarray(used + PREFIX, used + PREFIX + readCapacity), readCapacity);
            if (n > 0 && vnetHeaderBytes > 0) {
                const at = used + PREFIX;
                const gso = scratch[at + 1] !== VIRTIO_NET_HDR_GSO_NONE;
                const partial = (scratch[at] & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0;
                n = unwrapVirtioNetPacket(scratch, at, n);
                if (n < 0 || n > READ_CAPACITY) {
                    Atomics.add(control, CONTROL.VNET_DROPS, 1);
                    continue;
                }
                if (gso)
                    Atomics.add(control, CONTROL.GSO_READS, 1);
                if (partial)
                    Atomics.add(control, CONTROL.CHECKSUMS_COMPLETED, 1);
            }
            if (n > 0) {
                const backlog = Atomics.load(control, CONTROL.IN_FLIGHT_BYTES) + used + PREFIX + n;
                if (backlog > maxBacklogBytes) {
                    // Better dropped here, counted, than silently by the kernel's queue.
                    Atomics.add(control, CONTROL.BACKLOG_DROPS, 1);
                    continue;
                }
                if (backlog > synFreeBacklogBytes &&
                    isConnectionRequestOnLink(scratch, used + PREFIX, n, linkHeaderBytes) &&
                    synTooLate(backlog)) {
                    Atomics.add(control, CONTROL.SYN_DROPS, 1);
                    continue;
                }
                scratch[used] = n & 0xff;
                scratch[used + 1] = n >>> 8;
                used += PREFIX + n;
                count++;
                if (backlog > Atomics.load(control, CONTROL.PEAK_BYTES))
                    Atomics.store(control, CONTROL.PEAK_BYTES, backlog);
                continue;
            }
            if (n === 0) {
                if (revents & (POLLERR | POLLHUP)) {
                    flush();
                    Atomics.add(control, CONTROL.READ_ERRORS, 1);
                    post({ kind: 'error', message: `the ${label} hung up` });
                    return;
                }
                break;
            }
            const errno = libc.errno();
            if (errno === ERRNO.EAGAIN)
                break;
            if (errno === ERRNO.EINTR)
                continue;
            flush();
            fail('read', errno);
            return;
        }
    }
}
if (parentPort !== null)
    run(parentPort, workerData);
//# sourceMappingURL=fd-reader-worker.js.map