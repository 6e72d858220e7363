/**
 * Undoing a window reduction that a spurious retransmission caused (RFC 3522 Eifel detection with
 * timestamps, RFC 2883 §4 / RFC 3708 with D-SACK; what Linux's tcp_try_undo_* do). Duplicated or
 * reordered segments can make a sender retransmit what was never lost; when the evidence says so, the
 * congestion window and ssthresh from before the reduction come back.
 *
 * - Timestamps: the first ACK that advances past a retransmitted segment echoes the TSval of the copy that
 *   arrived; an echo older than the first retransmission's TSval means the original arrived.
 * - D-SACK: each retransmission of the episode that the peer reports as a duplicate was unneeded; when all
 *   were, the whole reduction was.
 */

import type { CongestionController } from '../../congestion/congestion-controller.js';
import { settleFields } from '../../settled-fields.js';
import { type Seq, seq, seqGe, seqLe } from '../wire/seq.js';

/** settleFields lists (constants: a class is settled once, on its first object). */
const UNDO_DOUBLE_FIELDS = ['retransmitTsval'];
const UNDO_LATE_FIELDS = ['armed', 'stamped', 'marker'];

export class RecoveryUndo {
  private armed = false;
  private priorCwnd = 0;
  private priorSsthresh = 0;
  /** TSval of the episode's first retransmission (valid when `stamped`). */
  private retransmitTsval = 0;
  private stamped = false;
  /** Retransmissions of the episode not yet shown unneeded by a D-SACK. */
  private unneededPending = 0;
  /** SND.UNA when the episode began: D-SACKs below it are about older episodes (Linux's undo_marker). */
  private marker: Seq = seq(0);

  constructor() {
    settleFields(this, UNDO_DOUBLE_FIELDS, UNDO_LATE_FIELDS);
  }

  /** Whether an episode can still be undone. */
  get canUndo(): boolean {
    return this.armed;
  }

  /**
   * A window reduction is about to happen: remember what it replaces. `fresh` starts a new episode; a
   * further reduction within one (a timeout during recovery) keeps the first one's values.
   */
  begin(cc: CongestionController, fresh: boolean, sndUna: Seq): void {
    if (this.armed && !fresh) return;
    this.armed = true;
    this.marker = sndUna;
    this.priorCwnd = cc.cwnd;
    this.priorSsthresh = cc.ssthresh;
    this.stamped = false;
    this.unneededPending = 0;
  }

  /** A segment of the episode was retransmitted carrying `tsval` (when timestamps are on). */
  retransmitted(tsval: number | undefined): void {
    if (!this.armed) return;
    this.unneededPending++;
    if (!this.stamped && tsval !== undefined) {
      this.retransmitTsval = tsval;
      this.stamped = true;
    }
  }

  /** Eifel (RFC 3522 §3.2): an ACK past the retransmitted data echoes `tsecr`; true if it shows it spurious. */
  spuriousByTimestamp(tsecr: number): boolean {
    return this.armed && this.stamped && tsecr !== 0 && ((tsecr - this.retransmitTsval) | 0) < 0;
  }

  /**
   * A D-SACK reported [left, right) received twice; true once every retransmission of the episode was
   * unneeded. As Linux, only a duplicate of data the peer had acknowledged before this ACK (`priorUna`) and
   * sent within the episode counts: a D-SACK of data still in the window, or of an older episode, says
   * nothing about this one's retransmissions.
   */
  spuriousByDsack(left: Seq, right: Seq, priorUna: Seq): boolean {
    if (!this.armed || this.unneededPending <= 0) return false;
    if (!seqLe(right, priorUna) || !seqGe(left, this.marker)) return false;
    return --this.unneededPending === 0;
  }

  /** Restores the window and threshold from before the episode and closes it. */
  undo(cc: CongestionController): void {
    if (!this.armed) return;
    cc.restore(this.priorCwnd, this.priorSsthresh);
    this.armed = false;
  }

  /** Nothing can be undone any more (the connection starts over). */
  end(): void {
    this.armed = false;
  }
}
