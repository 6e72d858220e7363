import type { Clock } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type Ipv4Datagram } from './ipv4-header.js';
export { FRAGMENT_COST, PAGE_COST, PARTIAL_COST } from './reassembly-arena.js';
/**
 * Limits, defaulting to Linux's (net.ipv4.ipfrag_time = 30 s; ipfrag_high_thresh = 4 MiB, which Linux also
 * counts in memory really used, each fragment's skb truesize, not in payload bytes).
 */
export interface ReassemblerLimits {
    readonly timeoutMs: number;
    readonly maxBytes: number;
}
export declare const DEFAULT_REASSEMBLER_LIMITS: ReassemblerLimits;
/** What the course project asked to show about each reassembled datagram. */
export interface ReassemblyInfo {
    readonly src: Ipv4Address;
    readonly dst: Ipv4Address;
    readonly id: number;
    readonly protocol: number;
    readonly fragments: number;
    /** Total length of the reassembled datagram, header included. */
    readonly totalLength: number;
    /** For each fragment in arrival order, its position (0 = first by offset). [0,1,2] is in order. */
    readonly arrivalOrder: readonly number[];
    /** From the first fragment's arrival to the last one's, in ms. */
    readonly elapsedMs: number;
}
export type ReassemblyDropReason = 'duplicate' | 'overlap' | 'too-big' | 'inconsistent' | 'timeout' | 'evicted';
export interface ReassemblerEvents {
    /** A fragment or a whole partial datagram was discarded. */
    dropped(reason: ReassemblyDropReason, src: Ipv4Address): void;
    /**
     * A partial datagram timed out. `firstFragment` is its first fragment's header and first 8 payload
     * bytes (what an ICMP Time Exceeded quotes), or undefined when the first fragment never came.
     */
    timedOut(src: Ipv4Address, firstFragment: Uint8Array | undefined): void;
}
export interface Reassembled {
    readonly datagram: Ipv4Datagram;
    readonly info: ReassemblyInfo;
}
/**
 * IPv4 fragment reassembly keyed by (src, dst, protocol, id), any arrival order. Identical duplicates are
 * ignored; an overlap carrying different bytes discards the whole datagram (as Linux does, RFC 5722 style);
 * a datagram that would exceed 65,535 bytes with its first fragment's header is discarded; partial datagrams
 * time out; the memory they really cost is capped, evicting the oldest first.
 *
 * Adding a fragment costs O(its length): its bytes go into pages by offset and a coverage bitmap (one bit per
 * 8-byte block) tells at once which bytes are new and which must match what is held. One timer serves every
 * partial datagram: they are listed by age, which is also the order they expire in. Partial datagrams live in
 * a ReassemblyArena (typed arrays, off V8's heap, reused): a flood allocates no object per fragment or per
 * partial datagram, and the cap bounds the arena.
 */
export declare class Reassembler {
    private readonly clock;
    private readonly events;
    private readonly limits;
    private readonly arena;
    /**
     * Slot numbers hashed by key, chained through F_NEXT. Not a Map: under a flood every fragment starts one
     * entry and evicts another, and a Map's backing store, rehashed by that churn, was old-space garbage.
     */
    private buckets;
    private mask;
    private count;
    /** Age order, oldest first, linked through F_OLDER and F_NEWER. */
    private oldest;
    private newest;
    private totalBytes;
    private timer;
    /**
     * Keys the table. Random, so that nobody can pick fragments whose keys collide and make one chain long;
     * whatever it is, the datagrams reassembled are the same.
     */
    private readonly secret;
    constructor(clock: Clock, events: ReassemblerEvents, limits?: ReassemblerLimits);
    /** A small integer from the four fields that name a datagram (compared in full on a look-up). */
    private keyOf;
    /** Partial datagrams held now. */
    get pending(): number;
    /** Bytes charged to partial datagrams now (their slots, pages and fragment entries in the arena). */
    get bytesHeld(): number;
    /** Bytes of the arena's arrays as allocated now (what holding partial datagrams costs the process). */
    get bytesAllocated(): number;
    /** Adds a fragment; returns the whole datagram when this fragment completes it. */
    add(fragment: Ipv4Datagram): Reassembled | undefined;
    /** Drops every partial datagram, cancels the timer and gives the arena back. */
    clear(): void;
    /** Gives the arena and the table back (nothing held): they start small again. */
    private release;
    /** A new partial datagram, newest in age order. */
    private start;
    private place;
    private complete;
    /** Twice the buckets, every partial datagram rehashed into them (amortised: shrunk only by release()). */
    private growTable;
    /** Arms the one timer for the oldest partial datagram, if any. */
    private armTimer;
    private readonly onTimer;
    private expire;
    /** Evicts the oldest partial datagrams until the cap holds; true when `current` itself had to go. */
    private enforceMemoryCap;
    private evict;
    /** Forgets a partial datagram: out of the table and the age list, uncharged, its slot and pages freed. */
    private drop;
}
