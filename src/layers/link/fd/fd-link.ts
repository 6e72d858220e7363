import { closeSync } from 'node:fs';
import { Counters } from '../../../core/counters.js';
import type { PilhaError, PilhaErrorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { MacAddress } from '../../../core/mac-address.js';
import {
  ignoreDatagram,
  type LinkMedium,
  type RawLink,
  type ReceiveBacklog,
  type ReceiveHandler,
} from '../raw-link.js';
import { FdReader } from './fd-reader.js';
import { ERRNO, type Libc } from './libc.js';
import { MainThreadFdReader } from './main-thread-fd-reader.js';
import type { DatagramReader } from './reader-lifecycle.js';

/** The counters every fd-backed link keeps; a link adds its own after them. */
export const FD_LINK_COUNTERS = [
  'rxPackets',
  'rxBytes',
  'txPackets',
  'txBytes',
  'txDrops',
  'txDropFull',
  'txDropTooBig',
  'txDropClosed',
  'txDropError',
] as const;

function ignoreBatchEnd(): void {}

type TxDropReason = 'txDropFull' | 'txDropTooBig' | 'txDropClosed' | 'txDropError';

/** How a link reads its fd (FdLink.start). */
export interface ReaderChoice {
  /** The reader thread's nice value (FdReaderOptions.nice): a server's when absent. */
  readonly nice?: number;
  /** The longest the reader thread waits for a busy main thread (FdReaderOptions.parkMs); 0 when absent. */
  readonly parkMs?: number;
  /** Read on the main thread (MainThreadFdReader), for a process that does nothing else while it downloads. */
  readonly onMainThread?: boolean;
}

/** An Ethernet header (destination, source, EtherType) plus one 802.1Q tag: what a frame adds to the IP MTU. */
export const ETHERNET_FRAME_OVERHEAD = 14 + 4;
const ETHERNET_HEADER_BYTES = 14;

/**
 * What a RawLink on a kernel file descriptor (a TUN device, a raw socket) has in common: an FdReader's worker
 * reads datagrams in batches and hands each to the handler as a view into its batch; sending is one
 * synchronous non-blocking system call per datagram, counted, with every failure a counted drop; close()
 * stops the reader (within one poll timeout), then closes the fd. A subclass says how to write one datagram,
 * which received datagrams are its own, and what else to undo on close.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 */
export abstract class FdLink<Extra extends string = never> implements RawLink {
  readonly medium: LinkMedium;
  readonly mac: MacAddress | undefined;
  /** The longest datagram (or frame: the MTU plus an Ethernet header and a VLAN tag) send() passes on. */
  protected readonly maxSendBytes: number;
  protected handler: ReceiveHandler = ignoreDatagram;
  private batchEndHandler: () => void = ignoreBatchEnd;
  private failureHandler: ((error: PilhaError) => void) | undefined;
  protected readonly counters: Counters<(typeof FD_LINK_COUNTERS)[number] | Extra>;
  /** errno of the last failed write, 0 after a successful one. */
  protected lastWriteErrno = 0;
  private reader: DatagramReader | undefined;
  /** The reader when it is a worker thread's (FdReader): datagrams wait for the main thread in its ring. */
  private threadReader: FdReader | undefined;
  /** ReceiveBacklog over threadReader: none waits before it starts, or on a main-thread reader. */
  private readonly backlog: ReceiveBacklog = {
    received: () => this.threadReader?.received() ?? 0,
    delivered: () => this.threadReader?.delivered() ?? 0,
  };
  private closing: Promise<void> | undefined;
  private fdOpen = true;

  protected constructor(
    protected readonly fd: number,
    readonly mtu: number,
    protected readonly libc: Libc,
    protected readonly logger: Logger,
    extraCounters: readonly Extra[] = [],
    /** pilha's MAC when the fd moves Ethernet frames (a TAP device, an AF_PACKET socket); absent for IP. */
    ethernetMac?: MacAddress,
  ) {
    this.medium = ethernetMac === undefined ? 'ip' : 'ethernet';
    this.mac = ethernetMac;
    this.maxSendBytes = ethernetMac === undefined ? mtu : mtu + ETHERNET_FRAME_OVERHEAD;
    this.counters = new Counters<(typeof FD_LINK_COUNTERS)[number] | Extra>([
      ...FD_LINK_COUNTERS,
      ...extraCounters,
    ]);
  }

  /** One system call writing `length` bytes of `datagram`: the bytes written, or -1 with errno set. */
  protected abstract write(datagram: Uint8Array, length: number): number;

  /** What the link is, for errors and logs ("TUN device pilha0"). */
  protected abstract describe(): string;

  send(datagram: Uint8Array): void {
    this.transmit(datagram, this.maxSendBytes);
  }

  /** Writes `datagram` as send() does, refusing (counted) one longer than `maxBytes`. */
  protected transmit(datagram: Uint8Array, maxBytes: number): void {
    const length = datagram.length;
    if (this.closing !== undefined) {
      this.drop('txDropClosed');
      return;
    }
    if (length > maxBytes) {
      this.drop('txDropTooBig');
      return;
    }
    const written = this.write(datagram, length);
    if (written === length) {
      this.lastWriteErrno = 0;
      this.counters.inc('txPackets');
      this.counters.inc('txBytes', length);
      return;
    }
    const errno = written < 0 ? this.libc.errno() : 0;
    this.lastWriteErrno = errno;
    if (errno === ERRNO.EAGAIN || errno === ERRNO.ENOBUFS) {
      this.drop('txDropFull');
      return;
    }
    this.drop(errno === ERRNO.EMSGSIZE ? 'txDropTooBig' : 'txDropError');
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ link: this.describe(), length, written, errno }, 'write failed; datagram dropped');
    }
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  onBatchEnd(handler: () => void): boolean {
    this.batchEndHandler = handler;
    return true;
  }

  receiveBacklog(): ReceiveBacklog {
    return this.backlog;
  }

  onFailure(handler: (error: PilhaError) => void): void {
    this.failureHandler = handler;
    const failure = this.reader?.failure;
    if (failure !== undefined) handler(failure);
  }

  stats(): Record<string, number> {
    const own = this.counters.snapshot();
    const reader = this.reader?.stats() ?? {};
    // Reads the reader merged into the one before (TcpReadCoalescer) went up inside it: the device's packets
    // and bytes are still its reads'.
    own.rxPackets += reader.rxCoalescedReads ?? 0;
    own.rxBytes += reader.rxCoalescedHeaderBytes ?? 0;
    return { ...own, ...reader };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Starts the reader (which unwraps `vnetHeaderBytes` of virtio_net_hdr per read, taking the kernel's word for
   * TCP checksums when `trustKernelChecksums`): FdReader's worker thread, at `reader.nice` when given, waiting up
   * to `reader.parkMs` for a busy main thread (FdReaderOptions.parkMs); or, with `reader.onMainThread`,
   * MainThreadFdReader. Resolves once it is reading.
   */
  protected async start(
    errorCode: PilhaErrorCode,
    vnetHeaderBytes = 0,
    trustKernelChecksums = false,
    reader: ReaderChoice = {},
  ): Promise<void> {
    const { nice: readerNice, parkMs: readerParkMs = 0 } = reader;
    const start = reader.onMainThread === true ? MainThreadFdReader.start : FdReader.start;
    this.reader = await start({
      fd: this.fd,
      label: this.describe(),
      errorCode,
      logger: this.logger,
      onDatagram: (datagram, flags) => this.receive(datagram, flags),
      onBatchEnd: () => this.batchEndHandler(),
      linkHeaderBytes: this.medium === 'ethernet' ? ETHERNET_HEADER_BYTES : 0,
      vnetHeaderBytes,
      trustKernelChecksums,
      ...(readerNice !== undefined ? { nice: readerNice } : {}),
      parkMs: readerParkMs,
      onFailure: (error) => this.failureHandler?.(error),
      onLinkDown: () => this.linkDown(),
      onVnetHeaderDrop: () => this.vnetHeaderDropped(),
    });
    if (this.reader instanceof FdReader) this.threadReader = this.reader;
  }

  /** A datagram the reader read (with its RX_* flags): counted and handed up. A subclass may filter or fix it up first. */
  protected receive(datagram: Uint8Array, flags: number): void {
    this.counters.inc('rxPackets');
    this.counters.inc('rxBytes', datagram.length);
    this.handler(datagram, flags);
  }

  protected drop(reason: TxDropReason): void {
    this.counters.inc('txDrops');
    this.counters.inc(reason);
  }

  /** Whether the fd is still open (a subclass may then query it). */
  protected fdIsOpen(): boolean {
    return this.fdOpen;
  }

  /** A read found the fd's interface down (ENETDOWN, a packet socket's): nothing to do by default. */
  protected linkDown(): void {}

  /**
   * The reader dropped a packet longer than a read (its IP total length 0, BIG TCP's) or one the kernel could
   * not describe in a virtio_net_hdr (it counts them all, rxVnetHeaderDrops): said once, with the likely cause,
   * since a sender whose every large GSO packet is dropped crawls on retransmissions with no other sign (16 MB
   * from a BIG TCP kernel over a packet link: 3.3 MiB/s, 153 drops).
   */
  protected vnetHeaderDropped(): void {
    this.logger.warn(
      { fd: this.describe() },
      "a packet from the kernel was dropped (counted as rxVnetHeaderDrops; said once): a GSO packet over 64 KB, as a sender with BIG TCP makes (gso_ipv4_max_size over 65536 on its interface: set it to 65536), or one a virtio_net_hdr cannot describe (a tunnel's)",
    );
  }

  /** Ends the link as failed for good (RawLink.onFailure is told): what a subclass learns that its reads do not say. */
  protected failLink(error: PilhaError): void {
    this.reader?.fail(error);
  }

  /** What else the link undoes once its fd is closed (nothing by default). */
  protected afterClose(): void {}

  private async shutdown(): Promise<void> {
    this.handler = ignoreDatagram;
    this.batchEndHandler = ignoreBatchEnd;
    await this.reader?.stop();
    if (this.fdOpen) {
      this.fdOpen = false;
      try {
        closeSync(this.fd);
      } catch (err) {
        this.logger.warn({ err, link: this.describe() }, 'closing the fd failed');
      }
    }
    this.afterClose();
    const counters: Partial<Record<string, number>> = this.counters.nonZero();
    this.logger.info({ link: this.describe(), ...counters }, 'link closed');
  }
}
