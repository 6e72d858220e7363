/**
 * The sender's record of every segment sent and not yet cumulatively acknowledged, one entry per segment
 * as it went on the wire: its sequence range, when it was last (re)transmitted, and what is known of it —
 * SACKed, deemed lost, retransmitted. It is the SACK scoreboard of RFC 6675 kept per segment, as Linux
 * keeps it per skb, because RACK (RFC 8985) needs each segment's transmit time: one structure for both,
 * so "what was SACKed" is never kept twice.
 *
 * From it: the pipe (RFC 6675 SetPipe: bytes in flight, SACKed and lost ones out, retransmitted ones in),
 * the next segment to retransmit (RFC 6675 NextSeg rule 1: the first lost one not yet sent again), and for
 * RACK the entries in sequence order with their times.
 *
 * A ring of typed arrays that grows by doubling (rarely: to the most segments ever in flight); made only
 * for connections that negotiated SACK, at their first send. No allocation per segment or per ACK.
 */

import { type Seq, seqDiff, seqGt, seqLe, seqLt } from '../wire/seq.js';

/** Entry flags. */
export const SegmentFlag = {
  /** Covered by a SACK block: the peer holds it. */
  SACKED: 1,
  /** Deemed lost (RACK, the tail loss probe's outcome, or a timeout) and not yet SACKed. */
  LOST: 2,
  /** Retransmitted since it was last deemed lost, and that copy is still counted in flight. */
  RETRANSMITTED: 4,
  /** Retransmitted at least once (its ACK may be for either copy). */
  EVER_RETRANSMITTED: 8,
} as const;

// 8: every array on V8's heap (typed arrays of 64 bytes or less need no backing store of their own), so a
// connection that sends a response or two allocates nothing off-heap here; a bulk sender doubles its way up.
const INITIAL_CAPACITY = 8;
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

export class SentSegmentLog {
  // Signed, as Seq values are held (seq.ts).
  private starts: Int32Array;
  private ends: Int32Array;
  private sentAt: Float64Array;
  /** The TSval of the latest retransmission (0 without timestamps); meaningless before one. */
  private tsvals: Uint32Array;
  private flagBits: Uint8Array;
  /** Capacity − 1 (a power of two minus one). */
  private mask: number;
  private head = 0;
  private length = 0;
  /** Bytes of SACKed entries. */
  sackedBytes = 0;
  /** Bytes of entries deemed lost (not SACKed). */
  lostBytes = 0;
  /** Bytes of lost entries retransmitted since, whose copy is in flight. */
  retransmittedBytes = 0;
  /** Lost entries not yet retransmitted (NextSeg has work when this is above zero). */
  private lostWaiting = 0;
  /**
   * No entry before this position (from the oldest) is lost and waiting: where the search for the next one
   * starts, so sending a flight of lost entries again is linear in the flight, not quadratic.
   */
  private lostFrom = 0;
  /** Segments SACKed (for RACK's DupThresh test). */
  sackedSegments = 0;

  /** The arrays are made at the first append: a connection that never sends data carries none. */
  constructor() {
    this.starts = EMPTY_I32;
    this.ends = EMPTY_I32;
    this.sentAt = EMPTY_F64;
    this.tsvals = EMPTY_U32;
    this.flagBits = EMPTY_U8;
    this.mask = -1;
  }

  /** Entries held. */
  get count(): number {
    return this.length;
  }

  /** Whether a lost entry waits to be retransmitted. */
  get hasLostToRetransmit(): boolean {
    return this.lostWaiting > 0;
  }

  // Entry i (0 = oldest) by position; callers iterate 0..count−1.
  start(i: number): Seq {
    return this.starts[(this.head + i) & this.mask]! as Seq;
  }
  end(i: number): Seq {
    return this.ends[(this.head + i) & this.mask]! as Seq;
  }
  timeSent(i: number): number {
    return this.sentAt[(this.head + i) & this.mask]!;
  }
  flags(i: number): number {
    return this.flagBits[(this.head + i) & this.mask]!;
  }
  /** The TSval entry i's latest retransmission carried (only for EVER_RETRANSMITTED entries). */
  lastTsval(i: number): number {
    return this.tsvals[(this.head + i) & this.mask]!;
  }

  /** The end of the newest entry (SND.MAX once anything was sent), or `fallback` when empty. */
  lastEnd(fallback: Seq): Seq {
    return this.length === 0 ? fallback : this.end(this.length - 1);
  }

  /** A new segment [start, end) went out for the first time at `now`; it follows every entry held. */
  append(start: Seq, end: Seq, now: number): void {
    if (this.length > this.mask) this.grow(); // mask −1 when empty: the first append makes the arrays
    const k = (this.head + this.length) & this.mask;
    this.starts[k] = start;
    this.ends[k] = end;
    this.sentAt[k] = now;
    this.flagBits[k] = 0;
    this.length++;
  }

  /** Entry i was sent again at `now`, carrying TSval `tsval` (0 without timestamps). */
  retransmitted(i: number, now: number, tsval: number): void {
    const k = (this.head + i) & this.mask;
    const f = this.flagBits[k]!;
    this.sentAt[k] = now;
    this.tsvals[k] = tsval;
    if ((f & SegmentFlag.LOST) !== 0 && (f & SegmentFlag.RETRANSMITTED) === 0) {
      this.retransmittedBytes += this.size(k);
      this.lostWaiting--;
    }
    this.flagBits[k] = f | SegmentFlag.RETRANSMITTED | SegmentFlag.EVER_RETRANSMITTED;
  }

  /** Deems entry i lost (a no-op when it is SACKed or already lost and not sent again since). */
  markLost(i: number): void {
    const k = (this.head + i) & this.mask;
    const f = this.flagBits[k]!;
    if ((f & SegmentFlag.SACKED) !== 0) return;
    const size = this.size(k);
    if ((f & SegmentFlag.LOST) === 0) {
      this.lostBytes += size;
    } else if ((f & SegmentFlag.RETRANSMITTED) === 0) {
      return;
    } else {
      this.retransmittedBytes -= size; // the retransmission is lost too: no longer in flight
    }
    this.lostWaiting++;
    if (i < this.lostFrom) this.lostFrom = i;
    this.flagBits[k] = (f | SegmentFlag.LOST) & ~SegmentFlag.RETRANSMITTED;
  }

  /** After a retransmission timeout (RFC 6675 §5.1, RFC 8985 §6.3): every entry not SACKed is lost. */
  markAllLost(): void {
    for (let i = 0; i < this.length; i++) this.markLost(i);
  }

  /**
   * The path MTU fell (RFC 1191): every entry longer than `maxSize` and not SACKed was dropped by the router
   * that reported it, and is deemed lost, to be sent again at the new size (Linux's tcp_simple_retransmit).
   * Each run of such entries, together with the lost ones next to them not yet sent again, is cut anew into
   * pieces of `maxSize` (the last one shorter): cut entry by entry, a path MTU that falls a few bytes at a
   * time (as a forged or flapping report may make it) would leave a sliver of every segment to be sent on its
   * own, a run of them after each fall (Linux collapses such slivers when it retransmits). A piece keeps the
   * transmit time of the entry it starts in. Returns the bytes newly deemed lost.
   */
  cutOversize(maxSize: number): number {
    let oversized = false;
    let newlyLost = 0;
    // Enough room: no run yields more pieces than its entries would one by one.
    let bound = 0;
    for (let i = 0; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      const size = this.size(k);
      const f = this.flagBits[k]!;
      bound += Math.max(1, Math.ceil(size / maxSize));
      if (size <= maxSize || (f & SegmentFlag.SACKED) !== 0) continue;
      oversized = true;
      if ((f & SegmentFlag.LOST) === 0 || (f & SegmentFlag.RETRANSMITTED) !== 0) newlyLost += size;
    }
    if (!oversized) return 0;
    const { starts, ends, sentAt, tsvals, flagBits } = this;
    const oldMask = this.mask;
    const oldHead = this.head;
    const oldLength = this.length;
    let capacity = oldMask + 1;
    while (capacity < bound) capacity *= 2;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.sentAt = new Float64Array(capacity);
    this.tsvals = new Uint32Array(capacity);
    this.flagBits = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.head = 0;
    this.length = 0;
    // The piece being cut: where it starts, the time and TSval of the entry it starts in, and whether any entry
    // it covers was ever retransmitted.
    let at = 0;
    let atSentAt = 0;
    let atTsval = 0;
    let ever = 0;
    let inRun = false;
    for (let i = 0; i < oldLength; i++) {
      const k = (oldHead + i) & oldMask;
      const f = flagBits[k]!;
      const end = ends[k]!;
      if (!joinsCut(starts[k]!, end, f, maxSize)) {
        if (inRun && at !== starts[k]) this.put(at, starts[k]!, atSentAt, atTsval, ever | SegmentFlag.LOST);
        inRun = false;
        this.put(starts[k]!, end, sentAt[k]!, tsvals[k]!, f);
        continue;
      }
      if (!inRun || at === starts[k]) {
        if (!inRun) at = starts[k]!;
        atSentAt = sentAt[k]!;
        atTsval = tsvals[k]!;
        if (!inRun) ever = 0;
        inRun = true;
      }
      ever |= f & SegmentFlag.EVER_RETRANSMITTED;
      while (seqDiff(end as Seq, at as Seq) >= maxSize) {
        const next = (at + maxSize) | 0;
        this.put(at, next, atSentAt, atTsval, ever | SegmentFlag.LOST);
        at = next;
        // The next piece starts in this entry (or, at its end, in the next one, which sets its own time).
        ever = at !== end ? f & SegmentFlag.EVER_RETRANSMITTED : 0;
        atSentAt = sentAt[k]!;
        atTsval = tsvals[k]!;
      }
    }
    if (inRun && at !== ends[(oldHead + oldLength - 1) & oldMask])
      this.put(at, ends[(oldHead + oldLength - 1) & oldMask]!, atSentAt, atTsval, ever | SegmentFlag.LOST);
    this.recount();
    return newlyLost;
  }

  /** Appends an entry as it is (cutOversize's rebuild). */
  private put(start: number, end: number, sentAt: number, tsval: number, flags: number): void {
    const k = this.length++;
    this.starts[k] = start;
    this.ends[k] = end;
    this.sentAt[k] = sentAt;
    this.tsvals[k] = tsval;
    this.flagBits[k] = flags;
  }

  /** The byte and entry counts, from the flags of every entry. */
  private recount(): void {
    this.zeroCounts();
    for (let i = 0; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      const f = this.flagBits[k]!;
      const size = this.size(k);
      if ((f & SegmentFlag.SACKED) !== 0) {
        this.sackedBytes += size;
        this.sackedSegments++;
      } else if ((f & SegmentFlag.LOST) !== 0) {
        this.lostBytes += size;
        if ((f & SegmentFlag.RETRANSMITTED) !== 0) this.retransmittedBytes += size;
        else this.lostWaiting++;
      }
    }
  }

  /** Forgets every loss mark (an undo: the retransmissions were spurious). */
  unmarkLost(): void {
    for (let i = 0; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      this.flagBits[k]! &= ~(SegmentFlag.LOST | SegmentFlag.RETRANSMITTED);
    }
    this.lostBytes = 0;
    this.retransmittedBytes = 0;
    this.lostWaiting = 0;
    this.lostFrom = 0;
  }

  /** The oldest lost entry not retransmitted since, or −1 (RFC 6675 NextSeg rule 1, RACK's order). */
  firstLostToRetransmit(): number {
    if (this.lostWaiting === 0) return -1;
    for (let i = this.lostFrom; i < this.length; i++) {
      const f = this.flagBits[(this.head + i) & this.mask]!;
      if ((f & (SegmentFlag.LOST | SegmentFlag.RETRANSMITTED)) === SegmentFlag.LOST) {
        this.lostFrom = i;
        return i;
      }
    }
    this.lostFrom = this.length;
    return -1;
  }

  /**
   * RFC 6675 SetPipe over `flight` = SND.MAX − SND.UNA bytes: every byte not SACKed and not lost, and
   * once more every lost byte retransmitted since.
   */
  pipe(flight: number): number {
    return flight - this.sackedBytes - this.lostBytes + this.retransmittedBytes;
  }

  /**
   * A cumulative ACK: entries ending at or below `ack` leave; one it cuts in two keeps its upper part.
   * `onDelivered(i)` is called for each entry that leaves, before it does, unless it was SACKed already
   * (it was delivered then). Returns the bytes newly delivered (not counting those SACKed earlier).
   */
  acknowledge(ack: Seq, onDelivered: DeliveryListener | undefined): number {
    let delivered = 0;
    while (this.length > 0) {
      const k = this.head;
      const start = this.starts[k]! as Seq;
      const end = this.ends[k]! as Seq;
      if (!seqGt(ack, start)) break;
      const f = this.flagBits[k]!;
      if (seqLe(end, ack)) {
        if ((f & SegmentFlag.SACKED) === 0) {
          delivered += seqDiff(end, start);
          onDelivered?.delivered(0, this);
        }
        this.forget(k, f, seqDiff(end, start));
        this.head = (this.head + 1) & this.mask;
        this.length--;
        if (this.lostFrom > 0) this.lostFrom--;
        continue;
      }
      // Partly acknowledged (the peer took part of it, or the retransmission was smaller): trim it.
      const cut = seqDiff(ack, start);
      if ((f & SegmentFlag.SACKED) === 0) delivered += cut;
      this.adjust(f, -cut);
      this.starts[k] = ack;
      break;
    }
    return delivered;
  }

  /**
   * A SACK block [left, right): every entry it wholly covers becomes SACKED (entries it covers in part
   * stay as they are, as in Linux without splitting). `onDelivered(i)` is called for each newly SACKed
   * entry. Returns the bytes newly SACKed.
   */
  sack(left: Seq, right: Seq, onDelivered: DeliveryListener | undefined): number {
    let i = this.firstEndingAfter(left);
    let newly = 0;
    for (; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      const start = this.starts[k]! as Seq;
      const end = this.ends[k]! as Seq;
      if (!seqLt(start, right)) break;
      if (seqLt(start, left) || seqGt(end, right)) continue;
      const f = this.flagBits[k]!;
      if ((f & SegmentFlag.SACKED) !== 0) continue;
      onDelivered?.delivered(i, this);
      const size = seqDiff(end, start);
      this.forget(k, f, size);
      this.flagBits[k] = (f | SegmentFlag.SACKED) & ~(SegmentFlag.LOST | SegmentFlag.RETRANSMITTED);
      this.sackedBytes += size;
      this.sackedSegments++;
      newly += size;
    }
    return newly;
  }

  /** Empties the log (the connection is gone or starts over). */
  clear(): void {
    this.head = 0;
    this.length = 0;
    this.zeroCounts();
  }

  private zeroCounts(): void {
    this.sackedBytes = 0;
    this.sackedSegments = 0;
    this.lostBytes = 0;
    this.retransmittedBytes = 0;
    this.lostWaiting = 0;
    this.lostFrom = 0;
  }

  /** The first entry whose end is past `s` (binary search: entries are in sequence order). */
  private firstEndingAfter(s: Seq): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqGt(this.ends[(this.head + mid) & this.mask]! as Seq, s)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private size(k: number): number {
    return seqDiff(this.ends[k]! as Seq, this.starts[k]! as Seq);
  }

  /** Takes an entry of `size` bytes with flags `f` out of the byte counts. */
  private forget(k: number, f: number, size: number): void {
    if ((f & SegmentFlag.SACKED) !== 0) {
      this.sackedBytes -= size;
      this.sackedSegments--;
    }
    if ((f & SegmentFlag.LOST) !== 0) {
      this.lostBytes -= size;
      if ((f & SegmentFlag.RETRANSMITTED) !== 0) this.retransmittedBytes -= size;
      else this.lostWaiting--;
    }
    this.flagBits[k] = f & SegmentFlag.EVER_RETRANSMITTED;
  }

  /** An entry with flags `f` changed size by `delta` bytes (trimmed by a partial ACK). */
  private adjust(f: number, delta: number): void {
    if ((f & SegmentFlag.SACKED) !== 0) this.sackedBytes += delta;
    if ((f & SegmentFlag.LOST) !== 0) {
      this.lostBytes += delta;
      if ((f & SegmentFlag.RETRANSMITTED) !== 0) this.retransmittedBytes += delta;
    }
  }

  private grow(): void {
    const size = this.mask < 0 ? INITIAL_CAPACITY : (this.mask + 1) * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const sentAt = new Float64Array(size);
    const tsvals = new Uint32Array(size);
    const flagBits = new Uint8Array(size);
    for (let i = 0; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      starts[i] = this.starts[k]!;
      ends[i] = this.ends[k]!;
      sentAt[i] = this.sentAt[k]!;
      tsvals[i] = this.tsvals[k]!;
      flagBits[i] = this.flagBits[k]!;
    }
    this.starts = starts;
    this.ends = ends;
    this.sentAt = sentAt;
    this.tsvals = tsvals;
    this.flagBits = flagBits;
    this.mask = size - 1;
    this.head = 0;
  }
}

/** Told of each entry as it is delivered (SACKed, or cumulatively acknowledged without a SACK before). */
export interface DeliveryListener {
  delivered(index: number, log: SentSegmentLog): void;
}

/**
 * Whether cutOversize cuts an entry: not SACKed, and longer than `maxSize` or lost and waiting to be sent again
 * (a neighbour of the oversized ones is sent again with them, in pieces of the new size).
 */
function joinsCut(start: number, end: number, flags: number, maxSize: number): boolean {
  if ((flags & SegmentFlag.SACKED) !== 0) return false;
  if (seqDiff(end as Seq, start as Seq) > maxSize) return true;
  return (flags & (SegmentFlag.LOST | SegmentFlag.RETRANSMITTED)) === SegmentFlag.LOST;
}
