/**
 * The hot-path half of the TCP codec: writes a segment's header, options and checksum straight into an
 * outgoing datagram buffer, from positional arguments, so that sending a segment builds no object. The
 * layout is the one `tcp-header.ts` emits (Linux's: every option 4-byte aligned by NOPs), and
 * `parseTcpSegment` reads it back; the unit tests hold the two against each other.
 *
 * Pure: no I/O, no timers, no logging.
 */
import { internetChecksum } from '../../../core/checksum.js';
import { tcpPseudoHeaderSum } from './tcp-header.js';
import { tcpOptionsLengthFor, write32, writeTcpOptions } from './tcp-options-writer.js';
export { MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS, TIMESTAMP_OPTION_LENGTH, tcpOptionsLengthFor, writeTcpOptions, } from './tcp-options-writer.js';
/** Bytes of the options of a SYN or SYN-ACK: MSS, then SACK-permitted, timestamps and window scale when offered. */
export function synOptionsLength(timestamps, windowShift, sackPermitted = false) {
    return tcpOptionsLengthFor(0, sackPermitted, timestamps, windowShift, 0);
}
/**
 * Writes the fixed 20 bytes at `out[o]`, the data offset taken from `optionsLength` (a multiple of 4),
 * the checksum field zeroed.
 */
export function writeTcpHeader(out, o, srcPort, dstPort, seqNum, ackNum, flags, window, optionsLength) {
    out[o] = srcPort >>> 8;
    out[o + 1] = srcPort;
    out[o + 2] = dstPort >>> 8;
    out[o + 3] = dstPort;
    write32(out, o + 4, seqNum);
    write32(out, o + 8, ackNum);
    out[o + 12] = ((20 + optionsLength) >>> 2) << 4;
    out[o + 13] = flags;
    out[o + 14] = window >>> 8;
    out[o + 15] = window;
    out[o + 16] = 0;
    out[o + 17] = 0;
    out[o + 18] = 0;
    out[o + 19] = 0;
}
/** NOP NOP TS(TSval, TSecr) at `out[i]`; 12 bytes. */
export function writeTimestampOption(out, i, value, echo) {
    writeTcpOptions(out, i, -1, false, true, value, echo, -1, undefined, 0);
}
/**
 * The options of a SYN or SYN-ACK at `out[i]` (the one option writer's layout): MSS, then SACK-permitted
 * and timestamps as offered, then (when `windowShift >= 0`) NOP WS. Returns the bytes written,
 * `synOptionsLength(timestamps, windowShift, sackPermitted)`.
 */
export function writeSynOptions(out, i, mss, timestamps, tsValue, tsEcho, windowShift, sackPermitted = false) {
    return writeTcpOptions(out, i, mss, sackPermitted, timestamps, tsValue, tsEcho, windowShift, undefined, 0);
}
/** Computes and stores the checksum of the `length`-byte segment at `out[o]` (RFC 9293 §3.1). */
export function finishTcpChecksum(out, o, length, src, dst) {
    const sum = internetChecksum(out, o, o + length, tcpPseudoHeaderSum(src, dst, length));
    out[o + 16] = sum >>> 8;
    out[o + 17] = sum;
}
//# sourceMappingURL=tcp-segment-writer.js.map