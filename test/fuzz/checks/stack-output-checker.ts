/**
 * Checks every datagram the stack under test sends: the IPv4 header and its checksum, the TCP segment
 * and its checksum over the pseudo-header (computed here, independently of pilha's codecs, and also
 * through pilha's own parsers), well-formed options, sane flag combinations, and for ICMP errors what
 * RFC 1122 §3.2.2 forbids answering. Returns a description of the first violation, or undefined.
 */

import { parseIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { parseTcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  FIN,
  IP_HEADER,
  ihl,
  onesSum,
  PROTO_ICMP,
  PROTO_TCP,
  pseudoSum,
  RST,
  read16,
  read32,
  SYN,
  TCP_HEADER,
  URG,
} from '../fuzz-wire.js';

/**
 * ICMP types pilha may send: echo reply, destination unreachable, time exceeded, parameter problem (about
 * malformed IP options), and echo request.
 */
const ICMP_TYPES_SENT = new Set([0, 3, 8, 11, 12]);
const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12]);

export class StackOutputChecker {
  constructor(
    private readonly address: number,
    private readonly mtu: number,
  ) {}

  check(d: Uint8Array): string | undefined {
    if (d.length < IP_HEADER) return `datagram of ${d.length} bytes`;
    if (d[0]! >> 4 !== 4) return 'not IPv4';
    const h = ihl(d);
    if (h < IP_HEADER || h > d.length) return `IHL ${h}`;
    if (read16(d, 2) !== d.length) return `total length ${read16(d, 2)} in a ${d.length}-byte datagram`;
    if (d.length > this.mtu) return `${d.length} bytes on a link of MTU ${this.mtu}`;
    if (onesSum(d, 0, h) !== 0xffff) return 'bad IPv4 header checksum';
    if (read32(d, 12) !== this.address) return 'source is not the stack address';
    // RFC 1122 §3.2.1.3: a host never answers a source it must not accept, so never sends to one: itself,
    // network 0, loopback, multicast, class E and limited broadcast, or its /24's directed broadcast.
    const to = read32(d, 16);
    const top = to >>> 24;
    if (to === this.address || top === 0 || top === 127 || top >= 224 || to === (this.address | 0xff) >>> 0) {
      return `sent to a martian address ${top}.${(to >>> 16) & 0xff}.${(to >>> 8) & 0xff}.${to & 0xff}`;
    }
    if (typeof parseIpv4(d) === 'string') return `pilha's parser refuses its own datagram: ${parseIpv4(d)}`;
    const flagsOffset = read16(d, 6);
    if (flagsOffset & 0x8000) return 'reserved IP flag set';
    if (d[8] === 0) return 'TTL 0';
    const fragment = (flagsOffset & 0x3fff) !== 0;
    if (fragment) {
      if (flagsOffset & 0x4000) return 'DF on a fragment';
      if (flagsOffset & 0x2000 && (d.length - h) % 8 !== 0) return 'a non-final fragment not a multiple of 8';
      return undefined;
    }
    if (d[9] === PROTO_TCP) return this.checkTcp(d, h);
    if (d[9] === PROTO_ICMP) return this.checkIcmp(d, h);
    return `protocol ${d[9]}`;
  }

  private checkTcp(d: Uint8Array, h: number): string | undefined {
    const length = d.length - h;
    if (length < TCP_HEADER) return `TCP segment of ${length} bytes`;
    const src = read32(d, 12);
    const dst = read32(d, 16);
    if (onesSum(d, h, d.length, pseudoSum(src, dst, PROTO_TCP, length)) !== 0xffff) return 'bad TCP checksum';
    const th = (d[h + 12]! >>> 4) * 4;
    if (th < TCP_HEADER || th > length) return `TCP data offset ${th}`;
    if (d[h + 12]! & 0x0f) return 'reserved TCP bits set';
    const parsed = parseTcpSegment(d.subarray(h), src, dst);
    if (typeof parsed === 'string') return `pilha's parser refuses its own segment: ${parsed}`;
    const flags = d[h + 13]!;
    const payload = length - th;
    if (flags & SYN && flags & (FIN | RST)) return `flags ${flags.toString(16)}: SYN with FIN or RST`;
    if (!(flags & ACK) && flags !== SYN && flags !== RST) return `flags ${flags.toString(16)} without ACK`;
    if (flags & (RST | SYN) && payload > 0) return `${payload} bytes of data on a SYN or RST`;
    if (flags & URG || read16(d, h + 18) !== 0) return 'urgent data (pilha sends none)';
    return checkOptions(d.subarray(h + TCP_HEADER, h + th), (flags & SYN) !== 0);
  }

  private checkIcmp(d: Uint8Array, h: number): string | undefined {
    const m = d.subarray(h);
    if (m.length < 8) return `ICMP message of ${m.length} bytes`;
    if (onesSum(m, 0, m.length) !== 0xffff) return 'bad ICMP checksum';
    const type = m[0]!;
    if (!ICMP_TYPES_SENT.has(type)) return `ICMP type ${type}`;
    if (!ICMP_ERROR_TYPES.has(type)) return undefined;
    // RFC 1122 §3.2.2: the error quotes the offending datagram's header and 8 bytes; never about an error,
    // a non-initial fragment, or a datagram from a broadcast or multicast source.
    const q = m.subarray(8);
    if (q.length < IP_HEADER || q[0]! >> 4 !== 4) return 'ICMP error without a quoted IPv4 header';
    const qh = ihl(q);
    if (qh < IP_HEADER || q.length < qh) return 'ICMP error quoting a truncated header';
    if (read32(q, 16) !== this.address) return 'ICMP error about a datagram not sent to us';
    if ((read16(q, 6) & 0x1fff) !== 0) return 'ICMP error about a non-initial fragment';
    const qsrc = read32(q, 12);
    if (qsrc >>> 28 >= 14 || qsrc === 0xffffffff) return 'ICMP error about a multicast or broadcast source';
    if (q[9] === PROTO_ICMP && q.length > qh && ICMP_ERROR_TYPES.has(q[qh]!))
      return 'ICMP error about an ICMP error';
    return undefined;
  }
}

/** Options pilha sends: known kinds with their exact lengths; MSS, window scale and SACK-permitted only on SYNs. */
function checkOptions(o: Uint8Array, syn: boolean): string | undefined {
  let i = 0;
  while (i < o.length) {
    const kind = o[i]!;
    if (kind === 0) {
      for (let j = i; j < o.length; j++) if (o[j] !== 0) return 'bytes after EOL';
      return undefined;
    }
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= o.length) return `option ${kind} without a length`;
    const len = o[i + 1]!;
    if (len < 2 || i + len > o.length) return `option ${kind} of length ${len}`;
    switch (kind) {
      case 2:
        if (len !== 4 || !syn) return `MSS option (length ${len}, SYN ${syn})`;
        break;
      case 3:
        if (len !== 3 || !syn || o[i + 2]! > 14) return `window scale option (length ${len}, SYN ${syn})`;
        break;
      case 4:
        if (len !== 2 || !syn) return `SACK-permitted option (length ${len}, SYN ${syn})`;
        break;
      case 5:
        if (len < 10 || (len - 2) % 8 !== 0 || syn) return `SACK option of length ${len}`;
        break;
      case 8:
        if (len !== 10) return `timestamp option of length ${len}`;
        break;
      default:
        return `option kind ${kind}`;
    }
    i += len;
  }
  return undefined;
}
