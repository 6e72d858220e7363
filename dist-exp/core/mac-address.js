import { PilhaError } from './errors.js';
export const BROADCAST_MAC = 0xffff_ffff_ffff;
const TWO_32 = 0x1_0000_0000;
const COLONS = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i;
/** Six two-digit hexadecimal octets separated by colons, as `ip link` prints them (either case). */
export function parseMac(text) {
    const m = COLONS.exec(text.trim());
    if (m === null)
        throw new PilhaError('EBADADDR', `not a MAC address: '${text}' (six hex octets, aa:bb:cc:dd:ee:ff)`);
    let value = 0;
    for (let i = 1; i <= 6; i++)
        value = value * 256 + Number.parseInt(m[i], 16);
    return value;
}
export function formatMac(mac) {
    const parts = [];
    for (let shift = 5; shift >= 0; shift--)
        parts.push(macOctet(mac, 5 - shift)
            .toString(16)
            .padStart(2, '0'));
    return parts.join(':');
}
/** Octet `index` (0 = first on the wire) of `mac`. */
export function macOctet(mac, index) {
    return Math.floor(mac / 2 ** (8 * (5 - index))) % 256;
}
/** Reads the six bytes at `at` (wire order). */
export function readMac(bytes, at) {
    const high = (bytes[at] << 8) | bytes[at + 1];
    const low = ((bytes[at + 2] << 24) | (bytes[at + 3] << 16) | (bytes[at + 4] << 8) | bytes[at + 5]) >>> 0;
    return high * TWO_32 + low;
}
/** Writes `mac` as six bytes at `at` (wire order). */
export function writeMac(bytes, at, mac) {
    const high = Math.floor(mac / TWO_32);
    const low = mac % TWO_32;
    bytes[at] = high >>> 8;
    bytes[at + 1] = high & 0xff;
    bytes[at + 2] = low >>> 24;
    bytes[at + 3] = (low >>> 16) & 0xff;
    bytes[at + 4] = (low >>> 8) & 0xff;
    bytes[at + 5] = low & 0xff;
}
/** Group (multicast or broadcast) addresses have the least significant bit of the first octet set. */
export function isGroupMac(mac) {
    return (Math.floor(mac / 2 ** 40) & 1) === 1;
}
/**
 * A random unicast, locally administered address (first octet: bit 1 set, bit 0 clear), as a TAP device's
 * far end or a container gets, from six random bytes.
 */
export function localMacFrom(random) {
    const bytes = Uint8Array.from(random.subarray(0, 6));
    bytes[0] = (bytes[0] & 0xfe) | 0x02;
    return readMac(bytes, 0);
}
//# sourceMappingURL=mac-address.js.map