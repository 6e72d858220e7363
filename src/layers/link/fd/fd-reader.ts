import type { PilhaError, PilhaErrorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { DatagramRing } from './datagram-ring.js';
import { CONTROL, type FdReaderData, ringRecordBytes } from './fd-reader-protocol.js';
import { POLL_TIMEOUT_MS } from './reader-lifecycle.js';
import { checkPressureReads } from './reader-priority.js';
import { WorkerReader } from './worker-reader.js';

export interface FdReaderOptions {
  /** A file descriptor from which each read() is one whole datagram (a TUN device, a raw IP socket). */
  readonly fd: number;
  /** What the fd is, for messages: 'TUN device pilha0', 'raw socket on 127.0.0.1'. */
  readonly label: string;
  /** The code of the PilhaError thrown when the reader cannot start. */
  readonly errorCode: PilhaErrorCode;
  readonly logger: Logger;
  /**
   * Called once per datagram, with a view into the reader's ring that is valid only during the call, and its
   * receive flags (raw-link.ts RX_*).
   */
  readonly onDatagram: (datagram: Uint8Array, flags: number) => void;
  /**
   * Called after each batch: the datagrams that were waiting when the main thread looked, delivered one after
   * the other (what the layers above may answer once, such as one ACK for many segments).
   */
  readonly onBatchEnd?: () => void;
  /** Bytes of link header before each IP datagram (14 for Ethernet frames); 0 when absent. */
  readonly linkHeaderBytes?: number;
  /** Bytes of virtio_net_hdr before each read (a TUN device with IFF_VNET_HDR); 0 when absent. */
  readonly vnetHeaderBytes?: number;
  /** Take the kernel's word for TCP checksums it left unfinished or verified (FdReaderData.trustKernelChecksums). */
  readonly trustKernelChecksums?: boolean;
  /** The backlog limit in bytes (MAX_BACKLOG_BYTES by default; tests make it small); the ring follows from it. */
  readonly maxBacklogBytes?: number;
  /**
   * The reader thread's nice value (READER_NICE when absent: a server's): when negative, taken only while the
   * fd's queue is under pressure (ReaderPriority); 0 leaves it at the process's.
   */
  readonly nice?: number;
  /** A drain pass this long (in datagrams) is pressure (PRESSURE_READS when absent; tests make it small). */
  readonly pressureReads?: number;
  /** How long after the last pass under pressure the thread stays raised (PRESSURE_CALM_MS when absent). */
  readonly pressureCalmMs?: number;
  /**
   * The longest the reader waits for a busy main thread to begin its next batch before it reads again
   * (FdReaderData.parkMs), instead of waking for each datagram: no longer than the fd's kernel queue takes to
   * fill. 0 (never waits) when absent.
   */
  readonly parkMs?: number;
  /** How long the worker's poll() waits before it looks at the stop flag anyway (POLL_TIMEOUT_MS; tests). */
  readonly pollTimeoutMs?: number;
  /**
   * Called once if the reader stops for good while nobody stopped it (a read failed: the device was removed,
   * the socket's interface deleted; or the thread crashed): no datagram will arrive any more.
   */
  readonly onFailure?: (error: PilhaError) => void;
  /** Called when a read failed with ENETDOWN (a packet socket's interface went down, or was deleted). */
  readonly onLinkDown?: () => void;
  /** Called at the first read the kernel failed for a packet its virtio_net_hdr could not describe (rxVnetHeaderDrops). */
  readonly onVnetHeaderDrop?: () => void;
}

/**
 * The most datagrams the main thread takes in one batch before it lets the event loop run (timers, the
 * application's I/O): a backlog of 100,000 SYNs is not taken in one go.
 */
export const MAX_BATCH_DATAGRAMS = 256;
/**
 * Bytes (datagrams and their 4-byte prefixes) that may wait for the main thread; beyond it datagrams are
 * dropped and counted (rxBacklogDrops). 4 MiB holds one ACK (~56 bytes) per full-sized segment of the ~53 MB
 * that 64 parallel downloads kept in flight, so ACKs are not dropped (64 wgets of 4 MB peaked at 0.86 MB);
 * 8 MiB also holds a 100,000-SYN burst (about 5.4 MB) with room left for established connections.
 */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** Backlog bytes past which a TCP connection request (SYN without ACK) is dropped (rxBacklogSynDrops). */
const MAX_SYN_BACKLOG_BYTES = 6 * 1024 * 1024;
/** Backlog bytes (about 2,000 SYNs) below which a connection request is always queued. */
const SYN_FREE_BACKLOG_BYTES = 128 * 1024;
/**
 * The longest wait for the main thread a connection request is queued for; beyond, it is dropped
 * (rxBacklogSynDrops). The client retransmits its SYN after 1 s (RFC 6298's initial RTO, Linux's too): a SYN
 * answered within 600 ms connects the client on its first try with room for the round trip, and keeping SYNs
 * that would be answered later only delays the ones behind them. Measured with a 100,000-SYN flood at
 * 400-800k SYNs/s: a client's connect took 1.0 s in 2 of 6 tries with a fixed 128 KiB limit (its SYN dropped
 * as the backlog passed it), 2-120 ms in 6 of 6 with this.
 */
const MAX_SYN_WAIT_MS = 600;
/**
 * The reader thread's nice value under pressure by default (a server's; ReaderPriority): it blocks in poll()
 * when there is nothing to read and does little per datagram, so running ahead of ordinary processes while a
 * flood fills the device's queue costs them little and keeps the queue drained. A client receiving a bulk
 * download is faster at 0 throughout (FdReaderOptions.nice).
 */
const READER_NICE = -10;
/**
 * A drain pass of this many datagrams is pressure: more than ab's 20 connections (at most 128 a pass) or 64
 * parallel downloads (at most 256) bring, far less than a flood's.
 */
const PRESSURE_READS = 512;
/** How long the reader stays raised after the last pass under pressure. */
const PRESSURE_CALM_MS = 1_000;
/**
 * The ring for a backlog limit: the backlog, and room for a record skipped at a wrap and one more being read
 * (the largest: a 64 KB datagram behind an Ethernet header and a virtio_net_hdr, with its headroom).
 */
function ringBytesFor(maxBacklogBytes: number): number {
  return ((maxBacklogBytes + 3) & ~3) + 2 * ringRecordBytes(65535 + 14 + 16);
}

/** A reader's counters, from its control array (CONTROL) and what the main thread counts itself. */
export function readerStats(
  control: Int32Array,
  batches: number,
  handlerErrors: number,
  vnetHeaderBytes: number | undefined,
): Record<string, number> {
  return {
    rxBatches: batches,
    rxHandlerErrors: handlerErrors,
    rxStalls: Atomics.load(control, CONTROL.STALLS),
    rxReadErrors: Atomics.load(control, CONTROL.READ_ERRORS),
    rxBacklogDrops: Atomics.load(control, CONTROL.BACKLOG_DROPS),
    rxBacklogSynDrops: Atomics.load(control, CONTROL.SYN_DROPS),
    rxBacklogPeakBytes: Atomics.load(control, CONTROL.PEAK_BYTES),
    rxReaderNice: Atomics.load(control, CONTROL.NICE),
    rxReaderNiceRaises: Atomics.load(control, CONTROL.NICE_RAISES),
    rxReaderParks: Atomics.load(control, CONTROL.PARKS),
    rxLinkDowns: Atomics.load(control, CONTROL.LINK_DOWNS),
    ...(vnetHeaderBytes
      ? {
          rxGsoPackets: Atomics.load(control, CONTROL.GSO_READS),
          rxChecksumsCompleted: Atomics.load(control, CONTROL.CHECKSUMS_COMPLETED),
          rxChecksumsTrusted: Atomics.load(control, CONTROL.CHECKSUMS_TRUSTED),
          rxVnetHeaderDrops: Atomics.load(control, CONTROL.VNET_DROPS),
        }
      : {}),
  };
}

/**
 * Reads datagrams from an fd without blocking the main thread: a worker thread (fd-reader-worker.ts) blocks
 * in poll()/read() and reads each datagram into a ring shared with this thread; each reaches `onDatagram` as a
 * view into the ring, without a copy. The main thread drains the ring in batches (what was published when it
 * looked), calls onBatchEnd after each, and looks again (after the event loop's I/O, setImmediate) before it
 * sleeps; the worker posts a message only to wake a sleeping main thread. Shared by TunLink, TapLink,
 * RawSocketLink and PacketLink; the fd stays the caller's to close.
 *
 * While running, the worker keeps the process alive (like a listening socket); stop() ends it.
 */
export class FdReader extends WorkerReader {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.SIZE * 4));
  private readonly maxBacklogBytes: number;
  private readonly ringBuffer: SharedArrayBuffer;
  private readonly ring: DatagramRing;
  /** A drain is scheduled (setImmediate) or running: the worker need not wake this thread. */
  private draining = false;
  private batches = 0;
  private handlerErrors = 0;
  private readonly drainTask = (): void => this.drain();

  /** Starts the worker and resolves once it is reading. */
  static async start(options: FdReaderOptions): Promise<FdReader> {
    const reader = new FdReader(options);
    await reader.startOrStop(() => reader.run());
    return reader;
  }

  private constructor(options: FdReaderOptions) {
    super(options);
    // Checked here as well as in the worker, so that start() rejects rather than the worker failing.
    if (options.pressureReads !== undefined) checkPressureReads(options.pressureReads);
    this.maxBacklogBytes = options.maxBacklogBytes ?? MAX_BACKLOG_BYTES;
    this.ringBuffer = new SharedArrayBuffer(ringBytesFor(this.maxBacklogBytes));
    this.ring = new DatagramRing(this.ringBuffer, this.control);
  }

  /** Datagrams the worker has published to the ring, ever (ReceiveBacklog.received). */
  received(): number {
    return this.ring.publishedRecords();
  }

  /** Datagrams this thread has taken from the ring, ever (ReceiveBacklog.delivered). */
  delivered(): number {
    return this.ring.consumedRecords();
  }

  stats(): Record<string, number> {
    return readerStats(this.control, this.batches, this.handlerErrors, this.options.vnetHeaderBytes);
  }

  private run(): Promise<void> {
    const { fd, label } = this.options;
    // Asleep from the start: the first record wakes this thread.
    Atomics.store(this.control, CONTROL.SLEEPING, 1);
    return this.startWorker(
      'fd-reader-worker.js',
      (stopFd): FdReaderData => ({
        fd,
        label,
        control: this.control.buffer as SharedArrayBuffer,
        ring: this.ringBuffer,
        pollTimeoutMs: this.options.pollTimeoutMs ?? POLL_TIMEOUT_MS,
        stopFd,
        maxBacklogBytes: this.maxBacklogBytes,
        maxSynBacklogBytes: Math.min(MAX_SYN_BACKLOG_BYTES, this.maxBacklogBytes),
        synFreeBacklogBytes: SYN_FREE_BACKLOG_BYTES,
        maxSynWaitMs: MAX_SYN_WAIT_MS,
        nice: this.options.nice ?? READER_NICE,
        pressureReads: this.options.pressureReads ?? PRESSURE_READS,
        pressureCalmMs: this.options.pressureCalmMs ?? PRESSURE_CALM_MS,
        linkHeaderBytes: this.options.linkHeaderBytes ?? 0,
        vnetHeaderBytes: this.options.vnetHeaderBytes ?? 0,
        trustKernelChecksums: this.options.trustKernelChecksums === true,
        parkMs: this.options.parkMs ?? 0,
      }),
    );
  }

  protected onWake(): void {
    this.wake();
  }

  protected signalStop(): void {
    Atomics.store(this.control, CONTROL.STOP, 1);
  }

  /** The worker saw this thread asleep and cleared control[SLEEPING]: drain now. */
  private wake(): void {
    if (this.draining) return;
    this.draining = true;
    this.drain();
  }

  /**
   * Delivers the records published so far, then looks again after the event loop's I/O (setImmediate), or
   * sleeps when there were none: control[SLEEPING] set, then the ring checked once more, so that a record
   * published in between is not left waiting for a message the worker did not send.
   */
  private drain(): void {
    const ring = this.ring;
    // sleep() false: records came as it was about to sleep, and it stays awake for them.
    if (
      this.stopping === undefined &&
      (ring.beginBatch(MAX_BATCH_DATAGRAMS) || (!ring.sleep() && ring.beginBatch(MAX_BATCH_DATAGRAMS)))
    ) {
      this.deliverBatch();
      setImmediate(this.drainTask);
    } else this.draining = false;
  }

  /** Hands each datagram of the batch to onDatagram as a view into the ring, frees their room, ends the batch. */
  private deliverBatch(): void {
    const onDatagram = this.options.onDatagram;
    const ring = this.ring;
    const bytes = ring.bytes;
    for (let at = ring.next(); at >= 0; at = ring.next()) {
      try {
        onDatagram(bytes.subarray(at, at + ring.length), ring.flags);
      } catch (err) {
        // The receive path never throws: a failing handler costs its datagram, not the rest of the batch.
        this.handlerErrors++;
        this.options.logger.error({ err }, 'receive handler threw; datagram dropped');
      }
      if (this.stopping !== undefined) break;
    }
    ring.endBatch();
    this.batches++;
    if (this.stopping !== undefined) return;
    const onBatchEnd = this.options.onBatchEnd;
    if (onBatchEnd !== undefined) {
      try {
        onBatchEnd();
      } catch (err) {
        this.handlerErrors++;
        this.options.logger.error({ err }, 'batch-end handler threw');
      }
    }
  }
}
