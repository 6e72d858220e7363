/**
 * The receiving side of a connection: segment text goes into the receive buffer (in order, out of order,
 * duplicate or dropped), and the ACK policy of RFC 5681 §4.2 decides whether it is acknowledged at once or
 * after the delayed-ACK timeout; with SACK, what the next ACK's SACK and D-SACK blocks report
 * (sack-block-generator.ts). Sits between TcpSender and TcpConnection, which calls processText during
 * segment arrival (RFC 9293 §3.10.7.4, seventh step).
 */

import { type Seq, seqAdd, seqDiff } from '../wire/seq.js';
import { ReceiveResult } from './receive-buffer.js';
import { TcpSender } from './tcp-sender.js';
import { TimerKind } from './tcp-timers.js';

export abstract class TcpReceiver extends TcpSender {
  /**
   * Seventh, the segment text: into the receive buffer, and an ACK now or delayed. Returns whether new
   * in-order data became readable.
   */
  protected processText(dataSeq: Seq, payload: Uint8Array): boolean {
    const rb = this.receiveBuffer;
    const hadHoles = rb.outOfOrderRanges > 0;
    const before = rb.nextOffset;
    const offset = before + seqDiff(dataSeq, this.rcvNxt);
    if (this.sackEnabled && hadHoles && this.sack?.hasDuplicate !== true)
      this.noteHeldDuplicate(offset, payload.length);
    const result = rb.insert(offset, payload);
    if (payload.length > this.rcvMss) this.rcvMss = Math.min(payload.length, this.ourMss);
    switch (result) {
      case ReceiveResult.IN_ORDER: {
        const advanced = rb.nextOffset - before;
        this.rcvNxt = seqAdd(this.rcvNxt, advanced);
        this.counts.bytesReceived += advanced;
        // RFC 5681 §4.2: ACK at once when a segment fills a hole; otherwise at least every second
        // full-sized segment, and within the delayed-ACK timeout.
        if (hadHoles) this.ackNow = true;
        else {
          this.ackPendingBytes += payload.length;
          if (this.ackPendingBytes >= 2 * this.rcvMss) this.ackNow = true;
          else this.timers.ensure(TimerKind.DELAYED_ACK, this.config.delayedAckMs);
        }
        return true;
      }
      case ReceiveResult.OUT_OF_ORDER:
        // RFC 5681 §4.2: an out-of-order segment is ACKed at once (the duplicate ACK that drives fast retransmit).
        this.counts.outOfOrderReceived++;
        this.ackNow = true;
        // RFC 2018 §4: its block goes first in the SACK option.
        if (this.sackEnabled) this.sackGenerator().noteArrival(rb, Math.max(offset, rb.nextOffset));
        return false;
      case ReceiveResult.DUPLICATE:
        this.ackNow = true;
        // RFC 2883 §4: the block holding a duplicate of out-of-order data follows the D-SACK.
        if (this.sackEnabled && offset > rb.nextOffset) this.sackGenerator().noteArrival(rb, offset);
        return false;
      case ReceiveResult.DROPPED:
        this.counts.outOfOrderDropped++;
        this.ackNow = true;
        return false;
      case ReceiveResult.NO_MEMORY:
        // Not acknowledged: the peer sends it again once the stack has memory (and its window) to spare.
        this.counts.dropNoMemory++;
        this.ackNow = true;
        return false;
      default:
        result satisfies never;
        return false;
    }
  }

  /** RFC 2883: the first bytes of [offset, offset + length) already held past a hole are a D-SACK. */
  private noteHeldDuplicate(offset: number, length: number): void {
    const rb = this.receiveBuffer;
    const end = offset + length;
    const k = rb.firstOverlap(offset, end);
    if (k < 0) return;
    const from = Math.max(offset, rb.rangeStart(k));
    const to = Math.min(end, rb.rangeEnd(k));
    // RCV.NXT sits at rb.nextOffset in the stream.
    this.sackGenerator().noteDuplicate(
      seqAdd(this.rcvNxt, from - rb.nextOffset),
      seqAdd(this.rcvNxt, to - rb.nextOffset),
    );
  }

  /**
   * RFC 2883: a segment whose bytes [seg, seg + length) lie wholly or partly below RCV.NXT (a
   * retransmission of data already received): its old part is the D-SACK of the next ACK.
   */
  protected noteOldDuplicate(segSeq: Seq, length: number): void {
    if (!this.sackEnabled || length <= 0) return;
    const below = seqDiff(this.rcvNxt, segSeq);
    if (below <= 0) return;
    this.sackGenerator().noteDuplicate(segSeq, seqAdd(segSeq, Math.min(below, length)));
  }
}
