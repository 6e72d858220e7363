import { internetChecksum } from '../../core/checksum.js';
/** Wire format of ICMP messages (RFC 792). Pure: no I/O. */
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETER_PROBLEM = 12;
export const UNREACHABLE_NET = 0;
export const UNREACHABLE_HOST = 1;
export const UNREACHABLE_PROTOCOL = 2;
export const UNREACHABLE_PORT = 3;
export const UNREACHABLE_FRAGMENTATION_NEEDED = 4;
export const TIME_EXCEEDED_TTL = 0;
export const TIME_EXCEEDED_REASSEMBLY = 1;
export const ICMP_HEADER = 8;
export function parseIcmp(bytes) {
    if (bytes.length < ICMP_HEADER)
        return 'truncated';
    if (internetChecksum(bytes) !== 0)
        return 'bad-checksum';
    return {
        type: bytes[0],
        code: bytes[1],
        rest: ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0,
        body: bytes.subarray(ICMP_HEADER),
    };
}
/** Encodes a message into a new buffer, checksum included. */
export function encodeIcmp(message) {
    const out = new Uint8Array(ICMP_HEADER + message.body.length);
    out[0] = message.type;
    out[1] = message.code;
    out[4] = message.rest >>> 24;
    out[5] = (message.rest >>> 16) & 0xff;
    out[6] = (message.rest >>> 8) & 0xff;
    out[7] = message.rest & 0xff;
    out.set(message.body, ICMP_HEADER);
    const sum = internetChecksum(out);
    out[2] = sum >>> 8;
    out[3] = sum & 0xff;
    return out;
}
export function echoRest(id, seq) {
    return (((id & 0xffff) << 16) | (seq & 0xffff)) >>> 0;
}
export function echoId(message) {
    return message.rest >>> 16;
}
export function echoSeq(message) {
    return message.rest & 0xffff;
}
export function isIcmpError(type) {
    return (type === ICMP_DEST_UNREACHABLE ||
        type === ICMP_SOURCE_QUENCH ||
        type === ICMP_REDIRECT ||
        type === ICMP_TIME_EXCEEDED ||
        type === ICMP_PARAMETER_PROBLEM);
}
//# sourceMappingURL=icmp-message.js.map