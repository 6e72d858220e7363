import type { Clock, Timer } from '../../core/clock.js';
import { Counters } from '../../core/counters.js';
import { formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { BROADCAST_MAC, formatMac, type MacAddress } from '../../core/mac-address.js';
import { type HostAddressing, martianSource } from '../ip/martian-source.js';
import { ArpCache, type ArpCacheEntry, type ArpEntry, NO_MAC } from './arp-cache.js';
import type { ArpConfig } from './arp-config.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, type ArpPacket } from './arp-packet.js';
import { ETHERNET_HEADER_LENGTH } from './ethernet-frame.js';

export const ARP_COUNTERS = [
  'arpRxRequests',
  'arpRxReplies',
  'arpTxRequests',
  'arpTxReplies',
  'arpTxAnnouncements',
  /** Entries created from a request addressed to us (RFC 826: only those create entries). */
  'arpLearned',
  /** Known entries whose MAC a packet confirmed or changed (RFC 826's merge). */
  'arpUpdated',
  /** Packets with another MAC for a neighbour updated less than locktimeMs before: ignored (Linux's locktime). */
  'arpLockedOut',
  /** Packets neither for us nor about a neighbour we know: nothing learnt (the merge rule). */
  'arpIgnored',
  'arpResolved',
  /** Resolutions given up after the last unanswered request (broadcast or unicast refresh). */
  'arpFailed',
  'arpEvicted',
  /** Another host claims our address (RFC 5227 §2.4). */
  'arpConflicts',
  /**
   * Packets whose sender address no neighbour can have (multicast, class E, a broadcast, loopback, network 0
   * but a probe's 0.0.0.0): neither learnt nor answered, as the IP layer drops datagrams from such sources.
   */
  'arpBadSender',
  /** Datagrams that waited for a resolution. */
  'txQueued',
  /** Waiting datagrams dropped when their resolution failed (each reported unreachable). */
  'dropArpFailed',
  /** Waiting datagrams dropped, oldest first, for a neighbour's queue limit. */
  'dropQueueFull',
  /** Datagrams dropped for the limit on all queues together. */
  'dropQueueTotal',
  /** Waiting datagrams dropped with their evicted (or closed) entry. */
  'dropQueueEvicted',
] as const;
type ArpCounter = (typeof ARP_COUNTERS)[number];

/** What the resolver needs from the Ethernet layer below and around it. */
export interface ArpPort {
  /** Frames and sends one ARP packet to `dst`. */
  sendArp(dst: MacAddress, packet: ArpPacket): void;
  /** Sends a waiting frame (header room at 0..14, datagram after it) to `dst`. */
  sendHeld(frame: Uint8Array, dst: MacAddress): void;
  /** A waiting datagram (a view of it) was dropped because its neighbour did not answer. */
  unreachable(datagram: Uint8Array): void;
}

/**
 * ARP for one interface (RFC 826, with RFC 5227's announcement and conflict detection): answers requests for
 * our address, resolves neighbours with queued datagrams and retries, keeps a bounded cache whose entries age
 * from REACHABLE to STALE and are refreshed by unicast requests when used stale. All timing on the Clock.
 */
export class ArpResolver {
  private readonly counters = new Counters(ARP_COUNTERS);
  private readonly addressing: HostAddressing;
  private readonly cache: ArpCache;
  private queuedBytes = 0;
  private announceTimer: Timer | undefined;
  private announcementsLeft = 0;
  private lastDefence = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly config: ArpConfig,
    readonly address: Ipv4Address,
    readonly mac: MacAddress,
    private readonly port: ArpPort,
    /** The subnet's broadcast address (−1: none, the limited broadcast only). */
    directedBroadcast = -1,
  ) {
    this.addressing = { address, directedBroadcast };
    this.cache = new ArpCache(config.maxEntries, (entry) => {
      this.counters.values.arpEvicted++;
      this.discard(entry, 'dropQueueEvicted');
    });
  }

  /** RFC 5227 §2.3: announce our address (and MAC) so neighbours update their caches. */
  start(): void {
    this.announcementsLeft = this.config.announcements;
    this.announce();
  }

  private readonly announce = (): void => {
    this.announceTimer = undefined;
    if (this.closed || this.announcementsLeft <= 0) return;
    this.announcementsLeft--;
    this.sendAnnouncement();
    if (this.announcementsLeft > 0)
      this.announceTimer = this.clock.setTimer(this.config.announceIntervalMs, this.announce);
  };

  /** A gratuitous request: sender and target are our address, target MAC zero, to everyone. */
  private sendAnnouncement(): void {
    this.counters.values.arpTxAnnouncements++;
    this.port.sendArp(BROADCAST_MAC, {
      op: ARP_OP_REQUEST,
      sha: this.mac,
      spa: this.address,
      tha: 0,
      tpa: this.address,
    });
  }

  /**
   * The MAC to send to `ip` now, or NO_MAC if there is none yet (then `hold` the datagram). The hot path:
   * no allocation for a known neighbour. A stale neighbour is used and, the first time, refreshed.
   */
  lookup(ip: Ipv4Address): MacAddress | typeof NO_MAC {
    const entry = this.cache.get(ip);
    if (entry === undefined || entry.state === 'incomplete') return NO_MAC;
    const now = this.clock.now();
    entry.usedAt = now;
    entry.referenced = true;
    if (entry.state === 'reachable' && now - entry.confirmedAt >= this.config.reachableMs)
      entry.state = 'stale';
    if (entry.state === 'stale') this.startRefresh(entry);
    return entry.mac;
  }

  /** Copies `datagram` into a frame that waits for `ip` to resolve, starting the resolution if needed. */
  hold(ip: Ipv4Address, datagram: Uint8Array): void {
    const c = this.counters.values;
    const length = datagram.length;
    if (length > this.config.queueBytesPerNeighbour) {
      c.dropQueueFull++;
      return;
    }
    if (this.queuedBytes + length > this.config.queueBytesTotal) {
      c.dropQueueTotal++;
      return;
    }
    let entry = this.cache.get(ip);
    if (entry === undefined) {
      entry = this.cache.add(ip, NO_MAC, 'incomplete', this.clock.now());
      entry.referenced = true;
      this.solicit(entry);
    } else if (entry.state !== 'incomplete') {
      // Resolved meanwhile (a caller that did not look up first): send at once.
      const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + length);
      frame.set(datagram, ETHERNET_HEADER_LENGTH);
      this.port.sendHeld(frame, entry.mac);
      return;
    }
    // Linux's neigh_resolve: the oldest waiting datagrams make room for the newest.
    while (entry.queue.length > 0 && entry.queueBytes + length > this.config.queueBytesPerNeighbour) {
      const oldest = entry.queue.shift()!;
      this.unqueue(entry, oldest);
      c.dropQueueFull++;
    }
    const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + length);
    frame.set(datagram, ETHERNET_HEADER_LENGTH);
    entry.queue.push(frame);
    entry.queueBytes += length;
    this.queuedBytes += length;
    c.txQueued++;
  }

  /** RFC 826's packet reception, with RFC 5227's conflict detection. */
  receive(packet: ArpPacket): void {
    if (this.closed) return;
    const c = this.counters.values;
    const isRequest = packet.op === ARP_OP_REQUEST;
    if (isRequest) c.arpRxRequests++;
    else c.arpRxReplies++;
    const forUs = packet.tpa === this.address;

    if (packet.spa === this.address) {
      // Someone else uses our address (our own frames never get here: the layer drops our source MAC).
      this.conflict(packet);
      return;
    }
    if (packet.spa !== 0 && martianSource(packet.spa, this.addressing) !== undefined) {
      // The IP layer's martian sources (Linux neither caches nor answers multicast or loopback senders; it
      // answers a directed-broadcast one, uncached): a cache entry for one would contradict the IP layer.
      c.arpBadSender++;
      return;
    }
    // An RFC 5227 probe (sender address 0) teaches nothing; one for our address is answered, which defends it.
    const probe = packet.spa === 0;
    let merged = false;
    if (!probe) {
      const entry = this.cache.get(packet.spa);
      if (entry !== undefined) {
        merged = true;
        // A request to us overrides the locktime, as a gratuitous packet does (Linux's neigh_event_ns).
        this.merge(entry, packet, forUs && !isRequest, (forUs && isRequest) || gratuitous(packet));
      }
    }
    if (!forUs) {
      if (!merged) c.arpIgnored++;
      return;
    }
    if (!merged && !probe) {
      // Learnt from a request (or an unsolicited reply) to us: unconfirmed, so stale (Linux's neigh_event_ns).
      this.cache.add(packet.spa, packet.sha, 'stale', this.clock.now());
      c.arpLearned++;
      if (this.log.isLevelEnabled('debug'))
        this.log.debug({ ip: formatIpv4(packet.spa), mac: formatMac(packet.sha) }, 'arp learnt');
    }
    if (isRequest) {
      c.arpTxReplies++;
      this.port.sendArp(packet.sha, {
        op: ARP_OP_REPLY,
        sha: this.mac,
        spa: this.address,
        tha: packet.sha,
        tpa: packet.spa,
      });
    }
  }

  /**
   * Updates a known neighbour; a reply to us confirms it (REACHABLE) and releases what waits for it. As Linux's
   * arp_process: another MAC within locktimeMs of the entry's last update is ignored unless the packet
   * `overrides` (the first of several answers stands); an incomplete entry takes the first one.
   */
  private merge(entry: ArpEntry, packet: ArpPacket, confirms: boolean, overrides: boolean): void {
    const c = this.counters.values;
    const changed = entry.mac !== packet.sha;
    const wasIncomplete = entry.state === 'incomplete';
    const now = this.clock.now();
    if (changed && !wasIncomplete && !overrides && now - entry.updatedAt < this.config.locktimeMs) {
      c.arpLockedOut++;
      return;
    }
    c.arpUpdated++;
    const stateBefore = entry.state;
    entry.mac = packet.sha;
    if (confirms) {
      entry.state = 'reachable';
      entry.confirmedAt = now;
      entry.probes = 0;
      entry.timer?.cancel();
      entry.timer = undefined;
    } else if (changed || wasIncomplete) {
      // A new MAC (or a first one from a gratuitous packet) is known but not confirmed.
      entry.state = 'stale';
      entry.confirmedAt = now;
      if (wasIncomplete) {
        entry.probes = 0;
        entry.timer?.cancel();
        entry.timer = undefined;
      }
    }
    if (changed || entry.state !== stateBefore) entry.updatedAt = now;
    if (wasIncomplete) {
      c.arpResolved++;
      if (this.log.isLevelEnabled('debug'))
        this.log.debug({ ip: formatIpv4(entry.ip), mac: formatMac(entry.mac) }, 'arp resolved');
      this.release(entry);
    } else if (changed && this.log.isLevelEnabled('info')) {
      this.log.info({ ip: formatIpv4(entry.ip), mac: formatMac(entry.mac) }, 'arp neighbour changed MAC');
    }
  }

  private conflict(packet: ArpPacket): void {
    if (packet.sha === this.mac) return;
    this.counters.values.arpConflicts++;
    if (this.log.isLevelEnabled('warn'))
      this.log.warn({ ip: formatIpv4(this.address), mac: formatMac(packet.sha) }, 'address conflict');
    // RFC 5227 §2.4 (b): defend once per DEFEND_INTERVAL with an announcement, then keep the address.
    const now = this.clock.now();
    if (now - this.lastDefence >= this.config.defendIntervalMs) {
      this.lastDefence = now;
      this.sendAnnouncement();
    }
  }

  /** Sends what waited for `entry`, oldest first. */
  private release(entry: ArpEntry): void {
    const queue = entry.queue;
    if (queue.length === 0) return;
    // A send may re-enter (a synchronous link): the entry starts a fresh queue first.
    entry.queue = [];
    this.queuedBytes -= entry.queueBytes;
    entry.queueBytes = 0;
    for (const frame of queue) this.port.sendHeld(frame, entry.mac);
  }

  /** First broadcast request for a new entry, and the retry timer. */
  private solicit(entry: ArpEntry): void {
    entry.probes = 1;
    this.sendRequest(entry, BROADCAST_MAC);
    entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
  }

  /** A stale entry in use: unicast requests to the MAC we have (Linux's PROBE), traffic still flowing. */
  private startRefresh(entry: ArpEntry): void {
    entry.state = 'probe';
    entry.probes = 1;
    this.sendRequest(entry, entry.mac);
    entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
  }

  private retry(entry: ArpEntry): void {
    entry.timer = undefined;
    if (this.closed || this.cache.get(entry.ip) !== entry) return;
    if (entry.state !== 'incomplete' && entry.state !== 'probe') return;
    const limit = entry.state === 'incomplete' ? this.config.broadcastProbes : this.config.unicastProbes;
    if (entry.probes < limit) {
      entry.probes++;
      this.sendRequest(entry, entry.state === 'incomplete' ? BROADCAST_MAC : entry.mac);
      entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
      return;
    }
    this.counters.values.arpFailed++;
    if (this.log.isLevelEnabled('info'))
      this.log.info({ ip: formatIpv4(entry.ip), queued: entry.queue.length }, 'arp resolution failed');
    this.cache.delete(entry);
    this.discard(entry, 'dropArpFailed');
  }

  private sendRequest(entry: ArpEntry, dst: MacAddress): void {
    this.counters.values.arpTxRequests++;
    this.port.sendArp(dst, {
      op: ARP_OP_REQUEST,
      sha: this.mac,
      spa: this.address,
      tha: dst === BROADCAST_MAC ? 0 : dst,
      tpa: entry.ip,
    });
  }

  /** Drops a removed entry's timer and queue; failed resolutions report each datagram unreachable. */
  private discard(entry: ArpEntry, counter: 'dropArpFailed' | 'dropQueueEvicted'): void {
    entry.timer?.cancel();
    entry.timer = undefined;
    const queue = entry.queue;
    entry.queue = [];
    this.queuedBytes -= entry.queueBytes;
    entry.queueBytes = 0;
    this.counters.values[counter] += queue.length;
    if (counter !== 'dropArpFailed') return;
    for (const frame of queue) this.port.unreachable(frame.subarray(ETHERNET_HEADER_LENGTH));
  }

  private unqueue(entry: ArpEntry, frame: Uint8Array): void {
    const length = frame.length - ETHERNET_HEADER_LENGTH;
    entry.queueBytes -= length;
    this.queuedBytes -= length;
  }

  /** The cache as `ip neigh` shows it, states as of now. */
  entries(): ArpCacheEntry[] {
    const now = this.clock.now();
    const out: ArpCacheEntry[] = [];
    for (const e of this.cache.values()) {
      const state =
        e.state === 'reachable' && now - e.confirmedAt >= this.config.reachableMs ? 'stale' : e.state;
      out.push({
        ip: e.ip,
        ...(e.mac === NO_MAC ? {} : { mac: e.mac }),
        state,
        ageMs: now - e.confirmedAt,
        queued: e.queue.length,
      });
    }
    return out;
  }

  stats(): Record<string, number> {
    let incomplete = 0;
    for (const e of this.cache.values()) if (e.state === 'incomplete') incomplete++;
    return {
      ...this.counters.snapshot(),
      arpEntries: this.cache.size,
      arpIncomplete: incomplete,
      arpQueuedBytes: this.queuedBytes,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.announceTimer?.cancel();
    this.announceTimer = undefined;
    for (const entry of this.cache.values()) this.discard(entry, 'dropQueueEvicted');
    this.cache.clear();
  }
}

export type { ArpCounter };

/**
 * Whether `packet` is gratuitous as Linux's arp_is_garp has it: its sender announces itself (target address
 * = sender address), and a reply also names itself as the target MAC.
 */
function gratuitous(packet: ArpPacket): boolean {
  return packet.tpa === packet.spa && (packet.op !== ARP_OP_REPLY || packet.tha === packet.sha);
}
