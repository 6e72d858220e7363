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
export declare const DETERMINISTIC_BYTES_MAX: number;
/** The recommended chunk size when streaming. */
export declare const DETERMINISTIC_CHUNK_BYTES: number;
/** The i-th 32-bit word of the stream (an unsigned 32-bit integer). */
export declare function deterministicWord(index: number): number;
/**
 * `length` bytes of the stream starting at byte `offset`, as a fresh Buffer. Pure: the same arguments give
 * the same bytes. Throws RangeError outside [0, DETERMINISTIC_BYTES_MAX].
 */
export declare function deterministicBytes(offset: number, length: number): Buffer;
/**
 * `length` bytes of the stream from byte `offset`, in chunks of at most `chunkBytes` (the last one may be
 * shorter), each computed only when the consumer asks for it.
 */
export declare function deterministicChunks(offset: number, length: number, chunkBytes?: number): Generator<Buffer, void, void>;
