import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { formatMac, type MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { type Libc, loadLibc } from '../fd/libc.js';
import {
  checkTunConfig,
  configureTunDevice,
  DEFAULT_TUN_TX_QUEUE_LENGTH,
  openTunDevice,
  readDeviceCounter,
  type TunKind,
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
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in an FdReader's worker thread
 * that blocks in poll()/read() and posts datagrams in batches; each datagram reaches the handler as a view
 * into its batch's buffer, without a copy. Sending is one synchronous non-blocking write() per datagram on
 * the main thread.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export class TunLink extends FdLink {
  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static async open(options: TunLinkOptions): Promise<TunLink> {
    return TunLink.openDevice(
      options,
      'tun',
      undefined,
      (fd, name, txQueueLength, libc, logger) =>
        new TunLink(fd, name, options.mtu, txQueueLength, libc, logger),
    );
  }

  /**
   * What opening a TUN or TAP device (TapLink) takes: the device created, the link made by `make` around it,
   * the device configured, the reader started; on any failure the link is closed again.
   */
  protected static async openDevice<T extends TunLink>(
    options: TunLinkOptions,
    kind: TunKind,
    mac: MacAddress | undefined,
    make: (fd: number, name: string, txQueueLength: number, libc: Libc, logger: Logger) => T,
  ): Promise<T> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkTunConfig(options);
    const libc = loadLibc();
    const device = openTunDevice(options.name, kind);
    const txQueueLength = options.txQueueLength ?? DEFAULT_TUN_TX_QUEUE_LENGTH;
    const link = make(device.fd, device.name, txQueueLength, libc, logger);
    try {
      configureTunDevice({ ...options, name: device.name, txQueueLength });
      await link.start('ETUN');
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
  ) {
    super(fd, mtu, libc, logger, [], mac);
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

  protected write(datagram: Uint8Array, length: number): number {
    return this.libc.write(this.fd, datagram, length);
  }

  protected describe(): string {
    return `${this.medium === 'ethernet' ? 'TAP' : 'TUN'} device ${this.name}`;
  }
}
