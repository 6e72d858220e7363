/** How much of the stream a cache keeps by default: enough for the benchmark's 100 MiB download. */
export declare const DETERMINISTIC_CACHE_DEFAULT_BYTES: number;
/**
 * The deterministic stream (deterministic-bytes.ts) served from memory: each aligned 64 KiB block of the
 * stream's first `limitBytes` is generated once, the first time a request reaches it, and every later request
 * gets views of it, so that serving `/bytes/N` costs the stack's work and not the generator's. Blocks past the
 * limit are generated per request, as without a cache. The bytes are the stream's exactly, whatever is cached.
 *
 * The blocks are shared and never written: whoever receives a view must not modify it (a TCP socket only
 * reads what it is given).
 */
export declare class DeterministicBytesCache {
    private readonly blocks;
    private readonly cachedBlocks;
    private held;
    constructor(limitBytes?: number);
    /** Bytes of the stream held in memory. */
    get heldBytes(): number;
    /** `length` bytes of the stream from byte `offset`: a view when they lie in one block, a copy otherwise. */
    bytes(offset: number, length: number): Buffer;
    /**
     * `length` bytes of the stream from byte `offset`, as views of at most one 64 KiB block each (the first
     * and last may be shorter), each block generated only when the consumer reaches it.
     */
    chunks(offset: number, length: number): Generator<Buffer, void, void>;
    /** Block `index` of the stream (64 KiB, or less at the stream's end): cached when within the limit. */
    private block;
}
