import type { Clock } from '../../core/clock.js';
import { Counters } from '../../core/counters.js';
import { PilhaError } from '../../core/errors.js';
import { directedBroadcast, type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { BROADCAST_MAC, formatMac, isGroupMac, type MacAddress } from '../../core/mac-address.js';
import { joinSuperSegment, splitSuperSegment } from '../link/offload/tcp-super-segment.js';
import {
  decoratorStats,
  ignoreDatagram,
  type RawLink,
  type ReceiveHandler,
  RX_LINK_BROADCAST,
  type SegmentationOffload,
} from '../link/raw-link.js';
import type { ArpCacheEntry } from './arp-cache.js';
import { NO_MAC } from './arp-cache.js';
import { type ArpConfig, DEFAULT_ARP_CONFIG } from './arp-config.js';
import { ARP_PACKET_LENGTH, type ArpPacket, parseArp, writeArp } from './arp-packet.js';
import { ArpResolver } from './arp-resolver.js';
import {
  ETHERNET_HEADER_LENGTH,
  ETHERNET_MIN_FRAME,
  ETHERNET_VLAN_HEADER_LENGTH,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_MIN,
  frameDestination,
  frameEtherType,
  frameSource,
  isVlanTpid,
  writeEthernetHeader,
} from './ethernet-frame.js';

const COUNTERS = [
  // Frames from the link below, and IPv4 datagrams handed up.
  'rxFrames',
  'rxBytes',
  'rxIpv4',
  'rxArp',
  'rxBroadcast',
  // IPv4 datagrams from the IP layer, and frames sent below (datagrams and ARP).
  'txDatagrams',
  /** Of txDatagrams, TCP super-segments framed whole for a link with segmentation offload (one frame each). */
  'txSuperSegments',
  /** Super-segments cut here into segments, because ARP had not resolved their next hop (they wait in its queue). */
  'txSuperSegmentsSplit',
  'txFrames',
  'txBytes',
  /** A send while the frame buffer was lent (a send inside a send, over a synchronous link). */
  'txReentrantAllocations',
  /** Shorter than an Ethernet header (or its 802.1Q tag). */
  'dropRunt',
  /** Unicast to another station (a promiscuous socket or a bridge sees them). */
  'dropNotOurMac',
  /** To a multicast group: pilha joins none. */
  'dropMulticast',
  /** Our own source MAC: our frames looped back (an AF_PACKET socket sees what it sends). */
  'dropOwnSource',
  /** A group address as source: invalid (IEEE 802.3 §3.2.3). */
  'dropBadSource',
  /** 802.1Q/802.1ad tagged: recognised and counted, not processed. */
  'dropVlan',
  'dropIpv6',
  /** 802.3 length field instead of an EtherType (LLC frames: STP and the like). */
  'dropLlc',
  /** Any other EtherType. */
  'dropEtherType',
  /** ARP packets that are not IPv4-over-Ethernet or are cut short. */
  'dropArpMalformed',
  /** A datagram from above too short to carry an IPv4 header or larger than the MTU (or a super-segment its link's limit). */
  'dropTxMalformed',
  'dropClosed',
] as const;
type CounterName = (typeof COUNTERS)[number];

export interface EthernetLayerConfig {
  /** pilha's IPv4 address, which ARP answers for. */
  readonly address: Ipv4Address;
  /** pilha's MAC address. */
  readonly mac: MacAddress;
  /** Prefix of pilha's subnet: datagrams to its directed broadcast go to the broadcast MAC. */
  readonly prefixLength?: number;
  readonly arp?: Partial<ArpConfig>;
}

/** Called with a datagram (a view valid during the call) dropped because its next hop did not answer ARP. */
export type UnreachableHandler = (datagram: Uint8Array) => void;

/**
 * Ethernet II with ARP, as an IP link on top of an Ethernet one: to the IP layer it is a RawLink of IPv4
 * datagrams; below, it moves whole frames over a RawLink whose medium is 'ethernet'.
 *
 * Receive (stage 4's filter): a frame is taken only when its destination is our MAC or broadcast and its
 * EtherType is IPv4 or ARP; everything else is dropped under a counter by reason, never thrown.
 * Transmit: each datagram is framed to the MAC that ARP gives for its destination (pilha does not route:
 * the next hop is the destination, or the broadcast MAC for a broadcast address), copied once into one
 * reusable frame buffer; a datagram whose neighbour is not resolved yet waits in ARP's bounded queue.
 * Segmentation offload: over a link that takes TCP super-segments as frames (a TAP device with offload), it
 * offers the IP layer the same (`segmentation`): a super-segment gets its Ethernet header and goes below
 * whole, or, in parts, only its headers are copied (behind the Ethernet header) and its payload is passed on
 * as it is. One whose next hop ARP has not resolved is cut into its segments, which wait in ARP's queue.
 * The link's receive flags go up with each IPv4 datagram (a TAP device's GSO reads vouch for checksums).
 */
export class EthernetLayer implements RawLink {
  readonly medium = 'ip' as const;
  readonly mtu: number;
  readonly mac: MacAddress;
  readonly address: Ipv4Address;
  /** TCP super-segments, when the link below takes them (as frames). */
  readonly segmentation: SegmentationOffload | undefined;
  private handler: ReceiveHandler = ignoreDatagram;
  private unreachableHandler: UnreachableHandler = ignoreDatagram;
  private readonly counters = new Counters(COUNTERS);
  private readonly arp: ArpResolver;
  /** The subnet's directed broadcast, or -1 when the prefix is unknown. */
  private readonly directedBroadcast: number;
  private readonly txFrame: Uint8Array;
  private txFrameLent = false;
  /** The frame buffer for whole super-segments, made at the first one. */
  private superFrame: Uint8Array | undefined;
  private superFrameLent = false;
  /** The Ethernet, IP and TCP headers of a super-segment sent in parts (at most 14 + 60 + 60 bytes). */
  private readonly partsHead = new Uint8Array(ETHERNET_HEADER_LENGTH + 120);
  private partsHeadLent = false;
  private closed = false;

  constructor(
    private readonly inner: RawLink,
    clock: Clock,
    private readonly log: Logger,
    config: EthernetLayerConfig,
  ) {
    if (inner.medium !== 'ethernet') {
      throw new PilhaError('EBADOPTION', 'an EthernetLayer needs a link whose medium is ethernet');
    }
    this.mtu = inner.mtu;
    this.mac = config.mac;
    this.address = config.address;
    if (isGroupMac(config.mac)) {
      throw new PilhaError('EBADADDR', `pilha's MAC must be unicast, not ${formatMac(config.mac)}`);
    }
    this.directedBroadcast = directedBroadcast(config.address, config.prefixLength);
    this.txFrame = new Uint8Array(ETHERNET_HEADER_LENGTH + this.mtu);
    this.arp = new ArpResolver(
      clock,
      log,
      { ...DEFAULT_ARP_CONFIG, ...config.arp },
      config.address,
      config.mac,
      {
        sendArp: (dst, packet) => this.sendArp(dst, packet),
        sendHeld: (frame, dst) => this.sendFrame(frame, dst, ETHERTYPE_IPV4),
        unreachable: (datagram) => this.unreachableHandler(datagram),
      },
      this.directedBroadcast,
    );
    inner.onReceive((frame, flags) => this.receive(frame, flags ?? 0));
    const below = inner.segmentation;
    this.segmentation =
      below === undefined
        ? undefined
        : {
            maxDatagramBytes: below.maxDatagramBytes - ETHERNET_HEADER_LENGTH,
            sendSegmented: (datagram, segmentSize) => this.sendSegmented(datagram, undefined, segmentSize),
            ...(below.sendSegmentedParts !== undefined
              ? {
                  sendSegmentedParts: (headers: Uint8Array, payload: Uint8Array, segmentSize: number) =>
                    this.sendSegmented(headers, payload, segmentSize),
                }
              : {}),
          };
  }

  /** Announces our address (gratuitous ARP); call once the layer above is in place. */
  start(): void {
    this.arp.start();
  }

  /**
   * The datagrams of IPv4 frames, with the link's receive flags (RX_CHECKSUM_VOUCHED from GSO reads behind a
   * virtio_net_hdr), and RX_LINK_BROADCAST for one that came in a broadcast frame.
   */
  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  /** The frames' batches are the datagrams' batches. */
  onBatchEnd(handler: () => void): boolean {
    return this.inner.onBatchEnd?.(handler) ?? false;
  }

  onFailure(handler: (error: PilhaError) => void): void {
    this.inner.onFailure?.(handler);
  }

  /**
   * Where datagrams dropped for an unanswered ARP go (each a view valid during the call): the composition
   * turns them into ICMP host unreachable for the local sender.
   */
  onUnreachable(handler: UnreachableHandler): void {
    this.unreachableHandler = handler;
  }

  /** The neighbour cache, as `ip neigh` lists it. */
  arpCache(): ArpCacheEntry[] {
    return this.arp.entries();
  }

  // ─── Receive ────────────────────────────────────────────────────────────────────────────────

  private receive(frame: Uint8Array, flags: number): void {
    const c = this.counters.values;
    c.rxFrames++;
    c.rxBytes += frame.length;
    if (this.closed) return;
    if (frame.length < ETHERNET_HEADER_LENGTH) {
      this.drop('dropRunt');
      return;
    }
    const src = frameSource(frame);
    if (src === this.mac) {
      this.drop('dropOwnSource');
      return;
    }
    if (isGroupMac(src)) {
      this.drop('dropBadSource');
      return;
    }
    const dst = frameDestination(frame);
    if (dst !== this.mac) {
      if (dst !== BROADCAST_MAC) {
        this.drop(isGroupMac(dst) ? 'dropMulticast' : 'dropNotOurMac');
        return;
      }
      c.rxBroadcast++;
      flags |= RX_LINK_BROADCAST;
    }
    const etherType = frameEtherType(frame);
    if (etherType === ETHERTYPE_IPV4) {
      c.rxIpv4++;
      this.handler(frame.subarray(ETHERNET_HEADER_LENGTH), flags);
      return;
    }
    if (etherType === ETHERTYPE_ARP) {
      c.rxArp++;
      const packet = parseArp(frame.subarray(ETHERNET_HEADER_LENGTH));
      if (typeof packet === 'string') {
        this.drop('dropArpMalformed', packet);
        return;
      }
      this.arp.receive(packet);
      return;
    }
    if (isVlanTpid(etherType)) {
      this.drop(frame.length < ETHERNET_VLAN_HEADER_LENGTH ? 'dropRunt' : 'dropVlan');
      return;
    }
    if (etherType === ETHERTYPE_IPV6) {
      this.drop('dropIpv6');
      return;
    }
    this.drop(etherType < ETHERTYPE_MIN ? 'dropLlc' : 'dropEtherType');
  }

  private drop(counter: CounterName, detail?: string): void {
    this.counters.values[counter]++;
    if (this.log.isLevelEnabled('debug'))
      this.log.debug(
        detail === undefined ? { reason: counter } : { reason: counter, detail },
        'frame dropped',
      );
  }

  // ─── Transmit ───────────────────────────────────────────────────────────────────────────────

  /** Frames one IPv4 datagram to its destination's MAC, or holds it while ARP resolves that. */
  send(datagram: Uint8Array): void {
    const c = this.counters.values;
    if (this.closed) {
      c.dropClosed++;
      return;
    }
    c.txDatagrams++;
    if (datagram.length < 20 || datagram.length > this.mtu) {
      this.drop('dropTxMalformed');
      return;
    }
    const dst = destinationOf(datagram);
    const mac = this.nextHopMac(dst);
    if (mac === NO_MAC) {
      this.arp.hold(dst, datagram);
      return;
    }
    // One copy into the frame buffer (the header goes in front of the datagram); a send inside a send
    // (a synchronous link answering within inner.send) gets a buffer of its own, as in Ipv4Layer.
    let frame: Uint8Array;
    const lent = this.txFrameLent;
    if (lent) {
      c.txReentrantAllocations++;
      frame = new Uint8Array(ETHERNET_HEADER_LENGTH + datagram.length);
    } else {
      frame = this.txFrame.subarray(0, ETHERNET_HEADER_LENGTH + datagram.length);
      this.txFrameLent = true;
    }
    frame.set(datagram, ETHERNET_HEADER_LENGTH);
    try {
      this.sendFrame(frame, mac, ETHERTYPE_IPV4);
    } finally {
      if (!lent) this.txFrameLent = false;
    }
  }

  /**
   * A TCP super-segment from the IP layer (SegmentationOffload): `first` whole, or its IP and TCP headers with
   * `payload` apart. Framed to its next hop's MAC and sent below as one frame; cut into its segments, which
   * send() holds, while ARP has not resolved that MAC.
   */
  private sendSegmented(first: Uint8Array, payload: Uint8Array | undefined, segmentSize: number): void {
    const c = this.counters.values;
    if (this.closed) {
      c.dropClosed++;
      return;
    }
    const below = this.inner.segmentation;
    const length = first.length + (payload?.length ?? 0);
    if (
      below === undefined ||
      first.length < 20 ||
      length > below.maxDatagramBytes - ETHERNET_HEADER_LENGTH ||
      (payload !== undefined && first.length > this.partsHead.length - ETHERNET_HEADER_LENGTH)
    ) {
      c.txDatagrams++;
      this.drop('dropTxMalformed');
      return;
    }
    const mac = this.nextHopMac(destinationOf(first));
    if (mac === NO_MAC) {
      const segments = splitSuperSegment(joinSuperSegment(first, payload), segmentSize);
      if (segments === undefined) {
        c.txDatagrams++;
        this.drop('dropTxMalformed');
        return;
      }
      c.txSuperSegmentsSplit++;
      for (const segment of segments) this.send(segment);
      return;
    }
    c.txDatagrams++;
    c.txSuperSegments++;
    // As send(): the frame buffer, or one of its own for a send inside a send.
    const inParts = payload !== undefined;
    const lent = inParts ? this.partsHeadLent : this.superFrameLent;
    let frame: Uint8Array;
    if (lent) {
      c.txReentrantAllocations++;
      frame = new Uint8Array(ETHERNET_HEADER_LENGTH + first.length);
    } else if (inParts) {
      frame = this.partsHead.subarray(0, ETHERNET_HEADER_LENGTH + first.length);
      this.partsHeadLent = true;
    } else {
      this.superFrame ??= new Uint8Array(below.maxDatagramBytes);
      frame = this.superFrame.subarray(0, ETHERNET_HEADER_LENGTH + first.length);
      this.superFrameLent = true;
    }
    frame.set(first, ETHERNET_HEADER_LENGTH);
    writeEthernetHeader(frame, 0, mac, this.mac, ETHERTYPE_IPV4);
    c.txFrames++;
    c.txBytes += ETHERNET_HEADER_LENGTH + length;
    try {
      if (inParts) below.sendSegmentedParts!(frame, payload, segmentSize);
      else below.sendSegmented(frame, segmentSize);
    } finally {
      if (!lent) {
        if (inParts) this.partsHeadLent = false;
        else this.superFrameLent = false;
      }
    }
  }

  /** The MAC a datagram to `dst` goes to: broadcast, the multicast group's, or ARP's for it (NO_MAC: not yet). */
  private nextHopMac(dst: number): MacAddress | typeof NO_MAC {
    if (dst === 0xffff_ffff || dst === this.directedBroadcast) return BROADCAST_MAC;
    if (dst >>> 28 === 0xe) return multicastMac(dst);
    return this.arp.lookup(dst);
  }

  /** Writes the header into the first 14 bytes of `frame` and sends it below. */
  private sendFrame(frame: Uint8Array, dst: MacAddress, etherType: number): void {
    if (this.closed) {
      this.counters.values.dropClosed++;
      return;
    }
    writeEthernetHeader(frame, 0, dst, this.mac, etherType);
    const c = this.counters.values;
    c.txFrames++;
    c.txBytes += frame.length;
    this.inner.send(frame);
  }

  /** ARP is rare: each packet gets its own minimum-size frame. */
  private sendArp(dst: MacAddress, packet: ArpPacket): void {
    const frame = new Uint8Array(Math.max(ETHERNET_MIN_FRAME, ETHERNET_HEADER_LENGTH + ARP_PACKET_LENGTH));
    writeArp(frame, ETHERNET_HEADER_LENGTH, packet);
    this.sendFrame(frame, dst, ETHERTYPE_ARP);
  }

  stats(): Record<string, number> {
    return decoratorStats({ ...this.counters.values, ...this.arp.stats() }, this.inner);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.arp.close();
    await this.inner.close();
  }
}

/** An IPv4 datagram's destination address (bytes 16-19 of its header). */
function destinationOf(datagram: Uint8Array): number {
  return ((datagram[16]! << 24) | (datagram[17]! << 16) | (datagram[18]! << 8) | datagram[19]!) >>> 0;
}

/** RFC 1112 §6.4: 01:00:5e followed by the group's low 23 bits. */
function multicastMac(group: Ipv4Address): MacAddress {
  return 0x01005e00_0000 + (group & 0x7f_ffff);
}
