/**
 * The hot-path half of the TCP codec: writes a segment's header, options and checksum straight into an
 * outgoing datagram buffer, from positional arguments, so that sending a segment builds no object. The
 * layout is the one `tcp-header.ts` emits (Linux's: every option 4-byte aligned by NOPs), and
 * `parseTcpSegment` reads it back; the unit tests hold the two against each other.
 *
 * Pure: no I/O, no timers, no logging.
 */

import { internetChecksum } from '../../core/checksum.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { TcpOptionKind, tcpPseudoHeaderSum } from './tcp-header.js';

/** NOP NOP TS(10): what every segment carries once timestamps are in use. */
export const TIMESTAMP_OPTION_LENGTH = 12;

/** Bytes of the options of a SYN or SYN-ACK: MSS, then timestamps and window scale when offered. */
export function synOptionsLength(timestamps: boolean, windowShift: number): number {
  return 4 + (timestamps ? TIMESTAMP_OPTION_LENGTH : 0) + (windowShift >= 0 ? 4 : 0);
}

function write32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}

/**
 * Writes the fixed 20 bytes at `out[o]`, the data offset taken from `optionsLength` (a multiple of 4),
 * the checksum field zeroed.
 */
export function writeTcpHeader(
  out: Uint8Array,
  o: number,
  srcPort: number,
  dstPort: number,
  seqNum: number,
  ackNum: number,
  flags: number,
  window: number,
  optionsLength: number,
): void {
  out[o] = srcPort >>> 8;
  out[o + 1] = srcPort;
  out[o + 2] = dstPort >>> 8;
  out[o + 3] = dstPort;
  write32(out, o + 4, seqNum);
  write32(out, o + 8, ackNum);
  out[o + 12] = ((20 + optionsLength) >>> 2) << 4;
  out[o + 13] = flags;
  out[o + 14] = window >>> 8;
  out[o + 15] = window;
  out[o + 16] = 0;
  out[o + 17] = 0;
  out[o + 18] = 0;
  out[o + 19] = 0;
}

/** NOP NOP TS(TSval, TSecr) at `out[i]`; 12 bytes. */
export function writeTimestampOption(out: Uint8Array, i: number, value: number, echo: number): void {
  out[i] = TcpOptionKind.NOP;
  out[i + 1] = TcpOptionKind.NOP;
  out[i + 2] = TcpOptionKind.TIMESTAMP;
  out[i + 3] = 10;
  write32(out, i + 4, value);
  write32(out, i + 8, echo);
}

/**
 * The options of a SYN or SYN-ACK at `out[i]`: MSS, then (when `timestamps`) NOP NOP TS, then (when
 * `windowShift >= 0`) NOP WS. Returns the bytes written, `synOptionsLength(timestamps, windowShift)`.
 */
export function writeSynOptions(
  out: Uint8Array,
  i: number,
  mss: number,
  timestamps: boolean,
  tsValue: number,
  tsEcho: number,
  windowShift: number,
): number {
  const start = i;
  out[i] = TcpOptionKind.MSS;
  out[i + 1] = 4;
  out[i + 2] = mss >>> 8;
  out[i + 3] = mss;
  i += 4;
  if (timestamps) {
    writeTimestampOption(out, i, tsValue, tsEcho);
    i += TIMESTAMP_OPTION_LENGTH;
  }
  if (windowShift >= 0) {
    out[i] = TcpOptionKind.NOP;
    out[i + 1] = TcpOptionKind.WINDOW_SCALE;
    out[i + 2] = 3;
    out[i + 3] = windowShift;
    i += 4;
  }
  return i - start;
}

/** Computes and stores the checksum of the `length`-byte segment at `out[o]` (RFC 9293 §3.1). */
export function finishTcpChecksum(
  out: Uint8Array,
  o: number,
  length: number,
  src: Ipv4Address,
  dst: Ipv4Address,
): void {
  const sum = internetChecksum(out, o, o + length, tcpPseudoHeaderSum(src, dst, length));
  out[o + 16] = sum >>> 8;
  out[o + 17] = sum;
}
