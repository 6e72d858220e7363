import { endianness } from 'node:os';
/**
 * Deterministic pseudo-random bytes for `/bytes/N`: the same N always gives the same bytes, any slice of the
 * stream can be computed on its own, and a test can recompute the stream from this definition alone:
 *
 *   word(i)  = lowbias32(i XOR 0x9e3779b9)        for the i-th 32-bit word, i = 0, 1, 2, …  (i < 2^32)
 *   stream   = word(0), word(1), …, each word written little-endian
 *   lowbias32(x) = x ^= x >>> 16; x *= 0x7feb352d; x ^= x >>> 15; x *= 0x846ca68b; x ^= x >>> 16  (mod 2^32)
 *
 * lowbias32 is Chris Wellons' 32-bit integer hash (a bijection with excellent avalanche): hashing a counter
 * rather than stepping a sequential generator (xorshift and friends) makes the stream seekable, so a chunk
 * at any offset costs the same and no generator state has to be carried between chunks. One word costs two
 * Math.imul and three shifts, a 64 KiB chunk a few tens of microseconds.
 */
export const DETERMINISTIC_BYTES_MAX = 2 ** 34; // 16 GiB: 2^32 words, every word index fits 32 bits
/** The recommended chunk size when streaming. */
export const DETERMINISTIC_CHUNK_BYTES = 64 * 1024;
const SEED = 0x9e3779b9;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
/** The i-th 32-bit word of the stream (an unsigned 32-bit integer). */
export function deterministicWord(index) {
    let x = (index ^ SEED) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    return x >>> 0;
}
/**
 * `length` bytes of the stream starting at byte `offset`, as a fresh Buffer. Pure: the same arguments give
 * the same bytes. Throws RangeError outside [0, DETERMINISTIC_BYTES_MAX].
 */
export function deterministicBytes(offset, length) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new RangeError(`deterministicBytes: offset and length must be non-negative integers`);
    }
    if (offset + length > DETERMINISTIC_BYTES_MAX) {
        throw new RangeError(`deterministicBytes: the stream ends at ${DETERMINISTIC_BYTES_MAX} bytes`);
    }
    const out = Buffer.allocUnsafe(length);
    if (length === 0)
        return out;
    const firstWord = Math.floor(offset / 4);
    const lead = offset - firstWord * 4; // bytes of the first word to skip
    const words = Math.ceil((lead + length) / 4);
    if (lead === 0 && length % 4 === 0 && out.byteOffset % 4 === 0 && LITTLE_ENDIAN_HOST) {
        // The common case (aligned chunks): fill the output directly, one word per store.
        fillWords(new Uint32Array(out.buffer, out.byteOffset, words), firstWord);
        return out;
    }
    const scratch = Buffer.allocUnsafe(words * 4);
    if (LITTLE_ENDIAN_HOST) {
        fillWords(new Uint32Array(scratch.buffer, scratch.byteOffset, words), firstWord);
    }
    else {
        for (let i = 0; i < words; i++)
            scratch.writeUInt32LE(deterministicWord(firstWord + i), i * 4);
    }
    scratch.copy(out, 0, lead, lead + length);
    return out;
}
function fillWords(target, firstWord) {
    // Inlined deterministicWord: this loop is the generator's whole cost.
    const n = target.length;
    for (let i = 0; i < n; i++) {
        let x = ((firstWord + i) ^ SEED) >>> 0;
        x ^= x >>> 16;
        x = Math.imul(x, 0x7feb352d);
        x ^= x >>> 15;
        x = Math.imul(x, 0x846ca68b);
        x ^= x >>> 16;
        target[i] = x;
    }
}
/**
 * `length` bytes of the stream from byte `offset`, in chunks of at most `chunkBytes` (the last one may be
 * shorter), each computed only when the consumer asks for it.
 */
export function* deterministicChunks(offset, length, chunkBytes = DETERMINISTIC_CHUNK_BYTES) {
    if (!(Number.isInteger(chunkBytes) && chunkBytes > 0))
        throw new RangeError('chunkBytes must be positive');
    const end = offset + length;
    for (let at = offset; at < end; at += chunkBytes) {
        yield deterministicBytes(at, Math.min(chunkBytes, end - at));
    }
}
//# sourceMappingURL=deterministic-bytes.js.map