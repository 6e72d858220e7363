import type { MacAddress } from '../../core/mac-address.js';
import { type LinkMedium, type RawLink } from './raw-link.js';
/** What a MemoryLink pair moves: IPv4 datagrams by default, or Ethernet frames with a MAC for each end. */
export interface MemoryLinkMedium {
    readonly medium: LinkMedium;
    /** The two ends' MAC addresses (for 'ethernet'). */
    readonly macs?: readonly [MacAddress, MacAddress];
}
/**
 * One end of an in-memory link. Delivery is synchronous by default (deterministic, for tests);
 * with `deliver` set, each datagram is handed to that scheduler instead (e.g. a Clock timer or queueMicrotask).
 */
export declare class MemoryLink implements RawLink {
    readonly mtu: number;
    private readonly deliver?;
    readonly medium?: LinkMedium | undefined;
    readonly mac?: MacAddress | undefined;
    private handler;
    private peer;
    private closed;
    private readonly counters;
    /**
     * Creates two connected ends. With `as.medium` 'ethernet' they move frames (the MTU stays the IP MTU; a
     * frame may exceed it by its header and one tag) and each end has its MAC from `as.macs`.
     */
    static pair(mtu?: number, deliver?: (run: () => void) => void, as?: MemoryLinkMedium): [MemoryLink, MemoryLink];
    private readonly maxSend;
    private constructor();
    send(datagram: Uint8Array): void;
    onReceive(handler: (datagram: Uint8Array) => void): void;
    /** Injects a datagram as if it had arrived from the peer (for tests). */
    receive(datagram: Uint8Array): void;
    stats(): Record<string, number>;
    close(): Promise<void>;
}
