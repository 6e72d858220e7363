/**
 * The stateless side of a listener under a SYN flood (RFC 4987 §3.6): the SYN-ACK whose ISN is a SYN
 * cookie, sent when the SYN queue is full and remembering nothing, and, for an ACK that comes back, the
 * SYN its cookie stands for (MSS from the cookie, window scale and SACK-permitted from the TSecr), from which the TCP layer
 * rebuilds the connection. The options are the ones a connection would send; the keys rotate with the
 * Clock (syn-cookie.ts).
 */
import type { Clock } from '../../../core/clock.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import type { RandomWords } from '../../../core/random-words.js';
import type { IPLayer } from '../../../layers/ip/ip-layer.js';
import { type TcpConfig } from '../tcp-config.js';
import { type Seq } from '../wire/seq.js';
import { type TcpSegment } from '../wire/tcp-header.js';
/** What a valid cookie gives back: the client's SYN as it was, and our ISS and timestamp offset. */
export interface CookieSyn {
    readonly syn: TcpSegment;
    readonly iss: Seq;
    readonly tsOffset: number;
}
export declare class SynCookieResponder {
    private readonly ip;
    private readonly clock;
    private readonly config;
    private readonly cookies;
    constructor(ip: Pick<IPLayer, 'address' | 'mtu' | 'allocateDatagram' | 'sendDatagram'>, clock: Clock, config: TcpConfig, random: RandomWords);
    /** The SYN-ACK for `seg` from `src`: our ISN is the cookie, and with timestamps our TSval carries the client's window scale. */
    sendSynAck(src: Ipv4Address, seg: TcpSegment): void;
    /**
     * The SYN that the cookie acknowledged by `seg` (an ACK to a listener with no connection for it) stands
     * for, or undefined when it carries no valid cookie of ours, or a TSecr that ours could not have been.
     */
    synFor(src: Ipv4Address, seg: TcpSegment): CookieSyn | undefined;
}
