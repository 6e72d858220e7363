import type { Clock } from '../core/clock.js';
import { type Ipv4Address } from '../core/ipv4-address.js';
import type { IcmpLayer } from '../layers/icmp/icmp-layer.js';
import type { IPLayer } from '../layers/ip/ip-layer.js';
import type { ReassemblyInfo } from '../layers/ip/reassembler.js';
export interface PingOptions {
    readonly target: Ipv4Address;
    /** ICMP data bytes per request, as ping's -s. */
    readonly size: number;
    readonly count: number;
    readonly intervalMs: number;
    /** How long to wait for replies after the last request. */
    readonly waitMs: number;
    /** Echo identifier; random when omitted. */
    readonly id?: number;
}
export interface PingReply {
    readonly seq: number;
    readonly bytes: number;
    readonly ttl: number;
    readonly rttMs: number;
    readonly dataMatches: boolean;
    /** Present when the reply arrived in fragments. */
    readonly reassembly?: ReassemblyInfo;
}
export interface PingSummary {
    readonly target: Ipv4Address;
    readonly transmitted: number;
    readonly received: number;
    readonly duplicates: number;
    readonly corrupted: number;
    readonly lossPercent: number;
    readonly elapsedMs: number;
    readonly rtt?: {
        readonly min: number;
        readonly avg: number;
        readonly max: number;
        readonly mdev: number;
    };
    readonly replies: readonly PingReply[];
}
/** Deterministic echo data so a reply can be checked byte for byte. */
export declare function echoPattern(size: number, seq: number): Uint8Array;
/**
 * The stage-3 demo: sends echo requests (large ones leave pilha in fragments), matches the replies,
 * and reports for each reply how it was reassembled.
 */
export declare class Pinger {
    private readonly icmp;
    private readonly clock;
    private lastReassembly;
    private current;
    /** Ends the run in progress, if any (ping's Ctrl-C). */
    private finishCurrent;
    constructor(icmp: IcmpLayer, ip: IPLayer, clock: Clock);
    /**
     * Stops the run in progress as ping(8) does on its first SIGINT: no more requests, no waiting for replies
     * still on their way; run() resolves at once with the summary so far. Does nothing when no run is active.
     */
    stop(): void;
    run(options: PingOptions, onReply?: (reply: PingReply) => void): Promise<PingSummary>;
}
/** One line per reply, as ping prints it, plus how the reply was reassembled. */
export declare function formatPingReply(target: Ipv4Address, reply: PingReply): string;
/** The closing lines, as ping prints them. */
export declare function formatPingSummary(s: PingSummary): string;
