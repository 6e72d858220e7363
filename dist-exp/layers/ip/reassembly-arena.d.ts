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
export declare const PAGE_BYTES = 1024;
export declare const PAGE_SHIFT = 10;
export declare const BLOCK_SHIFT = 3;
export declare const BLOCKS_PER_PAGE: number;
/** A page is followed by its coverage bitmap: one bit per 8-byte block. */
export declare const PAGE_BITS_BYTES: number;
export declare const PAGE_STRIDE: number;
/** Pages a datagram can span: 65,535 bytes of payload at most. */
export declare const PAGES_PER_DATAGRAM = 64;
export declare const MAX_HEADER = 60;
/** The int32 fields of a slot, at slot * SLOT_INTS + F_*. */
export declare const F_KEY = 0;
export declare const F_SRC = 1;
export declare const F_DST = 2;
/** id << 8 | protocol. */
export declare const F_ID_PROTOCOL = 3;
export declare const F_FRAGMENTS = 4;
/** 8-byte blocks covered so far; whole when it reaches ceil(payloadLength / 8). */
export declare const F_COVERED = 5;
/** The largest fragment end seen. */
export declare const F_MAX_END = 6;
/** Payload length once the last fragment (MF = 0) has arrived, else -1. */
export declare const F_PAYLOAD_LENGTH = 7;
/** Length of the offset-0 fragment's header (0 until it arrives). */
export declare const F_HEADER_LENGTH = 8;
/** Bytes charged against the cap. */
export declare const F_BYTES = 9;
/** Neighbours in age order (oldest first), the order of both expiry and eviction. */
export declare const F_OLDER = 10;
export declare const F_NEWER = 11;
/** The next slot in the same bucket of the table; for a free slot, the next free slot. */
export declare const F_NEXT = 12;
/** First and last fragment entries, in arrival order. */
export declare const F_FIRST_FRAGMENT = 13;
export declare const F_LAST_FRAGMENT = 14;
export declare const SLOT_INTS = 15;
/**
 * What each unit costs, charged against the cap: its bytes in the pools. A slot: its fields, start time, page
 * table and header room, and two int32 entries of the bucket table (which holds up to twice the slots). A
 * page: its bytes, bitmap and free-list link. A fragment entry: a uint16 offset and an int32 link.
 */
export declare const PARTIAL_COST: number;
export declare const PAGE_COST: number;
export declare const FRAGMENT_COST: number;
export declare class ReassemblyArena {
    slots: Int32Array<ArrayBuffer>;
    started: Float64Array<ArrayBuffer>;
    /** Per slot, PAGES_PER_DATAGRAM page numbers (0: no page yet). */
    pageTable: Int32Array<ArrayBuffer>;
    /** Per slot, MAX_HEADER bytes for the first fragment's header. */
    headers: Uint8Array<ArrayBuffer>;
    /** Per page, PAGE_STRIDE bytes: payload then coverage bits. */
    pages: Uint8Array<ArrayBuffer>;
    /** Per fragment entry: its offset in 8-byte units and the next entry (of its datagram, or free). */
    fragmentOffsets: Uint16Array<ArrayBuffer>;
    fragmentNext: Int32Array<ArrayBuffer>;
    private pageNextFree;
    private slotCapacity;
    private pageCapacity;
    private fragmentCapacity;
    /** Numbers handed out at least once; those above are free without being listed. */
    private slotsTouched;
    private pagesTouched;
    private fragmentsTouched;
    private freeSlotHead;
    private freePageHead;
    private freeFragmentHead;
    /** How far doubling goes: what the cap lets be in use at once, plus what one fragment may add. */
    private readonly maxSlots;
    private readonly maxPages;
    private readonly maxFragments;
    private readonly preallocate;
    constructor(maxBytes: number);
    /** The number of a free slot, its fields as it last left them (the caller sets each). */
    allocateSlot(): number;
    /** Frees a slot; its page table must already be empty. */
    freeSlot(slot: number): void;
    /** The number of a free page, its coverage bits cleared (its bytes count only where they are covered). */
    allocatePage(): number;
    freePage(page: number): void;
    allocateFragment(): number;
    /** Frees a list of fragment entries linked from `first` through `last`. */
    freeFragments(first: number, last: number): void;
    /** Gives every array back (nothing may be in use): the next allocation starts small again. */
    release(): void;
    /** Bytes of the arrays as allocated now. */
    get allocatedBytes(): number;
    /** Slots the arrays have room for (the bucket table follows it). */
    get slotRoom(): number;
    private growSlots;
    private growPages;
    private growFragments;
}
