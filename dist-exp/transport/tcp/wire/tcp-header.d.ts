/**
 * The TCP segment codec (RFC 9293 §3.1), options included: bytes in, a plain object out, and back.
 *
 * In the manner of smoltcp's `wire` module: field offsets are named once, every offset is checked
 * against the buffer before it is read, and after those checks nothing can fail. Parsing never
 * throws — a bad segment comes back as a reason string the caller counts and drops. Emitting
 * writes into a caller's buffer without allocating.
 *
 * Pure: no I/O, no timers, no logging.
 */
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Seq } from './seq.js';
import { TcpOptionKind } from './tcp-options-writer.js';
/** IP protocol number of TCP. */
export declare const TCP_PROTOCOL = 6;
/** A header without options (data offset 5). */
export declare const TCP_MIN_HEADER_LENGTH = 20;
/** Data offset 15, the largest the 4-bit field can say. */
export declare const TCP_MAX_HEADER_LENGTH = 60;
/** Room for options: 60 - 20 bytes. */
export declare const TCP_MAX_OPTIONS_LENGTH = 40;
/** Control bits, as they sit in byte 13 of the header (RFC 9293 §3.1; ECE/CWR from RFC 3168). */
export declare const TcpFlags: {
    readonly FIN: 1;
    readonly SYN: 2;
    readonly RST: 4;
    readonly PSH: 8;
    readonly ACK: 16;
    readonly URG: 32;
    readonly ECE: 64;
    readonly CWR: 128;
};
export type TcpFlagName = keyof typeof TcpFlags;
export { TcpOptionKind };
/** One SACK block (RFC 2018 §3): the bytes `[left, right)` have been received. */
export interface SackBlock {
    readonly left: Seq;
    readonly right: Seq;
}
/** The TSopt (RFC 7323 §3.2): TSval and TSecr, each an unsigned 32-bit number. */
export interface TcpTimestamp {
    readonly value: number;
    readonly echo: number;
}
/**
 * The options pilha understands; an absent key means the option was not in the segment.
 * Values are as on the wire: `windowScale` is not clamped to 14 here (RFC 7323 §2.3 asks the
 * receiver of a larger value to use 14; that is the connection's business).
 */
export interface TcpOptions {
    readonly mss?: number;
    readonly windowScale?: number;
    readonly sackPermitted?: boolean;
    readonly timestamp?: TcpTimestamp;
    /** At most 4 blocks fit (3 alongside timestamps); an empty list is not emitted. */
    readonly sack?: readonly SackBlock[];
}
/** A TCP segment, header fields as on the wire. */
export interface TcpSegment {
    readonly srcPort: number;
    readonly dstPort: number;
    readonly seq: Seq;
    readonly ack: Seq;
    /** A bit set of `TcpFlags`. */
    readonly flags: number;
    /** The raw 16-bit window field, before any window scaling. */
    readonly window: number;
    readonly urgentPointer: number;
    readonly options: TcpOptions;
    /** On parse: a view into the parsed buffer, not a copy (an empty payload is one shared empty array). */
    readonly payload: Uint8Array;
}
/** Why a segment was rejected; each is a drop counter name. */
export type TcpParseError = 'truncated' | 'bad-data-offset' | 'bad-checksum' | 'bad-option';
export declare const TCP_PARSE_ERRORS: readonly TcpParseError[];
/** A shared, frozen empty option set, for segments that carry none. */
export declare const NO_TCP_OPTIONS: TcpOptions;
export declare function isTcpParseError(result: TcpSegment | TcpParseError): result is TcpParseError;
/** The unfolded sum of the IPv4 pseudo-header (RFC 9293 §3.1): src, dst, zero, protocol 6, TCP length. */
export declare function tcpPseudoHeaderSum(srcAddr: Ipv4Address, dstAddr: Ipv4Address, tcpLength: number): number;
/**
 * Parses a TCP segment (the payload of an IPv4 datagram from `srcAddr` to `dstAddr`).
 * Never throws. The returned payload is a view into `bytes`.
 *
 * Checks, in order: at least 20 bytes ('truncated'); data offset at least 5 ('bad-data-offset')
 * and within the buffer ('truncated'); the checksum over the pseudo-header when
 * `verifyChecksum` ('bad-checksum'); the options ('bad-option').
 */
export declare function parseTcpSegment(bytes: Uint8Array, srcAddr: Ipv4Address, dstAddr: Ipv4Address, verifyChecksum?: boolean): TcpSegment | TcpParseError;
/**
 * Bytes the options take when emitted, alignment included: the layout of the one option writer
 * (tcp-options-writer.ts, Linux's), always a multiple of 4.
 */
export declare function tcpOptionsLength(options: TcpOptions): number;
/** Header length with these options: 20 + options, a multiple of 4. Throws if the options exceed 40 bytes. */
export declare function tcpHeaderLength(options: TcpOptions): number;
/** Header plus payload. */
export declare function tcpSegmentLength(seg: TcpSegment): number;
/** The sequence space a segment occupies: payload bytes, plus one each for SYN and FIN (RFC 9293 §3.4). */
export declare function tcpSeqLength(seg: TcpSegment): number;
/**
 * Writes `seg` (header, options, payload) at `out[offset]` with its checksum over the IPv4
 * pseudo-header, and returns the number of bytes written. Allocates nothing. Numeric fields are
 * written modulo their width. If `seg.payload` already sits where the payload goes in `out`
 * (a view of `out` at `offset + headerLength`), it is not copied.
 *
 * Throws RangeError if the options exceed 40 bytes or the segment does not fit in `out`.
 */
export declare function emitTcpSegment(out: Uint8Array, offset: number, seg: TcpSegment, srcAddr: Ipv4Address, dstAddr: Ipv4Address): number;
/** Emits `seg` into a new buffer of exactly its length (convenient; the hot path should use `emitTcpSegment`). */
export declare function encodeTcpSegment(seg: TcpSegment, srcAddr: Ipv4Address, dstAddr: Ipv4Address): Uint8Array;
/** The flags as tcpdump-like names, e.g. 'SYN|ACK'; '' for none. For logs and test messages. */
export declare function formatTcpFlags(flags: number): string;
