import type { Clock, Timer } from '../../core/clock.js';
import { formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';
import {
  finishIpv4Checksum,
  IPV4_MAX_DATAGRAM,
  IPV4_MIN_HEADER,
  type Ipv4Datagram,
  icmpQuote,
  parseIpv4,
} from './ipv4-header.js';
import {
  BLOCK_SHIFT,
  BLOCKS_PER_PAGE,
  F_BYTES,
  F_COVERED,
  F_DST,
  F_FIRST_FLAGS,
  F_FIRST_FRAGMENT,
  F_FRAGMENTS,
  F_HEADER_LENGTH,
  F_ID_PROTOCOL,
  F_KEY,
  F_LAST_FRAGMENT,
  F_MAX_END,
  F_NEWER,
  F_NEXT,
  F_OLDER,
  F_PAYLOAD_LENGTH,
  F_SRC,
  FRAGMENT_COST,
  MAX_HEADER,
  PAGE_BYTES,
  PAGE_COST,
  PAGE_SHIFT,
  PAGE_STRIDE,
  PAGES_PER_DATAGRAM,
  PARTIAL_COST,
  ReassemblyArena,
  SLOT_INTS,
} from './reassembly-arena.js';

export { FRAGMENT_COST, PAGE_COST, PARTIAL_COST } from './reassembly-arena.js';

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
   * bytes (what an ICMP Time Exceeded quotes), or undefined when the first fragment never came; `firstFlags`
   * the link's receive flags (RX_*) that fragment came with.
   */
  timedOut(src: Ipv4Address, firstFragment: Uint8Array | undefined, firstFlags: number): void;
}

export interface Reassembled {
  readonly datagram: Ipv4Datagram;
  readonly info: ReassemblyInfo;
  /** The link's receive flags (RX_*) of the first fragment, as Linux keeps the head fragment's. */
  readonly firstFlags: number;
}

/** Buckets of the table at first; it doubles when it holds more partial datagrams than buckets. */
const INITIAL_BUCKETS = 256;

type Verdict = 'stored' | 'duplicate' | 'overlap' | 'inconsistent' | 'too-big';

/**
 * IPv4 fragment reassembly keyed by (src, dst, protocol, id), any arrival order. Identical duplicates are
 * ignored; an overlap carrying different bytes discards the whole datagram (as Linux does, RFC 5722 style);
 * a datagram that would exceed 65,535 bytes with its first fragment's header is discarded; partial datagrams
 * time out; the memory they really cost is capped, evicting the oldest first.
 *
 * Adding a fragment costs O(its length): its bytes go into pages by offset and a coverage bitmap (one bit per
 * 8-byte block) tells at once which bytes are new and which must match what is held. One timer serves every
 * partial datagram: they are listed by age, which is also the order they expire in. Partial datagrams live in
 * a ReassemblyArena (typed arrays, off V8's heap, reused): a flood allocates no object per fragment or per
 * partial datagram, and the cap bounds the arena.
 */
export class Reassembler {
  private readonly arena: ReassemblyArena;
  /**
   * Slot numbers hashed by key, chained through F_NEXT. Not a Map: under a flood every fragment starts one
   * entry and evicts another, and a Map's backing store, rehashed by that churn, was old-space garbage.
   */
  private buckets = new Int32Array(INITIAL_BUCKETS);
  private mask = INITIAL_BUCKETS - 1;
  private count = 0;
  /** Age order, oldest first, linked through F_OLDER and F_NEWER. */
  private oldest = 0;
  private newest = 0;
  private totalBytes = 0;
  private timer: Timer | undefined;

  /**
   * Keys the table. Random, so that nobody can pick fragments whose keys collide and make one chain long;
   * whatever it is, the datagrams reassembled are the same.
   */
  private readonly secret = (Math.random() * 0x40000000) | 0;

  constructor(
    private readonly clock: Clock,
    private readonly events: ReassemblerEvents,
    private readonly limits: ReassemblerLimits = DEFAULT_REASSEMBLER_LIMITS,
  ) {
    this.arena = new ReassemblyArena(limits.maxBytes);
  }

  /** A small integer from the four fields that name a datagram (compared in full on a look-up). */
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

  /** Bytes charged to partial datagrams now (their slots, pages and fragment entries in the arena). */
  get bytesHeld(): number {
    return this.totalBytes;
  }

  /** Bytes of the arena's arrays as allocated now (what holding partial datagrams costs the process). */
  get bytesAllocated(): number {
    return this.arena.allocatedBytes + this.buckets.byteLength;
  }

  /** Adds a fragment (with the link's RX_* flags); returns the whole datagram when this fragment completes it. */
  add(fragment: Ipv4Datagram, flags = 0): Reassembled | undefined {
    const offset = fragment.fragmentOffset;
    const end = offset + fragment.payload.length;
    const key = this.keyOf(fragment);
    const src = fragment.src | 0;
    const dst = fragment.dst | 0;
    const idProtocol = (fragment.id << 8) | fragment.protocol;
    const slots = this.arena.slots;
    let slot = this.buckets[key & this.mask]!;
    while (
      slot !== 0 &&
      (slots[slot * SLOT_INTS + F_SRC] !== src ||
        slots[slot * SLOT_INTS + F_ID_PROTOCOL] !== idProtocol ||
        slots[slot * SLOT_INTS + F_DST] !== dst)
    ) {
      slot = slots[slot * SLOT_INTS + F_NEXT]!;
    }

    // The reassembled header is the first fragment's; until it is known, 20 bytes is the least it can be.
    const known = slot === 0 ? 0 : slots[slot * SLOT_INTS + F_HEADER_LENGTH]!;
    const headerLength = offset === 0 ? fragment.header.length : known > 0 ? known : IPV4_MIN_HEADER;
    if (end + headerLength > IPV4_MAX_DATAGRAM) {
      if (slot !== 0) this.drop(slot);
      this.events.dropped('too-big', fragment.src);
      return undefined;
    }
    if (slot === 0) slot = this.start(key, src, dst, idProtocol);

    const verdict = this.place(slot, fragment, offset, end, flags);
    if (verdict === 'duplicate') {
      this.events.dropped('duplicate', fragment.src);
      return undefined;
    }
    if (verdict !== 'stored') {
      this.drop(slot);
      this.events.dropped(verdict, fragment.src);
      return undefined;
    }
    if (this.enforceMemoryCap(slot)) return undefined;
    return this.complete(slot);
  }

  /** Drops every partial datagram, cancels the timer and gives the arena back. */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.count = 0;
    this.oldest = 0;
    this.newest = 0;
    this.totalBytes = 0;
    this.release();
  }

  /** Gives the arena and the table back (nothing held): they start small again. */
  private release(): void {
    this.arena.release();
    this.buckets = new Int32Array(INITIAL_BUCKETS);
    this.mask = INITIAL_BUCKETS - 1;
  }

  /** A new partial datagram, newest in age order. */
  private start(key: number, src: number, dst: number, idProtocol: number): number {
    const slot = this.arena.allocateSlot();
    const slots = this.arena.slots;
    const at = slot * SLOT_INTS;
    slots[at + F_KEY] = key;
    slots[at + F_SRC] = src;
    slots[at + F_DST] = dst;
    slots[at + F_ID_PROTOCOL] = idProtocol;
    slots[at + F_FRAGMENTS] = 0;
    slots[at + F_COVERED] = 0;
    slots[at + F_MAX_END] = 0;
    slots[at + F_PAYLOAD_LENGTH] = -1;
    slots[at + F_HEADER_LENGTH] = 0;
    slots[at + F_FIRST_FLAGS] = 0;
    slots[at + F_BYTES] = PARTIAL_COST;
    slots[at + F_FIRST_FRAGMENT] = 0;
    slots[at + F_LAST_FRAGMENT] = 0;
    this.arena.started[slot] = this.clock.now();
    this.totalBytes += PARTIAL_COST;
    const bucket = key & this.mask;
    slots[at + F_NEXT] = this.buckets[bucket]!;
    this.buckets[bucket] = slot;
    this.count++;
    if (this.count > this.buckets.length) this.growTable();
    slots[at + F_OLDER] = this.newest;
    slots[at + F_NEWER] = 0;
    if (this.newest === 0) this.oldest = slot;
    else slots[this.newest * SLOT_INTS + F_NEWER] = slot;
    this.newest = slot;
    if (this.timer === undefined) this.armTimer();
    return slot;
  }

  private place(slot: number, fragment: Ipv4Datagram, offset: number, end: number, flags: number): Verdict {
    const arena = this.arena;
    const at = slot * SLOT_INTS;
    const slots = arena.slots;
    // A fragment without data says nothing a fragment may say: Linux drops the whole datagram for it
    // (ip_frag_queue), and so do we; kept as a "duplicate", it left an empty partial datagram charged.
    if (end === offset) return 'inconsistent';
    const payloadLength = slots[at + F_PAYLOAD_LENGTH]!;
    if (!fragment.moreFragments) {
      if (payloadLength >= 0 && payloadLength !== end) return 'inconsistent';
      if (slots[at + F_MAX_END]! > end) return 'inconsistent';
      slots[at + F_PAYLOAD_LENGTH] = end;
    } else if (payloadLength >= 0 && end > payloadLength) {
      return 'inconsistent';
    }
    const firstArrives = offset === 0 && slots[at + F_HEADER_LENGTH] === 0;
    // Fragments that came before it were checked against 20 bytes of header; check again with the real one.
    if (firstArrives && slots[at + F_MAX_END]! + fragment.header.length > IPV4_MAX_DATAGRAM) return 'too-big';

    const payload = fragment.payload;
    const table = slot * PAGES_PER_DATAGRAM;
    // First pass, nothing written: every block already held must carry the same bytes.
    let fresh = 0;
    let pages = arena.pages;
    for (let block = offset >>> BLOCK_SHIFT; block << BLOCK_SHIFT < end; block++) {
      const page = arena.pageTable[table + (block >>> (PAGE_SHIFT - BLOCK_SHIFT))]!;
      const bit = block & (BLOCKS_PER_PAGE - 1);
      const base = page * PAGE_STRIDE;
      if (page === 0 || (pages[base + PAGE_BYTES + (bit >>> 3)]! & (1 << (bit & 7))) === 0) {
        fresh++;
        continue;
      }
      const from = block << BLOCK_SHIFT;
      const to = Math.min(from + 8, end);
      const pageAt = base + (from & (PAGE_BYTES - 1));
      for (let i = 0; i < to - from; i++) {
        if (pages[pageAt + i] !== payload[from - offset + i]) return 'overlap';
      }
    }
    if (fresh === 0) return 'duplicate';

    // Second pass: copy the bytes page by page and mark their blocks.
    let charged = 0;
    for (let from = offset; from < end; ) {
      const index = from >>> PAGE_SHIFT;
      let page = arena.pageTable[table + index]!;
      if (page === 0) {
        page = arena.allocatePage();
        arena.pageTable[table + index] = page;
        charged += PAGE_COST;
      }
      pages = arena.pages; // An allocation may have grown the pool.
      const base = page * PAGE_STRIDE;
      const pageEnd = Math.min(end, (index + 1) << PAGE_SHIFT);
      pages.set(payload.subarray(from - offset, pageEnd - offset), base + (from & (PAGE_BYTES - 1)));
      for (let block = from >>> BLOCK_SHIFT; block << BLOCK_SHIFT < pageEnd; block++) {
        const bit = block & (BLOCKS_PER_PAGE - 1);
        pages[base + PAGE_BYTES + (bit >>> 3)]! |= 1 << (bit & 7);
      }
      from = pageEnd;
    }

    // The fragment's entry, last in arrival order.
    const entry = arena.allocateFragment();
    arena.fragmentOffsets[entry] = offset >>> BLOCK_SHIFT;
    arena.fragmentNext[entry] = 0;
    const last = slots[at + F_LAST_FRAGMENT]!;
    if (last === 0) slots[at + F_FIRST_FRAGMENT] = entry;
    else arena.fragmentNext[last] = entry;
    slots[at + F_LAST_FRAGMENT] = entry;
    charged += FRAGMENT_COST;

    slots[at + F_FRAGMENTS]!++;
    slots[at + F_COVERED]! += fresh;
    if (end > slots[at + F_MAX_END]!) slots[at + F_MAX_END] = end;
    slots[at + F_BYTES]! += charged;
    this.totalBytes += charged;
    if (firstArrives) {
      arena.headers.set(fragment.header, slot * MAX_HEADER);
      slots[at + F_HEADER_LENGTH] = fragment.header.length;
      slots[at + F_FIRST_FLAGS] = flags;
    }
    return 'stored';
  }

  private complete(slot: number): Reassembled | undefined {
    const arena = this.arena;
    const at = slot * SLOT_INTS;
    const slots = arena.slots;
    const headerLength = slots[at + F_HEADER_LENGTH]!;
    const payloadLength = slots[at + F_PAYLOAD_LENGTH]!;
    if (payloadLength < 0 || headerLength === 0) return undefined;
    if (slots[at + F_COVERED]! < (payloadLength + 7) >>> BLOCK_SHIFT) return undefined;

    const total = headerLength + payloadLength;
    const bytes = new Uint8Array(total);
    const header = slot * MAX_HEADER;
    bytes.set(arena.headers.subarray(header, header + headerLength), 0);
    const table = slot * PAGES_PER_DATAGRAM;
    for (let index = 0; index << PAGE_SHIFT < payloadLength; index++) {
      const from = index << PAGE_SHIFT;
      const base = arena.pageTable[table + index]! * PAGE_STRIDE;
      bytes.set(
        arena.pages.subarray(base, base + Math.min(PAGE_BYTES, payloadLength - from)),
        headerLength + from,
      );
    }
    bytes[2] = total >>> 8;
    bytes[3] = total & 0xff;
    bytes[6] &= 0x40; // Keep DF; clear MF and the offset.
    bytes[7] = 0;
    finishIpv4Checksum(bytes, 0, headerLength);
    const datagram = parseIpv4(bytes);
    const offsets: number[] = [];
    for (let entry = slots[at + F_FIRST_FRAGMENT]!; entry !== 0; entry = arena.fragmentNext[entry]!) {
      offsets.push(arena.fragmentOffsets[entry]! << BLOCK_SHIFT);
    }
    const idProtocol = slots[at + F_ID_PROTOCOL]!;
    const info: ReassemblyInfo = {
      src: slots[at + F_SRC]! >>> 0,
      dst: slots[at + F_DST]! >>> 0,
      id: idProtocol >>> 8,
      protocol: idProtocol & 0xff,
      fragments: slots[at + F_FRAGMENTS]!,
      totalLength: total,
      arrivalOrder: arrivalOrder(offsets),
      elapsedMs: this.clock.now() - arena.started[slot]!,
    };
    const firstFlags = slots[at + F_FIRST_FLAGS]!;
    this.drop(slot);
    if (typeof datagram === 'string') return undefined;
    return { datagram, info, firstFlags };
  }

  /** Twice the buckets, every partial datagram rehashed into them (amortised: shrunk only by release()). */
  private growTable(): void {
    const old = this.buckets;
    const buckets = new Int32Array(old.length * 2);
    const mask = buckets.length - 1;
    const slots = this.arena.slots;
    for (let i = 0; i < old.length; i++) {
      for (let slot = old[i]!; slot !== 0; ) {
        const next = slots[slot * SLOT_INTS + F_NEXT]!;
        const bucket = slots[slot * SLOT_INTS + F_KEY]! & mask;
        slots[slot * SLOT_INTS + F_NEXT] = buckets[bucket]!;
        buckets[bucket] = slot;
        slot = next;
      }
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** Arms the one timer for the oldest partial datagram, if any. */
  private armTimer(): void {
    if (this.oldest === 0) return;
    const due = this.arena.started[this.oldest]! + this.limits.timeoutMs;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    for (let slot = this.oldest; slot !== 0; slot = this.oldest) {
      if (this.arena.started[slot]! + this.limits.timeoutMs > now) break;
      this.expire(slot);
    }
    // Idle for a whole timeout: the arena goes back, rather than hold the memory of the last flood.
    if (this.count === 0) this.release();
    else if (this.timer === undefined) this.armTimer();
  };

  private expire(slot: number): void {
    const arena = this.arena;
    const at = slot * SLOT_INTS;
    const src = arena.slots[at + F_SRC]! >>> 0;
    const headerLength = arena.slots[at + F_HEADER_LENGTH]!;
    let quote: Uint8Array | undefined;
    if (headerLength > 0) {
      // Copied out before drop() frees the slot and its pages.
      const header = slot * MAX_HEADER;
      const base = arena.pageTable[slot * PAGES_PER_DATAGRAM]! * PAGE_STRIDE;
      quote = icmpQuote(
        arena.headers.subarray(header, header + headerLength),
        arena.pages.subarray(base, base + 8),
      );
    }
    const firstFlags = arena.slots[at + F_FIRST_FLAGS]!;
    this.drop(slot);
    this.events.dropped('timeout', src);
    this.events.timedOut(src, quote, firstFlags);
  }

  /** Evicts the oldest partial datagrams until the cap holds; true when `current` itself had to go. */
  private enforceMemoryCap(current: number): boolean {
    if (this.totalBytes <= this.limits.maxBytes) return false;
    let slot = this.oldest;
    while (slot !== 0 && this.totalBytes > this.limits.maxBytes) {
      const next = this.arena.slots[slot * SLOT_INTS + F_NEWER]!;
      if (slot !== current) this.evict(slot);
      slot = next;
    }
    if (this.totalBytes <= this.limits.maxBytes) return false;
    this.evict(current);
    return true;
  }

  private evict(slot: number): void {
    const src = this.arena.slots[slot * SLOT_INTS + F_SRC]! >>> 0;
    this.drop(slot);
    this.events.dropped('evicted', src);
  }

  /** Forgets a partial datagram: out of the table and the age list, uncharged, its slot and pages freed. */
  private drop(slot: number): void {
    const arena = this.arena;
    const slots = arena.slots;
    const at = slot * SLOT_INTS;
    const bucket = slots[at + F_KEY]! & this.mask;
    const head = this.buckets[bucket]!;
    if (head === slot) {
      this.buckets[bucket] = slots[at + F_NEXT]!;
    } else {
      let before = head;
      while (before !== 0 && slots[before * SLOT_INTS + F_NEXT] !== slot) {
        before = slots[before * SLOT_INTS + F_NEXT]!;
      }
      if (before !== 0) slots[before * SLOT_INTS + F_NEXT] = slots[at + F_NEXT]!;
    }
    this.count--;
    const older = slots[at + F_OLDER]!;
    const newer = slots[at + F_NEWER]!;
    if (older === 0) this.oldest = newer;
    else slots[older * SLOT_INTS + F_NEWER] = newer;
    if (newer === 0) this.newest = older;
    else slots[newer * SLOT_INTS + F_OLDER] = older;
    this.totalBytes -= slots[at + F_BYTES]!;
    if (this.count === 0 && this.timer !== undefined) {
      this.timer.cancel();
      this.timer = undefined;
    }

    // Pages exist only below the largest end seen.
    const table = slot * PAGES_PER_DATAGRAM;
    const pageCount = (slots[at + F_MAX_END]! + PAGE_BYTES - 1) >>> PAGE_SHIFT;
    for (let index = 0; index < pageCount; index++) {
      const page = arena.pageTable[table + index]!;
      if (page === 0) continue;
      arena.freePage(page);
      arena.pageTable[table + index] = 0;
    }
    arena.freeFragments(slots[at + F_FIRST_FRAGMENT]!, slots[at + F_LAST_FRAGMENT]!);
    arena.freeSlot(slot);
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

/** A reassembled datagram's info as a log or output record (addresses as text, the time in ms to 3 places). */
export function describeReassembly(info: ReassemblyInfo): Record<string, unknown> {
  return {
    src: formatIpv4(info.src),
    dst: formatIpv4(info.dst),
    id: info.id,
    protocol: info.protocol,
    fragments: info.fragments,
    totalLength: info.totalLength,
    arrivalOrder: info.arrivalOrder,
    elapsedMs: Number(info.elapsedMs.toFixed(3)),
  };
}
