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

import { foldSum, internetChecksum, sumWords } from '../../../core/checksum.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { readSeq, type Seq } from './seq.js';
import { TcpOptionKind, tcpOptionsLengthFor, write32, writeTcpOptions } from './tcp-options-writer.js';

/** IP protocol number of TCP. */
export const TCP_PROTOCOL = 6;
/** A header without options (data offset 5). */
export const TCP_MIN_HEADER_LENGTH = 20;
/** Data offset 15, the largest the 4-bit field can say. */
export const TCP_MAX_HEADER_LENGTH = 60;
/** Room for options: 60 - 20 bytes. */
export const TCP_MAX_OPTIONS_LENGTH = 40;

// Field offsets (RFC 9293 §3.1, Figure 1).
const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ_NUM = 4;
const ACK_NUM = 8;
const DATA_OFFSET = 12; // high nibble: header length in 32-bit words; low nibble reserved
const FLAGS = 13;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;

/** Control bits, as they sit in byte 13 of the header (RFC 9293 §3.1; ECE/CWR from RFC 3168). */
export const TcpFlags = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

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
 * The options pilha understands; an undefined value means the option was not in the segment.
 * Values are as on the wire: `windowScale` is not clamped to 14 here (RFC 7323 §2.3 asks the
 * receiver of a larger value to use 14; that is the connection's business).
 */
export interface TcpOptions {
  readonly mss?: number | undefined;
  readonly windowScale?: number | undefined;
  readonly sackPermitted?: boolean | undefined;
  readonly timestamp?: TcpTimestamp | undefined;
  /** At most 4 blocks fit (3 alongside timestamps); an empty list is not emitted. */
  readonly sack?: readonly SackBlock[] | undefined;
  /** The option area was malformed: the bad option (and, for a bad length, all after it) was ignored. */
  readonly malformed?: boolean | undefined;
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
export type TcpParseError = 'truncated' | 'bad-data-offset' | 'bad-checksum';

export const TCP_PARSE_ERRORS: readonly TcpParseError[] = ['truncated', 'bad-data-offset', 'bad-checksum'];

/**
 * A parsed segment's options. Every key is present, undefined when the option was absent: so that every
 * options object the receive path reads has one V8 map. Built key by key, as the options came, they had one
 * map per combination and order ({timestamp}, {timestamp, sack}, the pure-ACK parser's literal), and the
 * functions that read `seg.options.timestamp` for every segment were deoptimised ("wrong map") as each new
 * combination first reached them, in the middle of downloads.
 */
export class ParsedTcpOptions implements TcpOptions {
  mss: number | undefined = undefined;
  windowScale: number | undefined = undefined;
  sackPermitted: boolean | undefined = undefined;
  timestamp: TcpTimestamp | undefined = undefined;
  sack: SackBlock[] | undefined = undefined;
  malformed: boolean | undefined = undefined;
}

// Every field given a value of its kind, then undefined again, before any code runs: their representations and
// field types are general and mutable from the start (settled-fields.ts), not generalised in place under
// optimised code by the first SYN or the first SACK (changes that keep the map, so %HaveSameMap does not see
// them: a precaution, not covered by a test). The timestamp literal is seeded with doubles, for TSvals above 2^31.
const seed = new ParsedTcpOptions();
seed.mss = 0;
seed.windowScale = 0;
seed.sackPermitted = true;
seed.timestamp = { value: 0.5, echo: 0.5 };
seed.sack = [{ left: 0 as Seq, right: 0 as Seq }];
seed.malformed = true;
seed.mss = seed.windowScale = seed.sackPermitted = seed.timestamp = seed.sack = seed.malformed = undefined;

/**
 * A shared empty option set, for segments that carry none. Not frozen: a frozen object has a map of its own,
 * which segments without options (a peer without timestamps, a RST) would bring to the code that reads every
 * segment's options; `readonly` keeps it unchanged.
 */
export const NO_TCP_OPTIONS: TcpOptions = new ParsedTcpOptions();

/** A shared option set for a malformed option area that yielded no option. */
const MALFORMED_TCP_OPTIONS: TcpOptions = (() => {
  const options = new ParsedTcpOptions();
  options.malformed = true;
  return options;
})();

const EMPTY_PAYLOAD = new Uint8Array(0);

export function isTcpParseError(result: TcpSegment | TcpParseError): result is TcpParseError {
  return typeof result === 'string';
}

/** The unfolded sum of the IPv4 pseudo-header (RFC 9293 §3.1): src, dst, zero, protocol 6, TCP length. */
export function tcpPseudoHeaderSum(srcAddr: Ipv4Address, dstAddr: Ipv4Address, tcpLength: number): number {
  return (
    (srcAddr >>> 16) +
    (srcAddr & 0xffff) +
    (dstAddr >>> 16) +
    (dstAddr & 0xffff) +
    TCP_PROTOCOL +
    (tcpLength >>> 16) +
    (tcpLength & 0xffff)
  );
}

function read16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function read32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function write16(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 8;
  b[i + 1] = v;
}

/**
 * Parses the options area `bytes[20, headerLength)`. Returns a shared empty object when there
 * are none, so data segments without options allocate nothing for them.
 *
 * Lenient as Linux's tcp_parse_options (RFC 9293 MUST-7 allows either this or a reset): a length byte
 * below 2 or running past the header ends the parse, keeping the options before it; a known option of
 * the wrong length is ignored; either marks the set `malformed` (counted by the layer), and the segment
 * is taken. A strict parser (smoltcp's, pilha's before) drops the segment, and with it every SYN whose
 * options a middlebox mangled. Unknown kinds are skipped by their length; EOL ends the list; a later copy
 * of an option replaces an earlier one.
 */
function parseOptions(bytes: Uint8Array, headerLength: number): TcpOptions {
  if (headerLength === TCP_MIN_HEADER_LENGTH) return NO_TCP_OPTIONS;
  let options: ParsedTcpOptions | undefined;
  let malformed = false;
  let i = TCP_MIN_HEADER_LENGTH;
  while (i < headerLength) {
    const kind = bytes[i]!;
    if (kind === TcpOptionKind.EOL) break;
    if (kind === TcpOptionKind.NOP) {
      i++;
      continue;
    }
    const length = i + 1 < headerLength ? bytes[i + 1]! : 0;
    if (length < 2 || i + length > headerLength) {
      malformed = true;
      break;
    }
    switch (kind) {
      case TcpOptionKind.MSS:
        if (length !== 4) malformed = true;
        else {
          options ??= new ParsedTcpOptions();
          options.mss = read16(bytes, i + 2);
        }
        break;
      case TcpOptionKind.WINDOW_SCALE:
        if (length !== 3) malformed = true;
        else {
          options ??= new ParsedTcpOptions();
          options.windowScale = bytes[i + 2]!;
        }
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (length !== 2) malformed = true;
        else {
          options ??= new ParsedTcpOptions();
          options.sackPermitted = true;
        }
        break;
      case TcpOptionKind.SACK: {
        if (length < 10 || (length - 2) % 8 !== 0) {
          malformed = true;
          break;
        }
        const blocks: SackBlock[] = [];
        for (let j = i + 2; j < i + length; j += 8) {
          blocks.push({ left: readSeq(bytes, j), right: readSeq(bytes, j + 4) });
        }
        options ??= new ParsedTcpOptions();
        options.sack = blocks;
        break;
      }
      case TcpOptionKind.TIMESTAMP:
        if (length !== 10) malformed = true;
        else {
          options ??= new ParsedTcpOptions();
          options.timestamp = { value: read32(bytes, i + 2), echo: read32(bytes, i + 6) };
        }
        break;
      default:
        break; // unknown: skipped by its length
    }
    i += length;
  }
  if (!malformed) return options ?? NO_TCP_OPTIONS;
  if (options === undefined) return MALFORMED_TCP_OPTIONS;
  options.malformed = true;
  return options;
}

/**
 * Parses a TCP segment (the payload of an IPv4 datagram from `srcAddr` to `dstAddr`).
 * Never throws. The returned payload is a view into `bytes`.
 *
 * Checks, in order: at least 20 bytes ('truncated'); data offset at least 5 ('bad-data-offset')
 * and within the buffer ('truncated'); the checksum over the pseudo-header when
 * `verifyChecksum` ('bad-checksum'). Malformed options do not reject it (parseOptions).
 */
export function parseTcpSegment(
  bytes: Uint8Array,
  srcAddr: Ipv4Address,
  dstAddr: Ipv4Address,
  verifyChecksum = true,
): TcpSegment | TcpParseError {
  const length = bytes.length;
  if (length < TCP_MIN_HEADER_LENGTH) return 'truncated';
  const headerLength = (bytes[DATA_OFFSET]! >>> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH) return 'bad-data-offset';
  if (headerLength > length) return 'truncated';
  if (verifyChecksum) {
    const sum = sumWords(bytes, 0, length, tcpPseudoHeaderSum(srcAddr, dstAddr, length));
    if (foldSum(sum) !== 0xffff) return 'bad-checksum';
  }
  const options = parseOptions(bytes, headerLength);
  return {
    srcPort: read16(bytes, SRC_PORT),
    dstPort: read16(bytes, DST_PORT),
    seq: readSeq(bytes, SEQ_NUM),
    ack: readSeq(bytes, ACK_NUM),
    flags: bytes[FLAGS]!,
    window: read16(bytes, WINDOW),
    urgentPointer: read16(bytes, URGENT),
    options,
    payload: headerLength === length ? EMPTY_PAYLOAD : bytes.subarray(headerLength),
  };
}

/**
 * Bytes the options take when emitted, alignment included: the layout of the one option writer
 * (tcp-options-writer.ts, Linux's), always a multiple of 4.
 */
export function tcpOptionsLength(options: TcpOptions): number {
  return tcpOptionsLengthFor(
    options.mss ?? -1,
    options.sackPermitted === true,
    options.timestamp !== undefined,
    options.windowScale ?? -1,
    options.sack?.length ?? 0,
  );
}

/** Header length with these options: 20 + options, a multiple of 4. Throws if the options exceed 40 bytes. */
export function tcpHeaderLength(options: TcpOptions): number {
  const n = tcpOptionsLength(options);
  if (n > TCP_MAX_OPTIONS_LENGTH) {
    throw new RangeError(
      `TCP options need ${n} bytes, more than the ${TCP_MAX_OPTIONS_LENGTH} a header holds`,
    );
  }
  return TCP_MIN_HEADER_LENGTH + n;
}

/** Header plus payload. */
export function tcpSegmentLength(seg: TcpSegment): number {
  return tcpHeaderLength(seg.options) + seg.payload.length;
}

/** The sequence space a segment occupies: payload bytes, plus one each for SYN and FIN (RFC 9293 §3.4). */
export function tcpSeqLength(seg: TcpSegment): number {
  return seg.payload.length + (seg.flags & TcpFlags.SYN ? 1 : 0) + (seg.flags & TcpFlags.FIN ? 1 : 0);
}

function writeOptions(out: Uint8Array, start: number, options: TcpOptions): number {
  const sack = options.sack;
  let edges: number[] | undefined;
  if (sack !== undefined && sack.length > 0) {
    edges = [];
    for (const block of sack) edges.push(block.left, block.right);
  }
  const ts = options.timestamp;
  return writeTcpOptions(
    out,
    start,
    options.mss ?? -1,
    options.sackPermitted === true,
    ts !== undefined,
    ts?.value ?? 0,
    ts?.echo ?? 0,
    options.windowScale ?? -1,
    edges,
    edges === undefined ? 0 : edges.length / 2,
  );
}

/**
 * Writes `seg` (header, options, payload) at `out[offset]` with its checksum over the IPv4
 * pseudo-header, and returns the number of bytes written. Allocates nothing. Numeric fields are
 * written modulo their width. If `seg.payload` already sits where the payload goes in `out`
 * (a view of `out` at `offset + headerLength`), it is not copied.
 *
 * Throws RangeError if the options exceed 40 bytes or the segment does not fit in `out`.
 */
export function emitTcpSegment(
  out: Uint8Array,
  offset: number,
  seg: TcpSegment,
  srcAddr: Ipv4Address,
  dstAddr: Ipv4Address,
): number {
  const headerLength = tcpHeaderLength(seg.options);
  const payload = seg.payload;
  const total = headerLength + payload.length;
  if (!Number.isInteger(offset) || offset < 0 || offset + total > out.length) {
    throw new RangeError(
      `a ${total}-byte TCP segment does not fit at offset ${offset} of ${out.length} bytes`,
    );
  }
  write16(out, offset + SRC_PORT, seg.srcPort);
  write16(out, offset + DST_PORT, seg.dstPort);
  write32(out, offset + SEQ_NUM, seg.seq);
  write32(out, offset + ACK_NUM, seg.ack);
  out[offset + DATA_OFFSET] = (headerLength >>> 2) << 4; // reserved bits zero
  out[offset + FLAGS] = seg.flags;
  write16(out, offset + WINDOW, seg.window);
  out[offset + CHECKSUM] = 0;
  out[offset + CHECKSUM + 1] = 0;
  write16(out, offset + URGENT, seg.urgentPointer);
  writeOptions(out, offset + TCP_MIN_HEADER_LENGTH, seg.options);
  const payloadAt = offset + headerLength;
  if (
    payload.length > 0 &&
    !(payload.buffer === out.buffer && payload.byteOffset === out.byteOffset + payloadAt)
  ) {
    out.set(payload, payloadAt);
  }
  const checksum = internetChecksum(out, offset, offset + total, tcpPseudoHeaderSum(srcAddr, dstAddr, total));
  write16(out, offset + CHECKSUM, checksum);
  return total;
}

/** Emits `seg` into a new buffer of exactly its length (convenient; the hot path should use `emitTcpSegment`). */
export function encodeTcpSegment(seg: TcpSegment, srcAddr: Ipv4Address, dstAddr: Ipv4Address): Uint8Array {
  const out = new Uint8Array(tcpSegmentLength(seg));
  emitTcpSegment(out, 0, seg, srcAddr, dstAddr);
  return out;
}

/** The flags as tcpdump-like names, e.g. 'SYN|ACK'; '' for none. For logs and test messages. */
export function formatTcpFlags(flags: number): string {
  const names: string[] = [];
  for (const name of Object.keys(TcpFlags) as TcpFlagName[]) {
    if (flags & TcpFlags[name]) names.push(name);
  }
  return names.join('|');
}
