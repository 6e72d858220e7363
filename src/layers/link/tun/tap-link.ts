import { randomBytes } from 'node:crypto';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { formatMac, localMacFrom, type MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { type Libc, loadLibc } from '../fd/libc.js';
import {
  checkTunConfig,
  configureTunDevice,
  DEFAULT_TUN_TX_QUEUE_LENGTH,
  openTunDevice,
  readDeviceCounter,
} from './tun-device.js';

export interface TapLinkOptions {
  /** Device name, e.g. 'pilhatap0' or 'tap%d' (the kernel picks the number). */
  readonly name: string;
  /** The IP MTU: the device's MTU, which Ethernet frames exceed by their header. */
  readonly mtu: number;
  /** The kernel's address on the device (pilha's own address is another one in the same subnet). */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  /** pilha's MAC; a random locally administered one when absent. */
  readonly mac?: MacAddress;
  /** The device's txqueuelen, the kernel's queue toward pilha (DEFAULT_TUN_TX_QUEUE_LENGTH when absent). */
  readonly txQueueLength?: number;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

/**
 * A RawLink of Ethernet frames over a Linux TAP device (IFF_TAP | IFF_NO_PI), created and configured as
 * TunLink does its device: the kernel's side of the device gets the host address and a MAC of the kernel's
 * choosing, and pilha, at the far end of the virtual cable, has its own MAC (`mac`). Each read is one frame
 * without FCS, read in an FdReader's worker as TunLink's datagrams are; each send is one write() of a frame.
 * The device's MTU is the IP MTU; frames are up to 14 bytes longer (18 with a VLAN tag).
 */
export class TapLink extends FdLink {
  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static async open(options: TapLinkOptions): Promise<TapLink> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkTunConfig(options);
    const libc = loadLibc();
    const device = openTunDevice(options.name, 'tap');
    const txQueueLength = options.txQueueLength ?? DEFAULT_TUN_TX_QUEUE_LENGTH;
    const mac = options.mac ?? localMacFrom(randomBytes(6));
    const link = new TapLink(device.fd, device.name, options.mtu, mac, txQueueLength, libc, logger);
    try {
      configureTunDevice({ ...options, name: device.name, txQueueLength });
      await link.start('ETUN');
    } catch (err) {
      await link.close();
      throw err;
    }
    logger.info(
      { device: device.name, mtu: options.mtu, mac: formatMac(mac), txQueueLength },
      'TAP link open',
    );
    return link;
  }

  private constructor(
    fd: number,
    /** The device name the kernel gave. */
    readonly name: string,
    mtu: number,
    mac: MacAddress,
    /** The device's txqueuelen as configured. */
    readonly txQueueLength: number,
    libc: Libc,
    logger: Logger,
  ) {
    super(fd, mtu, libc, logger, [], mac);
  }

  /** The counters, the device's txqueuelen, and the frames the kernel dropped at that queue (tx_dropped). */
  override stats(): Record<string, number> {
    const deviceTxDropped = readDeviceCounter(this.name, 'tx_dropped');
    return {
      ...super.stats(),
      txQueueLength: this.txQueueLength,
      ...(deviceTxDropped !== undefined ? { deviceTxDropped } : {}),
    };
  }

  protected write(frame: Uint8Array, length: number): number {
    return this.libc.write(this.fd, frame, length);
  }

  protected describe(): string {
    return `TAP device ${this.name}`;
  }
}
