import type { Clock } from '../../core/clock.js';
import { type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { type MacAddress } from '../../core/mac-address.js';
import { type ArpCacheEntry, NO_MAC } from './arp-cache.js';
import type { ArpConfig } from './arp-config.js';
import { type ArpPacket } from './arp-packet.js';
export declare const ARP_COUNTERS: readonly ["arpRxRequests", "arpRxReplies", "arpTxRequests", "arpTxReplies", "arpTxAnnouncements", "arpLearned", "arpUpdated", "arpIgnored", "arpResolved", "arpFailed", "arpEvicted", "arpConflicts", "txQueued", "dropArpFailed", "dropQueueFull", "dropQueueTotal", "dropQueueEvicted"];
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
export declare class ArpResolver {
    private readonly clock;
    private readonly log;
    private readonly config;
    readonly address: Ipv4Address;
    readonly mac: MacAddress;
    private readonly port;
    private readonly counters;
    private readonly cache;
    private queuedBytes;
    private announceTimer;
    private announcementsLeft;
    private lastDefence;
    private closed;
    constructor(clock: Clock, log: Logger, config: ArpConfig, address: Ipv4Address, mac: MacAddress, port: ArpPort);
    /** RFC 5227 §2.3: announce our address (and MAC) so neighbours update their caches. */
    start(): void;
    private readonly announce;
    /** A gratuitous request: sender and target are our address, target MAC zero, to everyone. */
    private sendAnnouncement;
    /**
     * The MAC to send to `ip` now, or NO_MAC if there is none yet (then `hold` the datagram). The hot path:
     * no allocation for a known neighbour. A stale neighbour is used and, the first time, refreshed.
     */
    lookup(ip: Ipv4Address): MacAddress | typeof NO_MAC;
    /** Copies `datagram` into a frame that waits for `ip` to resolve, starting the resolution if needed. */
    hold(ip: Ipv4Address, datagram: Uint8Array): void;
    /** RFC 826's packet reception, with RFC 5227's conflict detection. */
    receive(packet: ArpPacket): void;
    /** Updates a known neighbour; a reply to us confirms it (REACHABLE) and releases what waits for it. */
    private merge;
    private conflict;
    /** Sends what waited for `entry`, oldest first. */
    private release;
    /** First broadcast request for a new entry, and the retry timer. */
    private solicit;
    /** A stale entry in use: unicast requests to the MAC we have (Linux's PROBE), traffic still flowing. */
    private startRefresh;
    private retry;
    private sendRequest;
    /** Drops a removed entry's timer and queue; failed resolutions report each datagram unreachable. */
    private discard;
    private unqueue;
    /** The cache as `ip neigh` shows it, states as of now. */
    entries(): ArpCacheEntry[];
    stats(): Record<string, number>;
    close(): void;
}
export type { ArpCounter };
