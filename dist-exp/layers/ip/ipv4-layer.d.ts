import type { Clock } from '../../core/clock.js';
import { type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import type { RawLink } from '../link/raw-link.js';
import type { DatagramSendOptions, IPLayer, IpErrorReporter, SendOptions } from './ip-layer.js';
import { type Ipv4Datagram } from './ipv4-header.js';
import { type ReassemblerLimits, type ReassemblyInfo } from './reassembler.js';
export interface Ipv4LayerConfig {
    readonly address: Ipv4Address;
    /** Prefix length of the subnet `address` is on, for its directed broadcast; unknown when omitted. */
    readonly prefixLength?: number;
    /** The link is the host's loopback (a raw socket on the host's address): see HostAddressing.loopback. */
    readonly loopback?: boolean;
    readonly defaultTtl?: number;
    readonly reassembly?: Partial<ReassemblerLimits>;
    /** First identification number; random when omitted. */
    readonly initialId?: number;
}
/**
 * IPv4 for a host (RFC 791, RFC 1122 §3.2): validates and counts what arrives, reassembles fragments,
 * dispatches by protocol; numbers, fragments and sends what the layers above hand down.
 */
export declare class Ipv4Layer implements IPLayer {
    private readonly link;
    private readonly log;
    readonly address: Ipv4Address;
    private readonly handlers;
    private readonly registered;
    private readonly reassembledListeners;
    private readonly counters;
    private readonly reassembler;
    private readonly defaultTtl;
    private readonly addressing;
    private errorReporter;
    private txScratch;
    /** The scratch buffer is lent out: allocated, and its sendDatagram has not returned yet. */
    private txScratchLent;
    private nextId;
    /** A datagram is being processed: one that arrives now (re-entrantly) waits in `deferred`. */
    private receiving;
    private readonly deferred;
    private deferredHead;
    constructor(link: RawLink, clock: Clock, log: Logger, config: Ipv4LayerConfig);
    get mtu(): number;
    get segmentationMaxBytes(): number;
    registerProtocol(protocol: number, handler: (datagram: Ipv4Datagram) => void): void;
    onReassembled(listener: (info: ReassemblyInfo) => void): void;
    setErrorReporter(reporter: IpErrorReporter): void;
    stats(): Record<string, number>;
    /**
     * The receive path: never throws; everything dropped is counted by reason.
     *
     * Over a link that delivers synchronously (a MemoryLink pair in tests, or any link whose peer answers
     * inside send()), our answer to one datagram can bring the peer's answer back before we are done with the
     * first. Processing it there would nest one more call chain per round trip, until the stack overflows in
     * the middle of some segment; so it is copied and processed once the current datagram is finished, in
     * arrival order. Real links deliver from the event loop and never take this path.
     */
    receive(bytes: Uint8Array): void;
    private defer;
    private process;
    send(dst: Ipv4Address, protocol: number, payload: Uint8Array, opts?: SendOptions): void;
    /**
     * A view of one transmit buffer, reused for every datagram: a link never keeps the buffer it is handed
     * (RawLink.send copies what must outlive the call), so per-segment allocation, and the garbage
     * collection it costs at 100k segments/s, is not needed. Not zeroed: the caller writes every byte.
     *
     * The buffer is lent until the sendDatagram that takes it returns, because a link may still read it until
     * then (an ImpairedLink sends a duplicate after the first copy) while a synchronous link has the peer's
     * answer processed, and answered, inside that send. An allocation while it is lent gets a fresh buffer
     * (counted as txReentrantAllocations): only re-entrant sends pay for one.
     */
    allocateDatagram(payloadLength: number): Uint8Array;
    sendDatagram(dst: Ipv4Address, protocol: number, datagram: Uint8Array, opts?: DatagramSendOptions): void;
    sendSegmented(dst: Ipv4Address, protocol: number, datagram: Uint8Array, segmentSize: number, segmentCount: number): void;
    private checkSize;
    private takeId;
    /** Writes the header of `out` (options, if any, already at offset 20) and sends it whole. */
    private sendWhole;
    private sendFragmented;
    close(): Promise<void>;
    private drop;
}
export declare function describeReassembly(info: ReassemblyInfo): Record<string, unknown>;
