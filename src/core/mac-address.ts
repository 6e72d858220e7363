import { PilhaError } from './errors.js';

/**
 * An IEEE 802 MAC address as a 48-bit unsigned integer (exact in a double): cheap to compare and to key a
 * map with, like Ipv4Address. Byte 0 of the address on the wire is the most significant byte.
 */
export type MacAddress = number;

export const BROADCAST_MAC: MacAddress = 0xffff_ffff_ffff;
const TWO_32 = 0x1_0000_0000;

const COLONS = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i;

/** Six two-digit hexadecimal octets separated by colons, as `ip link` prints them (either case). */
export function parseMac(text: string): MacAddress {
  const m = COLONS.exec(text.trim());
  if (m === null)
    throw new PilhaError('EBADADDR', `not a MAC address: '${text}' (six hex octets, aa:bb:cc:dd:ee:ff)`);
  let value = 0;
  for (let i = 1; i <= 6; i++) value = value * 256 + Number.parseInt(m[i]!, 16);
  return value;
}

export function formatMac(mac: MacAddress): string {
  const parts: string[] = [];
  for (let shift = 5; shift >= 0; shift--)
    parts.push(
      macOctet(mac, 5 - shift)
        .toString(16)
        .padStart(2, '0'),
    );
  return parts.join(':');
}

/** Octet `index` (0 = first on the wire) of `mac`. */
export function macOctet(mac: MacAddress, index: number): number {
  return Math.floor(mac / 2 ** (8 * (5 - index))) % 256;
}

/** Reads the six bytes at `at` (wire order). */
export function readMac(bytes: Uint8Array, at: number): MacAddress {
  const high = (bytes[at]! << 8) | bytes[at + 1]!;
  const low =
    ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
  return high * TWO_32 + low;
}

/** Writes `mac` as six bytes at `at` (wire order). */
export function writeMac(bytes: Uint8Array, at: number, mac: MacAddress): void {
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
export function isGroupMac(mac: MacAddress): boolean {
  return (Math.floor(mac / 2 ** 40) & 1) === 1;
}

/**
 * A random unicast, locally administered address (first octet: bit 1 set, bit 0 clear), as a TAP device's
 * far end or a container gets, from six random bytes.
 */
export function localMacFrom(random: Uint8Array): MacAddress {
  const bytes = Uint8Array.from(random.subarray(0, 6));
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return readMac(bytes, 0);
}
