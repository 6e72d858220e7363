import { internetChecksum } from '../../core/checksum.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';

/** Wire format of the IPv4 header (RFC 791). Pure: bytes in, a plain object out, and back. */

export const IPV4_MIN_HEADER = 20;
export const IPV4_MAX_DATAGRAM = 65_535;
export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;

/** Flag bits in the flags/fragment-offset word. */
export const IP_FLAG_DF = 0x4000;
export const IP_FLAG_MF = 0x2000;
const IP_FLAG_RESERVED = 0x8000;
const IP_OFFSET_MASK = 0x1fff;

/** The options of every datagram without any (IHL = 5): one shared empty view, not one per datagram. */
const NO_OPTIONS = new Uint8Array(0);

/** A parsed datagram: header fields plus views (not copies) of the header, options and payload. */
export interface Ipv4Datagram {
  readonly tos: number;
  /** Total length from the header (header + payload). */
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** Fragment offset in bytes (the header holds it in 8-byte units). */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4Address;
  readonly dst: Ipv4Address;
  /** The whole header, options included. */
  readonly header: Uint8Array;
  /** Options bytes, kept intact (empty when IHL = 5). */
  readonly options: Uint8Array;
  readonly payload: Uint8Array;
}

export type Ipv4ParseError =
  | 'truncated'
  | 'bad-version'
  | 'bad-ihl'
  | 'bad-total-length'
  | 'bad-checksum'
  | 'reserved-flag'
  | 'bad-fragment';

export const IPV4_PARSE_ERRORS: readonly Ipv4ParseError[] = [
  'truncated',
  'bad-version',
  'bad-ihl',
  'bad-total-length',
  'bad-checksum',
  'reserved-flag',
  'bad-fragment',
];

/**
 * Parses and validates a datagram. Never throws: every length is checked against the buffer before use.
 * Bytes past `totalLength` (link padding) are ignored. With `lengthFromLink` (a run the link merged,
 * RX_COALESCED), a total length of 0 stands for the datagram's own length, as in Linux's BIG TCP packets.
 */
export function parseIpv4(bytes: Uint8Array, lengthFromLink = false): Ipv4Datagram | Ipv4ParseError {
  if (bytes.length < IPV4_MIN_HEADER) return 'truncated';
  const b0 = bytes[0]!;
  if (b0 >> 4 !== 4) return 'bad-version';
  const headerLength = (b0 & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER) return 'bad-ihl';
  if (headerLength > bytes.length) return 'truncated';
  let totalLength = (bytes[2]! << 8) | bytes[3]!;
  if (totalLength === 0 && lengthFromLink) totalLength = bytes.length;
  if (totalLength < headerLength) return 'bad-total-length';
  if (totalLength > bytes.length) return 'truncated';
  if (internetChecksum(bytes, 0, headerLength) !== 0) return 'bad-checksum';
  const flagsOffset = (bytes[6]! << 8) | bytes[7]!;
  if ((flagsOffset & IP_FLAG_RESERVED) !== 0) return 'reserved-flag';
  const moreFragments = (flagsOffset & IP_FLAG_MF) !== 0;
  const fragmentOffset = (flagsOffset & IP_OFFSET_MASK) * 8;
  const payloadLength = totalLength - headerLength;
  // Every fragment but the last carries a multiple of 8 bytes. DF on a fragment is allowed: RFC 791 forbids
  // fragmenting a DF datagram further, not receiving one (Linux refragments a defragmented DF datagram so).
  if (moreFragments && (payloadLength === 0 || payloadLength % 8 !== 0)) return 'bad-fragment';
  return {
    tos: bytes[1]!,
    totalLength,
    id: (bytes[4]! << 8) | bytes[5]!,
    dontFragment: (flagsOffset & IP_FLAG_DF) !== 0,
    moreFragments,
    fragmentOffset,
    ttl: bytes[8]!,
    protocol: bytes[9]!,
    src: ((bytes[12]! << 24) | (bytes[13]! << 16) | (bytes[14]! << 8) | bytes[15]!) >>> 0,
    dst: ((bytes[16]! << 24) | (bytes[17]! << 16) | (bytes[18]! << 8) | bytes[19]!) >>> 0,
    header: bytes.subarray(0, headerLength),
    options: headerLength === IPV4_MIN_HEADER ? NO_OPTIONS : bytes.subarray(IPV4_MIN_HEADER, headerLength),
    payload: bytes.subarray(headerLength, totalLength),
  };
}

/** The fields needed to write a header. */
export interface Ipv4HeaderFields {
  readonly tos?: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment?: boolean;
  readonly moreFragments?: boolean;
  /** In bytes; must be a multiple of 8. */
  readonly fragmentOffset?: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4Address;
  readonly dst: Ipv4Address;
  /** Raw options, a multiple of 4 bytes long (at most 40). */
  readonly options?: Uint8Array;
}

export function ipv4HeaderLength(fields: Ipv4HeaderFields): number {
  return IPV4_MIN_HEADER + (fields.options?.length ?? 0);
}

/** Writes the header (checksum included) at `out[offset]`; returns the header length. */
export function emitIpv4Header(out: Uint8Array, offset: number, fields: Ipv4HeaderFields): number {
  const options = fields.options;
  const headerLength = IPV4_MIN_HEADER + (options?.length ?? 0);
  writeIpv4Header(
    out,
    offset,
    headerLength,
    fields.tos ?? 0,
    fields.totalLength,
    fields.id,
    (fields.dontFragment ? IP_FLAG_DF : 0) |
      (fields.moreFragments ? IP_FLAG_MF : 0) |
      ((fields.fragmentOffset ?? 0) >>> 3),
    fields.ttl,
    fields.protocol,
    fields.src,
    fields.dst,
  );
  if (options !== undefined && options.length > 0) {
    out.set(options, offset + IPV4_MIN_HEADER);
  }
  finishIpv4Checksum(out, offset, headerLength);
  return headerLength;
}

/**
 * Writes the fixed 20-byte part without the checksum; positional arguments so the hot send path
 * builds no object per datagram. Call finishIpv4Checksum once options (if any) are in place.
 */
export function writeIpv4Header(
  out: Uint8Array,
  o: number,
  headerLength: number,
  tos: number,
  totalLength: number,
  id: number,
  flagsOffset: number,
  ttl: number,
  protocol: number,
  src: Ipv4Address,
  dst: Ipv4Address,
): void {
  out[o] = 0x40 | (headerLength >>> 2);
  out[o + 1] = tos;
  out[o + 2] = totalLength >>> 8;
  out[o + 3] = totalLength & 0xff;
  out[o + 4] = (id >>> 8) & 0xff;
  out[o + 5] = id & 0xff;
  out[o + 6] = flagsOffset >>> 8;
  out[o + 7] = flagsOffset & 0xff;
  out[o + 8] = ttl;
  out[o + 9] = protocol;
  out[o + 10] = 0;
  out[o + 11] = 0;
  out[o + 12] = src >>> 24;
  out[o + 13] = (src >>> 16) & 0xff;
  out[o + 14] = (src >>> 8) & 0xff;
  out[o + 15] = src & 0xff;
  out[o + 16] = dst >>> 24;
  out[o + 17] = (dst >>> 16) & 0xff;
  out[o + 18] = (dst >>> 8) & 0xff;
  out[o + 19] = dst & 0xff;
}

export function finishIpv4Checksum(out: Uint8Array, o: number, headerLength: number): void {
  out[o + 10] = 0;
  out[o + 11] = 0;
  const sum = internetChecksum(out, o, o + headerLength);
  out[o + 10] = sum >>> 8;
  out[o + 11] = sum & 0xff;
}

/** A whole datagram (header + payload) in a new buffer. */
export function encodeIpv4(fields: Omit<Ipv4HeaderFields, 'totalLength'>, payload: Uint8Array): Uint8Array {
  const headerLength = IPV4_MIN_HEADER + (fields.options?.length ?? 0);
  const out = new Uint8Array(headerLength + payload.length);
  emitIpv4Header(out, 0, { ...fields, totalLength: out.length });
  out.set(payload, headerLength);
  return out;
}

/** Options that must be copied into every fragment (the copied flag, RFC 791 §3.1); the rest go only in the first. */
export function copiedOptions(options: Uint8Array): Uint8Array {
  const kept: number[] = [];
  let i = 0;
  while (i < options.length) {
    const type = options[i]!;
    if (type === 0) break; // End of option list.
    if (type === 1) {
      i += 1; // NOP.
      continue;
    }
    const len = options[i + 1];
    if (len === undefined || len < 2 || i + len > options.length) break;
    if ((type & 0x80) !== 0) for (let j = 0; j < len; j++) kept.push(options[i + j]!);
    i += len;
  }
  while (kept.length % 4 !== 0) kept.push(0);
  return Uint8Array.from(kept);
}

/**
 * Where the transport header starts in what an ICMP error quotes (icmpQuote), when the quote holds an IPv4
 * header of `protocol` and the 8 bytes after it that RFC 792 promises; -1 otherwise.
 */
export function quotedPayloadOffset(quoted: Uint8Array, protocol: number): number {
  if (quoted.length < IPV4_MIN_HEADER) return -1;
  const ihl = (quoted[0]! & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER || quoted.length < ihl + 8 || quoted[9] !== protocol) return -1;
  return ihl;
}

/** The IPv4 address at `bytes[at]` (a header's source at 12, destination at 16). */
export function readIpv4Address(bytes: Uint8Array, at: number): Ipv4Address {
  return (((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>>
    0) as Ipv4Address;
}

/** What an ICMP error quotes of a datagram (RFC 792): its header and the first 8 bytes of its payload. */
export function icmpQuote(header: Uint8Array, payload: Uint8Array): Uint8Array {
  const quote = new Uint8Array(header.length + Math.min(8, payload.length));
  quote.set(header, 0);
  quote.set(payload.subarray(0, 8), header.length);
  return quote;
}
