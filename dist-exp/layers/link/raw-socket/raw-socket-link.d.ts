import { type Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger } from '../../../core/logger.js';
import { FdLink } from '../fd/fd-link.js';
export interface RawSocketLinkOptions {
    /** pilha's address: one the host already has (127.0.0.1 typically). */
    readonly address: Ipv4Address;
    /** The TCP ports pilha claims on that address: segments to them are pilha's, the rest are not. */
    readonly ports: readonly number[];
    readonly mtu: number;
    /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
    readonly logger?: Logger;
}
declare const EXTRA_COUNTERS: readonly ["ignoredOtherTraffic", "rxChecksumsCompleted"];
/**
 * A RawLink on a raw IPv4 socket (AF_INET, SOCK_RAW, IPPROTO_TCP, IP_HDRINCL): pilha serves on an address the
 * host already has, the original course's way, so `wget localhost:7000` reaches pilha's TCP.
 *
 * Receiving: the socket sees every TCP segment to its bound address, whole IPv4 datagrams header included;
 * an FdReader's worker reads them in batches and RawReceiveFilter keeps those for pilha's ports (the rest,
 * pilha's own segments looping back on `lo` among them, are counted as ignoredOtherTraffic). Sending: one
 * non-blocking sendto() per datagram, addressed from its own header; the kernel fills in the IP checksum
 * (and the ID when zero), never the TCP checksum, which is pilha's. The kernel's own TCP would reset every
 * connection to the claimed ports, so while open a KernelRstFilter drops its RSTs (see kernel-rst-filter.ts);
 * pilha's segments carry SO_MARK PILHA_MARK to pass that rule. Segments from local programs arrive with the
 * kernel's offloaded TCP checksum unfinished; the link finishes it (offloaded-checksum.ts), as a device would.
 */
export declare class RawSocketLink extends FdLink<(typeof EXTRA_COUNTERS)[number]> {
    private readonly rstFilter;
    private readonly filter;
    /** sendto()'s destination, rewritten in place from each datagram's header. */
    private readonly destination;
    /**
     * Checks the address and ports, opens the socket, installs the nftables rule and starts the reader;
     * resolves once datagrams flow. Refuses an address the host does not have (EBADADDR), a port a kernel
     * socket listens on (EADDRINUSE), and a host without a working nft (ERAWLINK).
     */
    static open(options: RawSocketLinkOptions): Promise<RawSocketLink>;
    /** The address whose segments this link takes. */
    readonly address: Ipv4Address;
    readonly ports: readonly number[];
    private constructor();
    /** sendto() addressed from the datagram's own header; shorter than an IPv4 header, it is refused. */
    protected write(datagram: Uint8Array, length: number): number;
    protected describe(): string;
    protected receive(datagram: Uint8Array): void;
    /** The nftables rule goes with the socket. */
    protected afterClose(): void;
}
/** Throws for ports, an MTU or an address that cannot work, before anything is opened. */
export declare function checkRawLinkOptions(options: RawSocketLinkOptions): void;
export {};
