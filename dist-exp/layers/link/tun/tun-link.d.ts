import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger } from '../../../core/logger.js';
import { type MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
import { type Libc } from '../fd/libc.js';
import type { SegmentationOffload } from '../raw-link.js';
import { type TunKind } from './tun-device.js';
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
     * to 64 KB both ways, where the kernel accepts it; a TUN device only (a TAP device ignores it). Off unless
     * true here, because a program that forwards what it reads (bench/impaired-relay.mjs) must not get 64 KB
     * reads; pilha's stacks turn it on unless --no-offload (di/link-module.ts).
     */
    readonly offload?: boolean;
    /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
    readonly logger?: Logger;
}
/** How a device was opened: plain, or with virtio_net_hdr on every packet and, if the kernel agreed, offload. */
export interface TunOffloadState {
    /** Every read and write carries a virtio_net_hdr. */
    readonly vnetHeader: boolean;
    /** The kernel accepted TUNSETOFFLOAD: GSO both ways. */
    readonly offload: boolean;
}
declare const TUN_COUNTERS: readonly ["txGsoPackets", "txGsoSegments", "txGsoBadSegments", "txGsoFallbacks"];
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
 * read, which the reader unwraps (offload/virtio-net-receive.ts) into one large TCP segment with a finished
 * checksum. When the kernel refuses offload, the link works without it (stats: offload 0).
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 * The worker file is resolved next to the compiled output (dist/), so TunLink runs from there.
 */
export declare class TunLink extends FdLink<(typeof TUN_COUNTERS)[number]> {
    /** The device name the kernel gave. */
    readonly name: string;
    /** The device's txqueuelen as configured. */
    readonly txQueueLength: number;
    /** How the device was opened (a TUN device may have offload). */
    readonly offloadState: TunOffloadState;
    /** TCP super-segments, when offload is on. */
    readonly segmentation: SegmentationOffload | undefined;
    /** The header of the next write: zeros (a plain datagram) unless sendSegmented filled it. */
    private readonly plainHeader;
    private readonly gsoHeader;
    private txHeader;
    /** Creates and configures the device, starts the reader, and resolves once it is reading. */
    static open(options: TunLinkOptions): Promise<TunLink>;
    /**
     * What opening a TUN or TAP device (TapLink) takes: the device created (a TUN device with offload when
     * options.offload is true, falling back to none when the kernel refuses), the link made by `make` around
     * it, the device configured, the reader started; on any failure the link is closed again.
     */
    protected static openDevice<T extends TunLink>(options: TunLinkOptions, kind: TunKind, mac: MacAddress | undefined, make: (fd: number, name: string, txQueueLength: number, libc: Libc, logger: Logger, offload: TunOffloadState) => T): Promise<T>;
    protected constructor(fd: number, 
    /** The device name the kernel gave. */
    name: string, mtu: number, 
    /** The device's txqueuelen as configured. */
    txQueueLength: number, libc: Libc, logger: Logger, 
    /** pilha's MAC on a TAP device, whose medium is Ethernet. */
    mac?: MacAddress, 
    /** How the device was opened (a TUN device may have offload). */
    offloadState?: TunOffloadState);
    /**
     * The counters, the device's txqueuelen, the packets the kernel dropped at that queue (tx_dropped), and
     * whether offload is on (1) or off (0).
     */
    stats(): Record<string, number>;
    /**
     * One super-segment behind a GSO header (NEEDS_CSUM, TCPV4, gso_size, hdr_len, csum_start at the TCP header,
     * csum_offset 16): the kernel cuts it. Should the kernel refuse it, the link cuts it itself and sends the
     * segments (txGsoFallbacks).
     */
    private sendSegmented;
    protected write(datagram: Uint8Array, length: number): number;
    protected describe(): string;
}
export {};
