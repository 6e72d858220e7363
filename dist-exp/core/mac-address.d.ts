/**
 * An IEEE 802 MAC address as a 48-bit unsigned integer (exact in a double): cheap to compare and to key a
 * map with, like Ipv4Address. Byte 0 of the address on the wire is the most significant byte.
 */
export type MacAddress = number;
export declare const BROADCAST_MAC: MacAddress;
/** Six two-digit hexadecimal octets separated by colons, as `ip link` prints them (either case). */
export declare function parseMac(text: string): MacAddress;
export declare function formatMac(mac: MacAddress): string;
/** Octet `index` (0 = first on the wire) of `mac`. */
export declare function macOctet(mac: MacAddress, index: number): number;
/** Reads the six bytes at `at` (wire order). */
export declare function readMac(bytes: Uint8Array, at: number): MacAddress;
/** Writes `mac` as six bytes at `at` (wire order). */
export declare function writeMac(bytes: Uint8Array, at: number, mac: MacAddress): void;
/** Group (multicast or broadcast) addresses have the least significant bit of the first octet set. */
export declare function isGroupMac(mac: MacAddress): boolean;
/**
 * A random unicast, locally administered address (first octet: bit 1 set, bit 0 clear), as a TAP device's
 * far end or a container gets, from six random bytes.
 */
export declare function localMacFrom(random: Uint8Array): MacAddress;
