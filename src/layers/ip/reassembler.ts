import type { Clock, Timer } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import {
  finishIpv4Checksum,
  IPV4_MAX_DATAGRAM,
  IPV4_MIN_HEADER,
  type Ipv4Datagram,
  icmpQuote,
  parseIpv4,
} from './ipv4-header.js';

/**
 * Limits, defaulting to Linux's (net.ipv4.ipfrag_time = 30 s; ipfrag_high_thresh = 4 MiB, which Linux also
 * counts in memory really used, each fragment's skb truesize, not in payload bytes).
 */
export interface ReassemblerLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_REASSEMBLER_LIMITS: ReassemblerLimits = { timeoutMs: 30_000, maxBytes: 4 * 1024 * 1024 };

/** What the course project asked to show about each reassembled datagram. */
export interface ReassemblyInfo {
  readonly src: Ipv4Address;
  readonly dst: Ipv4Address;
  readonly id: number;
  readonly protocol: number;
  readonly fragments: number;
  /** Total length of the reassembled datagram, header included. */
  readonly totalLength: number;
  /** For each fragment in arrival order, its position (0 = first by offset). [0,1,2] is in order. */
  readonly arrivalOrder: readonly number[];
  /** From the first fragment's arrival to the last one's, in ms. */
  readonly elapsedMs: number;
}

export type ReassemblyDropReason =
  | 'duplicate'
  | 'overlap'
  | 'too-big'
  | 'inconsistent'
  | 'timeout'
  | 'evicted';

export interface ReassemblerEvents {
  /** A fragment or a whole partial datagram was discarded. */
  dropped(reason: ReassemblyDropReason, src: Ipv4Address): void;
  /**
   * A partial datagram timed out. `firstFragment` is its first fragment's header and first 8 payload
   * bytes (what an ICMP Time Exceeded quotes), or undefined when the first fragment never came.
   */
  timedOut(src: Ipv4Address, firstFragment: Uint8Array | undefined): void;
}

export interface Reassembled {
  readonly datagram: Ipv4Datagram;
  readonly info: ReassemblyInfo;
}

/**
 * What memory a partial datagram really costs, charged against `maxBytes` so that the cap bounds the process's
 * memory and not only payload bytes (with 64 bytes charged per fragment, a flood of 8-byte fragments of many
 * datagrams grew the process by ~350 MB while the count stayed under 4 MiB). Estimated from the structures
 * below on 64-bit Node 20 (no pointer compression) and checked against what heap + external memory grow by
 * (test/unit/ip/reassembler.test.ts; a partial datagram holding one 8-byte fragment measures ~2.2 KB).
 *
 * PARTIAL_OVERHEAD, once per partial datagram: the Partial record (19 fields: ~200 B), its Map entry with the table's spare capacity (~100 B), the `pages` and `offsets` arrays with their
 * initial backing stores (~150 B), the 60-byte buffer for the first fragment's header (~200 B with its
 * typed-array header); rounded up for V8's and malloc's rounding.
 */
export const PARTIAL_OVERHEAD = 1024;
/**
 * PAGE_OVERHEAD, per page on top of its PAGE_BYTES + PAGE_BITS_BYTES: the Uint8Array and its ArrayBuffer on
 * the heap (~150 B), the off-heap backing-store record and malloc's headers (~150 B), the slot in `pages`.
 */
export const PAGE_OVERHEAD = 384;
/** FRAGMENT_OVERHEAD, per stored fragment: its offset in `offsets` (8 B) and that array's growth slack. */
export const FRAGMENT_OVERHEAD = 16;

/** Payload is stored in pages of this many bytes (128 blocks of 8): small enough that a flood of tiny
 * fragments of many datagrams does not cost 64 KiB each, large enough that a 64 KiB datagram is 64 pages. */
const PAGE_BYTES = 1024;
const PAGE_SHIFT = 10;
const BLOCK_SHIFT = 3;
const BLOCKS_PER_PAGE = PAGE_BYTES >>> BLOCK_SHIFT;
/** A page ends with one coverage bit per 8-byte block (fragment offsets are in 8-byte units). */
const PAGE_BITS_BYTES = BLOCKS_PER_PAGE >>> 3;
const PAGE_COST = PAGE_BYTES + PAGE_BITS_BYTES + PAGE_OVERHEAD;

interface Partial {
  /** A hash of (src, dst, protocol, id) that picks the bucket; the fields themselves tell partials apart. */
  key: number;
  src: Ipv4Address;
  dst: Ipv4Address;
  id: number;
  protocol: number;
  started: number;
  /**
   * Payload bytes by offset, PAGE_BYTES per page, each followed by its coverage bitmap; a page exists once a
   * fragment touches it. Storing by offset makes adding a fragment cost its own length, not the number held.
   */
  readonly pages: Array<Uint8Array | undefined>;
  /** Offsets of the stored fragments, in arrival order (for the arrival order in ReassemblyInfo). */
  readonly offsets: number[];
  /** How many of `offsets` are this datagram's (the array keeps its capacity when the record is reused). */
  fragments: number;
  /** 8-byte blocks covered so far; the datagram is whole when it reaches ceil(payloadLength / 8). */
  coveredBlocks: number;
  /** The largest fragment end seen. */
  maxEnd: number;
  /** Payload length once the last fragment (MF = 0) has arrived, else -1. */
  payloadLength: number;
  /** Room for the header of the offset-0 fragment (copied here), and its length (0 until it arrives). */
  readonly firstHeader: Uint8Array;
  firstHeaderLength: number;
  bytes: number;
  /** Neighbours in age order (oldest first), the order of both expiry and eviction. */
  older: Partial | undefined;
  newer: Partial | undefined;
  /** The next partial datagram in the same bucket of the table. */
  nextInBucket: Partial | undefined;
}

type Verdict = 'stored' | 'duplicate' | 'overlap' | 'inconsistent' | 'too-big';

/**
 * Records and pages of discarded partial datagrams kept for the next ones (at most this many: ~100 KB, not
 * charged). Under a flood every fragment evicts a partial datagram and starts one; without reuse, each lived
 * long enough to be promoted to V8's old space and died there, and the garbage (collected only when old
 * space fills) grew a process under a tiny-fragment flood by ~70 MB while the live set stayed at the cap.
 */
const SPARE_PARTIALS = 64;
/** Buckets of the table at first; it doubles when it holds more partial datagrams than buckets. */
const INITIAL_BUCKETS = 256;
const SPARE_PAGES = 64;
const MAX_HEADER = 60;

/**
 * IPv4 fragment reassembly keyed by (src, dst, protocol, id), any arrival order. Identical duplicates are
 * ignored; an overlap carrying different bytes discards the whole datagram (as Linux does, RFC 5722 style);
 * a datagram that would exceed 65,535 bytes with its first fragment's header is discarded; partial datagrams
 * time out; the memory they really cost is capped, evicting the oldest first.
 *
 * Adding a fragment costs O(its length): its bytes go into pages by offset and a coverage bitmap (one bit per
 * 8-byte block) tells at once which bytes are new and which must match what is held. One timer serves every
 * partial datagram: they are listed by age, which is also the order they expire in. A flood allocates
 * nothing that outlives a fragment: keys are numbers, and records and pages are reused.
 */
export class Reassembler {
  /**
   * The table, hashed by `key` and chained through `nextInBucket`. Not a Map: under a flood every fragment
   * starts one entry and evicts another, and a Map's backing store, rehashed again and again by that churn,
   * was garbage that reached V8's old space (about 24 MB of it in a 500,000-fragment flood). Its size only
   * grows, to at most twice the partial datagrams the memory cap allows.
   */
  private buckets: Array<Partial | undefined> = new Array<Partial | undefined>(INITIAL_BUCKETS).fill(
    undefined,
  );
  private mask = INITIAL_BUCKETS - 1;
  private count = 0;
  /**
   * Age order as a list of its own: a Map keeps insertion order too, but walking it from the start after
   * many deletions skips every deleted slot, which under a flood made each eviction cost the table's size.
   */
  private oldest: Partial | undefined;
  private newest: Partial | undefined;
  private totalBytes = 0;
  private timer: Timer | undefined;
  private readonly spareRecords: Partial[] = [];
  private readonly sparePages: Uint8Array[] = [];

  /**
   * Keys the table. Random, so that nobody can pick fragments whose keys collide and make one chain long;
   * whatever it is, the datagrams reassembled are the same.
   */
  private readonly secret = (Math.random() * 0x40000000) | 0;

  constructor(
    private readonly clock: Clock,
    private readonly events: ReassemblerEvents,
    private readonly limits: ReassemblerLimits = DEFAULT_REASSEMBLER_LIMITS,
  ) {}

  /**
   * A small integer (a V8 Smi, never a heap number) from the four fields that name a datagram: a 48-bit
   * exact key was a heap number per partial datagram, which under a flood survived young collections and
   * grew the young generation.
   */
  private keyOf(fragment: Ipv4Datagram): number {
    let h = Math.imul(fragment.src ^ this.secret, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ fragment.dst, 0x85ebca77);
    h = Math.imul(h ^ (h >>> 13) ^ ((fragment.id << 8) | fragment.protocol), 0xc2b2ae3d);
    return (h ^ (h >>> 16)) & 0x3fffffff;
  }

  /** Partial datagrams held now. */
  get pending(): number {
    return this.count;
  }

  /** Bytes charged to partial datagrams now (payload pages and bookkeeping, see PARTIAL_OVERHEAD). */
  get bytesHeld(): number {
    return this.totalBytes;
  }

  /** Adds a fragment; returns the whole datagram when this fragment completes it. */
  add(fragment: Ipv4Datagram): Reassembled | undefined {
    const offset = fragment.fragmentOffset;
    const end = offset + fragment.payload.length;
    const key = this.keyOf(fragment);
    let partial = this.buckets[key & this.mask];
    while (
      partial !== undefined &&
      (partial.src !== fragment.src ||
        partial.id !== fragment.id ||
        partial.dst !== fragment.dst ||
        partial.protocol !== fragment.protocol)
    ) {
      partial = partial.nextInBucket;
    }

    // The reassembled header is the first fragment's; until it is known, 20 bytes is the least it can be.
    const headerLength =
      offset === 0
        ? fragment.header.length
        : partial !== undefined && partial.firstHeaderLength > 0
          ? partial.firstHeaderLength
          : IPV4_MIN_HEADER;
    if (end + headerLength > IPV4_MAX_DATAGRAM) {
      if (partial !== undefined) this.drop(partial);
      this.events.dropped('too-big', fragment.src);
      return undefined;
    }
    if (partial === undefined) partial = this.start(key, fragment);

    const verdict = this.place(partial, fragment, offset, end);
    if (verdict === 'duplicate') {
      this.events.dropped('duplicate', fragment.src);
      return undefined;
    }
    if (verdict !== 'stored') {
      this.drop(partial);
      this.events.dropped(verdict, fragment.src);
      return undefined;
    }
    if (this.enforceMemoryCap(partial)) return undefined;
    return this.complete(partial);
  }

  /** Drops every partial datagram and cancels the timer. */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.buckets.fill(undefined);
    this.count = 0;
    this.oldest = undefined;
    this.newest = undefined;
    this.totalBytes = 0;
  }

  /** A new partial datagram, newest in age order, in a reused record when there is one. */
  private start(key: number, fragment: Ipv4Datagram): Partial {
    let partial = this.spareRecords.pop();
    if (partial === undefined) {
      partial = {
        key,
        src: 0,
        dst: 0,
        id: 0,
        protocol: 0,
        started: 0,
        pages: [],
        offsets: [],
        fragments: 0,
        coveredBlocks: 0,
        maxEnd: 0,
        payloadLength: -1,
        firstHeader: new Uint8Array(MAX_HEADER),
        firstHeaderLength: 0,
        bytes: 0,
        older: undefined,
        newer: undefined,
        nextInBucket: undefined,
      };
    }
    partial.key = key;
    partial.src = fragment.src;
    partial.dst = fragment.dst;
    partial.id = fragment.id;
    partial.protocol = fragment.protocol;
    partial.started = this.clock.now();
    partial.fragments = 0;
    partial.coveredBlocks = 0;
    partial.maxEnd = 0;
    partial.payloadLength = -1;
    partial.firstHeaderLength = 0;
    partial.bytes = PARTIAL_OVERHEAD;
    this.totalBytes += PARTIAL_OVERHEAD;
    const bucket = key & this.mask;
    partial.nextInBucket = this.buckets[bucket];
    this.buckets[bucket] = partial;
    this.count++;
    if (this.count > this.buckets.length) this.growTable();
    partial.older = this.newest;
    partial.newer = undefined;
    if (this.newest === undefined) this.oldest = partial;
    else this.newest.newer = partial;
    this.newest = partial;
    if (this.timer === undefined) this.armTimer();
    return partial;
  }

  private place(partial: Partial, fragment: Ipv4Datagram, offset: number, end: number): Verdict {
    // A fragment without data says nothing a fragment may say: Linux drops the whole datagram for it
    // (ip_frag_queue), and so do we; kept as a "duplicate", it left an empty partial datagram charged.
    if (end === offset) return 'inconsistent';
    if (!fragment.moreFragments) {
      if (partial.payloadLength >= 0 && partial.payloadLength !== end) return 'inconsistent';
      if (partial.maxEnd > end) return 'inconsistent';
      partial.payloadLength = end;
    } else if (partial.payloadLength >= 0 && end > partial.payloadLength) {
      return 'inconsistent';
    }
    if (offset === 0 && partial.firstHeaderLength === 0) {
      // Fragments that came before it were checked against 20 bytes of header; check again with the real one.
      if (partial.maxEnd + fragment.header.length > IPV4_MAX_DATAGRAM) return 'too-big';
    }

    const payload = fragment.payload;
    // First pass, nothing written: every block already held must carry the same bytes.
    let fresh = 0;
    for (let block = offset >>> BLOCK_SHIFT; block << BLOCK_SHIFT < end; block++) {
      const page = partial.pages[block >>> (PAGE_SHIFT - BLOCK_SHIFT)];
      const bit = block & (BLOCKS_PER_PAGE - 1);
      if (page === undefined || (page[PAGE_BYTES + (bit >>> 3)]! & (1 << (bit & 7))) === 0) {
        fresh++;
        continue;
      }
      const from = block << BLOCK_SHIFT;
      const to = Math.min(from + 8, end);
      const at = from & (PAGE_BYTES - 1);
      for (let i = 0; i < to - from; i++) {
        if (page[at + i] !== payload[from - offset + i]) return 'overlap';
      }
    }
    if (fresh === 0) return 'duplicate';

    // Second pass: copy the bytes page by page and mark their blocks.
    for (let at = offset; at < end; ) {
      const index = at >>> PAGE_SHIFT;
      let page = partial.pages[index];
      if (page === undefined) {
        page = this.sparePages.pop();
        if (page === undefined) page = new Uint8Array(PAGE_BYTES + PAGE_BITS_BYTES);
        else page.fill(0, PAGE_BYTES); // Its coverage bits; its bytes count only where they are covered.
        partial.pages[index] = page;
        partial.bytes += PAGE_COST;
        this.totalBytes += PAGE_COST;
      }
      const pageEnd = Math.min(end, (index + 1) << PAGE_SHIFT);
      page.set(payload.subarray(at - offset, pageEnd - offset), at & (PAGE_BYTES - 1));
      for (let block = at >>> BLOCK_SHIFT; block << BLOCK_SHIFT < pageEnd; block++) {
        const bit = block & (BLOCKS_PER_PAGE - 1);
        page[PAGE_BYTES + (bit >>> 3)]! |= 1 << (bit & 7);
      }
      at = pageEnd;
    }
    partial.coveredBlocks += fresh;
    if (end > partial.maxEnd) partial.maxEnd = end;
    partial.offsets[partial.fragments++] = offset;
    partial.bytes += FRAGMENT_OVERHEAD;
    this.totalBytes += FRAGMENT_OVERHEAD;
    if (offset === 0 && partial.firstHeaderLength === 0) {
      partial.firstHeader.set(fragment.header);
      partial.firstHeaderLength = fragment.header.length;
    }
    return 'stored';
  }

  private complete(partial: Partial): Reassembled | undefined {
    const headerLength = partial.firstHeaderLength;
    const payloadLength = partial.payloadLength;
    if (payloadLength < 0 || headerLength === 0) return undefined;
    if (partial.coveredBlocks < (payloadLength + 7) >>> BLOCK_SHIFT) return undefined;

    const total = headerLength + payloadLength;
    const bytes = new Uint8Array(total);
    bytes.set(partial.firstHeader.subarray(0, headerLength), 0);
    for (let index = 0; index << PAGE_SHIFT < payloadLength; index++) {
      const from = index << PAGE_SHIFT;
      bytes.set(
        partial.pages[index]!.subarray(0, Math.min(PAGE_BYTES, payloadLength - from)),
        headerLength + from,
      );
    }
    bytes[2] = total >>> 8;
    bytes[3] = total & 0xff;
    bytes[6] &= 0x40; // Keep DF; clear MF and the offset.
    bytes[7] = 0;
    finishIpv4Checksum(bytes, 0, headerLength);
    const datagram = parseIpv4(bytes);
    const info: ReassemblyInfo = {
      src: partial.src,
      dst: partial.dst,
      id: partial.id,
      protocol: partial.protocol,
      fragments: partial.fragments,
      totalLength: total,
      arrivalOrder: arrivalOrder(partial.offsets.slice(0, partial.fragments)),
      elapsedMs: this.clock.now() - partial.started,
    };
    this.drop(partial);
    if (typeof datagram === 'string') return undefined;
    return { datagram, info };
  }

  /** Twice the buckets, every partial datagram rehashed into them (amortised: the table never shrinks). */
  private growTable(): void {
    const old = this.buckets;
    const buckets = new Array<Partial | undefined>(old.length * 2).fill(undefined);
    const mask = buckets.length - 1;
    for (let i = 0; i < old.length; i++) {
      for (let partial = old[i]; partial !== undefined; ) {
        const next = partial.nextInBucket;
        const bucket = partial.key & mask;
        partial.nextInBucket = buckets[bucket];
        buckets[bucket] = partial;
        partial = next;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** Arms the one timer for the oldest partial datagram, if any. */
  private armTimer(): void {
    const oldest = this.oldest;
    if (oldest === undefined) return;
    const due = oldest.started + this.limits.timeoutMs;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    for (let partial = this.oldest; partial !== undefined; partial = this.oldest) {
      if (partial.started + this.limits.timeoutMs > now) break;
      this.expire(partial);
    }
    if (this.timer === undefined) this.armTimer();
  };

  private expire(partial: Partial): void {
    const src = partial.src;
    const headerLength = partial.firstHeaderLength;
    // Copied out before drop() hands the record and its pages on.
    const quote =
      headerLength === 0
        ? undefined
        : icmpQuote(partial.firstHeader.subarray(0, headerLength), partial.pages[0]!.subarray(0, 8));
    this.drop(partial);
    this.events.dropped('timeout', src);
    this.events.timedOut(src, quote);
  }

  /** Evicts the oldest partial datagrams until the cap holds; true when `current` itself had to go. */
  private enforceMemoryCap(current: Partial): boolean {
    if (this.totalBytes <= this.limits.maxBytes) return false;
    let partial = this.oldest;
    while (partial !== undefined && this.totalBytes > this.limits.maxBytes) {
      const next = partial.newer;
      if (partial !== current) this.evict(partial);
      partial = next;
    }
    if (this.totalBytes <= this.limits.maxBytes) return false;
    this.evict(current);
    return true;
  }

  private evict(partial: Partial): void {
    const src = partial.src;
    this.drop(partial);
    this.events.dropped('evicted', src);
  }

  /** Forgets a partial datagram: out of the table and the age list, uncharged, its record and pages reused. */
  private drop(partial: Partial): void {
    const bucket = partial.key & this.mask;
    const head = this.buckets[bucket];
    if (head === partial) {
      this.buckets[bucket] = partial.nextInBucket;
    } else {
      let before = head;
      while (before !== undefined && before.nextInBucket !== partial) before = before.nextInBucket;
      if (before !== undefined) before.nextInBucket = partial.nextInBucket;
    }
    this.count--;
    const { older, newer } = partial;
    if (older === undefined) this.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.newest = older;
    else newer.older = older;
    this.totalBytes -= partial.bytes;
    if (this.count === 0 && this.timer !== undefined) {
      this.timer.cancel();
      this.timer = undefined;
    }

    // Emptied in place, not truncated: both arrays keep their backing stores for the next datagram.
    const pages = partial.pages;
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i];
      if (page === undefined) continue;
      if (this.sparePages.length < SPARE_PAGES) this.sparePages.push(page);
      pages[i] = undefined;
    }
    partial.older = undefined;
    partial.newer = undefined;
    partial.nextInBucket = undefined;
    partial.bytes = 0;
    if (this.spareRecords.length < SPARE_PARTIALS) this.spareRecords.push(partial);
  }
}

/** For each fragment in arrival order, its rank by offset (ties: the earlier arrival first). */
function arrivalOrder(offsets: readonly number[]): number[] {
  const byOffset = offsets.map((_, arrival) => arrival);
  byOffset.sort((a, b) => offsets[a]! - offsets[b]! || a - b);
  const out = new Array<number>(offsets.length);
  for (let position = 0; position < byOffset.length; position++) out[byOffset[position]!] = position;
  return out;
}
