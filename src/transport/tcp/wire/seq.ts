/**
 * TCP sequence numbers (RFC 9293 §3.4): 32-bit values compared modulo 2^32.
 *
 * A `Seq` is a plain number at run time, held as a signed 32-bit integer (`| 0`): V8 keeps such a
 * value in an object's field as a small integer (Smis are 32-bit in Node's x64 and arm64 builds,
 * which compress no pointers), where an unsigned one above 2^31 would need a 16-byte heap number
 * per field and object (about 240 bytes per idle connection). The wire and what people read show
 * it unsigned: `seqToUnsigned`. The brand only stops a byte count or a port from being used where
 * a sequence number is meant. Comparisons use the signed 32-bit difference, `((a - b) | 0) < 0`,
 * which is correct whenever the two numbers are less than 2^31 apart — always true for live TCP
 * state, where windows are at most 2^30 (RFC 7323 §2.3).
 */

declare const SEQ_BRAND: unique symbol;

/** A sequence (or acknowledgment) number: 32 bits, held signed (see above). */
export type Seq = number & { readonly [SEQ_BRAND]: true };

/** Wraps any integer (an unsigned one from the wire included) into sequence space. */
export function seq(n: number): Seq {
  return (n | 0) as Seq;
}

/** The number as the wire, tcpdump and Wireshark show it: 0 … 2^32 − 1. */
export function seqToUnsigned(s: Seq): number {
  return s >>> 0;
}

/** `a + n` modulo 2^32; `n` may be negative. */
export function seqAdd(a: Seq, n: number): Seq {
  return ((a + n) | 0) as Seq;
}

/** The signed distance from `b` to `a`: `(a - b) | 0`, in [-2^31, 2^31). */
export function seqDiff(a: Seq, b: Seq): number {
  return (a - b) | 0;
}

/** `a < b` in sequence space. */
export function seqLt(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) < 0;
}

/** `a <= b` in sequence space. */
export function seqLe(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) <= 0;
}

/** `a > b` in sequence space. */
export function seqGt(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) > 0;
}

/** `a >= b` in sequence space. */
export function seqGe(a: Seq, b: Seq): boolean {
  return ((a - b) | 0) >= 0;
}

/**
 * `start <= x < start + len` in sequence space (the half-open window of RFC 9293 §3.10.7.4).
 * An empty window (`len` 0) contains nothing; `len` is taken as an unsigned count up to 2^32.
 */
export function seqInWindow(x: Seq, start: Seq, len: number): boolean {
  return (x - start) >>> 0 < len;
}

/** The later of two sequence numbers. */
export function seqMax(a: Seq, b: Seq): Seq {
  return seqLt(a, b) ? b : a;
}

/** The earlier of two sequence numbers. */
export function seqMin(a: Seq, b: Seq): Seq {
  return seqLt(a, b) ? a : b;
}

/** The sequence number stored big-endian at `bytes[at]` (a header's, a SACK block's). */
export function readSeq(bytes: Uint8Array, at: number): Seq {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) as Seq;
}
