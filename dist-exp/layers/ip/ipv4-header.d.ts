import type { Ipv4Address } from '../../core/ipv4-address.js';
/** Wire format of the IPv4 header (RFC 791). Pure: bytes in, a plain object out, and back. */
export declare const IPV4_MIN_HEADER = 20;
export declare const IPV4_MAX_DATAGRAM = 65535;
export declare const IP_PROTOCOL_ICMP = 1;
export declare const IP_PROTOCOL_TCP = 6;
export declare const IP_PROTOCOL_UDP = 17;
/** Flag bits in the flags/fragment-offset word. */
export declare const IP_FLAG_DF = 16384;
export declare const IP_FLAG_MF = 8192;
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
export type Ipv4ParseError = 'truncated' | 'bad-version' | 'bad-ihl' | 'bad-total-length' | 'bad-checksum' | 'reserved-flag' | 'bad-fragment';
export declare const IPV4_PARSE_ERRORS: readonly Ipv4ParseError[];
/**
 * Parses and validates a datagram. Never throws: every length is checked against the buffer before use.
 * Bytes past `totalLength` (link padding) are ignored.
 */
export declare function parseIpv4(bytes: Uint8Array): Ipv4Datagram | Ipv4ParseError;
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
export declare function ipv4HeaderLength(fields: Ipv4HeaderFields): number;
/** Writes the header (checksum included) at `out[offset]`; returns the header length. */
export declare function emitIpv4Header(out: Uint8Array, offset: number, fields: Ipv4HeaderFields): number;
/**
 * Writes the fixed 20-byte part without the checksum; positional arguments so the hot send path
 * builds no object per datagram. Call finishIpv4Checksum once options (if any) are in place.
 */
export declare function writeIpv4Header(out: Uint8Array, o: number, headerLength: number, tos: number, totalLength: number, id: number, flagsOffset: number, ttl: number, protocol: number, src: Ipv4Address, dst: Ipv4Address): void;
export declare function finishIpv4Checksum(out: Uint8Array, o: number, headerLength: number): void;
/** A whole datagram (header + payload) in a new buffer. */
export declare function encodeIpv4(fields: Omit<Ipv4HeaderFields, 'totalLength'>, payload: Uint8Array): Uint8Array;
/** Options that must be copied into every fragment (the copied flag, RFC 791 §3.1); the rest go only in the first. */
export declare function copiedOptions(options: Uint8Array): Uint8Array;
/** What an ICMP error quotes of a datagram (RFC 792): its header and the first 8 bytes of its payload. */
export declare function icmpQuote(header: Uint8Array, payload: Uint8Array): Uint8Array;
