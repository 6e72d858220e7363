import { closeSync } from 'node:fs';
import { Counters } from '../../core/counters.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../core/logger.js';
import { FdReader } from './fd-reader.js';
import { ERRNO, type Libc, loadLibc } from './libc.js';
import { ignoreDatagram, type RawLink } from './raw-link.js';
import { checkTunConfig, configureTunDevice, openTunDevice } from './tun-device.js';

export interface TunLinkOptions {
  /** Device name, e.g. 'pilha0' or 'tun%d' (the kernel picks the number). */
  readonly name: string;
  readonly mtu: number;
  /** The kernel's address on the device (pilha's own address is another one in the same subnet). */
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

const COUNTERS = [
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

/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in an FdReader's worker thread
 * that blocks in poll()/read() and posts datagrams in batches; each datagram reaches the handler as a view
 * into its batch's buffer, without a copy. Sending is one synchronous non-blocking write() per datagram on
 * the main thread.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export class TunLink implements RawLink {
  private handler: (datagram: Uint8Array) => void = ignoreDatagram;
  private readonly counters = new Counters(COUNTERS);
  private reader: FdReader | undefined;
  private closing: Promise<void> | undefined;
  private fdOpen = true;

  /** Creates and configures the device, starts the reader, and resolves once it is reading. */
  static async open(options: TunLinkOptions): Promise<TunLink> {
    const logger = options.logger ?? silentLoggers().for('link');
    checkTunConfig(options);
    const libc = loadLibc();
    const device = openTunDevice(options.name);
    const link = new TunLink(device.fd, device.name, options.mtu, libc, logger);
    try {
      configureTunDevice({ ...options, name: device.name });
      await link.start();
    } catch (err) {
      await link.close();
      throw err;
    }
    logger.info({ device: device.name, mtu: options.mtu }, 'TUN link open');
    return link;
  }

  private constructor(
    private readonly fd: number,
    /** The device name the kernel gave. */
    readonly name: string,
    readonly mtu: number,
    private readonly libc: Libc,
    private readonly logger: Logger,
  ) {}

  send(datagram: Uint8Array): void {
    const length = datagram.length;
    if (this.closing !== undefined) {
      this.drop('txDropClosed');
      return;
    }
    if (length > this.mtu) {
      this.drop('txDropTooBig');
      return;
    }
    const written = this.libc.write(this.fd, datagram, length);
    if (written === length) {
      this.counters.inc('txPackets');
      this.counters.inc('txBytes', length);
      return;
    }
    const errno = written < 0 ? this.libc.errno() : 0;
    if (errno === ERRNO.EAGAIN || errno === ERRNO.ENOBUFS) {
      this.drop('txDropFull');
      return;
    }
    this.drop('txDropError');
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug({ length, written, errno }, 'TUN write failed; datagram dropped');
    }
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      ...(this.reader?.stats() ?? {}),
    };
  }

  /** Stops the reader (within one poll timeout), then closes the fd, which removes the device. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private drop(reason: 'txDropFull' | 'txDropTooBig' | 'txDropClosed' | 'txDropError'): void {
    this.counters.inc('txDrops');
    this.counters.inc(reason);
  }

  private async start(): Promise<void> {
    this.reader = await FdReader.start({
      fd: this.fd,
      label: `TUN device ${this.name}`,
      errorCode: 'ETUN',
      logger: this.logger,
      onDatagram: (datagram) => this.receive(datagram),
    });
  }

  private receive(datagram: Uint8Array): void {
    this.counters.inc('rxPackets');
    this.counters.inc('rxBytes', datagram.length);
    this.handler(datagram);
  }

  private async shutdown(): Promise<void> {
    this.handler = ignoreDatagram;
    await this.reader?.stop();
    if (this.fdOpen) {
      this.fdOpen = false;
      try {
        closeSync(this.fd);
      } catch (err) {
        this.logger.warn({ err, device: this.name }, 'closing the TUN fd failed');
      }
    }
    this.logger.info({ device: this.name, ...this.counters.nonZero() }, 'TUN link closed');
  }
}
