/**
 * The one TCP option writer: every option pilha sends, written by positional arguments straight into a
 * buffer, so that neither the hot path (tcp-segment-writer.ts) nor the codec (tcp-header.ts, which calls
 * this for `emitTcpSegment`) builds an object or keeps a second copy of the layout.
 *
 * The layout is Linux's (`tcp_options_write`), every option 4-byte aligned by NOPs, so the total is always a
 * multiple of 4: MSS (4) · SACK-permitted + TS (2 + 10), or NOP NOP + TS (12), or NOP NOP +
 * SACK-permitted (4) · NOP + WS (4) · NOP NOP + SACK (4 + 8n).
 *
 * Pure: no I/O, no timers, no logging.
 */
/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TcpOptionKind = {
    EOL: 0, // RFC 9293
    NOP: 1, // RFC 9293
    MSS: 2, // RFC 9293 §3.7.1
    WINDOW_SCALE: 3, // RFC 7323 §2
    SACK_PERMITTED: 4, // RFC 2018 §2
    SACK: 5, // RFC 2018 §3
    TIMESTAMP: 8, // RFC 7323 §3
};
/** NOP NOP TS(10): what every segment carries once timestamps are in use. */
export const TIMESTAMP_OPTION_LENGTH = 12;
/** SACK blocks that fit beside timestamps (RFC 2018 §3: 12 + 4 + 3·8 = 40) and without them (4 + 4·8 = 36). */
export const MAX_SACK_BLOCKS_WITH_TIMESTAMPS = 3;
export const MAX_SACK_BLOCKS = 4;
/**
 * Bytes the options take: `mss` and `windowShift` are absent when negative, `sackBlocks` is the number of
 * SACK blocks (0: no SACK option).
 */
export function tcpOptionsLengthFor(mss, sackPermitted, timestamps, windowShift, sackBlocks) {
    let n = 0;
    if (mss >= 0)
        n += 4;
    if (timestamps)
        n += TIMESTAMP_OPTION_LENGTH;
    else if (sackPermitted)
        n += 4;
    if (windowShift >= 0)
        n += 4;
    if (sackBlocks > 0)
        n += 4 + 8 * sackBlocks;
    return n;
}
/** `v` as 4 big-endian bytes at `b[i]` (network order, for the TCP header and its options). */
export function write32(b, i, v) {
    b[i] = v >>> 24;
    b[i + 1] = v >>> 16;
    b[i + 2] = v >>> 8;
    b[i + 3] = v;
}
/**
 * Writes the options at `out[i]` and returns the bytes written (`tcpOptionsLengthFor` of the same
 * arguments). `sackEdges` holds left, right, left, right, … sequence numbers; the first `sackBlocks`
 * pairs are written.
 */
export function writeTcpOptions(out, i, mss, sackPermitted, timestamps, tsValue, tsEcho, windowShift, sackEdges, sackBlocks) {
    const start = i;
    const { NOP } = TcpOptionKind;
    if (mss >= 0) {
        out[i] = TcpOptionKind.MSS;
        out[i + 1] = 4;
        out[i + 2] = mss >>> 8;
        out[i + 3] = mss;
        i += 4;
    }
    if (timestamps) {
        if (sackPermitted) {
            out[i] = TcpOptionKind.SACK_PERMITTED;
            out[i + 1] = 2;
        }
        else {
            out[i] = NOP;
            out[i + 1] = NOP;
        }
        out[i + 2] = TcpOptionKind.TIMESTAMP;
        out[i + 3] = 10;
        write32(out, i + 4, tsValue);
        write32(out, i + 8, tsEcho);
        i += 12;
    }
    if (sackPermitted && !timestamps) {
        out[i] = NOP;
        out[i + 1] = NOP;
        out[i + 2] = TcpOptionKind.SACK_PERMITTED;
        out[i + 3] = 2;
        i += 4;
    }
    if (windowShift >= 0) {
        out[i] = NOP;
        out[i + 1] = TcpOptionKind.WINDOW_SCALE;
        out[i + 2] = 3;
        out[i + 3] = windowShift;
        i += 4;
    }
    if (sackBlocks > 0 && sackEdges !== undefined) {
        out[i] = NOP;
        out[i + 1] = NOP;
        out[i + 2] = TcpOptionKind.SACK;
        out[i + 3] = 2 + 8 * sackBlocks;
        i += 4;
        for (let b = 0; b < 2 * sackBlocks; b += 2) {
            write32(out, i, sackEdges[b]);
            write32(out, i + 4, sackEdges[b + 1]);
            i += 8;
        }
    }
    return i - start;
}
//# sourceMappingURL=tcp-options-writer.js.map