/**
 * Initial sequence numbers as RFC 6528 §3 says: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), where M is a timer ticking every 4 µs and F a keyed hash: SipHash-2-4 with a 128-bit key,
 * as Linux's secure_tcp_seq. The secret is random, per stack (never module-level), so ISNs cannot be
 * predicted from outside even by someone who knows the clock. The other half of the same hash gives each
 * connection a random RFC 7323 timestamp offset, so TSval does not leak uptime.
 */

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { type SipHashKey, sipHash24, sipHashKey } from '../../core/hash/sip-hash.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type Seq, seq } from './wire/seq.js';

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

/** Secret length, bytes (RFC 6528 recommends at least 128 bits; SipHash's key is 128). */
export const ISN_SECRET_BYTES = 16;

export class IsnGenerator implements IsnSource {
  private readonly key: SipHashKey;
  /** The 4-tuple as three words, written in place: a connection allocates nothing here. */
  private readonly tuple = new Uint32Array(3);
  private readonly digest = new Uint32Array(2);

  /** `secret` only for tests (its first 16 bytes are the key); by default 16 random bytes from node:crypto. */
  constructor(
    private readonly clock: Clock,
    secret?: Uint8Array,
  ) {
    if (secret !== undefined && secret.length < ISN_SECRET_BYTES)
      throw new RangeError(`the ISN secret must be at least ${ISN_SECRET_BYTES} bytes`);
    this.key = sipHashKey(secret ?? randomBytes(ISN_SECRET_BYTES));
  }

  next(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): IsnChoice {
    const tuple = this.tuple;
    tuple[0] = local;
    tuple[1] = ((localPort & 0xffff) << 16) | (remotePort & 0xffff);
    tuple[2] = remote;
    // F: SipHash-2-4 of the tuple under the secret (a SHA-256 from node:crypto cost about 4 µs a connection).
    sipHash24(this.key, tuple, 3, this.digest);
    // M: a 4-microsecond clock (RFC 6528 §3, as RFC 793 had it).
    const m = Math.floor(this.clock.now() * 250);
    return { isn: seq(m + this.digest[0]!), tsOffset: this.digest[1]! };
  }
}
