/**
 * TCP "super-segments" for segmentation offload (GSO/TSO): one IPv4 datagram carrying the payload of several
 * consecutive segments behind one IP and one TCP header, which the device (here the kernel's TUN driver) cuts
 * into segments of `segmentSize` payload bytes. Pure functions: the checksum field such a datagram must carry,
 * and the split the kernel makes of it (for links and decorators that must show segments as on the wire, a
 * fallback, and tests).
 *
 * The field rule: a super-segment goes out with its checksum unfinished (CHECKSUM_PARTIAL): its TCP checksum
 * field holds the folded, not inverted, sum of the pseudo-header over the WHOLE super-segment's TCP length.
 * The kernel adjusts that sum by each segment's length and finishes it over the segment's bytes; any other
 * value gives every segment a bad checksum on a forwarded path (local delivery does not look).
 */
import { foldSum, internetChecksum, sumWords } from '../../../core/checksum.js';

const IPPROTO_TCP = 6;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;
/** Offset of the checksum field in the TCP header: virtio's csum_offset for TCP. */
export const TCP_CHECKSUM_OFFSET = 16;

/** The folded pseudo-header sum for `tcpLength` bytes of TCP in the IPv4 datagram `d` (addresses at 12..20). */
export function tcpPseudoHeaderSum(d: Uint8Array, tcpLength: number): number {
  return foldSum(sumWords(d, 12, 20) + IPPROTO_TCP + tcpLength);
}

/**
 * Writes the super-segment's checksum field: the folded pseudo-header sum over the whole TCP length (header
 * and every segment's payload), not inverted. `d` is the whole datagram, IP total length already written.
 */
export function writeSuperSegmentChecksum(d: Uint8Array): void {
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  const totalLength = (d[2]! << 8) | d[3]!;
  const sum = tcpPseudoHeaderSum(d, totalLength - ipHeaderLength);
  d[ipHeaderLength + TCP_CHECKSUM_OFFSET] = sum >>> 8;
  d[ipHeaderLength + TCP_CHECKSUM_OFFSET + 1] = sum & 0xff;
}

/** Whether the TCP checksum of the (unfragmented) IPv4 datagram `d` is right. */
export function tcpChecksumValid(d: Uint8Array): boolean {
  if (d.length < 40 || d[9] !== IPPROTO_TCP) return false;
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  const totalLength = (d[2]! << 8) | d[3]!;
  if (totalLength > d.length || totalLength < ipHeaderLength + 20) return false;
  const pseudo = sumWords(d, 12, 20) + IPPROTO_TCP + (totalLength - ipHeaderLength);
  return internetChecksum(d, ipHeaderLength, totalLength, pseudo) === 0;
}

/** Whether the IPv4 header checksum of `d` is right. */
export function ipv4HeaderChecksumValid(d: Uint8Array): boolean {
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  return d.length >= ipHeaderLength && internetChecksum(d, 0, ipHeaderLength) === 0;
}

/**
 * How many segments of `segmentSize` payload bytes the kernel cuts from `d`, or 0 when `d` is not an
 * unfragmented IPv4 TCP super-segment with payload (then splitSuperSegment returns undefined).
 */
export function superSegmentCount(d: Uint8Array, segmentSize: number): number {
  if (d.length < 40 || d[0]! >> 4 !== 4 || d[9] !== IPPROTO_TCP || segmentSize <= 0) return 0;
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  const totalLength = (d[2]! << 8) | d[3]!;
  if (ipHeaderLength < 20 || totalLength > d.length || totalLength < ipHeaderLength + 20) return 0;
  const tcpHeaderLength = (d[ipHeaderLength + 12]! >> 4) * 4;
  const headersLength = ipHeaderLength + tcpHeaderLength;
  if (tcpHeaderLength < 20 || headersLength >= totalLength) return 0;
  return Math.ceil((totalLength - headersLength) / segmentSize);
}

/** The IP and TCP header bytes of a super-segment (superSegmentCount(d, ...) > 0). */
export function superSegmentHeadersLength(d: Uint8Array): number {
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  return ipHeaderLength + (d[ipHeaderLength + 12]! >> 4) * 4;
}

/**
 * The segment `index` of super-segment `d` exactly as the kernel cuts it (tcp4_gso_segment): the headers,
 * `segmentSize` payload bytes (the last what is left), its sequence number, IP identification (the first's
 * plus its index), total length and header checksum; PSH and FIN only on the last, CWR only on the first.
 * Its TCP checksum is derived, as the kernel derives it, from the super-segment's field adjusted by the
 * segment's length and finished over the segment's bytes: a wrong field gives a wrong checksum here too.
 * `d` must be a super-segment (superSegmentCount(d, segmentSize) > index).
 */
export function cutSegment(d: Uint8Array, segmentSize: number, index: number): Uint8Array {
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  const totalLength = (d[2]! << 8) | d[3]!;
  const superTcpLength = totalLength - ipHeaderLength;
  const at = ipHeaderLength + TCP_CHECKSUM_OFFSET;
  const field = (d[at]! << 8) | d[at + 1]!;
  const s = superSegmentRange(d, segmentSize, index, 1);
  const total = s.length;
  // The field less the super-segment's TCP length plus this segment's (one's complement arithmetic).
  const partial = foldSum(field + (~superTcpLength & 0xffff) + (total - ipHeaderLength));
  s[at] = 0;
  s[at + 1] = 0;
  const checksum = internetChecksum(s, ipHeaderLength, total, partial);
  s[at] = checksum >>> 8;
  s[at + 1] = checksum & 0xff;
  return s;
}

/**
 * A super-segment given in parts (its headers, then its payload apart: SegmentationOffload.sendSegmentedParts)
 * as one buffer, for what must cut it; `first` itself when there is no payload apart.
 */
export function joinSuperSegment(first: Uint8Array, payload: Uint8Array | undefined): Uint8Array {
  if (payload === undefined || payload.length === 0) return first;
  const whole = new Uint8Array(first.length + payload.length);
  whole.set(first, 0);
  whole.set(payload, first.length);
  return whole;
}

/**
 * Cuts a super-segment into the segments a kernel makes of it (cutSegment for each). Returns undefined for a
 * datagram that is not an unfragmented IPv4 TCP super-segment with payload.
 */
export function splitSuperSegment(d: Uint8Array, segmentSize: number): Uint8Array[] | undefined {
  const count = superSegmentCount(d, segmentSize);
  if (count === 0) return undefined;
  const segments: Uint8Array[] = [];
  for (let i = 0; i < count; i++) segments.push(cutSegment(d, segmentSize, i));
  return segments;
}

/**
 * A new super-segment carrying segments `first` to `first + count - 1` of super-segment `d` (which must have
 * them: superSegmentCount(d, segmentSize) >= first + count), such that the kernel cuts from it exactly those
 * segments of `d`: the headers of `d` with the sequence number and IP identification of segment `first`, the
 * sub-range's total length and IP header checksum, PSH and FIN only if it ends where `d` ends, CWR only if it
 * starts where `d` starts, and the checksum field of the field rule over the sub-range's TCP length. What a
 * link decorator sends when only some of a super-segment's segments leave together.
 */
export function superSegmentRange(
  d: Uint8Array,
  segmentSize: number,
  first: number,
  count: number,
): Uint8Array {
  const ipHeaderLength = (d[0]! & 0x0f) * 4;
  const totalLength = (d[2]! << 8) | d[3]!;
  const headersLength = superSegmentHeadersLength(d);
  const payloadLength = totalLength - headersLength;
  const start = first * segmentSize;
  const end = Math.min(payloadLength, start + count * segmentSize);
  const total = headersLength + (end - start);
  const s = new Uint8Array(total);
  s.set(d.subarray(0, headersLength));
  s.set(d.subarray(headersLength + start, headersLength + end), headersLength);
  s[2] = total >>> 8;
  s[3] = total & 0xff;
  const id = (((d[4]! << 8) | d[5]!) + first) & 0xffff;
  s[4] = id >>> 8;
  s[5] = id & 0xff;
  s[10] = 0;
  s[11] = 0;
  const ipChecksum = internetChecksum(s, 0, ipHeaderLength);
  s[10] = ipChecksum >>> 8;
  s[11] = ipChecksum & 0xff;
  writeU32(s, ipHeaderLength + 4, (readU32(d, ipHeaderLength + 4) + start) >>> 0);
  const flagsAt = ipHeaderLength + 13;
  let flags = d[flagsAt]!;
  if (end < payloadLength) flags &= ~(TCP_PSH | TCP_FIN);
  if (first > 0) flags &= ~TCP_CWR;
  s[flagsAt] = flags;
  writeSuperSegmentChecksum(s);
  return s;
}

function readU32(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
}

function writeU32(d: Uint8Array, at: number, value: number): void {
  d[at] = value >>> 24;
  d[at + 1] = (value >>> 16) & 0xff;
  d[at + 2] = (value >>> 8) & 0xff;
  d[at + 3] = value & 0xff;
}
