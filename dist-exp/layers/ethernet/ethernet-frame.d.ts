import { type MacAddress } from '../../core/mac-address.js';
/**
 * Ethernet II frames (IEEE 802.3 with an EtherType), without the FCS: what TAP devices and AF_PACKET sockets
 * move. A pure codec: bytes in, fields out, and back; no I/O, no state.
 *
 *   0       6       12          14
 *   | dst   | src   | EtherType | payload ...
 *
 * An IEEE 802.1Q (or 802.1ad) tag puts TPID 0x8100 (0x88a8) where the EtherType is, then 2 bytes of
 * priority/VLAN id, then the real EtherType: recognised so it can be counted, never processed.
 */
export declare const ETHERNET_HEADER_LENGTH = 14;
/** The header with one 802.1Q tag. */
export declare const ETHERNET_VLAN_HEADER_LENGTH = 18;
/** Smallest frame on the wire without the FCS (64 with it): shorter ones are padded by the sender. */
export declare const ETHERNET_MIN_FRAME = 60;
export declare const ETHERTYPE_IPV4 = 2048;
export declare const ETHERTYPE_ARP = 2054;
export declare const ETHERTYPE_IPV6 = 34525;
export declare const ETHERTYPE_VLAN = 33024;
export declare const ETHERTYPE_QINQ = 34984;
/** Values below this in the EtherType field are 802.3 lengths (an LLC frame), not EtherTypes. */
export declare const ETHERTYPE_MIN = 1536;
/** A parsed frame header; `payload` is a view of the frame's bytes after the header (and tag). */
export interface EthernetFrame {
    readonly dst: MacAddress;
    readonly src: MacAddress;
    /** The EtherType of the payload (after any 802.1Q tag); below 0x0600 it is an 802.3 length. */
    readonly etherType: number;
    /** The VLAN id of an 802.1Q/802.1ad tag, if the frame carries one. */
    readonly vlanId?: number;
    readonly headerLength: number;
    readonly payload: Uint8Array;
}
export type EthernetParseError = 'runt';
/** Parses a frame's header; 'runt' when the frame is too short for its header (or its tag). */
export declare function parseEthernetFrame(frame: Uint8Array): EthernetFrame | EthernetParseError;
export declare function frameDestination(frame: Uint8Array): MacAddress;
export declare function frameSource(frame: Uint8Array): MacAddress;
/** The EtherType field at offset 12 (a VLAN TPID for a tagged frame). */
export declare function frameEtherType(frame: Uint8Array): number;
export declare function isVlanTpid(etherType: number): boolean;
/** Writes a 14-byte untagged header at `at`. */
export declare function writeEthernetHeader(out: Uint8Array, at: number, dst: MacAddress, src: MacAddress, etherType: number): void;
/** A whole frame: header, then `payload`, zero-padded to the 60-byte minimum. */
export declare function encodeEthernetFrame(dst: MacAddress, src: MacAddress, etherType: number, payload: Uint8Array): Uint8Array;
