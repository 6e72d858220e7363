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
export declare const TcpOptionKind: {
    readonly EOL: 0;
    readonly NOP: 1;
    readonly MSS: 2;
    readonly WINDOW_SCALE: 3;
    readonly SACK_PERMITTED: 4;
    readonly SACK: 5;
    readonly TIMESTAMP: 8;
};
/** NOP NOP TS(10): what every segment carries once timestamps are in use. */
export declare const TIMESTAMP_OPTION_LENGTH = 12;
/** SACK blocks that fit beside timestamps (RFC 2018 §3: 12 + 4 + 3·8 = 40) and without them (4 + 4·8 = 36). */
export declare const MAX_SACK_BLOCKS_WITH_TIMESTAMPS = 3;
export declare const MAX_SACK_BLOCKS = 4;
/**
 * Bytes the options take: `mss` and `windowShift` are absent when negative, `sackBlocks` is the number of
 * SACK blocks (0: no SACK option).
 */
export declare function tcpOptionsLengthFor(mss: number, sackPermitted: boolean, timestamps: boolean, windowShift: number, sackBlocks: number): number;
/** `v` as 4 big-endian bytes at `b[i]` (network order, for the TCP header and its options). */
export declare function write32(b: Uint8Array, i: number, v: number): void;
/**
 * Writes the options at `out[i]` and returns the bytes written (`tcpOptionsLengthFor` of the same
 * arguments). `sackEdges` holds left, right, left, right, … sequence numbers; the first `sackBlocks`
 * pairs are written.
 */
export declare function writeTcpOptions(out: Uint8Array, i: number, mss: number, sackPermitted: boolean, timestamps: boolean, tsValue: number, tsEcho: number, windowShift: number, sackEdges: ArrayLike<number> | undefined, sackBlocks: number): number;
