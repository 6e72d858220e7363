/**
 * TCP sequence numbers (RFC 9293 §3.4): 32-bit unsigned values compared modulo 2^32.
 *
 * A `Seq` is a plain number at run time, stored as an unsigned 32-bit integer (`>>> 0`);
 * the brand only stops a byte count or a port from being used where a sequence number is
 * meant. Comparisons use the signed 32-bit difference, `((a - b) | 0) < 0`, which is correct
 * whenever the two numbers are less than 2^31 apart — always true for live TCP state,
 * where windows are at most 2^30 (RFC 7323 §2.3).
 */
declare const SEQ_BRAND: unique symbol;
/** A sequence (or acknowledgment) number, unsigned 32-bit. */
export type Seq = number & {
    readonly [SEQ_BRAND]: true;
};
/** Wraps any integer into sequence space. */
export declare function seq(n: number): Seq;
/** `a + n` modulo 2^32; `n` may be negative. */
export declare function seqAdd(a: Seq, n: number): Seq;
/** The signed distance from `b` to `a`: `(a - b) | 0`, in [-2^31, 2^31). */
export declare function seqDiff(a: Seq, b: Seq): number;
/** `a < b` in sequence space. */
export declare function seqLt(a: Seq, b: Seq): boolean;
/** `a <= b` in sequence space. */
export declare function seqLe(a: Seq, b: Seq): boolean;
/** `a > b` in sequence space. */
export declare function seqGt(a: Seq, b: Seq): boolean;
/** `a >= b` in sequence space. */
export declare function seqGe(a: Seq, b: Seq): boolean;
/**
 * `start <= x < start + len` in sequence space (the half-open window of RFC 9293 §3.10.7.4).
 * An empty window (`len` 0) contains nothing; `len` is taken as an unsigned count up to 2^32.
 */
export declare function seqInWindow(x: Seq, start: Seq, len: number): boolean;
/** The later of two sequence numbers. */
export declare function seqMax(a: Seq, b: Seq): Seq;
/** The earlier of two sequence numbers. */
export declare function seqMin(a: Seq, b: Seq): Seq;
export {};
