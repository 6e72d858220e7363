/**
 * Wire helpers for the fuzzer, written apart from pilha's codecs on purpose: the checksums and field
 * offsets here are an independent reading of RFC 791, RFC 792, RFC 9293 and RFC 1071, so a codec bug
 * cannot hide behind the same code on both sides. Byte-at-a-time and allocation-happy: clarity first.
 */

export const IP_HEADER = 20;
export const TCP_HEADER = 20;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

/** RFC 1071 one's complement sum of `b[from, to)` as big-endian 16-bit words, folded, not inverted. */
export function onesSum(b: Uint8Array, from: number, to: number, initial = 0): number {
  let sum = initial;
  let i = from;
  for (; i + 1 < to; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < to) sum += b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export function read16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

export function read32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

export function write16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 0xff;
  b[i + 1] = v & 0xff;
}

export function write32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

/** IPv4 header length from the IHL nibble. */
export function ihl(d: Uint8Array): number {
  return (d[0]! & 0x0f) * 4;
}

/** The pseudo-header sum of RFC 9293 §3.1 for a TCP segment of `length` bytes. */
export function pseudoSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/** Sets the IPv4 header checksum of `d` (header length from IHL, clipped to the buffer). */
export function fixIpChecksum(d: Uint8Array): void {
  if (d.length < IP_HEADER) return;
  const h = Math.min(ihl(d), d.length);
  d[10] = 0;
  d[11] = 0;
  write16(d, 10, ~onesSum(d, 0, h) & 0xffff);
}

/**
 * Recomputes the transport checksum (TCP over the pseudo-header, or ICMP) of a datagram whose IHL and
 * total length are plausible, then the IP header checksum; leaves alone what cannot carry one.
 */
export function fixChecksums(d: Uint8Array): void {
  if (d.length < IP_HEADER) return;
  const h = ihl(d);
  const total = Math.min(read16(d, 2), d.length);
  const fragment = (read16(d, 6) & 0x3fff) !== 0;
  if (h >= IP_HEADER && total >= h && !fragment) {
    const protocol = d[9]!;
    const length = total - h;
    if (protocol === PROTO_TCP && length >= 18) {
      d[h + 16] = 0;
      d[h + 17] = 0;
      const sum = onesSum(d, h, total, pseudoSum(read32(d, 12), read32(d, 16), PROTO_TCP, length));
      write16(d, h + 16, ~sum & 0xffff);
    } else if (protocol === PROTO_ICMP && length >= 4) {
      d[h + 2] = 0;
      d[h + 3] = 0;
      write16(d, h + 2, ~onesSum(d, h, total) & 0xffff);
    }
  }
  fixIpChecksum(d);
}

export interface IpFields {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  readonly id?: number;
  readonly ttl?: number;
  readonly tos?: number;
  /** Flags and fragment offset word (DF 0x4000, MF 0x2000, offset in 8-byte units). */
  readonly flagsOffset?: number;
  /** Raw IP options, padded by the caller to a multiple of 4. */
  readonly options?: Uint8Array;
}

/** An IPv4 datagram with a correct header checksum around `payload`. */
export function buildIpv4(f: IpFields, payload: Uint8Array): Uint8Array {
  const optionsLength = f.options?.length ?? 0;
  const h = IP_HEADER + optionsLength;
  const d = new Uint8Array(h + payload.length);
  d[0] = 0x40 | (h >>> 2);
  d[1] = f.tos ?? 0;
  write16(d, 2, d.length);
  write16(d, 4, f.id ?? 0);
  write16(d, 6, f.flagsOffset ?? 0);
  d[8] = f.ttl ?? 64;
  d[9] = f.protocol;
  write32(d, 12, f.src);
  write32(d, 16, f.dst);
  if (f.options !== undefined) d.set(f.options, IP_HEADER);
  d.set(payload, h);
  fixIpChecksum(d);
  return d;
}

export interface TcpFields {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly urgent?: number;
  /** Raw option bytes; padded here with EOL to a multiple of 4. */
  readonly options?: Uint8Array;
  readonly payload?: Uint8Array;
}

/** A TCP segment (no checksum yet: fixChecksums on the datagram sets it). */
export function buildTcp(f: TcpFields): Uint8Array {
  const rawOptions = f.options?.length ?? 0;
  const optionsLength = (rawOptions + 3) & ~3;
  const h = TCP_HEADER + optionsLength;
  const payload = f.payload;
  const s = new Uint8Array(h + (payload?.length ?? 0));
  write16(s, 0, f.srcPort);
  write16(s, 2, f.dstPort);
  write32(s, 4, f.seq >>> 0);
  write32(s, 8, f.ack >>> 0);
  s[12] = (h >>> 2) << 4;
  s[13] = f.flags & 0xff;
  write16(s, 14, f.window);
  write16(s, 18, f.urgent ?? 0);
  if (f.options !== undefined) s.set(f.options, TCP_HEADER);
  if (payload !== undefined) s.set(payload, h);
  return s;
}

/** A whole TCP/IPv4 datagram with both checksums right. */
export function buildTcpDatagram(ip: Omit<IpFields, 'protocol'>, tcp: TcpFields): Uint8Array {
  const d = buildIpv4({ ...ip, protocol: PROTO_TCP }, buildTcp(tcp));
  fixChecksums(d);
  return d;
}

/** An ICMP message (type, code, 4 bytes of rest, body) with its checksum. */
export function buildIcmp(type: number, code: number, rest: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + body.length);
  m[0] = type;
  m[1] = code;
  write32(m, 4, rest);
  m.set(body, 8);
  write16(m, 2, ~onesSum(m, 0, m.length) & 0xffff);
  return m;
}

/** A parsed TCP/IPv4 datagram as the fuzzer reads it (views into the datagram). */
export interface WireSegment {
  readonly src: number;
  readonly dst: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly headerLength: number;
  /** The options area, raw. */
  readonly options: Uint8Array;
  readonly payload: Uint8Array;
  /** Both checksums verify. */
  readonly checksumsOk: boolean;
}

/**
 * Reads an unfragmented TCP/IPv4 datagram, or undefined when it is not one (any length field out of
 * bounds, another protocol, a fragment).
 */
export function readTcpDatagram(d: Uint8Array): WireSegment | undefined {
  if (d.length < IP_HEADER || d[0]! >> 4 !== 4) return undefined;
  const h = ihl(d);
  const total = read16(d, 2);
  if (h < IP_HEADER || total < h || total > d.length || d[9] !== PROTO_TCP) return undefined;
  if ((read16(d, 6) & 0x3fff) !== 0) return undefined;
  const length = total - h;
  if (length < TCP_HEADER) return undefined;
  const th = (d[h + 12]! >>> 4) * 4;
  if (th < TCP_HEADER || th > length) return undefined;
  const src = read32(d, 12);
  const dst = read32(d, 16);
  const ipOk = onesSum(d, 0, h) === 0xffff;
  const tcpOk = onesSum(d, h, total, pseudoSum(src, dst, PROTO_TCP, length)) === 0xffff;
  return {
    src,
    dst,
    srcPort: read16(d, h),
    dstPort: read16(d, h + 2),
    seq: read32(d, h + 4),
    ack: read32(d, h + 8),
    flags: d[h + 13]!,
    window: read16(d, h + 14),
    headerLength: th,
    options: d.subarray(h + TCP_HEADER, h + th),
    payload: d.subarray(h + th, total),
    checksumsOk: ipOk && tcpOk,
  };
}

/** Wrap-around sequence difference a − b as a signed 32-bit number. */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}
