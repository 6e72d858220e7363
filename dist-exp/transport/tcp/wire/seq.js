/**
 * TCP sequence numbers (RFC 9293 §3.4): 32-bit unsigned values compared modulo 2^32.
 *
 * A `Seq` is a plain number at run time, stored as an unsigned 32-bit integer (`>>> 0`);
 * the brand only stops a byte count or a port from being used where a sequence number is
 * meant. Comparisons use the signed 32-bit difference, `((a - b) | 0) < 0`, which is correct
 * whenever the two numbers are less than 2^31 apart — always true for live TCP state,
 * where windows are at most 2^30 (RFC 7323 §2.3).
 */
/** Wraps any integer into sequence space. */
export function seq(n) {
    return (n >>> 0);
}
/** `a + n` modulo 2^32; `n` may be negative. */
export function seqAdd(a, n) {
    return ((a + n) >>> 0);
}
/** The signed distance from `b` to `a`: `(a - b) | 0`, in [-2^31, 2^31). */
export function seqDiff(a, b) {
    return (a - b) | 0;
}
/** `a < b` in sequence space. */
export function seqLt(a, b) {
    return ((a - b) | 0) < 0;
}
/** `a <= b` in sequence space. */
export function seqLe(a, b) {
    return ((a - b) | 0) <= 0;
}
/** `a > b` in sequence space. */
export function seqGt(a, b) {
    return ((a - b) | 0) > 0;
}
/** `a >= b` in sequence space. */
export function seqGe(a, b) {
    return ((a - b) | 0) >= 0;
}
/**
 * `start <= x < start + len` in sequence space (the half-open window of RFC 9293 §3.10.7.4).
 * An empty window (`len` 0) contains nothing; `len` is taken as an unsigned count up to 2^32.
 */
export function seqInWindow(x, start, len) {
    return (x - start) >>> 0 < len;
}
/** The later of two sequence numbers. */
export function seqMax(a, b) {
    return seqLt(a, b) ? b : a;
}
/** The earlier of two sequence numbers. */
export function seqMin(a, b) {
    return seqLt(a, b) ? a : b;
}
//# sourceMappingURL=seq.js.map