import { parseDecimalInteger } from './decimal-number.js';
import { PilhaError } from './errors.js';

/** An IPv4 address as an unsigned 32-bit integer: cheap to compare, hash and put in a header. */
export type Ipv4Address = number;

/**
 * Four decimal octets, no leading zeros, as `net.isIPv4` accepts: inet_aton and URL parsers read '010' as
 * octal 8, others as 10, so an address with one is ambiguous and refused rather than guessed.
 */
const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const LEADING_ZERO = /(?:^|\.)0\d/;

export function parseIpv4(text: string): Ipv4Address {
  const trimmed = text.trim();
  const m = DOTTED.exec(trimmed);
  if (m === null) {
    const hint = LEADING_ZERO.test(trimmed) ? ' (no leading zeros: they read as octal elsewhere)' : '';
    throw new PilhaError('EBADADDR', `not an IPv4 address: '${text}'${hint}`);
  }
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) throw new PilhaError('EBADADDR', `not an IPv4 address: '${text}'`);
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIpv4(addr: Ipv4Address): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

export interface Ipv4Prefix {
  readonly address: Ipv4Address;
  readonly length: number;
}

/** Parses "10.0.0.1/24"; a bare address gets `defaultLength`. */
export function parseIpv4Prefix(text: string, defaultLength = 24): Ipv4Prefix {
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

export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** The directed broadcast of `address`'s subnet (RFC 919), or -1 for /31 and /32 (RFC 3021: none) or no prefix. */
export function directedBroadcast(address: Ipv4Address, prefixLength: number | undefined): number {
  if (prefixLength === undefined || prefixLength > 30) return -1;
  const hostBits = prefixLength === 0 ? 0xffff_ffff : 0xffff_ffff >>> prefixLength;
  return (address | hostBits) >>> 0;
}

export function sameSubnet(a: Ipv4Address, b: Ipv4Address, length: number): boolean {
  const mask = prefixMask(length);
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}
