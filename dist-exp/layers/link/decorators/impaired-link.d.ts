import type { Clock } from '../../../core/clock.js';
import type { MacAddress } from '../../../core/mac-address.js';
import { type LinkMedium, type RawLink } from '../raw-link.js';
import { type Impairment } from './impairment.js';
/** Which way an ImpairedLink impairs: datagrams sent, datagrams received, or both (each with its own state). */
export type ImpairedDirection = 'both' | 'tx' | 'rx';
/**
 * A fault injector with the same interface as the link it wraps: seeded loss, duplication, reordering,
 * single-bit corruption, delay with jitter, and a bottleneck rate with a tail-drop queue, all timed by the
 * injected Clock (so a VirtualClock makes it exact and instant). Deterministic for a given seed and traffic.
 *
 * `direction` picks what is impaired: 'tx' (datagrams sent through this link), 'rx' (datagrams received from
 * the inner link) or 'both', each direction with its own queue, timers and random sequence (the rx sequence
 * is seeded with `seed + 0x6a09e667`). With no delay, jitter or rate, delivery is synchronous (except for a
 * datagram held for reordering).
 *
 * stats(): this link's own counters, unprefixed — txPackets/txBytes as sent by the layer above,
 * rxPackets/rxBytes as handed to it, and the impairments (dropLoss, dropQueue, dropClosed, duplicated,
 * corrupted, reordered, reorderTimeout, delayed) summed over both directions — followed by the inner link's
 * counters under an `inner.` prefix (so `inner.txPackets` is what really went out).
 */
export declare class ImpairedLink implements RawLink {
    private readonly inner;
    readonly direction: ImpairedDirection;
    readonly mtu: number;
    /** The inner link's: a decorator moves whatever its link moves (datagrams or frames). */
    readonly medium: LinkMedium | undefined;
    readonly mac: MacAddress | undefined;
    private handler;
    private readonly counters;
    private readonly txPath;
    private readonly rxPath;
    private closed;
    constructor(inner: RawLink, impairment: Impairment, clock: Clock, direction?: ImpairedDirection);
    send(datagram: Uint8Array): void;
    onReceive(handler: (datagram: Uint8Array) => void): void;
    private deliverUp;
    stats(): Record<string, number>;
    /** Drops what is still in flight (counted as dropClosed), then closes the inner link. */
    close(): Promise<void>;
}
