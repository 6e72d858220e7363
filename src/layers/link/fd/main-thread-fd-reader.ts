import { Worker } from 'node:worker_threads';
import { PilhaError } from '../../../core/errors.js';
import { VIRTIO_NET_HDR_SIZE } from '../offload/virtio-net-header.js';
import { checksumVouched } from '../offload/virtio-net-receive.js';
import { RX_CHECKSUM_VOUCHED } from '../raw-link.js';
import {
  type DatagramReader,
  type FdReaderOptions,
  findReaderWorker,
  MAX_BATCH_DATAGRAMS,
  POLL_TIMEOUT_MS,
  READY_TIMEOUT_MS,
  readerStats,
  STOP_TIMEOUT_MS,
} from './fd-reader.js';
import { CONTROL, DOORBELL, type FdDoorbellData, type FdReaderMessage } from './fd-reader-protocol.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, ERRNO, loadLibc, O_NONBLOCK } from './libc.js';
import { takeVnetRead } from './vnet-read.js';

/** The largest datagram an IPv4 total-length field allows (behind a link header on a link of frames). */
const READ_CAPACITY = 65535;
/**
 * Bytes of reads one pass takes at most (a pass's datagrams stay where they were read until the next pass,
 * as a batch's do in FdReader's ring): 32 GSO reads of 64 KB.
 */
const PASS_BYTES = 2 * 1024 * 1024;
/** An eventfd counter's increment: one 8-byte integer, 1. */
const EVENTFD_ONE = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

/**
 * Reads datagrams from an fd on the main thread, for a process that does nothing else while it downloads
 * (pilha get): each pass reads until the fd is empty (or a pass's worth), handing each datagram to
 * `onDatagram` as it is read, then calls onBatchEnd, and goes on after the event loop's I/O (setImmediate).
 * Once the fd is empty it arms a doorbell (fd-doorbell-worker.ts), a worker that polls the fd and wakes this
 * thread when it is readable again, so the event loop stays free while the fd is quiet.
 *
 * Against FdReader (a worker reading into a shared ring): no thread between the kernel and the stack, no
 * ring, no wake-up per batch. On 2 CPUs, where the kernel's sender needs one of them, pilha get of 100 MiB
 * from a kernel server went from 598-753 to 797-943 MB/s (five interleaved pairs), with a fifth less CPU.
 * What it gives up is reading while the main thread is busy: a datagram arriving meanwhile waits in the
 * kernel's queue (500 packets on a TUN device), which a download with GSO reads (64 KB each, a 4 MiB window)
 * never fills, but a server's flood or wire-sized reads could; those keep FdReader.
 */
export class MainThreadFdReader implements DatagramReader {
  /** The counters, in FdReader's slots (only the main thread writes them). */
  private readonly control = new Int32Array(CONTROL.SIZE);
  private readonly doorbell = new Int32Array(new SharedArrayBuffer(DOORBELL.SIZE * 4));
  private readonly bytes: Uint8Array;
  private readonly libc = loadLibc();
  /** Bytes of padding before a read, so that the datagram after the virtio_net_hdr starts on a 4-byte boundary. */
  private readonly pad: number;
  private readonly readCapacity: number;
  private readonly maxPacket: number;
  private worker: Worker | undefined;
  private workerExited = false;
  /** A read pass is scheduled or running: the doorbell is not armed. */
  private reading = false;
  private stoppedFor: PilhaError | undefined;
  private stopping: Promise<void> | undefined;
  private stopFd = -1;
  private batches = 0;
  private handlerErrors = 0;
  /** Read passes, and wake-ups from the doorbell: a quiet fd costs neither. */
  private passes = 0;
  private rings = 0;
  private vnetDropTold = false;
  private readonly readTask = (): void => this.readPass();

  /** Starts the doorbell and resolves once it runs; the first pass reads what is already there. */
  static async start(options: FdReaderOptions): Promise<MainThreadFdReader> {
    const reader = new MainThreadFdReader(options);
    try {
      await reader.run();
    } catch (err) {
      await reader.stop();
      throw err;
    }
    return reader;
  }

  private constructor(private readonly options: FdReaderOptions) {
    const vnet = options.vnetHeaderBytes ?? 0;
    this.pad = vnet > 0 ? ((vnet + 3) & ~3) - vnet : 0;
    this.maxPacket = READ_CAPACITY + (options.linkHeaderBytes ?? 0);
    this.readCapacity = this.maxPacket + vnet;
    this.bytes = new Uint8Array(PASS_BYTES + this.pad + this.readCapacity + 4);
  }

  stats(): Record<string, number> {
    return {
      ...readerStats(this.control, this.batches, this.handlerErrors, this.options.vnetHeaderBytes),
      rxReadPasses: this.passes,
      rxDoorbellRings: this.rings,
    };
  }

  get failure(): PilhaError | undefined {
    return this.stoppedFor;
  }

  fail(error: PilhaError): void {
    this.failed(error);
    void this.stop();
  }

  /** Stops reading (no datagram is delivered once this is called) and the doorbell. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private failed(error: PilhaError): void {
    if (this.stoppedFor !== undefined || this.stopping !== undefined) return;
    this.stoppedFor = error;
    this.options.onFailure?.(error);
  }

  private run(): Promise<void> {
    const { fd, label, errorCode, logger } = this.options;
    const libc = this.libc;
    const flags = libc.fcntlGetFlags(fd);
    if (flags < 0 || libc.fcntlSetFlags(fd, flags | O_NONBLOCK) < 0) {
      const errno = libc.errno();
      return Promise.reject(
        new PilhaError(errorCode, `fcntl(O_NONBLOCK) on the ${label} failed: ${libc.strerror(errno)}`),
      );
    }
    this.stopFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const data: FdDoorbellData = {
      fd,
      label,
      control: this.doorbell.buffer as SharedArrayBuffer,
      stopFd: this.stopFd,
      pollTimeoutMs: this.options.pollTimeoutMs ?? POLL_TIMEOUT_MS,
    };
    const worker = new Worker(findReaderWorker('fd-doorbell-worker.js', errorCode), {
      workerData: data,
      execArgv: [],
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (!ready) reject(new PilhaError(errorCode, `reader for the ${label} did not start`));
      }, READY_TIMEOUT_MS);
      timer.unref();
      worker.on('message', (message: number | FdReaderMessage) => {
        if (typeof message === 'number') {
          this.rings++;
          if (!this.reading) {
            this.reading = true;
            this.readPass();
          }
        } else if (message.kind === 'ready') {
          ready = true;
          clearTimeout(timer);
          this.reading = true;
          setImmediate(this.readTask);
          resolve();
        } else if (message.kind === 'error') {
          logger.error({ fd: label }, `reader stopped: ${message.message}`);
          this.failed(new PilhaError(errorCode, message.message));
        }
      });
      worker.on('error', (err) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError(errorCode, `reader for the ${label} failed: ${err.message}`));
        } else {
          logger.error({ fd: label, err }, 'reader doorbell crashed');
          this.failed(new PilhaError(errorCode, `the reader of the ${label} crashed: ${err.message}`));
        }
      });
      worker.on('exit', (code) => {
        this.workerExited = true;
        if (!ready) {
          clearTimeout(timer);
          reject(new PilhaError(errorCode, `reader for the ${label} exited (code ${code}) before starting`));
        } else if (this.stopping === undefined) {
          this.failed(new PilhaError(errorCode, `the reader of the ${label} exited (code ${code})`));
        }
      });
    });
  }

  /**
   * Reads until the fd is empty or the pass is full, handing each datagram up as it is read; then the batch
   * ends, and the next pass follows the event loop's I/O, or, the fd empty, the doorbell is armed.
   */
  private readPass(): void {
    if (this.stopping !== undefined) return;
    this.passes++;
    const { fd, onDatagram, logger, linkHeaderBytes = 0 } = this.options;
    const vnet = this.options.vnetHeaderBytes ?? 0;
    const trust = this.options.trustKernelChecksums === true;
    const { libc, bytes, control, pad, readCapacity, maxPacket } = this;
    let at = 0;
    let delivered = 0;
    let empty = false;
    // Every read counts, failed ones too: a run of reads the kernel fails (EINVAL) still lets the loop run.
    for (let reads = 0; reads < MAX_BATCH_DATAGRAMS && at <= PASS_BYTES; reads++) {
      const readAt = at + pad;
      let n = libc.read(fd, bytes.subarray(readAt, readAt + readCapacity), readCapacity);
      if (n <= 0) {
        const errno = n === 0 ? ERRNO.EAGAIN : libc.errno();
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
          Atomics.add(control, CONTROL.READ_ERRORS, 1);
          const message = `read on the ${this.options.label} failed: ${libc.strerror(errno)} (errno ${errno})`;
          logger.error({ fd: this.options.label }, `reader stopped: ${message}`);
          this.failed(new PilhaError(this.options.errorCode, message));
          void this.stop();
          break;
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
          this.vnetHeaderDrop();
          continue;
        }
        start = readAt + VIRTIO_NET_HDR_SIZE;
      }
      try {
        onDatagram(bytes.subarray(start, start + n), flags);
      } catch (err) {
        // The receive path never throws: a failing handler costs its datagram, not the rest of the pass.
        this.handlerErrors++;
        logger.error({ err }, 'receive handler threw; datagram dropped');
      }
      delivered++;
      if (this.stopping !== undefined) return;
      at = (start + n + 3) & ~3;
    }
    if (delivered > 0) this.endBatch();
    if (this.stopping !== undefined) return;
    if (!empty) {
      setImmediate(this.readTask);
      return;
    }
    this.reading = false;
    Atomics.store(this.doorbell, DOORBELL.ARMED, 1);
    Atomics.notify(this.doorbell, DOORBELL.ARMED);
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
    Atomics.add(this.control, CONTROL.VNET_DROPS, 1);
    if (this.vnetDropTold) return;
    this.vnetDropTold = true;
    this.options.onVnetHeaderDrop?.();
  }

  private async shutdown(): Promise<void> {
    const worker = this.worker;
    if (worker !== undefined) {
      Atomics.store(this.doorbell, DOORBELL.STOP, 1);
      Atomics.notify(this.doorbell, DOORBELL.ARMED);
      if (this.stopFd >= 0) this.libc.write(this.stopFd, EVENTFD_ONE, 8);
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
    }
    if (this.stopFd >= 0) {
      this.libc.close(this.stopFd);
      this.stopFd = -1;
    }
  }
}
