import { Counters } from '../../../core/counters.js';
import type { PilhaErrorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { MacAddress } from '../../../core/mac-address.js';
import { type LinkMedium, type RawLink } from '../raw-link.js';
import { type Libc } from './libc.js';
/** The counters every fd-backed link keeps; a link adds its own after them. */
export declare const FD_LINK_COUNTERS: readonly ["rxPackets", "rxBytes", "txPackets", "txBytes", "txDrops", "txDropFull", "txDropTooBig", "txDropClosed", "txDropError"];
type TxDropReason = 'txDropFull' | 'txDropTooBig' | 'txDropClosed' | 'txDropError';
/** An Ethernet header (destination, source, EtherType) plus one 802.1Q tag: what a frame adds to the IP MTU. */
export declare const ETHERNET_FRAME_OVERHEAD: number;
/**
 * What a RawLink on a kernel file descriptor (a TUN device, a raw socket) has in common: an FdReader's worker
 * reads datagrams in batches and hands each to the handler as a view into its batch; sending is one
 * synchronous non-blocking system call per datagram, counted, with every failure a counted drop; close()
 * stops the reader (within one poll timeout), then closes the fd. A subclass says how to write one datagram,
 * which received datagrams are its own, and what else to undo on close.
 *
 * While open, the reader worker keeps the process alive (like a listening socket); close() ends it.
 */
export declare abstract class FdLink<Extra extends string = never> implements RawLink {
    protected readonly fd: number;
    readonly mtu: number;
    protected readonly libc: Libc;
    protected readonly logger: Logger;
    readonly medium: LinkMedium;
    readonly mac: MacAddress | undefined;
    /** The longest datagram (or frame: the MTU plus an Ethernet header and a VLAN tag) send() passes on. */
    protected readonly maxSendBytes: number;
    protected handler: (datagram: Uint8Array) => void;
    protected readonly counters: Counters<(typeof FD_LINK_COUNTERS)[number] | Extra>;
    /** errno of the last failed write, 0 after a successful one. */
    protected lastWriteErrno: number;
    private reader;
    private closing;
    private fdOpen;
    protected constructor(fd: number, mtu: number, libc: Libc, logger: Logger, extraCounters?: readonly Extra[], 
    /** pilha's MAC when the fd moves Ethernet frames (a TAP device, an AF_PACKET socket); absent for IP. */
    ethernetMac?: MacAddress);
    /** One system call writing `length` bytes of `datagram`: the bytes written, or -1 with errno set. */
    protected abstract write(datagram: Uint8Array, length: number): number;
    /** What the link is, for errors and logs ("TUN device pilha0"). */
    protected abstract describe(): string;
    send(datagram: Uint8Array): void;
    /** Writes `datagram` as send() does, refusing (counted) one longer than `maxBytes`. */
    protected transmit(datagram: Uint8Array, maxBytes: number): void;
    onReceive(handler: (datagram: Uint8Array) => void): void;
    stats(): Record<string, number>;
    close(): Promise<void>;
    /** Starts the reader (which unwraps `vnetHeaderBytes` of virtio_net_hdr per read); resolves once it is reading. */
    protected start(errorCode: PilhaErrorCode, vnetHeaderBytes?: number): Promise<void>;
    /** A datagram the reader read: counted and handed up. A subclass may filter or fix it up first. */
    protected receive(datagram: Uint8Array): void;
    protected drop(reason: TxDropReason): void;
    /** Whether the fd is still open (a subclass may then query it). */
    protected fdIsOpen(): boolean;
    /** What else the link undoes once its fd is closed (nothing by default). */
    protected afterClose(): void;
    private shutdown;
}
export {};
