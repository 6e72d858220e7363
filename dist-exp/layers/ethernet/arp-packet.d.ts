import type { Ipv4Address } from '../../core/ipv4-address.js';
import { type MacAddress } from '../../core/mac-address.js';
/**
 * ARP for IPv4 over Ethernet (RFC 826): a pure codec. Only hardware type 1 (Ethernet, 6-byte addresses) and
 * protocol type 0x0800 (IPv4, 4-byte addresses) are parsed; anything else is reported, not thrown.
 *
 *   0 htype  2 ptype  4 hlen 5 plen  6 oper  8 sha(6) 14 spa(4) 18 tha(6) 24 tpa(4)  28
 */
export declare const ARP_PACKET_LENGTH = 28;
export declare const ARP_HTYPE_ETHERNET = 1;
export declare const ARP_PTYPE_IPV4 = 2048;
export declare const ARP_OP_REQUEST = 1;
export declare const ARP_OP_REPLY = 2;
export interface ArpPacket {
    readonly op: number;
    /** Sender hardware and protocol address. */
    readonly sha: MacAddress;
    readonly spa: Ipv4Address;
    /** Target hardware and protocol address (tha is zero, or ignored, in a request). */
    readonly tha: MacAddress;
    readonly tpa: Ipv4Address;
}
export type ArpParseError = 'truncated' | 'unsupported-hardware' | 'unsupported-protocol' | 'bad-operation';
/** Parses an ARP packet (trailing bytes, the frame's padding, are ignored). */
export declare function parseArp(bytes: Uint8Array): ArpPacket | ArpParseError;
/** Writes the 28-byte packet at `at`. */
export declare function writeArp(out: Uint8Array, at: number, packet: ArpPacket): void;
export declare function encodeArp(packet: ArpPacket): Uint8Array;
