/**
 * Where the Reassembler keeps partial datagrams: a few typed arrays, not an object per datagram. Their backing
 * stores are off V8's heap, so a flood that fills the reassembly cap leaves no objects for the young-generation
 * collector to copy and promote. (With a record, a page table and typed arrays per partial datagram, the ~3 MB
 * of them that the cap holds survived two scavenges each at the start of a flood, and that survival made V8
 * double its young generation, 16 MB more resident, whenever the rest of the process's survivors since the last
 * doubling came close to the threshold: a fragment flood's peak swung between 4 and 20 MB above a whole-datagram
 * flood's from one run to the next.)
 *
 * Three pools, each numbered from 1 (0 means none; row 0 is never used):
 * - slots, one per partial datagram: SLOT_INTS int32 fields, its start time, a table of its payload pages
 *   (one entry per PAGE_BYTES of the datagram) and room for its first fragment's header;
 * - pages of PAGE_BYTES payload bytes, each followed by one coverage bit per 8-byte block;
 * - fragment entries, listing a datagram's fragments in arrival order (offset in 8-byte units, next entry).
 *
 * The slots and pages are allocated once, on the first fragment, as many as the reassembly cap lets be in use
 * at once (plus what one fragment may add): zero-filled memory that the kernel maps only where it is written,
 * so an arena sized for the cap costs resident memory only for what a flood really fills, and the flood grows
 * nothing (growing by doubling left the previous arrays as garbage and measured 2-3 MB more at the peak).
 * Fragment entries, and every pool under a cap above PREALLOCATE_MAX_BYTES, grow by doubling instead, up to
 * that same bound. release() gives the arrays back whole.
 */

/** Payload bytes per page (128 blocks of 8): a 64 KiB datagram is 64 pages, an 8-byte fragment one. */
export const PAGE_BYTES = 1024;
export const PAGE_SHIFT = 10;
export const BLOCK_SHIFT = 3;
export const BLOCKS_PER_PAGE = PAGE_BYTES >>> BLOCK_SHIFT;
/** A page is followed by its coverage bitmap: one bit per 8-byte block. */
export const PAGE_BITS_BYTES = BLOCKS_PER_PAGE >>> 3;
export const PAGE_STRIDE = PAGE_BYTES + PAGE_BITS_BYTES;
/** Pages a datagram can span: 65,535 bytes of payload at most. */
export const PAGES_PER_DATAGRAM = 64;
export const MAX_HEADER = 60;

/** The int32 fields of a slot, at slot * SLOT_INTS + F_*. */
export const F_KEY = 0;
export const F_SRC = 1;
export const F_DST = 2;
/** id << 8 | protocol. */
export const F_ID_PROTOCOL = 3;
export const F_FRAGMENTS = 4;
/** 8-byte blocks covered so far; whole when it reaches ceil(payloadLength / 8). */
export const F_COVERED = 5;
/** The largest fragment end seen. */
export const F_MAX_END = 6;
/** Payload length once the last fragment (MF = 0) has arrived, else -1. */
export const F_PAYLOAD_LENGTH = 7;
/** Length of the offset-0 fragment's header (0 until it arrives). */
export const F_HEADER_LENGTH = 8;
/** Bytes charged against the cap. */
export const F_BYTES = 9;
/** Neighbours in age order (oldest first), the order of both expiry and eviction. */
export const F_OLDER = 10;
export const F_NEWER = 11;
/** The next slot in the same bucket of the table; for a free slot, the next free slot. */
export const F_NEXT = 12;
/** First and last fragment entries, in arrival order. */
export const F_FIRST_FRAGMENT = 13;
export const F_LAST_FRAGMENT = 14;
/** The link's receive flags (RX_*) of the offset-0 fragment: a reassembled datagram is its first fragment's. */
export const F_FIRST_FLAGS = 15;
export const SLOT_INTS = 16;

/**
 * What each unit costs, charged against the cap: its bytes in the pools. A slot: its fields, start time, page
 * table and header room, and two int32 entries of the bucket table (which holds up to twice the slots). A
 * page: its bytes, bitmap and free-list link. A fragment entry: a uint16 offset and an int32 link.
 */
export const PARTIAL_COST = SLOT_INTS * 4 + 8 + PAGES_PER_DATAGRAM * 4 + MAX_HEADER + 2 * 4;
export const PAGE_COST = PAGE_STRIDE + 4;
export const FRAGMENT_COST = 2 + 4;

const INITIAL_SLOTS = 16;
const INITIAL_PAGES = 16;
const INITIAL_FRAGMENTS = 64;
/** Caps up to this are allocated whole at first use (virtual memory only); larger ones grow by doubling. */
const PREALLOCATE_MAX_BYTES = 64 * 1024 * 1024;

export class ReassemblyArena {
  slots = new Int32Array(0);
  started = new Float64Array(0);
  /** Per slot, PAGES_PER_DATAGRAM page numbers (0: no page yet). */
  pageTable = new Int32Array(0);
  /** Per slot, MAX_HEADER bytes for the first fragment's header. */
  headers = new Uint8Array(0);
  /** Per page, PAGE_STRIDE bytes: payload then coverage bits. */
  pages = new Uint8Array(0);
  /** Per fragment entry: its offset in 8-byte units and the next entry (of its datagram, or free). */
  fragmentOffsets = new Uint16Array(0);
  fragmentNext = new Int32Array(0);

  private pageNextFree = new Int32Array(0);
  private slotCapacity = 0;
  private pageCapacity = 0;
  private fragmentCapacity = 0;
  /** Numbers handed out at least once; those above are free without being listed. */
  private slotsTouched = 0;
  private pagesTouched = 0;
  private fragmentsTouched = 0;
  private freeSlotHead = 0;
  private freePageHead = 0;
  private freeFragmentHead = 0;
  /** How far doubling goes: what the cap lets be in use at once, plus what one fragment may add. */
  private readonly maxSlots: number;
  private readonly maxPages: number;
  private readonly maxFragments: number;
  private readonly preallocate: boolean;

  constructor(maxBytes: number) {
    this.preallocate = maxBytes <= PREALLOCATE_MAX_BYTES;
    // Every partial datagram held holds a page and a fragment; every fragment held covers a block of its own.
    this.maxSlots = Math.floor(maxBytes / (PARTIAL_COST + PAGE_COST + FRAGMENT_COST)) + 1;
    this.maxPages = Math.floor(maxBytes / PAGE_COST) + PAGES_PER_DATAGRAM + 1;
    this.maxFragments = Math.floor(maxBytes / (FRAGMENT_COST + PAGE_COST / BLOCKS_PER_PAGE)) + 1;
  }

  /** The number of a free slot, its fields as it last left them (the caller sets each). */
  allocateSlot(): number {
    const free = this.freeSlotHead;
    if (free !== 0) {
      this.freeSlotHead = this.slots[free * SLOT_INTS + F_NEXT]!;
      return free;
    }
    if (this.slotsTouched === this.slotCapacity) this.growSlots();
    return ++this.slotsTouched;
  }

  /** Frees a slot; its page table must already be empty. */
  freeSlot(slot: number): void {
    this.slots[slot * SLOT_INTS + F_NEXT] = this.freeSlotHead;
    this.freeSlotHead = slot;
  }

  /** The number of a free page, its coverage bits cleared (its bytes count only where they are covered). */
  allocatePage(): number {
    let page = this.freePageHead;
    if (page !== 0) {
      this.freePageHead = this.pageNextFree[page]!;
      const bits = page * PAGE_STRIDE + PAGE_BYTES;
      this.pages.fill(0, bits, bits + PAGE_BITS_BYTES);
      return page;
    }
    if (this.pagesTouched === this.pageCapacity) this.growPages();
    page = ++this.pagesTouched;
    return page;
  }

  freePage(page: number): void {
    this.pageNextFree[page] = this.freePageHead;
    this.freePageHead = page;
  }

  allocateFragment(): number {
    const free = this.freeFragmentHead;
    if (free !== 0) {
      this.freeFragmentHead = this.fragmentNext[free]!;
      return free;
    }
    if (this.fragmentsTouched === this.fragmentCapacity) this.growFragments();
    return ++this.fragmentsTouched;
  }

  /** Frees a list of fragment entries linked from `first` through `last`. */
  freeFragments(first: number, last: number): void {
    if (first === 0) return;
    this.fragmentNext[last] = this.freeFragmentHead;
    this.freeFragmentHead = first;
  }

  /** Gives every array back (nothing may be in use): the next allocation starts small again. */
  release(): void {
    this.slots = new Int32Array(0);
    this.started = new Float64Array(0);
    this.pageTable = new Int32Array(0);
    this.headers = new Uint8Array(0);
    this.pages = new Uint8Array(0);
    this.pageNextFree = new Int32Array(0);
    this.fragmentOffsets = new Uint16Array(0);
    this.fragmentNext = new Int32Array(0);
    this.slotCapacity = this.pageCapacity = this.fragmentCapacity = 0;
    this.slotsTouched = this.pagesTouched = this.fragmentsTouched = 0;
    this.freeSlotHead = this.freePageHead = this.freeFragmentHead = 0;
  }

  /** Bytes of the arrays as allocated now. */
  get allocatedBytes(): number {
    return (
      this.slots.byteLength +
      this.started.byteLength +
      this.pageTable.byteLength +
      this.headers.byteLength +
      this.pages.byteLength +
      this.pageNextFree.byteLength +
      this.fragmentOffsets.byteLength +
      this.fragmentNext.byteLength
    );
  }

  /** Slots the arrays have room for (the bucket table follows it). */
  get slotRoom(): number {
    return this.slotCapacity;
  }

  private growSlots(): void {
    const capacity = nextCapacity(
      this.slotCapacity,
      this.preallocate ? this.maxSlots : INITIAL_SLOTS,
      this.maxSlots,
    );
    this.slots = grown(this.slots, new Int32Array((capacity + 1) * SLOT_INTS));
    this.started = grown(this.started, new Float64Array(capacity + 1));
    this.pageTable = grown(this.pageTable, new Int32Array((capacity + 1) * PAGES_PER_DATAGRAM));
    this.headers = grown(this.headers, new Uint8Array((capacity + 1) * MAX_HEADER));
    this.slotCapacity = capacity;
  }

  private growPages(): void {
    const capacity = nextCapacity(
      this.pageCapacity,
      this.preallocate ? this.maxPages : INITIAL_PAGES,
      this.maxPages,
    );
    this.pages = grown(this.pages, new Uint8Array((capacity + 1) * PAGE_STRIDE));
    this.pageNextFree = grown(this.pageNextFree, new Int32Array(capacity + 1));
    this.pageCapacity = capacity;
  }

  private growFragments(): void {
    const capacity = nextCapacity(this.fragmentCapacity, INITIAL_FRAGMENTS, this.maxFragments);
    this.fragmentOffsets = grown(this.fragmentOffsets, new Uint16Array(capacity + 1));
    this.fragmentNext = grown(this.fragmentNext, new Int32Array(capacity + 1));
    this.fragmentCapacity = capacity;
  }
}

/** `first` at first, then twice as many, clamped to `max`, but always at least one more (never a refusal). */
function nextCapacity(current: number, first: number, max: number): number {
  const doubled = current === 0 ? first : current * 2;
  return Math.max(current + 1, Math.min(doubled, max));
}

function grown<T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
