/**
 * The receive path's fast path for pure ACKs (no payload; no SYN, FIN, RST or URG; no options but timestamps):
 * most of what a sending connection receives. parseTcpSegment makes a segment object, an options object and a
 * timestamp object for each; this parser fills one segment it owns instead, so a pure ACK costs no allocation.
 * The segment is valid until the next parse: the layer hands it to a connection, which reads it during the call
 * and keeps nothing of it (as with any parsed segment, whose payload is a view into the datagram).
 * Pure: bytes in, fields out, checksum verified.
 */

import { foldSum, sumWords } from '../../../core/checksum.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { settleFields } from '../../settled-fields.js';
import { readSeq, type Seq } from './seq.js';
import {
  NO_TCP_OPTIONS,
  ParsedTcpOptions,
  TCP_MIN_HEADER_LENGTH,
  TcpFlags,
  TcpOptionKind,
  type TcpOptions,
  type TcpSegment,
  tcpPseudoHeaderSum,
} from './tcp-header.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Flags that take a segment off the fast path: anything but a bare ACK (PSH, ECE and CWR are harmless). */
const SLOW_FLAGS = TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST | TcpFlags.URG;
const EMPTY = new Uint8Array(0);

export class PureAckParser {
  private readonly timestamp = { value: 0, echo: 0 };
  private readonly withTimestamp: TcpOptions;
  private readonly seg: Mutable<TcpSegment> = {
    srcPort: 0,
    dstPort: 0,
    seq: 0 as Seq,
    ack: 0 as Seq,
    flags: 0,
    window: 0,
    urgentPointer: 0,
    options: NO_TCP_OPTIONS,
    payload: EMPTY,
  };

  constructor() {
    // Of the class parseTcpSegment's options are: one map for every options object a connection reads.
    const withTimestamp = new ParsedTcpOptions();
    withTimestamp.timestamp = this.timestamp;
    this.withTimestamp = withTimestamp;
    // The timestamp record has the keys, in the same order, of parseTcpSegment's timestamp literal, and so
    // V8's map of that too: seeded with doubles here, a TSval above 2^31 does not change it later (see
    // settled-fields.ts). Sequence numbers are small integers throughout (seq.ts), as the segment literal's.
    settleFields(this.timestamp, ['value', 'echo']);
  }

  /** The segment the last successful parse filled. */
  get segment(): TcpSegment {
    return this.seg;
  }

  /**
   * Fills `segment` from `bytes` (the payload of a datagram from `srcAddr` to `dstAddr`) when it is a pure ACK
   * with a valid checksum (not checked unless `verifyChecksum`: the link vouched for it); false for anything
   * else (which parseTcpSegment then takes, and counts if malformed).
   */
  parse(bytes: Uint8Array, srcAddr: Ipv4Address, dstAddr: Ipv4Address, verifyChecksum = true): boolean {
    const length = bytes.length;
    if (length < TCP_MIN_HEADER_LENGTH) return false;
    if ((bytes[12]! >>> 4) * 4 !== length) return false;
    const flags = bytes[13]!;
    if ((flags & TcpFlags.ACK) === 0 || (flags & SLOW_FLAGS) !== 0) return false;
    let options = NO_TCP_OPTIONS;
    let i = TCP_MIN_HEADER_LENGTH;
    while (i < length) {
      const kind = bytes[i]!;
      if (kind === TcpOptionKind.EOL) break;
      if (kind === TcpOptionKind.NOP) {
        i++;
        continue;
      }
      if (kind !== TcpOptionKind.TIMESTAMP || i + 10 > length || bytes[i + 1] !== 10) return false;
      this.timestamp.value = read32(bytes, i + 2);
      this.timestamp.echo = read32(bytes, i + 6);
      options = this.withTimestamp;
      i += 10;
    }
    if (
      verifyChecksum &&
      foldSum(sumWords(bytes, 0, length, tcpPseudoHeaderSum(srcAddr, dstAddr, length))) !== 0xffff
    )
      return false;
    const seg = this.seg;
    seg.srcPort = (bytes[0]! << 8) | bytes[1]!;
    seg.dstPort = (bytes[2]! << 8) | bytes[3]!;
    seg.seq = readSeq(bytes, 4);
    seg.ack = readSeq(bytes, 8);
    seg.flags = flags;
    seg.window = (bytes[14]! << 8) | bytes[15]!;
    seg.urgentPointer = (bytes[18]! << 8) | bytes[19]!;
    seg.options = options;
    return true;
  }
}

function read32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}
