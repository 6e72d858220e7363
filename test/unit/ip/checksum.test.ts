import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldSum, internetChecksum, sumWords } from '../../../src/core/checksum.js';
import { histogram, sampleRun } from '../../helpers/property-coverage.js';

/** The obvious byte-pair implementation, to hold the word-wide one against. */
function reference(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

describe('internet checksum (RFC 1071)', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7 sum (one's complement) to 0xddf2.
    const data = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(foldSum(sumWords(data, 0, data.length))).toBe(0xddf2);
    expect(internetChecksum(data)).toBe(~0xddf2 & 0xffff);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum(Uint8Array.from([0x12]))).toBe(~0x1200 & 0xffff);
  });

  it('verifies to zero over data that includes its own checksum', () => {
    // A real IPv4 header (Linux echo request fragment); its checksum field is 0x8c99.
    const header = Uint8Array.from(Buffer.from('450005dcca85200040018c997f0000017f000001', 'hex'));
    expect(internetChecksum(header)).toBe(0);
  });

  // Any data up to 3000 bytes (size 'max': the default size would stop near 10, below the 64-byte wide
  // paths), starting at any of 8 byte offsets.
  const dataAndShift = fc.tuple(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.nat(7));
  const RUNS = 100;

  it('agrees with the byte-pair reference for any data and any alignment', () => {
    fc.assert(
      fc.property(dataAndShift, ([data, shift]) => {
        const padded = new Uint8Array(data.length + shift);
        padded.set(data, shift);
        expect(internetChecksum(padded, shift, padded.length)).toBe(reference(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('that property reaches every path of sumWords: narrow, aligned, half-aligned, odd, odd tails', () => {
    const paths = histogram(sampleRun(dataAndShift, RUNS), ([data, shift]) => {
      if (data.length < 64) return 'narrow (byte pairs)';
      const tail = data.length % 2 === 1 ? ', odd length' : '';
      if (shift % 2 === 1) return `odd offset (DataView)${tail}`;
      return `${shift % 4 === 0 ? 'aligned' : 'half-aligned'} (Uint32Array)${tail}`;
    });
    for (const path of [
      'narrow (byte pairs)',
      'odd offset (DataView)',
      'odd offset (DataView), odd length',
      'aligned (Uint32Array)',
      'aligned (Uint32Array), odd length',
      'half-aligned (Uint32Array)',
      'half-aligned (Uint32Array), odd length',
    ]) {
      expect(paths[path] ?? 0, `${path} in ${JSON.stringify(paths)}`).toBeGreaterThanOrEqual(3);
    }
    const lengths = sampleRun(dataAndShift, RUNS).map(([data]) => data.length);
    expect(lengths.filter((n) => n >= 1500).length).toBeGreaterThanOrEqual(20);
  });

  it('does not lose carries on large all-ones buffers', () => {
    const data = new Uint8Array(65_536).fill(0xff);
    expect(internetChecksum(data)).toBe(reference(data));
  });
});
