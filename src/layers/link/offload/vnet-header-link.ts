import type { Logger } from '../../../core/logger.js';
import type { MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { ERRNO, type Libc } from '../fd/libc.js';
import type { SegmentationOffload } from '../raw-link.js';
import { joinSuperSegment, splitSuperSegment, TCP_CHECKSUM_OFFSET } from './tcp-super-segment.js';
import {
  putLe16,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_SIZE,
} from './virtio-net-header.js';

/**
 * How an fd was set up: plain, or with a virtio_net_hdr on every read and write (a TUN or TAP device's
 * IFF_VNET_HDR, an AF_PACKET socket's PACKET_VNET_HDR) and, when the kernel agreed, segmentation offload.
 */
export interface OffloadState {
  /** Every read and write carries a virtio_net_hdr. */
  readonly vnetHeader: boolean;
  /** pilha's writes may be GSO packets (segmentation), which the kernel cuts where it must. */
  readonly offload: boolean;
  /** ...and the kernel hands pilha GSO packets and unfinished checksums, which its reads describe. */
  readonly receiveOffload: boolean;
}

export const NO_OFFLOAD: OffloadState = { vnetHeader: false, offload: false, receiveOffload: false };

/** The largest super-segment: what an IPv4 total length can say. */
const MAX_SUPER_SEGMENT = 65535;
/** The Ethernet header in front of a super-segment on a link of frames. */
const ETHERNET_HEADER_BYTES = 14;
const EMPTY = new Uint8Array(0);
export const GSO_COUNTERS = ['txGsoPackets', 'txGsoSegments', 'txGsoBadSegments', 'txGsoFallbacks'] as const;
type GsoCounter = (typeof GSO_COUNTERS)[number];

/**
 * An FdLink whose fd may carry a virtio_net_hdr before every packet (OffloadState.vnetHeader): each write is
 * then the header and the packet in one writev() (no copy), and, with offload, `segmentation` takes TCP
 * super-segments, written as one GSO packet that the kernel cuts where it must (one write instead of one per
 * segment). On a link of frames the super-segment is a frame: the Ethernet header first, counted in hdr_len and
 * csum_start. The reader unwraps the header of every read (offload/virtio-net-receive.ts). A TUN or TAP device
 * (TunLink) and an AF_PACKET socket (PacketLink) differ only in how the header is asked for.
 */
export abstract class VnetHeaderLink<Extra extends string = never> extends FdLink<GsoCounter | Extra> {
  /** TCP super-segments, when offload is on. */
  readonly segmentation: SegmentationOffload | undefined;
  /** The header of the next write: zeros (a plain packet) unless sendSuperSegment filled it. */
  private readonly plainHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
  private readonly gsoHeader = new Uint8Array(VIRTIO_NET_HDR_SIZE);
  private txHeader = this.plainHeader;
  /** The payload of the next write, apart from its headers (sendSegmentedParts); empty otherwise. */
  private txPayload: Uint8Array = EMPTY;
  /** Bytes before the IP header in what is written: an Ethernet header on a link of frames, or none. */
  private readonly linkHeaderBytes: number;

  protected constructor(
    fd: number,
    mtu: number,
    libc: Libc,
    logger: Logger,
    extraCounters: readonly Extra[],
    /** pilha's MAC when the fd moves Ethernet frames; absent for IP. */
    mac: MacAddress | undefined,
    /** How the fd was set up. */
    readonly offloadState: OffloadState,
  ) {
    super(fd, mtu, libc, logger, [...GSO_COUNTERS, ...extraCounters], mac);
    this.linkHeaderBytes = this.medium === 'ethernet' ? ETHERNET_HEADER_BYTES : 0;
    this.segmentation = offloadState.offload
      ? {
          maxDatagramBytes: this.linkHeaderBytes + MAX_SUPER_SEGMENT,
          sendSegmented: (datagram, segmentSize) => this.sendSuperSegment(datagram, EMPTY, segmentSize),
          sendSegmentedParts: (headers, payload, segmentSize) =>
            this.sendSuperSegment(headers, payload, segmentSize),
        }
      : undefined;
  }

  /** The counters, and whether offload is on (1) or off (0), and receive offload too (rxOffload). */
  override stats(): Record<string, number> {
    return {
      ...super.stats(),
      offload: this.offloadState.offload ? 1 : 0,
      rxOffload: this.offloadState.receiveOffload ? 1 : 0,
    };
  }

  /**
   * One super-segment behind a GSO header (NEEDS_CSUM, TCPV4, gso_size, hdr_len, csum_start at the TCP header,
   * csum_offset 16): the kernel cuts it. `first` is the whole super-segment, or (with a payload apart) exactly
   * its IP and TCP headers, written with the payload by one writev() of three parts; on a link of frames,
   * behind the frame's Ethernet header. Should the kernel refuse it (EINVAL), the link cuts it itself and
   * sends the segments (txGsoFallbacks).
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
}
