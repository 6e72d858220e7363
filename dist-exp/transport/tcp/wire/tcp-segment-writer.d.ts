/**
 * The hot-path half of the TCP codec: writes a segment's header, options and checksum straight into an
 * outgoing datagram buffer, from positional arguments, so that sending a segment builds no object. The
 * layout is the one `tcp-header.ts` emits (Linux's: every option 4-byte aligned by NOPs), and
 * `parseTcpSegment` reads it back; the unit tests hold the two against each other.
 *
 * Pure: no I/O, no timers, no logging.
 */
import type { Ipv4Address } from '../../../core/ipv4-address.js';
export { MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS, TIMESTAMP_OPTION_LENGTH, tcpOptionsLengthFor, writeTcpOptions, } from './tcp-options-writer.js';
/** Bytes of the options of a SYN or SYN-ACK: MSS, then SACK-permitted, timestamps and window scale when offered. */
export declare function synOptionsLength(timestamps: boolean, windowShift: number, sackPermitted?: boolean): number;
/**
 * Writes the fixed 20 bytes at `out[o]`, the data offset taken from `optionsLength` (a multiple of 4),
 * the checksum field zeroed.
 */
export declare function writeTcpHeader(out: Uint8Array, o: number, srcPort: number, dstPort: number, seqNum: number, ackNum: number, flags: number, window: number, optionsLength: number): void;
/** NOP NOP TS(TSval, TSecr) at `out[i]`; 12 bytes. */
export declare function writeTimestampOption(out: Uint8Array, i: number, value: number, echo: number): void;
/**
 * The options of a SYN or SYN-ACK at `out[i]` (the one option writer's layout): MSS, then SACK-permitted
 * and timestamps as offered, then (when `windowShift >= 0`) NOP WS. Returns the bytes written,
 * `synOptionsLength(timestamps, windowShift, sackPermitted)`.
 */
export declare function writeSynOptions(out: Uint8Array, i: number, mss: number, timestamps: boolean, tsValue: number, tsEcho: number, windowShift: number, sackPermitted?: boolean): number;
/** Computes and stores the checksum of the `length`-byte segment at `out[o]` (RFC 9293 §3.1). */
export declare function finishTcpChecksum(out: Uint8Array, o: number, length: number, src: Ipv4Address, dst: Ipv4Address): void;
