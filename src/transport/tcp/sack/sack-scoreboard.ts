/**
 * The sender's SACK scoreboard of RFC 6675 §3–4: which bytes between HighACK and HighData the peer has
 * SACKed, and from that IsLost, the pipe estimate (SetPipe) and NextSeg. Self-contained and not yet wired
 * into the sender (that comes with the LossRecovery part of the connection); the sender still ignores SACK
 * information, as RFC 2018 allows, and never frees data because of it.
 *
 * Conventions: sequence numbers are `Seq` (wrap-around compared, windows below 2^31). HighACK is SND.UNA,
 * HighData the end of what was sent (SND.MAX, exclusive), HighRxt the end (exclusive) of the highest
 * retransmission, so "octet S has been retransmitted" reads S < HighRxt. "DupThresh discontiguous SACKed
 * sequences above S" is read as DupThresh SACKed blocks (runs) above S.
 *
 * Every point of a hole (a run of unSACKed bytes) has the same blocks above it, so IsLost is one answer
 * per hole and the pipe is summed hole by hole, never byte by byte.
 *
 * No allocation per ACK: blocks live in a fixed Uint32Array; NextSeg answers in fields.
 */

import { type Seq, seq, seqAdd, seqDiff, seqGt, seqLt } from '../wire/seq.js';
import type { SackBlock } from '../wire/tcp-header.js';

/** RFC 6675 §2: DupThresh, 3 as RFC 5681. */
export const DEFAULT_DUP_THRESH = 3;

/** What NextSeg chose (RFC 6675 §4, rules 1–4). */
export const NextSegKind = {
  NONE: 0,
  /** Rule 1: the first lost, unSACKed, not yet retransmitted bytes. */
  LOST: 1,
  /** Rule 2: new data (the caller decides whether it has any and the windows allow it). */
  NEW_DATA: 2,
  /** Rule 3: unSACKed bytes below the highest SACKed one, not yet lost by IsLost. */
  UNSACKED: 3,
  /** Rule 4: the rescue retransmission of the highest outstanding unSACKed bytes. */
  RESCUE: 4,
} as const;
export type NextSegKind = (typeof NextSegKind)[keyof typeof NextSegKind];

export class SackScoreboard {
  /** SACKed runs as left, right pairs, sorted, disjoint, non-touching, all within (HighACK, HighData]. */
  private readonly runs: Uint32Array;
  private count = 0;
  private highAck: Seq;
  private highData: Seq;
  /** RFC 6675 RescueRxt, and whether it is set. */
  private rescueRxt: Seq = seq(0);
  private rescueSet = false;
  /** Set by nextSeg: where the chosen segment starts and how long it is. */
  nextStart: Seq = seq(0);
  nextLength = 0;

  constructor(
    private readonly smss: number,
    start: Seq,
    readonly maxRuns = 64,
    private readonly dupThresh = DEFAULT_DUP_THRESH,
  ) {
    this.runs = new Uint32Array(2 * maxRuns);
    this.highAck = start;
    this.highData = start;
  }

  /** Runs held (for tests and stats). */
  get runCount(): number {
    return this.count;
  }

  /** SACKed bytes above HighACK. */
  get sackedBytes(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += seqDiff(this.runs[2 * i + 1]! as Seq, this.runs[2 * i]! as Seq);
    return n;
  }

  /** The highest SACKed sequence number (exclusive), or HighACK when nothing is SACKed. */
  get highSacked(): Seq {
    return this.count === 0 ? this.highAck : (this.runs[2 * this.count - 1]! as Seq);
  }

  /**
   * RFC 6675 Update(): an ACK with cumulative `ack` and its SACK blocks, `highData` being SND.MAX. Blocks
   * below the ACK (D-SACK) or beyond HighData are ignored or clipped; bytes below the ACK leave the board.
   */
  update(ack: Seq, blocks: readonly SackBlock[] | undefined, highData: Seq): void {
    if (seqGt(ack, this.highAck)) this.highAck = ack;
    if (seqGt(highData, this.highData)) this.highData = highData;
    this.dropBelow(this.highAck);
    if (blocks === undefined) return;
    for (const b of blocks) {
      let left = b.left;
      let right = b.right;
      if (!seqLt(left, right)) continue;
      if (seqLt(left, this.highAck)) left = this.highAck;
      if (seqGt(right, this.highData)) right = this.highData;
      if (!seqLt(left, right)) continue;
      this.insert(left, right);
    }
  }

  /** RFC 6675 IsLost(SeqNum). */
  isLost(s: Seq): boolean {
    let runs = 0;
    let bytes = 0;
    for (let i = this.count - 1; i >= 0; i--) {
      const left = this.runs[2 * i]! as Seq;
      const right = this.runs[2 * i + 1]! as Seq;
      if (!seqGt(right, s)) break;
      runs++;
      bytes += seqLt(left, s) ? seqDiff(right, seqAdd(s, 1)) : seqDiff(right, left);
    }
    return runs >= this.dupThresh || bytes > (this.dupThresh - 1) * this.smss;
  }

  /**
   * RFC 6675 SetPipe(): for every unSACKed byte in [HighACK, HighData), one if it is not lost, and one if it
   * was retransmitted (below `highRxt`).
   */
  pipe(highRxt: Seq): number {
    let pipe = 0;
    let holeStart = this.highAck;
    for (let i = 0; i <= this.count; i++) {
      const holeEnd = i < this.count ? (this.runs[2 * i]! as Seq) : this.highData;
      const length = seqDiff(holeEnd, holeStart);
      if (length > 0) {
        if (!this.isLost(holeStart)) pipe += length;
        if (seqGt(highRxt, holeStart)) pipe += Math.min(length, seqDiff(highRxt, holeStart));
      }
      if (i < this.count) holeStart = this.runs[2 * i + 1]! as Seq;
    }
    return pipe;
  }

  /** Loss recovery begins (RFC 6675 §5): RescueRxt is cleared. */
  enterRecovery(): void {
    this.rescueSet = false;
  }

  /**
   * RFC 6675 NextSeg(): rules 1 to 4 in order. `newDataAllowed` says whether the sender has unsent data
   * that the receiver's window admits (rule 2); `recoveryPoint` is the RecoveryPoint of rule 4. On an
   * answer other than NONE or NEW_DATA, `nextStart`/`nextLength` give the segment (at most SMSS).
   */
  nextSeg(highRxt: Seq, newDataAllowed: boolean, recoveryPoint: Seq): NextSegKind {
    const highSacked = this.highSacked;
    // Rules 1 and 3: the smallest unSACKed S2 > HighRxt (at or past it, HighRxt being exclusive) below
    // the highest SACKed byte; rule 1 wants it lost, rule 3 takes it otherwise.
    let candidate = -1;
    let holeStart = this.highAck;
    for (let i = 0; i < this.count; i++) {
      const holeEnd = this.runs[2 * i]! as Seq;
      let s = holeStart;
      if (seqLt(s, highRxt)) s = highRxt;
      if (seqLt(s, holeEnd) && seqLt(s, highSacked)) {
        const length = Math.min(seqDiff(holeEnd, s), this.smss);
        if (this.isLost(s)) {
          this.nextStart = s;
          this.nextLength = length;
          return NextSegKind.LOST;
        }
        if (candidate < 0) {
          candidate = s;
          this.nextLength = length;
        }
      }
      holeStart = this.runs[2 * i + 1]! as Seq;
    }
    if (newDataAllowed) return NextSegKind.NEW_DATA;
    if (candidate >= 0) {
      this.nextStart = seq(candidate);
      return NextSegKind.UNSACKED;
    }
    // Rule 4: once per recovery (HighACK past RescueRxt), an SMSS ending at the highest outstanding byte,
    // above everything SACKed.
    const top = this.highSacked;
    if (seqLt(top, this.highData) && (!this.rescueSet || seqGt(this.highAck, this.rescueRxt))) {
      let start = seqAdd(this.highData, -this.smss);
      if (seqLt(start, top)) start = top;
      this.nextStart = start;
      this.nextLength = seqDiff(this.highData, start);
      this.rescueRxt = recoveryPoint;
      this.rescueSet = true;
      return NextSegKind.RESCUE;
    }
    return NextSegKind.NONE;
  }

  /** Empties the board (after a retransmission timeout, RFC 6675 §5.1, a sender may also keep it). */
  clear(): void {
    this.count = 0;
  }

  private dropBelow(ack: Seq): void {
    const runs = this.runs;
    let first = 0;
    while (first < this.count && !seqGt(runs[2 * first + 1]! as Seq, ack)) first++;
    if (first > 0) {
      runs.copyWithin(0, 2 * first, 2 * this.count);
      this.count -= first;
    }
    if (this.count > 0 && seqLt(runs[0]! as Seq, ack)) runs[0] = ack;
  }

  /** Merges [left, right) into the sorted runs. A full board drops the new run (counted by the caller). */
  private insert(left: Seq, right: Seq): void {
    const runs = this.runs;
    const n = this.count;
    let i = 0;
    while (i < n && seqLt(runs[2 * i + 1]! as Seq, left)) i++; // runs[i] is the first that ends at or after left
    let j = i;
    while (j < n && !seqGt(runs[2 * j]! as Seq, right)) j++; // runs[i, j) touch or overlap
    if (i === j) {
      if (n === this.maxRuns) return;
      runs.copyWithin(2 * i + 2, 2 * i, 2 * n);
      runs[2 * i] = left;
      runs[2 * i + 1] = right;
      this.count = n + 1;
      return;
    }
    const mergedLeft = seqLt(runs[2 * i]! as Seq, left) ? (runs[2 * i]! as Seq) : left;
    const lastRight = runs[2 * (j - 1) + 1]! as Seq;
    const mergedRight = seqGt(lastRight, right) ? lastRight : right;
    runs[2 * i] = mergedLeft;
    runs[2 * i + 1] = mergedRight;
    if (j - i > 1) {
      runs.copyWithin(2 * i + 2, 2 * j, 2 * n);
      this.count = n - (j - i - 1);
    }
  }
}
