import { PilhaError } from '../../../core/errors.js';
import { TcpReadCoalescer } from '../offload/tcp-read-coalescer.js';
import { VIRTIO_NET_HDR_SIZE } from '../offload/virtio-net-header.js';
import { checksumVouched } from '../offload/virtio-net-receive.js';
import { RX_CHECKSUM_VOUCHED } from '../raw-link.js';
import { FdDoorbell } from './fd-doorbell.js';
import { type FdReaderOptions, MAX_BATCH_DATAGRAMS, readerStats } from './fd-reader.js';
import { CONTROL } from './fd-reader-protocol.js';
import { ERRNO, loadLibc, O_NONBLOCK, POLLHUP } from './libc.js';
import { POLL_TIMEOUT_MS, ReaderLifecycle } from './reader-lifecycle.js';
import { readLayout, takeVnetRead } from './vnet-read.js';

/**
 * Bytes of reads one pass takes at most (a pass's datagrams stay where they were read until the next pass,
 * as a batch's do in FdReader's ring): 32 GSO reads of 64 KB.
 */
const PASS_BYTES = 2 * 1024 * 1024;

/**
 * Reads datagrams from an fd on the main thread, for a process that does nothing else while it downloads
 * (pilha get): each pass reads until the fd is empty (or a pass's worth), handing each datagram to
 * `onDatagram` as it is read, then calls onBatchEnd, and goes on after the event loop's I/O (setImmediate).
 * Once the fd is empty it arms a doorbell (FdDoorbell: a poll() on libuv's thread pool) that wakes this thread
 * when the fd is readable again, so the event loop stays free while the fd is quiet.
 *
 * Against FdReader (a worker reading into a shared ring): no thread between the kernel and the stack, no
 * ring, no wake-up per batch. On 2 CPUs, where the kernel's sender needs one of them, pilha get of 100 MiB
 * from a kernel server went from 598-753 to 797-943 MB/s (five interleaved pairs), with a fifth less CPU.
 * What it gives up is reading while the main thread is busy: a datagram arriving meanwhile waits in the
 * kernel's queue (4,096 packets on pilha's TUN device), which a download with GSO reads (64 KB each, a 4 MiB window)
 * never fills, but a server's flood or wire-sized reads could; those keep FdReader.
 */
export class MainThreadFdReader extends ReaderLifecycle {
  /** The counters, in FdReader's slots (only the main thread writes them). */
  private readonly control = new Int32Array(CONTROL.SIZE);
  private doorbell: FdDoorbell | undefined;
  private readonly bytes: Uint8Array;
  private readonly libc = loadLibc();
  /** Bytes of padding before a read, so that the datagram after the virtio_net_hdr starts on a 4-byte boundary. */
  private readonly pad: number;
  private readonly readCapacity: number;
  private readonly maxPacket: number;
  /** A read pass is scheduled or running: the doorbell is not armed. */
  private reading = false;
  private batches = 0;
  private handlerErrors = 0;
  /** Read passes, and wake-ups from the doorbell: a quiet fd costs neither. */
  private passes = 0;
  private rings = 0;
  /** The doorbell's poll saw POLLHUP: a read of 0 bytes is then the end of the fd, not an empty queue. */
  private hungUp = false;
  private readonly readTask = (): void => this.readPass();
  private readonly ringTask = (revents: number): void => this.onWake(revents);
  /**
   * Merges a pass's reads that continue one TCP stream into one segment (software GRO), where the reads are
   * the kernel's own TCP packets: GSO reads from a TUN device whose checksums the kernel vouches for.
   */
  private readonly coalescer: TcpReadCoalescer | undefined;
  /** Datagrams handed up in the running pass. */
  private delivered = 0;
  private readonly deliverAt = (start: number, length: number, flags: number): void =>
    this.deliver(start, length, flags);
  private readonly doorbellFailed = (message: string): void => this.readFailed(message);

  /** Starts reading: the first pass, on the event loop's next turn, reads what is already there. */
  static async start(options: FdReaderOptions): Promise<MainThreadFdReader> {
    const reader = new MainThreadFdReader(options);
    await reader.startOrStop(() => reader.run());
    return reader;
  }

  private constructor(options: FdReaderOptions) {
    super(options);
    const layout = readLayout(options.vnetHeaderBytes ?? 0, options.linkHeaderBytes ?? 0);
    this.pad = layout.pad;
    this.maxPacket = layout.maxPacket;
    this.readCapacity = layout.readCapacity;
    // Written through once now, so that its pages are faulted in here, not by the kernel inside the first
    // reads of a download (a page fault per 4 KiB under copy_to_user: about 3% of a 100 MiB get's main thread).
    const vnet = options.vnetHeaderBytes ?? 0;
    const coalesce =
      vnet > 0 && options.trustKernelChecksums === true && (options.linkHeaderBytes ?? 0) === 0;
    const readsEnd = PASS_BYTES + this.pad + this.readCapacity + 4;
    const scratch = coalesce ? TcpReadCoalescer.scratchBytes(vnet) : 0;
    this.bytes = new Uint8Array(readsEnd + scratch).fill(0);
    if (coalesce)
      this.coalescer = new TcpReadCoalescer(this.bytes, vnet, readsEnd, PASS_BYTES, this.deliverAt);
  }

  stats(): Record<string, number> {
    return {
      ...readerStats(this.control, this.batches, this.handlerErrors, this.options.vnetHeaderBytes),
      rxReadPasses: this.passes,
      rxDoorbellRings: this.rings,
      ...(this.coalescer !== undefined
        ? {
            rxCoalescedReads: this.coalescer.merged,
            rxCoalescedHeaderBytes: this.coalescer.mergedHeaderBytes,
          }
        : {}),
    };
  }

  private run(): Promise<void> {
    const { fd, label, errorCode } = this.options;
    const libc = this.libc;
    const flags = libc.fcntlGetFlags(fd);
    if (flags < 0 || libc.fcntlSetFlags(fd, flags | O_NONBLOCK) < 0) {
      const errno = libc.errno();
      return Promise.reject(
        new PilhaError(errorCode, `fcntl(O_NONBLOCK) on the ${label} failed: ${libc.strerror(errno)}`),
      );
    }
    this.doorbell = new FdDoorbell(
      libc,
      fd,
      label,
      this.options.pollTimeoutMs ?? POLL_TIMEOUT_MS,
      this.ringTask,
      this.doorbellFailed,
    );
    // The first pass reads what is already there (and arms the doorbell once the fd is empty).
    this.reading = true;
    setImmediate(this.readTask);
    return Promise.resolve();
  }

  protected override async shutdown(): Promise<void> {
    await this.doorbell?.close();
  }

  /** The doorbell rang (`revents`, the poll's): the fd is readable again, or hung up. */
  private onWake(revents: number): void {
    if (this.stopping !== undefined) return;
    this.rings++;
    if (revents & POLLHUP) this.hungUp = true;
    if (this.reading) return;
    this.reading = true;
    this.readPass();
  }

  /**
   * Reads until the fd is empty or the pass is full, handing each datagram up as it is read (a run of reads
   * that continue one TCP stream once it ends: TcpReadCoalescer); then the batch ends, and the next pass
   * follows the event loop's I/O; once a pass finds the fd empty at once (nothing delivered), the doorbell is
   * armed.
   */
  private readPass(): void {
    if (this.stopping !== undefined) return;
    this.passes++;
    const { fd, linkHeaderBytes = 0 } = this.options;
    const vnet = this.options.vnetHeaderBytes ?? 0;
    const trust = this.options.trustKernelChecksums === true;
    const { libc, bytes, control, pad, readCapacity, maxPacket, coalescer } = this;
    let at = 0;
    this.delivered = 0;
    coalescer?.reset(); // a pass that stopped half-way left its run open
    let empty = false;
    // Every read counts, failed ones too: a run of reads the kernel fails (EINVAL) still lets the loop run.
    for (let reads = 0; reads < MAX_BATCH_DATAGRAMS && at <= PASS_BYTES; reads++) {
      const readAt = coalescer === undefined ? at + pad : coalescer.readAt(at + pad);
      let n = libc.read(fd, bytes.subarray(readAt, readAt + readCapacity), readCapacity);
      if (n <= 0) {
        // errno before anything else makes a system call: handing up the run does.
        const errno = n === 0 ? ERRNO.EAGAIN : libc.errno();
        if (coalescer !== undefined) {
          coalescer.cancelRead();
          if (errno !== ERRNO.EINTR && errno !== ERRNO.EINVAL) {
            coalescer.flush();
            if (this.stopping !== undefined) return;
          }
        }
        if (n === 0 && this.hungUp) {
          // 0 bytes after a hang-up: the end of the fd, as FdReader's worker says it.
          this.readFailed(`the ${this.options.label} hung up`);
          return;
        }
        if (errno === ERRNO.EINTR) continue;
        if (errno === ERRNO.EINVAL && vnet > 0) {
          // With a virtio_net_hdr the kernel fails the read of a packet the header cannot describe: that one
          // is gone, the next read takes the next.
          this.vnetHeaderDrop();
          continue;
        }
        if (errno === ERRNO.ENETDOWN) {
          // A packet socket's interface down (or deleted): reported once; the doorbell waits for it.
          Atomics.add(control, CONTROL.LINK_DOWNS, 1);
          this.options.onLinkDown?.();
        } else if (errno !== ERRNO.EAGAIN) {
          this.readFailed(
            `read on the ${this.options.label} failed: ${libc.strerror(errno)} (errno ${errno})`,
          );
          return;
        }
        empty = true;
        break;
      }
      let flags = 0;
      let start = readAt;
      if (vnet > 0) {
        if (trust && checksumVouched(bytes, readAt, n, linkHeaderBytes)) flags = RX_CHECKSUM_VOUCHED;
        n = takeVnetRead(bytes, readAt, n, flags !== 0, linkHeaderBytes, maxPacket, control);
        if (n < 0) {
          coalescer?.cancelRead();
          this.vnetHeaderDrop();
          continue;
        }
        start = readAt + VIRTIO_NET_HDR_SIZE;
      }
      if (coalescer === undefined) this.deliver(start, n, flags);
      else coalescer.take(start, n, flags);
      if (this.stopping !== undefined) return;
      at = ((coalescer === undefined ? start + n : coalescer.end(start + n)) + 3) & ~3;
    }
    coalescer?.flush();
    if (this.stopping !== undefined) return;
    const delivered = this.delivered;
    if (delivered > 0) this.endBatch();
    if (this.stopping !== undefined) return;
    // The ACK this batch ended with is often answered at once (the kernel's sender runs inside its write):
    // reading again costs one read, where the doorbell costs a wake-up of two threads. pilha get of 100 MiB
    // from a kernel server: rings fell from one a pass to a few a download, 911 to 1,008 MB/s (medians of 8
    // interleaved runs).
    if (!empty || delivered > 0) {
      setImmediate(this.readTask);
      return;
    }
    this.reading = false;
    this.doorbell?.arm();
  }

  /** Hands one datagram up: the receive path never throws, a failing handler costs its datagram, not the rest of the pass. */
  private deliver(start: number, length: number, flags: number): void {
    // Nothing goes up once a handler stopped the reader (the coalescer may have a second datagram to hand up).
    if (this.stopping !== undefined) return;
    try {
      this.options.onDatagram(this.bytes.subarray(start, start + length), flags);
    } catch (err) {
      this.handlerErrors++;
      this.options.logger.error({ err }, 'receive handler threw; datagram dropped');
    }
    this.delivered++;
  }

  /** A read failed for good: counted, logged, told to onFailure; the reader stops. */
  private readFailed(message: string): void {
    Atomics.add(this.control, CONTROL.READ_ERRORS, 1);
    this.options.logger.error({ fd: this.options.label }, `reader stopped: ${message}`);
    this.failed(new PilhaError(this.options.errorCode, message));
    void this.stop();
  }

  private endBatch(): void {
    this.batches++;
    const onBatchEnd = this.options.onBatchEnd;
    if (onBatchEnd === undefined) return;
    try {
      onBatchEnd();
    } catch (err) {
      this.handlerErrors++;
      this.options.logger.error({ err }, 'batch-end handler threw');
    }
  }

  /** A packet the header could not describe, or longer than a read: counted, and the first one told. */
  private vnetHeaderDrop(): void {
    if (Atomics.add(this.control, CONTROL.VNET_DROPS, 1) === 0) this.options.onVnetHeaderDrop?.();
  }
}
