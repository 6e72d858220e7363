import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import { formatMac, type MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { ERRNO, type Libc, loadLibc } from '../fd/libc.js';
import { joinSuperSegment, splitSuperSegment, TCP_CHECKSUM_OFFSET } from '../offload/tcp-super-segment.js';
import {
  putLe16,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from '../offload/virtio-net-header.js';
import type { SegmentationOffload } from '../raw-link.js';
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
  /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
  readonly logger?: Logger;
}

/** How a device was opened: plain, or with virtio_net_hdr on every packet and, if the kernel agreed, offload. */
export interface TunOffloadState {
  /** Every read and write carries a virtio_net_hdr. */
  readonly vnetHeader: boolean;
  /** The kernel accepted TUNSETOFFLOAD: pilha's writes may be GSO packets (segmentation). */
  readonly offload: boolean;
  /** ...and it may hand pilha GSO packets and unfinished checksums (options.receiveOffload). */
  readonly receiveOffload: boolean;
}

const NO_OFFLOAD: TunOffloadState = { vnetHeader: false, offload: false, receiveOffload: false };
/** The largest super-segment: what an IPv4 total length can say. */
const MAX_SUPER_SEGMENT = 65535;
/** The Ethernet header in front of a TAP device's super-segment. */
const ETHERNET_HEADER_BYTES = 14;
const EMPTY = new Uint8Array(0);
const TUN_COUNTERS = ['txGsoPackets', 'txGsoSegments', 'txGsoBadSegments', 'txGsoFallbacks'] as const;

/**
 * A RawLink over a Linux TUN device (IFF_TUN | IFF_NO_PI). Receiving runs in an FdReader's worker thread
 * that blocks in poll()/read() and posts datagrams in batches; each datagram reaches the handler as a view
 * into its batch's buffer, without a copy. Sending is one synchronous non-blocking write() per datagram on
 * the main thread.
 *
 * With offload (options.offload, which pilha's stacks ask for), the device is opened with IFF_VNET_HDR: every
 * write is a virtio_net_hdr and a datagram in one writev() (no copy), and `segmentation` takes TCP
 * super-segments, which the kernel delivers as one GSO packet (one write instead of one per segment); the
 * kernel, told by TUNSETOFFLOAD that pilha takes GSO packets and partial checksums, hands over up to 64 KB per
 * read, which the reader unwraps (offload/virtio-net-receive.ts) into one large TCP segment; its checksum,
 * which the kernel left unfinished (or verified), is neither finished nor verified: the datagram goes up
 * flagged RX_CHECKSUM_VOUCHED, since nothing but the stack sees it. With options.receiveOffload false, the kernel is told pilha takes no GSO packets: reads stay
 * wire-sized, writes may still be super-segments. When the kernel refuses offload, the link works without it
 * (stats: offload 0).
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export class TunLink extends FdLink<(typeof TUN_COUNTERS)[number]> {
  /** TCP super-segments, when offload is on. */
  readonly segmentation: SegmentationOffload | undefined;
  /** The header of the next write: zeros (a plain datagram) unless sendSegmented filled it. */
  private readonly plainHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
  private readonly gsoHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
  private txHeader = this.plainHeader;
  /** The payload of the next write, apart from its headers (sendSegmentedParts); empty otherwise. */
  private txPayload: Uint8Array = EMPTY;
  /** Bytes before the IP header in what is written: a TAP device's Ethernet header, or none. */
  private readonly linkHeaderBytes: number;

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
      offload: TunOffloadState,
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
      await link.start(
        'ETUN',
        offload.vnetHeader ? VIRTIO_NET_HDR_SIZE : 0,
        offload.receiveOffload,
        options.readerNice,
        tunReaderParkMs(txQueueLength),
      );
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
    readonly offloadState: TunOffloadState = NO_OFFLOAD,
  ) {
    super(fd, mtu, libc, logger, TUN_COUNTERS, mac);
    this.linkHeaderBytes = this.medium === 'ethernet' ? ETHERNET_HEADER_BYTES : 0;
    this.segmentation = offloadState.offload
      ? {
          maxDatagramBytes: this.linkHeaderBytes + MAX_SUPER_SEGMENT,
          sendSegmented: (datagram, segmentSize) => this.sendSegmented(datagram, segmentSize),
          sendSegmentedParts: (headers, payload, segmentSize) =>
            this.sendSegmentedParts(headers, payload, segmentSize),
        }
      : undefined;
  }

  /**
   * The counters, the device's txqueuelen, the packets the kernel dropped at that queue (tx_dropped), and
   * whether offload is on (1) or off (0), and receive offload too (rxOffload).
   */
  override stats(): Record<string, number> {
    const deviceTxDropped = readDeviceCounter(this.name, 'tx_dropped');
    return {
      ...super.stats(),
      txQueueLength: this.txQueueLength,
      ...(deviceTxDropped !== undefined ? { deviceTxDropped } : {}),
      offload: this.offloadState.offload ? 1 : 0,
      rxOffload: this.offloadState.receiveOffload ? 1 : 0,
    };
  }

  /**
   * One super-segment behind a GSO header (NEEDS_CSUM, TCPV4, gso_size, hdr_len, csum_start at the TCP header,
   * csum_offset 16): the kernel cuts it. On a TAP device it is a frame (the Ethernet header first), and
   * hdr_len and csum_start count that header. Should the kernel refuse it, the link cuts it itself and sends
   * the segments (txGsoFallbacks).
   */
  private sendSegmented(datagram: Uint8Array, segmentSize: number): void {
    this.sendSuperSegment(datagram, EMPTY, segmentSize);
  }

  /** sendSegmented with the headers and the payload apart, written by one writev() of three parts. */
  private sendSegmentedParts(headers: Uint8Array, payload: Uint8Array, segmentSize: number): void {
    this.sendSuperSegment(headers, payload, segmentSize);
  }

  /**
   * `first` is the whole super-segment, or (with a payload apart) exactly its IP and TCP headers; on a TAP
   * device, behind the frame's Ethernet header.
   */
  private sendSuperSegment(first: Uint8Array, payload: Uint8Array, segmentSize: number): void {
    const length = first.length + payload.length;
    const l2 = this.linkHeaderBytes;
    const ipHeaderLength = first.length >= l2 + 20 ? (first[l2]! & 0x0f) * 4 : 0;
    // From the start of the write: the link header, the IP header, the TCP header.
    const headersLength =
      l2 +
      ipHeaderLength +
      (first.length >= l2 + ipHeaderLength + 13 ? (first[l2 + ipHeaderLength + 12]! >> 4) * 4 : 0);
    if (
      ipHeaderLength < 20 ||
      headersLength < l2 + ipHeaderLength + 20 ||
      headersLength >= length ||
      segmentSize <= 0 ||
      (payload.length > 0 && headersLength !== first.length)
    ) {
      this.counters.inc('txGsoBadSegments');
      return;
    }
    const segments = Math.ceil((length - headersLength) / segmentSize);
    // One segment is no GSO packet, but its checksum is as unfinished: the kernel finishes it (NEEDS_CSUM).
    const h = this.gsoHeader;
    h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h[1] = segments > 1 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE;
    putLe16(h, 2, headersLength);
    putLe16(h, 4, segments > 1 ? segmentSize : 0);
    putLe16(h, 6, l2 + ipHeaderLength);
    putLe16(h, 8, TCP_CHECKSUM_OFFSET);
    this.txHeader = this.gsoHeader;
    this.txPayload = payload;
    const before = this.counters.values.txPackets;
    try {
      this.transmit(first, l2 + MAX_SUPER_SEGMENT - payload.length);
    } finally {
      this.txHeader = this.plainHeader;
      this.txPayload = EMPTY;
    }
    if (this.counters.values.txPackets !== before) {
      // transmit() counted the first part's bytes.
      if (payload.length > 0) this.counters.inc('txBytes', payload.length);
      if (segments > 1) {
        this.counters.inc('txGsoPackets');
        this.counters.inc('txGsoSegments', segments);
      }
      return;
    }
    if (this.lastWriteErrno === ERRNO.EINVAL) {
      // Refused (EINVAL on a kernel that disagrees with the header): cut here, as the kernel would have.
      this.counters.inc('txGsoFallbacks');
      const datagram = joinSuperSegment(first, payload);
      const split = splitSuperSegment(l2 === 0 ? datagram : datagram.subarray(l2), segmentSize);
      if (split === undefined) return;
      for (const segment of split) {
        if (l2 === 0) {
          this.send(segment);
          continue;
        }
        // Each segment behind a copy of the super-segment's link header.
        const frame = new Uint8Array(l2 + segment.length);
        frame.set(datagram.subarray(0, l2), 0);
        frame.set(segment, l2);
        this.send(frame);
      }
    }
  }

  protected write(datagram: Uint8Array, length: number): number {
    if (!this.offloadState.vnetHeader) return this.libc.write(this.fd, datagram, length);
    const payload = this.txPayload;
    if (payload.length > 0) {
      // A super-segment in parts (sendSegmentedParts): `datagram` is its headers, whole.
      const written = this.libc.writeWithHeadAndTail(this.fd, this.txHeader, datagram, payload);
      return written < 0 ? written : written - VIRTIO_NET_HDR_SIZE - payload.length;
    }
    const written = this.libc.writeWithHead(this.fd, this.txHeader, VIRTIO_NET_HDR_SIZE, datagram, length);
    return written < 0 ? written : written - VIRTIO_NET_HDR_SIZE;
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
): { device: TunDevice; offload: TunOffloadState } {
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
