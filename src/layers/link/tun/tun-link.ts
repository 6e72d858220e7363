import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { formatMac, type MacAddress } from '../../../core/mac-address.js';
import { type Libc, loadLibc } from '../fd/libc.js';
import { VIRTIO_NET_HDR_SIZE } from '../offload/virtio-net-header.js';
import { NO_OFFLOAD, type OffloadState, VnetHeaderLink } from '../offload/vnet-header-link.js';
import {
  checkTunConfig,
  configureTunDevice,
  DEFAULT_TUN_TX_QUEUE_LENGTH,
  enableTunOffload,
  openTunDevice,
  readDeviceCounter,
  type TunDevice,
  type TunKind,
  tunReaderParkMs,
} from './tun-device.js';

export interface TunLinkOptions {
  /** Device name, e.g. 'pilha0' or 'tun%d' (the kernel picks the number). */
  readonly name: string;
  readonly mtu: number;
  /** The kernel's address on the device (pilha's own address is another one in the same subnet). */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  /** The device's txqueuelen, the kernel's queue toward pilha (DEFAULT_TUN_TX_QUEUE_LENGTH when absent). */
  readonly txQueueLength?: number;
  /**
   * Segmentation and checksum offload with the kernel (IFF_VNET_HDR, TUNSETOFFLOAD): TCP super-segments of up
   * to 64 KB both ways, where the kernel accepts it; on a TAP device as frames (the Ethernet header, then the
   * super-segment). Off unless true here, because a program that forwards what it reads
   * (bench/impaired-relay.mjs) must not get 64 KB reads; pilha's stacks turn it on unless --no-offload
   * (di/link-module.ts).
   */
  readonly offload?: boolean;
  /**
   * With offload, whether the kernel may also hand pilha GSO packets (64 KB reads) and unfinished checksums;
   * true when absent. false keeps the reads wire-sized and finished while writes still take super-segments:
   * what a decorator that must see received packets as on the wire (an impairment, a capture) needs.
   */
  readonly receiveOffload?: boolean;
  /** The reader thread's nice value (FdReaderOptions.nice): a server's when absent. */
  readonly readerNice?: number;
  /**
   * Read on the main thread (MainThreadFdReader) when the kernel hands pilha GSO packets (receive offload on):
   * for a process that does nothing else while it downloads (pilha get). Wire-sized reads keep the reader thread.
   */
  readonly readOnMainThread?: boolean;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in an FdReader's worker thread
 * that blocks in poll()/read() and posts datagrams in batches (or, asked for with GSO reads, on the main thread:
 * MainThreadFdReader); each datagram reaches the handler as a view into its batch's buffer, without a copy. Sending is one synchronous non-blocking write() per datagram on
 * the main thread.
 *
 * With offload (options.offload, which pilha's stacks ask for), the device is opened with IFF_VNET_HDR and
 * sends TCP super-segments as GSO packets (VnetHeaderLink); the kernel, told by TUNSETOFFLOAD that pilha takes
 * GSO packets and partial checksums, hands over up to 64 KB per read, which the reader unwraps
 * (offload/virtio-net-receive.ts) into one large TCP segment; its checksum, which the kernel left unfinished
 * (or verified), is neither finished nor verified: the datagram goes up flagged RX_CHECKSUM_VOUCHED, since
 * nothing but the stack sees it. With options.receiveOffload false, the kernel is told pilha takes no GSO
 * packets: reads stay wire-sized, writes may still be super-segments. When the kernel refuses offload, the
 * link works without it (stats: offload 0).
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export class TunLink extends VnetHeaderLink {
  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static async open(options: TunLinkOptions): Promise<TunLink> {
    return TunLink.openDevice(
      options,
      'tun',
      undefined,
      (fd, name, txQueueLength, libc, logger, offload) =>
        new TunLink(fd, name, options.mtu, txQueueLength, libc, logger, undefined, offload),
    );
  }

  /**
   * What opening a TUN or TAP device (TapLink) takes: the device created (with offload when
   * options.offload is true, falling back to none when the kernel refuses), the link made by `make` around
   * it, the device configured, the reader started; on any failure the link is closed again.
   */
  protected static async openDevice<T extends TunLink>(
    options: TunLinkOptions,
    kind: TunKind,
    mac: MacAddress | undefined,
    make: (
      fd: number,
      name: string,
      txQueueLength: number,
      libc: Libc,
      logger: Logger,
      offload: OffloadState,
    ) => T,
  ): Promise<T> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkTunConfig(options);
    const libc = loadLibc();
    const { device, offload } = openWithOffload(options, kind, libc, logger);
    const txQueueLength = options.txQueueLength ?? DEFAULT_TUN_TX_QUEUE_LENGTH;
    const link = make(device.fd, device.name, txQueueLength, libc, logger, offload);
    try {
      configureTunDevice({ ...options, name: device.name, txQueueLength });
      // With receive offload nothing stands between the device and the stack (a decorator turns it off).
      await link.start('ETUN', offload.vnetHeader ? VIRTIO_NET_HDR_SIZE : 0, offload.receiveOffload, {
        ...(options.readerNice !== undefined ? { nice: options.readerNice } : {}),
        parkMs: tunReaderParkMs(txQueueLength),
        onMainThread: options.readOnMainThread === true && offload.receiveOffload,
      });
    } catch (err) {
      await link.close();
      throw err;
    }
    logger.info(
      {
        device: device.name,
        mtu: options.mtu,
        ...(mac !== undefined ? { mac: formatMac(mac) } : {}),
        txQueueLength,
        offload: offload.offload,
      },
      `${kind.toUpperCase()} link open`,
    );
    return link;
  }

  protected constructor(
    fd: number,
    /** The device name the kernel gave. */
    readonly name: string,
    mtu: number,
    /** The device's txqueuelen as configured. */
    readonly txQueueLength: number,
    libc: Libc,
    logger: Logger,
    /** pilha's MAC on a TAP device, whose medium is Ethernet. */
    mac?: MacAddress,
    /** How the device was opened (a TUN or TAP device may have offload). */
    offloadState: OffloadState = NO_OFFLOAD,
  ) {
    super(fd, mtu, libc, logger, [], mac, offloadState);
  }

  /** The counters, the device's txqueuelen, and the packets the kernel dropped at that queue (tx_dropped). */
  override stats(): Record<string, number> {
    const deviceTxDropped = readDeviceCounter(this.name, 'tx_dropped');
    return {
      ...super.stats(),
      txQueueLength: this.txQueueLength,
      ...(deviceTxDropped !== undefined ? { deviceTxDropped } : {}),
    };
  }

  protected describe(): string {
    return `${this.medium === 'ethernet' ? 'TAP' : 'TUN'} device ${this.name}`;
  }
}

/** Opens the device with IFF_VNET_HDR and TUNSETOFFLOAD when asked and possible, else without. */
function openWithOffload(
  options: TunLinkOptions,
  kind: TunKind,
  libc: Libc,
  logger: Logger,
): { device: TunDevice; offload: OffloadState } {
  if (options.offload !== true) return { device: openTunDevice(options.name, kind), offload: NO_OFFLOAD };
  let device: TunDevice;
  try {
    device = openTunDevice(options.name, kind, true);
  } catch (err) {
    // Warned only once the plain open works: when it fails too (not root, a busy device) its error is the
    // user's one line, with no warning and stack above it.
    const plain = openTunDevice(options.name, kind);
    logger.warn(
      { reason: err instanceof Error ? err.message : String(err) },
      `${kind.toUpperCase()} device with IFF_VNET_HDR refused; opened it without offload`,
    );
    return { device: plain, offload: NO_OFFLOAD };
  }
  const receive = options.receiveOffload !== false;
  const errno = enableTunOffload(device.fd, libc, receive);
  if (errno !== 0) {
    logger.warn({ errno }, 'TUNSETOFFLOAD refused: no segmentation offload');
    return { device, offload: { vnetHeader: true, offload: false, receiveOffload: false } };
  }
  return { device, offload: { vnetHeader: true, offload: true, receiveOffload: receive } };
}
