import type { Clock } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { type MacAddress } from '../../core/mac-address.js';
import { type RawLink } from '../link/raw-link.js';
import type { ArpCacheEntry } from './arp-cache.js';
import { type ArpConfig } from './arp-config.js';
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
 */
export declare class EthernetLayer implements RawLink {
    private readonly inner;
    private readonly log;
    readonly medium: "ip";
    readonly mtu: number;
    readonly mac: MacAddress;
    readonly address: Ipv4Address;
    private handler;
    private unreachableHandler;
    private readonly counters;
    private readonly arp;
    /** The subnet's directed broadcast, or -1 when the prefix is unknown. */
    private readonly directedBroadcast;
    private readonly txFrame;
    private txFrameLent;
    private closed;
    constructor(inner: RawLink, clock: Clock, log: Logger, config: EthernetLayerConfig);
    /** Announces our address (gratuitous ARP); call once the layer above is in place. */
    start(): void;
    onReceive(handler: (datagram: Uint8Array) => void): void;
    /**
     * Where datagrams dropped for an unanswered ARP go (each a view valid during the call): the composition
     * turns them into ICMP host unreachable for the local sender.
     */
    onUnreachable(handler: UnreachableHandler): void;
    /** The neighbour cache, as `ip neigh` lists it. */
    arpCache(): ArpCacheEntry[];
    private receive;
    private drop;
    /** Frames one IPv4 datagram to its destination's MAC, or holds it while ARP resolves that. */
    send(datagram: Uint8Array): void;
    /** Writes the header into the first 14 bytes of `frame` and sends it below. */
    private sendFrame;
    /** ARP is rare: each packet gets its own minimum-size frame. */
    private sendArp;
    stats(): Record<string, number>;
    close(): Promise<void>;
}
