import { readMac, writeMac } from '../../core/mac-address.js';
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
export const ETHERNET_HEADER_LENGTH = 14;
/** The header with one 802.1Q tag. */
export const ETHERNET_VLAN_HEADER_LENGTH = 18;
/** Smallest frame on the wire without the FCS (64 with it): shorter ones are padded by the sender. */
export const ETHERNET_MIN_FRAME = 60;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
/** Values below this in the EtherType field are 802.3 lengths (an LLC frame), not EtherTypes. */
export const ETHERTYPE_MIN = 0x0600;
/** Parses a frame's header; 'runt' when the frame is too short for its header (or its tag). */
export function parseEthernetFrame(frame) {
    if (frame.length < ETHERNET_HEADER_LENGTH)
        return 'runt';
    const dst = readMac(frame, 0);
    const src = readMac(frame, 6);
    const outer = frameEtherType(frame);
    if (isVlanTpid(outer)) {
        if (frame.length < ETHERNET_VLAN_HEADER_LENGTH)
            return 'runt';
        return {
            dst,
            src,
            etherType: (frame[16] << 8) | frame[17],
            vlanId: ((frame[14] << 8) | frame[15]) & 0x0fff,
            headerLength: ETHERNET_VLAN_HEADER_LENGTH,
            payload: frame.subarray(ETHERNET_VLAN_HEADER_LENGTH),
        };
    }
    return {
        dst,
        src,
        etherType: outer,
        headerLength: ETHERNET_HEADER_LENGTH,
        payload: frame.subarray(ETHERNET_HEADER_LENGTH),
    };
}
// Field accessors for the receive path, which reads three fields and allocates nothing. Each needs a frame of
// at least ETHERNET_HEADER_LENGTH bytes (the caller checks once).
export function frameDestination(frame) {
    return readMac(frame, 0);
}
export function frameSource(frame) {
    return readMac(frame, 6);
}
/** The EtherType field at offset 12 (a VLAN TPID for a tagged frame). */
export function frameEtherType(frame) {
    return (frame[12] << 8) | frame[13];
}
export function isVlanTpid(etherType) {
    return etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ;
}
/** Writes a 14-byte untagged header at `at`. */
export function writeEthernetHeader(out, at, dst, src, etherType) {
    writeMac(out, at, dst);
    writeMac(out, at + 6, src);
    out[at + 12] = etherType >>> 8;
    out[at + 13] = etherType & 0xff;
}
/** A whole frame: header, then `payload`, zero-padded to the 60-byte minimum. */
export function encodeEthernetFrame(dst, src, etherType, payload) {
    const out = new Uint8Array(Math.max(ETHERNET_MIN_FRAME, ETHERNET_HEADER_LENGTH + payload.length));
    writeEthernetHeader(out, 0, dst, src, etherType);
    out.set(payload, ETHERNET_HEADER_LENGTH);
    return out;
}
//# sourceMappingURL=ethernet-frame.js.map