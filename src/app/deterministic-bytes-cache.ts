import { markImmutable } from '../transport/tcp/send/immutable-bytes.js';
import {
  DETERMINISTIC_BYTES_MAX,
  DETERMINISTIC_CHUNK_BYTES,
  deterministicBytes,
} from './deterministic-bytes.js';

/** Cached blocks per shared slab (4 MiB). */
const BLOCKS_PER_SLAB = 64;

/** How much of the stream a cache keeps by default: enough for the benchmark's 100 MiB download. */
export const DETERMINISTIC_CACHE_DEFAULT_BYTES = 128 * 1024 * 1024;

/**
 * The deterministic stream (deterministic-bytes.ts) served from memory: each aligned 64 KiB block of the
 * stream's first `limitBytes` is generated once, the first time a request reaches it, and every later request
 * gets views of it, so that serving `/bytes/N` costs the stack's work and not the generator's. Blocks past the
 * limit are generated per request, as without a cache. The bytes are the stream's exactly, whatever is cached.
 *
 * The blocks are shared and never written: whoever receives a view must not modify it (a TCP socket only
 * reads what it is given). They are marked immutable, so that pilha's TCP sends them without a copy.
 */
export class DeterministicBytesCache {
  private readonly blocks: Array<Buffer | undefined> = [];
  /** The memory of the cached blocks, BLOCKS_PER_SLAB to a slab, each made when a block first needs it. */
  private readonly slabs: Array<ArrayBuffer | undefined> = [];
  private readonly cachedBlocks: number;
  private held = 0;

  constructor(limitBytes: number = DETERMINISTIC_CACHE_DEFAULT_BYTES) {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) {
      throw new RangeError(`bad deterministic cache limit ${limitBytes}`);
    }
    this.cachedBlocks = Math.floor(limitBytes / DETERMINISTIC_CHUNK_BYTES);
  }

  /** Bytes of the stream held in memory. */
  get heldBytes(): number {
    return this.held;
  }

  /** `length` bytes of the stream from byte `offset`: a view when they lie in one block, a copy otherwise. */
  bytes(offset: number, length: number): Buffer {
    const index = Math.floor(offset / DETERMINISTIC_CHUNK_BYTES);
    const from = offset - index * DETERMINISTIC_CHUNK_BYTES;
    if (
      Number.isSafeInteger(offset) &&
      offset >= 0 &&
      Number.isSafeInteger(length) &&
      length > 0 &&
      from + length <= DETERMINISTIC_CHUNK_BYTES &&
      offset + length <= DETERMINISTIC_BYTES_MAX
    ) {
      return this.block(index).subarray(from, from + length);
    }
    const parts = [...this.chunks(offset, length)];
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  }

  /**
   * `length` bytes of the stream from byte `offset`, as views of at most one 64 KiB block each (the first
   * and last may be shorter), each block generated only when the consumer reaches it.
   */
  *chunks(offset: number, length: number): Generator<Buffer, void, void> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError('offset and length must be non-negative integers');
    }
    if (offset + length > DETERMINISTIC_BYTES_MAX) {
      throw new RangeError(`the stream ends at ${DETERMINISTIC_BYTES_MAX} bytes`);
    }
    const end = offset + length;
    let at = offset;
    while (at < end) {
      const index = Math.floor(at / DETERMINISTIC_CHUNK_BYTES);
      const blockStart = index * DETERMINISTIC_CHUNK_BYTES;
      const from = at - blockStart;
      const to = Math.min(end - blockStart, DETERMINISTIC_CHUNK_BYTES);
      yield from === 0 && to === DETERMINISTIC_CHUNK_BYTES
        ? this.block(index)
        : this.block(index).subarray(from, to);
      at = blockStart + to;
    }
  }

  /** Block `index` of the stream (64 KiB, or less at the stream's end): cached when within the limit. */
  private block(index: number): Buffer {
    const cached = this.blocks[index];
    if (cached !== undefined) return cached;
    const start = index * DETERMINISTIC_CHUNK_BYTES;
    const generated = deterministicBytes(
      start,
      Math.min(DETERMINISTIC_CHUNK_BYTES, DETERMINISTIC_BYTES_MAX - start),
    );
    if (index >= this.cachedBlocks) {
      markImmutable(generated);
      return generated;
    }
    // Cached blocks lie end to end in slabs, marked immutable: a send queue holds consecutive blocks as one
    // view (SendBuffer.push), so that a segment across two of them is sent where it lies, not gathered.
    const slabIndex = Math.floor(index / BLOCKS_PER_SLAB);
    let slab = this.slabs[slabIndex];
    if (slab === undefined) {
      const blocks = Math.min(BLOCKS_PER_SLAB, this.cachedBlocks - slabIndex * BLOCKS_PER_SLAB);
      slab = new ArrayBuffer(blocks * DETERMINISTIC_CHUNK_BYTES);
      markImmutable(new Uint8Array(slab));
      this.slabs[slabIndex] = slab;
    }
    const block = Buffer.from(slab, (index % BLOCKS_PER_SLAB) * DETERMINISTIC_CHUNK_BYTES, generated.length);
    block.set(generated);
    this.blocks[index] = block;
    this.held += block.length;
    return block;
  }
}
