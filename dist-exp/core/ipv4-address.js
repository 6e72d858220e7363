import { parseDecimalInteger } from './decimal-number.js';
import { PilhaError } from './errors.js';
/**
 * Four decimal octets, no leading zeros, as `net.isIPv4` accepts: inet_aton and URL parsers read '010' as
 * octal 8, others as 10, so an address with one is ambiguous and refused rather than guessed.
 */
const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const LEADING_ZERO = /(?:^|\.)0\d/;
export function parseIpv4(text) {
    const trimmed = text.trim();
    const m = DOTTED.exec(trimmed);
    if (m === null) {
        const hint = LEADING_ZERO.test(trimmed) ? ' (no leading zeros: they read as octal elsewhere)' : '';
        throw new PilhaError('EBADADDR', `not an IPv4 address: '${text}'${hint}`);
    }
    let value = 0;
    for (let i = 1; i <= 4; i++) {
        const octet = Number(m[i]);
        if (octet > 255)
            throw new PilhaError('EBADADDR', `not an IPv4 address: '${text}'`);
        value = value * 256 + octet;
    }
    return value >>> 0;
}
export function formatIpv4(addr) {
    return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}
/** Parses "10.0.0.1/24"; a bare address gets `defaultLength`. */
export function parseIpv4Prefix(text, defaultLength = 24) {
    const [addr, len, extra] = text.split('/');
    if (extra !== undefined || addr === undefined)
        throw new PilhaError('EBADADDR', `not an IPv4 prefix: '${text}'`);
    // Plain decimal, no leading zero ('/024' is refused like '010.0.0.1').
    const length = len === undefined ? defaultLength : parseDecimalInteger(len);
    if (length === undefined || !Number.isInteger(length) || length < 0 || length > 32) {
        throw new PilhaError('EBADADDR', `bad prefix length in '${text}'`);
    }
    return { address: parseIpv4(addr), length };
}
export function prefixMask(length) {
    return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}
export function sameSubnet(a, b, length) {
    const mask = prefixMask(length);
    return (a & mask) >>> 0 === (b & mask) >>> 0;
}
//# sourceMappingURL=ipv4-address.js.map