import type { Ipv4Address } from '../../core/ipv4-address.js';
import { isGroupMac, type MacAddress, readMac, writeMac } from '../../core/mac-address.js';

/**
 * ARP for IPv4 over Ethernet (RFC 826): a pure codec. Only hardware type 1 (Ethernet, 6-byte addresses) and
 * protocol type 0x0800 (IPv4, 4-byte addresses) are parsed; anything else is reported, not thrown.
 *
 *   0 htype  2 ptype  4 hlen 5 plen  6 oper  8 sha(6) 14 spa(4) 18 tha(6) 24 tpa(4)  28
 */

export const ARP_PACKET_LENGTH = 28;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_PTYPE_IPV4 = 0x0800;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

export interface ArpPacket {
  readonly op: number;
  /** Sender hardware and protocol address. */
  readonly sha: MacAddress;
  readonly spa: Ipv4Address;
  /** Target hardware and protocol address (tha is zero, or ignored, in a request). */
  readonly tha: MacAddress;
  readonly tpa: Ipv4Address;
}

export type ArpParseError =
  | 'truncated'
  | 'unsupported-hardware'
  | 'unsupported-protocol'
  | 'bad-operation'
  | 'bad-sender-hardware';

/** Parses an ARP packet (trailing bytes, the frame's padding, are ignored). */
export function parseArp(bytes: Uint8Array): ArpPacket | ArpParseError {
  if (bytes.length < ARP_PACKET_LENGTH) return 'truncated';
  const htype = (bytes[0]! << 8) | bytes[1]!;
  if (htype !== ARP_HTYPE_ETHERNET || bytes[4] !== 6) return 'unsupported-hardware';
  const ptype = (bytes[2]! << 8) | bytes[3]!;
  if (ptype !== ARP_PTYPE_IPV4 || bytes[5] !== 4) return 'unsupported-protocol';
  const op = (bytes[6]! << 8) | bytes[7]!;
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) return 'bad-operation';
  // A group (broadcast, multicast) or zero sender MAC names no host: learnt, it would send unicast datagrams
  // to a link-layer broadcast (RFC 1122 §3.3.6 forbids it).
  const sha = readMac(bytes, 8);
  if (sha === 0 || isGroupMac(sha)) return 'bad-sender-hardware';
  return {
    op,
    sha,
    spa: readIpv4(bytes, 14),
    tha: readMac(bytes, 18),
    tpa: readIpv4(bytes, 24),
  };
}

/** Writes the 28-byte packet at `at`. */
export function writeArp(out: Uint8Array, at: number, packet: ArpPacket): void {
  out[at] = 0;
  out[at + 1] = ARP_HTYPE_ETHERNET;
  out[at + 2] = ARP_PTYPE_IPV4 >>> 8;
  out[at + 3] = ARP_PTYPE_IPV4 & 0xff;
  out[at + 4] = 6;
  out[at + 5] = 4;
  out[at + 6] = packet.op >>> 8;
  out[at + 7] = packet.op & 0xff;
  writeMac(out, at + 8, packet.sha);
  writeIpv4(out, at + 14, packet.spa);
  writeMac(out, at + 18, packet.tha);
  writeIpv4(out, at + 24, packet.tpa);
}

export function encodeArp(packet: ArpPacket): Uint8Array {
  const out = new Uint8Array(ARP_PACKET_LENGTH);
  writeArp(out, 0, packet);
  return out;
}

function readIpv4(bytes: Uint8Array, at: number): Ipv4Address {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function writeIpv4(out: Uint8Array, at: number, address: Ipv4Address): void {
  out[at] = address >>> 24;
  out[at + 1] = (address >>> 16) & 0xff;
  out[at + 2] = (address >>> 8) & 0xff;
  out[at + 3] = address & 0xff;
}
