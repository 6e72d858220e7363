import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Logger } from '../../../core/logger.js';
import { type MacAddress } from '../../../core/mac-address.js';
import { FdLink } from '../fd/fd-link.js';
export interface PacketLinkOptions {
    /** The existing Ethernet interface to bind to (pilha's end of a veth pair). */
    readonly device: string;
    /** pilha's IPv4 address: it must not be an address of this network namespace. */
    readonly address: Ipv4Address;
    /** The IP MTU; the interface's MTU when absent. */
    readonly mtu?: number;
    /** pilha's MAC; the interface's own when absent. */
    readonly mac?: MacAddress;
    /** The link layer's logger (a child with `{ layer: 'link' }`); silent when absent. */
    readonly logger?: Logger;
}
declare const EXTRA_COUNTERS: readonly ["ignoredOwnFrames", "rxDropOversize", "rxChecksumsCompleted"];
/**
 * A RawLink of Ethernet frames on an AF_PACKET socket (SOCK_RAW, ETH_P_ALL) bound to an existing interface,
 * as the course's stages 4 and 5 do: every frame the interface receives reaches pilha, and pilha's frames
 * leave through it whole, its own Ethernet header included. By default pilha takes the interface's MAC.
 *
 * The kernel still owns the interface, so it must not have pilha's address (checked at start): the set-up is
 * a veth pair whose other end has the kernel's address, pilha's end none. The socket sets
 * PACKET_IGNORE_OUTGOING (Linux 4.20) so pilha does not read back what it sent; on an older kernel, frames
 * from pilha's own MAC are skipped instead (ignoredOwnFrames). Frames from a local peer may carry the
 * kernel's unfinished (offloaded) TCP checksum: finished here as a device would (rxChecksumsCompleted).
 * Frames longer than the MTU allows (super-frames from segmentation offload on the far end) are dropped and
 * counted (rxDropOversize): at start, the kernel's end of a veth pair in the same namespace gets its
 * segmentation and checksum offloads turned off (ethtool), and the README says how to do it elsewhere. Reading goes through an FdReader's
 * worker; a PACKET_MMAP ring was not measured and is not used.
 */
export declare class PacketLink extends FdLink<(typeof EXTRA_COUNTERS)[number]> {
    /** The interface the socket is bound to. */
    readonly device: string;
    /** Whether the kernel keeps outgoing frames from the socket (PACKET_IGNORE_OUTGOING took). */
    readonly ignoresOutgoing: boolean;
    /**
     * Checks the interface and address, opens and binds the socket, starts the reader; resolves once frames
     * flow. A missing interface, an interface or namespace holding pilha's address, or a missing privilege
     * throws ERAWLINK with one line saying what to do.
     */
    static open(options: PacketLinkOptions): Promise<PacketLink>;
    private readonly maxFrameBytes;
    private warnedOversize;
    /** Frames the kernel dropped because the socket's receive queue was full, summed over PACKET_STATISTICS reads. */
    private socketDrops;
    private readonly packetStats;
    private constructor();
    /** The counters, and the frames the kernel dropped at the socket's full receive queue (rxSocketDrops). */
    stats(): Record<string, number>;
    protected write(frame: Uint8Array, length: number): number;
    protected describe(): string;
    protected receive(frame: Uint8Array): void;
}
export {};
