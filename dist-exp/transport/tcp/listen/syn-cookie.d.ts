/**
 * SYN cookies (RFC 4987 §3.6), in the manner of Linux's (net/ipv4/syncookies.c), so that a listener whose
 * SYN queue is full still answers every SYN and keeps no state for it: the SYN-ACK's sequence number, the
 * cookie, carries what the connection needs, and the client's ACK (ACK = cookie + 1) brings it back.
 *
 *   cookie = H₁ + (count << 24) + ((H₂ + MSS index · K) mod 2²⁴)
 *
 * where count is the clock in periods of `periodMs`, and H₁, H₂ the two halves of a keyed HalfSipHash-2-4
 * of the 4-tuple, the client's ISN and count. The key is the period's own: a fresh random key each
 * period, the previous one kept, so a cookie is accepted during its period and the next (up to two
 * periods old, as Linux's MAX_SYNCOOKIE_AGE) and then never again. Once H₁ is taken off, the top 8 bits
 * must be the period's count and the low 24, less H₂, one of four multiples of K: a forged ACK passes
 * with probability about 2⁻³⁰ per period tried. Unlike Linux (which adds the client ISN and the MSS index
 * unhashed, K = 1), a cookie or client ISN off by one, or any single flipped bit, never passes with
 * another MSS: K is chosen so that no difference of two codes is ± a power of two.
 *
 * The MSS is one of four values (Linux's msstab). When the client sent timestamps, the low 6 bits of our
 * SYN-ACK's TSval carry its window scale (0xf: none), SACK-permitted and ECN (Linux's TSBITS), and come
 * back in the ACK's TSecr; without timestamps window scaling is lost, as on Linux.
 *
 * The codec functions are pure; SynCookies holds the keys and takes time only from the injected Clock.
 */
import type { Clock } from '../../../core/clock.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type RandomWords } from '../../../core/random-words.js';
import { type Seq } from '../wire/seq.js';
/** The MSS values a cookie can say, by index (Linux's msstab: the common ones, 1460 for Ethernet). */
export declare const SYN_COOKIE_MSS_TABLE: readonly number[];
/** Low bits of TSval that carry the client's options (Linux TSBITS). */
export declare const SYN_COOKIE_TS_BITS = 6;
/** The index of the largest table MSS that does not exceed the client's `mss` (0 below them all). */
export declare function synCookieMssIndex(mss: number): number;
/** The options of the client's SYN that a cookie's timestamp carries. */
export interface SynCookieOptions {
    /** The client's window-scale shift (0–14), or undefined when it sent none. */
    readonly windowScale: number | undefined;
    readonly sackPermitted: boolean;
    readonly ecn: boolean;
}
/**
 * The TSval of a cookie SYN-ACK: `tsNow` (a 32-bit timestamp clock) with its low bits replaced by the
 * client's options (`windowScale` -1 for none), and never ahead of `tsNow` (so the connection's later
 * TSvals do not go backwards). Positional arguments: this runs for every SYN of a flood.
 */
export declare function encodeSynCookieTimestamp(tsNow: number, windowScale: number, sackPermitted: boolean, ecn: boolean): number;
/** The options a cookie SYN-ACK's TSval carried, read back from the ACK's TSecr. */
export declare function decodeSynCookieTimestamp(tsEcho: number): SynCookieOptions;
/**
 * The cookie for the client SYN with ISN `clientIsn` on this 4-tuple, in period `count` under key
 * (k0, k1), carrying MSS index `mssIndex`. `scratch` (7 words) holds the hash's input and output.
 */
export declare function synCookie(k0: number, k1: number, count: number, local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number, clientIsn: Seq, mssIndex: number, scratch: Uint32Array): Seq;
/**
 * The MSS index `cookie` carries if it is the cookie of period `count` under key (k0, k1) for this
 * 4-tuple and client ISN; -1 if it is not.
 */
export declare function checkSynCookie(k0: number, k1: number, count: number, local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number, clientIsn: Seq, cookie: Seq, scratch: Uint32Array): number;
/**
 * The keys of one TCP layer and the clock they rotate with: makes cookies and checks them, and gives a
 * cookie connection its timestamp offset (stable per 4-tuple, so the SYN-ACK and the connection agree).
 */
export declare class SynCookies {
    private readonly clock;
    /** The length of a period (Linux's TCP_SYNCOOKIE_PERIOD); a cookie lives one to two of them. */
    readonly periodMs: number;
    /** Where keys come from (node:crypto unless a test passes a seeded source). */
    private readonly keySource;
    /** [k0, k1] of the current period, then of the previous one. */
    private readonly keys;
    /** A key that never rotates, for timestamp offsets. */
    private readonly tsKey;
    private readonly scratch;
    private readonly key;
    private keyCount;
    constructor(clock: Clock, 
    /** The length of a period (Linux's TCP_SYNCOOKIE_PERIOD); a cookie lives one to two of them. */
    periodMs: number, 
    /** Where keys come from (node:crypto unless a test passes a seeded source). */
    keySource?: RandomWords);
    /** The cookie (our ISN) for a client SYN with `clientIsn` and MSS option `clientMss`. */
    make(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number, clientIsn: Seq, clientMss: number): Seq;
    /**
     * The MSS a cookie carries if `cookie` is one we made, this period or the last, for this 4-tuple and
     * client ISN; 0 if not.
     */
    check(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number, clientIsn: Seq, cookie: Seq): number;
    /** A timestamp offset for this 4-tuple (RFC 7323 §5.4: TSval should not reveal the clock). */
    tsOffset(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): number;
    private count;
    /** The current period's count, the keys rotated to it: the old current key becomes the previous one. */
    private rotate;
    private fresh;
}
