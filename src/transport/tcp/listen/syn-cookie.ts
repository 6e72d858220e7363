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
import { halfSipHash24 } from '../../../core/hash/half-sip-hash.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type RandomWords, randomWords } from '../../../core/random-words.js';
import { type Seq, seq } from '../wire/seq.js';

/** The MSS values a cookie can say, by index (Linux's msstab: the common ones, 1460 for Ethernet). */
export const SYN_COOKIE_MSS_TABLE: readonly number[] = Object.freeze([536, 1300, 1440, 1460]);

/** Bits of the cookie below the period count. */
const COOKIE_BITS = 24;
const COOKIE_MASK = (1 << COOKIE_BITS) - 1;
/** Spacing of the four MSS codes in the low 24 bits (odd; ±1·K, ±2·K, ±3·K mod 2²⁴ are no powers of two). */
const MSS_CODE_STEP = 0x9e3779;

/** Low bits of TSval that carry the client's options (Linux TSBITS). */
export const SYN_COOKIE_TS_BITS = 6;
const TS_MASK = (1 << SYN_COOKIE_TS_BITS) - 1;
/** The window-scale field: 0–14 the client's shift, 0xf none. */
const TS_WSCALE_MASK = 0x0f;
const TS_SACK = 0x10;
const TS_ECN = 0x20;

/** The index of the largest table MSS that does not exceed the client's `mss` (0 below them all). */
export function synCookieMssIndex(mss: number): number {
  for (let i = SYN_COOKIE_MSS_TABLE.length - 1; i > 0; i--) if (mss >= SYN_COOKIE_MSS_TABLE[i]!) return i;
  return 0;
}

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
export function encodeSynCookieTimestamp(
  tsNow: number,
  windowScale: number,
  sackPermitted: boolean,
  ecn: boolean,
): number {
  let bits = windowScale < 0 ? TS_WSCALE_MASK : Math.min(windowScale, 14);
  if (sackPermitted) bits |= TS_SACK;
  if (ecn) bits |= TS_ECN;
  let ts = ((tsNow & ~TS_MASK) | bits) >>> 0;
  if (((ts - tsNow) | 0) > 0) ts = (ts - (TS_MASK + 1)) >>> 0;
  return ts;
}

/** The options a cookie SYN-ACK's TSval carried, read back from the ACK's TSecr. */
export function decodeSynCookieTimestamp(tsEcho: number): SynCookieOptions {
  const ws = tsEcho & TS_WSCALE_MASK;
  return {
    windowScale: ws === TS_WSCALE_MASK ? undefined : ws,
    sackPermitted: (tsEcho & TS_SACK) !== 0,
    ecn: (tsEcho & TS_ECN) !== 0,
  };
}

/**
 * The cookie for the client SYN with ISN `clientIsn` on this 4-tuple, in period `count` under key
 * (k0, k1), carrying MSS index `mssIndex`. `scratch` (7 words) holds the hash's input and output.
 */
export function synCookie(
  k0: number,
  k1: number,
  count: number,
  local: Ipv4Address,
  localPort: number,
  remote: Ipv4Address,
  remotePort: number,
  clientIsn: Seq,
  mssIndex: number,
  scratch: Uint32Array,
): Seq {
  hashTuple(k0, k1, count, local, localPort, remote, remotePort, clientIsn, scratch);
  const h1 = scratch[5]!;
  const h2 = scratch[6]!;
  return seq(h1 + ((count << COOKIE_BITS) >>> 0) + ((h2 + mssIndex * MSS_CODE_STEP) & COOKIE_MASK));
}

/**
 * The MSS index `cookie` carries if it is the cookie of period `count` under key (k0, k1) for this
 * 4-tuple and client ISN; -1 if it is not.
 */
export function checkSynCookie(
  k0: number,
  k1: number,
  count: number,
  local: Ipv4Address,
  localPort: number,
  remote: Ipv4Address,
  remotePort: number,
  clientIsn: Seq,
  cookie: Seq,
  scratch: Uint32Array,
): number {
  hashTuple(k0, k1, count, local, localPort, remote, remotePort, clientIsn, scratch);
  const v = (cookie - scratch[5]!) >>> 0;
  if (v >>> COOKIE_BITS !== (count & 0xff)) return -1;
  const code = (v - scratch[6]!) & COOKIE_MASK;
  for (let index = 0; index < SYN_COOKIE_MSS_TABLE.length; index++) {
    if (code === ((index * MSS_CODE_STEP) & COOKIE_MASK)) return index;
  }
  return -1;
}

function hashTuple(
  k0: number,
  k1: number,
  count: number,
  local: Ipv4Address,
  localPort: number,
  remote: Ipv4Address,
  remotePort: number,
  clientIsn: number,
  scratch: Uint32Array,
): void {
  scratch[0] = local;
  scratch[1] = remote;
  scratch[2] = ((localPort << 16) | remotePort) >>> 0;
  scratch[3] = clientIsn;
  scratch[4] = count;
  halfSipHash24(k0, k1, scratch, 5, scratch, 5);
}

/**
 * The keys of one TCP layer and the clock they rotate with: makes cookies and checks them, and gives a
 * cookie connection its timestamp offset (stable per 4-tuple, so the SYN-ACK and the connection agree).
 */
export class SynCookies {
  /** [k0, k1] of the current period, then of the previous one. */
  private readonly keys = new Uint32Array(4);
  /** A key that never rotates, for timestamp offsets. */
  private readonly tsKey = new Uint32Array(2);
  private readonly scratch = new Uint32Array(7);
  private readonly key = new Uint32Array(2);
  private keyCount: number;

  constructor(
    private readonly clock: Clock,
    /** The length of a period (Linux's TCP_SYNCOOKIE_PERIOD); a cookie lives one to two of them. */
    readonly periodMs: number,
    /** Where keys come from (node:crypto unless a test passes a seeded source). */
    private readonly keySource: RandomWords = randomWords,
  ) {
    if (!(periodMs > 0)) throw new RangeError(`bad SYN cookie period ${periodMs}`);
    this.keySource(this.tsKey);
    this.keyCount = this.count();
    this.fresh(0);
    this.fresh(2);
  }

  /** The cookie (our ISN) for a client SYN with `clientIsn` and MSS option `clientMss`. */
  make(
    local: Ipv4Address,
    localPort: number,
    remote: Ipv4Address,
    remotePort: number,
    clientIsn: Seq,
    clientMss: number,
  ): Seq {
    const count = this.rotate();
    const k = this.keys;
    const index = synCookieMssIndex(clientMss);
    return synCookie(
      k[0]!,
      k[1]!,
      count,
      local,
      localPort,
      remote,
      remotePort,
      clientIsn,
      index,
      this.scratch,
    );
  }

  /**
   * The MSS a cookie carries if `cookie` is one we made, this period or the last, for this 4-tuple and
   * client ISN; 0 if not.
   */
  check(
    local: Ipv4Address,
    localPort: number,
    remote: Ipv4Address,
    remotePort: number,
    clientIsn: Seq,
    cookie: Seq,
  ): number {
    const count = this.rotate();
    const k = this.keys;
    const s = this.scratch;
    let index = checkSynCookie(
      k[0]!,
      k[1]!,
      count,
      local,
      localPort,
      remote,
      remotePort,
      clientIsn,
      cookie,
      s,
    );
    if (index < 0) {
      const previous = (count - 1) >>> 0;
      index = checkSynCookie(
        k[2]!,
        k[3]!,
        previous,
        local,
        localPort,
        remote,
        remotePort,
        clientIsn,
        cookie,
        s,
      );
    }
    return index < 0 ? 0 : SYN_COOKIE_MSS_TABLE[index]!;
  }

  /** A timestamp offset for this 4-tuple (RFC 7323 §5.4: TSval should not reveal the clock). */
  tsOffset(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): number {
    hashTuple(this.tsKey[0]!, this.tsKey[1]!, 0, local, localPort, remote, remotePort, 0, this.scratch);
    return this.scratch[5]!;
  }

  private count(): number {
    return Math.floor(this.clock.now() / this.periodMs) >>> 0;
  }

  /** The current period's count, the keys rotated to it: the old current key becomes the previous one. */
  private rotate(): number {
    const count = this.count();
    if (count === this.keyCount) return count;
    const k = this.keys;
    if (count === (this.keyCount + 1) >>> 0) {
      k[2] = k[0]!;
      k[3] = k[1]!;
    } else {
      this.fresh(2); // more than a period passed: the previous period's key was never used
    }
    this.fresh(0);
    this.keyCount = count;
    return count;
  }

  private fresh(at: number): void {
    this.keySource(this.key);
    this.keys[at] = this.key[0]!;
    this.keys[at + 1] = this.key[1]!;
  }
}
