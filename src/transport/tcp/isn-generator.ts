/**
 * Initial sequence numbers as RFC 6528 §3 says: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), where M is a timer ticking every 4 µs and F a keyed hash. The secret is random, per stack
 * (never module-level), so ISNs cannot be predicted from outside even by someone who knows the clock.
 * The same hash gives each connection a random RFC 7323 timestamp offset, so TSval does not leak uptime.
 */

import { hash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
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

/** Secret length, bytes (RFC 6528 recommends at least 128 bits). */
export const ISN_SECRET_BYTES = 32;

export class IsnGenerator implements IsnSource {
  /** secret ‖ 4-tuple ‖ secret, hashed whole: the tuple is written in place, so a connection allocates no hash object. */
  private readonly message: Buffer;
  private readonly tupleAt: number;

  /** `secret` only for tests; by default 32 random bytes from node:crypto. */
  constructor(
    private readonly clock: Clock,
    secret?: Uint8Array,
  ) {
    if (secret !== undefined && secret.length < 16)
      throw new RangeError('the ISN secret must be at least 16 bytes');
    const key = secret ?? randomBytes(ISN_SECRET_BYTES);
    this.tupleAt = key.length;
    this.message = Buffer.alloc(2 * key.length + 12);
    this.message.set(key, 0);
    this.message.set(key, key.length + 12);
  }

  next(local: Ipv4Address, localPort: number, remote: Ipv4Address, remotePort: number): IsnChoice {
    const msg = this.message;
    const at = this.tupleAt;
    msg.writeUInt32BE(local >>> 0, at);
    msg.writeUInt16BE(localPort & 0xffff, at + 4);
    msg.writeUInt32BE(remote >>> 0, at + 6);
    msg.writeUInt16BE(remotePort & 0xffff, at + 10);
    // F: SHA-256 over secret ‖ 4-tuple ‖ secret (a keyed hash; RFC 6528 suggests MD5 at least), in one call:
    // node:crypto's one-shot hash costs about half of createHash().update()….digest() and makes no Hash object.
    const digest = hash('sha256', msg, 'buffer');
    // M: a 4-microsecond clock (RFC 6528 §3, as RFC 793 had it).
    const m = Math.floor(this.clock.now() * 250);
    return { isn: seq(m + digest.readUInt32BE(0)), tsOffset: digest.readUInt32BE(4) };
  }
}
