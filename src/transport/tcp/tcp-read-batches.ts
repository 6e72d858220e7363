/**
 * What the TCP layer does at the end of each of the link's read batches (IPLayer.onBatchEnd), on a link that
 * signals them: each connection sends the one ACK that waited for the batch (tcp-ack-batch.ts), then the
 * timers held for the input read before they expired fire (tcp-timer-gate.ts, when the link also keeps a
 * backlog), after those ACKs, as they would have had the input come in time.
 */

import type { TcpConnectionFactory } from './connection/tcp-connection-factory.js';
import type { TcpTimerGate } from './connection/tcp-timer-gate.js';
import type { TcpAckBatch } from './receive/tcp-ack-batch.js';
import type { TcpIp } from './tcp-layer-types.js';

export class TcpReadBatches {
  /** The connections' ACKs that wait for the end of the batch; undefined when the link signals no batches. */
  readonly ackBatch: TcpAckBatch | undefined;
  /** Enabled when the link keeps a backlog as well. */
  private readonly timerGate: TcpTimerGate | undefined;

  constructor(
    ip: TcpIp,
    factory: TcpConnectionFactory,
    /** Told of a connection that threw at a batch end (`what`: on a batched ACK, on a held timer). */
    private readonly failed: (error: unknown, what: string) => void,
  ) {
    const batch = factory.ackBatch;
    if (batch === undefined || ip.onBatchEnd?.(() => this.end(batch)) !== true) return;
    batch.enable();
    this.ackBatch = batch;
    const backlog = ip.receiveBacklog?.();
    if (backlog !== undefined && factory.timerGate !== undefined) {
      factory.timerGate.enable(backlog);
      this.timerGate = factory.timerGate;
    }
  }

  /** The ACK batch's figures and the timers held, into `out`. */
  addStats(out: Record<string, number>): void {
    if (this.ackBatch !== undefined) Object.assign(out, this.ackBatch.stats());
    if (this.timerGate !== undefined) out.timersHeld = this.timerGate.heldCount;
  }

  private end(batch: TcpAckBatch): void {
    try {
      batch.end();
    } catch (error) {
      this.failed(error, 'a batched ACK');
    }
    this.timerGate?.release(this.timerFailed);
  }

  private readonly timerFailed = (error: unknown): void => this.failed(error, 'a held timer');
}
