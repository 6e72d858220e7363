/**
 * Input before timeouts: a connection's timers that expire while datagrams the link has already read still wait
 * to be handed up (a worker reader's backlog, behind a busy main thread) are held until those datagrams have
 * been processed, at the end of the read batch that takes the last of them. An ACK that came before the
 * retransmission deadline then cancels the retransmission instead of following it as a spurious timeout.
 *
 * Found closing 4,000 idle connections at once: the main thread was 0.2-0.9 s behind its backlog, and 900-3,500
 * of the 4,000 connections retransmitted their FIN on the RTO although the peer's ACK had come 26 µs after it;
 * that ACK, processed late, then met no connection and drew a RST.
 *
 * Only what had been read when the timer expired is waited for (its mark), so a backlog that never empties does
 * not hold a timer for ever: it waits as long as the main thread takes to catch up with that point, and again
 * only for a deadline that expired meanwhile (TcpTimers.fireHeld).
 */

import type { ReceiveBacklog } from '../../../layers/link/raw-link.js';

/** What the gate holds and later releases: a connection's timers (TcpTimers). */
export interface HeldTimers {
  /** The gate let it go: runs what is due (a deadline that expired since its mark may be held again). */
  fireHeld(): void;
}

export class TcpTimerGate {
  private backlog: ReceiveBacklog | undefined;
  /** Held timers, in the order they expired, each with the backlog's `received` count then (never decreasing). */
  private held: HeldTimers[] = [];
  private marks: number[] = [];
  /** Timers held for input, ever (the layer's `timersHeld` counter). */
  heldCount = 0;

  /** Turns the gate on over `backlog` (the layer's link signals batch ends, which release what it holds). */
  enable(backlog: ReceiveBacklog): void {
    this.backlog = backlog;
  }

  /** Whether `timers`, just expired, must wait for the datagrams read before now; if so, it is held. */
  hold(timers: HeldTimers): boolean {
    const backlog = this.backlog;
    if (backlog === undefined) return false;
    const received = backlog.received();
    if (received === backlog.delivered()) return false;
    this.held.push(timers);
    this.marks.push(received);
    this.heldCount++;
    return true;
  }

  /**
   * A read batch ended: fires the held timers whose datagrams have all been handed up, oldest first. A timer
   * that throws is given to `onError`; the others still fire.
   */
  release(onError: (error: unknown) => void): void {
    const held = this.held;
    if (held.length === 0) return;
    const delivered = this.backlog!.delivered();
    const marks = this.marks;
    let ready = 0;
    // Running counts that wrap at 2^32: a mark is passed when delivered is not behind it.
    while (ready < held.length && ((delivered - marks[ready]!) | 0) >= 0) ready++;
    if (ready === 0) return;
    const due = held.splice(0, ready);
    marks.splice(0, ready);
    for (const timers of due) {
      try {
        timers.fireHeld();
      } catch (error) {
        onError(error);
      }
    }
  }
}
