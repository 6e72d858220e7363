/**
 * The Internet checksum (RFC 1071), summed over 32-bit words where the buffer allows,
 * because per-byte work is what limits a userspace stack.
 */

/** Adds the bytes of `data[start, end)` as big-endian 16-bit words to `initial`; returns the unfolded sum. */
export function sumWords(data: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  const len = end - start;
  // Wide path: read 32-bit big-endian words through a DataView; add each 16-bit half.
  if (len >= 64) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const stop = start + (len & ~3);
    while (i < stop) {
      const w = view.getUint32(i);
      sum += (w >>> 16) + (w & 0xffff);
      i += 4;
      // Fold well before the sum loses precision (2^53).
      if (sum > 0x7fffffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
    }
  }
  for (; i + 1 < end; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < end) sum += data[i]! << 8;
  return sum;
}

/** Folds a sum to 16 bits, with end-around carry. */
export function foldSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for `data[start, end)` plus an optional partial sum (e.g. a pseudo-header). */
export function internetChecksum(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  return ~foldSum(sumWords(data, start, end, initial)) & 0xffff;
}
