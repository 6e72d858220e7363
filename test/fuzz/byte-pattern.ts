/**
 * The two streams the fuzzer moves, each a function of the byte's offset in its stream, so that any
 * byte seen anywhere can be checked without keeping what was sent: the application writes
 * `stackStreamByte(o)` at offset o, and the fuzzing peer sends `peerStreamByte(o)`. The two differ, so an
 * echo of one direction into the other is caught too.
 */

export function stackStreamByte(offset: number): number {
  return (offset * 7 + (offset >>> 11) + 3) & 0xff;
}

export function peerStreamByte(offset: number): number {
  return (offset * 13 + (offset >>> 9) + 5) & 0xff;
}

/** `length` bytes of a stream from `offset`. */
export function streamBytes(byte: (offset: number) => number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = byte(offset + i);
  return out;
}

/** The first offset in `data` (which sits at stream offset `offset`) that differs from the stream, or -1. */
export function firstMismatch(byte: (offset: number) => number, offset: number, data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) if (data[i] !== byte(offset + i)) return i;
  return -1;
}
