import { createHash } from 'node:crypto';

const M32 = 0xffffffffn;

/**
 * The /bytes/N stream computed from its written definition, independently of src/app/deterministic-bytes.ts:
 * word i = lowbias32(i XOR 0x9e3779b9), words little-endian; BigInt arithmetic instead of Math.imul.
 */
export function referenceWord(index: number): number {
  let x = (BigInt(index) ^ 0x9e3779b9n) & M32;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & M32;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & M32;
  x ^= x >> 16n;
  return Number(x);
}

export function referenceBytes(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) {
    const byte = offset + k;
    const word = referenceWord(Math.floor(byte / 4));
    out[k] = (word >>> ((byte % 4) * 8)) & 0xff;
  }
  return out;
}

/** SHA-256 (hex) of the stream's first n bytes, computed word by word from the definition. */
export function referenceSha256(n: number): string {
  const hash = createHash('sha256');
  const block = new DataView(new ArrayBuffer(64 * 1024));
  for (let offset = 0; offset < n; offset += block.byteLength) {
    const len = Math.min(block.byteLength, n - offset);
    for (let w = 0; w * 4 < len; w++) block.setUint32(w * 4, referenceWord(offset / 4 + w), true);
    hash.update(new Uint8Array(block.buffer, 0, len));
  }
  return hash.digest('hex');
}
