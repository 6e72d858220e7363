/**
 * The Internet checksum (RFC 1071), summed over 32-bit words where the buffer allows,
 * because per-byte work is what limits a userspace stack.
 */
/** Adds the bytes of `data[start, end)` as big-endian 16-bit words to `initial`; returns the unfolded sum. */
export declare function sumWords(data: Uint8Array, start: number, end: number, initial?: number): number;
/** Folds a sum to 16 bits, with end-around carry. */
export declare function foldSum(sum: number): number;
/** The checksum field value for `data[start, end)` plus an optional partial sum (e.g. a pseudo-header). */
export declare function internetChecksum(data: Uint8Array, start?: number, end?: number, initial?: number): number;
