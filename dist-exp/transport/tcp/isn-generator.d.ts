/**
 * Initial sequence numbers as RFC 6528 §3 says: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), where M is a timer ticking every 4 µs and F a keyed hash. The secret is random, per stack
 * (never module-level), so ISNs cannot be predicted from outside even by someone who knows the clock.
 * The same hash gives each connection a random RFC 7323 timestamp offset, so TSval does not leak uptime.
 */
import type { Clock } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type Seq } from './wire/seq.js';
/** What a connection needs from a source of initial sequence numbers. */
export interface IsnSource {
    /** The ISN and timestamp offset for a connection with this 4-tuple, now. */
    next(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): IsnChoice;
}
export interface IsnChoice {
    readonly isn: Seq;
    /** Added to the millisecond clock to make this connection's TSval. */
    readonly tsOffset: number;
}
/** Secret length, bytes (RFC 6528 recommends at least 128 bits). */
export declare const ISN_SECRET_BYTES = 32;
export declare class IsnGenerator implements IsnSource {
    private readonly clock;
    private readonly secret;
    private readonly tuple;
    /** `secret` only for tests; by default 32 random bytes from node:crypto. */
    constructor(clock: Clock, secret?: Uint8Array);
    next(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): IsnChoice;
}
