import type { Clock } from '../../core/clock.js';
import { type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import type { IPLayer, IpErrorReporter } from '../ip/ip-layer.js';
import { type Ipv4Datagram } from '../ip/ipv4-header.js';
export interface EchoReply {
    readonly src: Ipv4Address;
    readonly id: number;
    readonly seq: number;
    readonly ttl: number;
    /** Size of the ICMP message (header + data), as ping prints it. */
    readonly icmpBytes: number;
    readonly data: Uint8Array;
}
/** An ICMP error received: the quoted datagram lets the transport find the connection it concerns. */
export interface IcmpErrorReport {
    readonly src: Ipv4Address;
    readonly type: number;
    readonly code: number;
    readonly rest: number;
    readonly quoted: Uint8Array;
}
/**
 * ICMP for a host (RFC 792, RFC 1122 §3.2.2): answers echo requests, delivers echo replies to pingers,
 * counts and reports received errors, and originates the errors the IP layer detects.
 */
export declare class IcmpLayer implements IpErrorReporter {
    private readonly ip;
    private readonly clock;
    private readonly log;
    private readonly counters;
    private readonly echoListeners;
    private readonly errorListeners;
    private tokens;
    private tokensAt;
    constructor(ip: IPLayer, clock: Clock, log: Logger);
    onEchoReply(listener: (reply: EchoReply) => void): void;
    onError(listener: (report: IcmpErrorReport) => void): void;
    /**
     * A datagram of ours that the link could not deliver (ARP had no answer for its next hop): its sender hears
     * of it as of a Destination Unreachable received from our own address, as Linux's neighbour layer reports it
     * (arp_error_report → ICMP host unreachable to the local socket). Nothing goes on the wire.
     */
    localUnreachable(datagram: Uint8Array, code?: number): void;
    sendEchoRequest(dst: Ipv4Address, id: number, seq: number, data: Uint8Array): void;
    stats(): Record<string, number>;
    protocolUnreachable(datagram: Ipv4Datagram): void;
    reassemblyTimeExceeded(src: Ipv4Address, quote: Uint8Array): void;
    private receive;
    private receiveError;
    /** An error we originate, within the rate limit (RFC 1812 §4.3.2.8, as Linux's icmp_msgs_per_sec). */
    private sendError;
    private takeToken;
}
