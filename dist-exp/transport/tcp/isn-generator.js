/**
 * Initial sequence numbers as RFC 6528 §3 says: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), where M is a timer ticking every 4 µs and F a keyed hash. The secret is random, per stack
 * (never module-level), so ISNs cannot be predicted from outside even by someone who knows the clock.
 * The same hash gives each connection a random RFC 7323 timestamp offset, so TSval does not leak uptime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { seq } from './wire/seq.js';
/** Secret length, bytes (RFC 6528 recommends at least 128 bits). */
export const ISN_SECRET_BYTES = 32;
export class IsnGenerator {
    clock;
    secret;
    tuple = Buffer.alloc(12);
    /** `secret` only for tests; by default 32 random bytes from node:crypto. */
    constructor(clock, secret) {
        this.clock = clock;
        if (secret !== undefined && secret.length < 16)
            throw new RangeError('the ISN secret must be at least 16 bytes');
        this.secret = Buffer.from(secret ?? randomBytes(ISN_SECRET_BYTES));
    }
    next(local, localPort, remote, remotePort) {
        const t = this.tuple;
        t.writeUInt32BE(local >>> 0, 0);
        t.writeUInt16BE(localPort & 0xffff, 4);
        t.writeUInt32BE(remote >>> 0, 6);
        t.writeUInt16BE(remotePort & 0xffff, 10);
        // F: SHA-256 over secret ‖ 4-tuple ‖ secret (a keyed hash; RFC 6528 suggests MD5 at least).
        const digest = createHash('sha256').update(this.secret).update(t).update(this.secret).digest();
        // M: a 4-microsecond clock (RFC 6528 §3, as RFC 793 had it).
        const m = Math.floor(this.clock.now() * 250);
        return { isn: seq(m + digest.readUInt32BE(0)), tsOffset: digest.readUInt32BE(4) };
    }
}
//# sourceMappingURL=isn-generator.js.map