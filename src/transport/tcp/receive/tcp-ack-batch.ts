/**
 * One ACK per read batch, as GRO-fed Linux sends: while the link delivers a batch of datagrams (a TUN read
 * batch), the ACKs that in-order data makes (RFC 5681 §4.2's "every second full-sized segment") and the window
 * updates that reading makes wait for the end of the batch, where each connection that has one sends one
 * cumulative ACK with the window as it is then. ACKs that must go at once (out of order, duplicate, a filled
 * hole, FIN, zero-window probes) do not wait. A TCP layer has one; it is open between a datagram and the next
 * batch end, and only on a link that signals batch ends (IPLayer.onBatchEnd): without one, nothing waits.
 */

/** A connection that may hold an ACK until the end of the batch. */
export interface AckBatchMember {
  /** Set while the member is in the batch's list (it is listed once however many segments it had). */
  ackBatched: boolean;
  /** The batch ended: send the ACK that waited, if it is still due. */
  flushBatchedAck(): void;
}

export class TcpAckBatch {
  /** Whether the link signals batch ends (only then may an ACK wait). */
  private enabled = false;
  private isOpen = false;
  private readonly members: AckBatchMember[] = [];
  /** ACKs that waited for a batch end, and the batch ends that sent at least one. */
  private deferred = 0;
  private flushes = 0;

  /** The link signals batch ends: ACKs may wait for them from now on. */
  enable(): void {
    this.enabled = true;
  }

  /** A datagram arrived: a batch is open until its end (on a link that signals them). */
  begin(): void {
    if (this.enabled) this.isOpen = true;
  }

  /** Whether an ACK may wait for the end of the current batch. */
  get open(): boolean {
    return this.isOpen;
  }

  /** `member` holds an ACK until the batch ends. */
  defer(member: AckBatchMember): void {
    this.deferred++;
    if (member.ackBatched) return;
    member.ackBatched = true;
    this.members.push(member);
  }

  /** The batch ended: every member sends its ACK. */
  end(): void {
    this.isOpen = false;
    const members = this.members;
    if (members.length === 0) return;
    this.flushes++;
    // A member's ACK may make a send that makes another arrive (a synchronous link): the list may grow.
    try {
      for (let i = 0; i < members.length; i++) {
        const member = members[i]!;
        member.ackBatched = false;
        member.flushBatchedAck();
      }
    } finally {
      for (let i = 0; i < members.length; i++) members[i]!.ackBatched = false;
      members.length = 0;
      // A segment that came back during the ACKs (a synchronous link) opened the batch again; its ACK went
      // out in the loop above, and nothing may wait for a batch end that is not coming.
      this.isOpen = false;
    }
  }

  stats(): Record<string, number> {
    return { ackBatchDeferred: this.deferred, ackBatchFlushes: this.flushes };
  }
}
