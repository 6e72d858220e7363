/**
 * The rings of send queues that emptied (SendRing.release), kept for the next bulk writer of the stack
 * instead of being dropped. Without it every bulk response on a new connection allocated its ring afresh,
 * growing by doubling to the queue's capacity (about 8 MB of new memory per response at the default 4 MB):
 * page faults on the main thread, and external memory that had V8 mark the heap on its helper threads every
 * few responses. Measured at MTU 65000 on TUN: 1,250–1,300 MB/s without the pool, 1,650–1,730 with it.
 *
 * A ring comes back only once nothing reads it any more: its queue released it with every byte acknowledged,
 * and it waits one turn of the event loop (setImmediate) before another queue may take it, so that a
 * super-segment still pending in the batcher (flushed from a microtask) is written from it first. The links
 * copy or write a datagram before send() returns, so no link holds a view of it.
 *
 * Bounded (`maxBytes` in all) and trimmed: a ring nobody took within `idleMs` is dropped, so a server that
 * served one large download does not keep its rings for good.
 */

import type { Clock, Timer } from '../../../core/clock.js';
import { NO_FIELDS, settleFields } from '../../settled-fields.js';

/** Bytes the pool keeps at most by default: four rings of the default 4 MB send queue. */
export const SEND_RING_POOL_DEFAULT_BYTES = 16 * 1024 * 1024;

/** How long a pooled ring waits for a taker before it is dropped, by default. */
export const SEND_RING_POOL_DEFAULT_IDLE_MS = 2_000;

interface PooledRing {
  readonly ring: Uint8Array;
  readonly since: number;
}

export class SendRingPool {
  private readonly free: PooledRing[] = [];
  /** Rings given back during the current turn of the event loop: taken by nobody before the next. */
  private readonly settling: Uint8Array[] = [];
  private freeBytes = 0;
  private settleScheduled = false;
  private trimTimer: Timer | undefined;
  /** Rings handed out again instead of allocated (stats, tests). */
  reused = 0;
  /** Rings dropped: over the bound, or idle too long. */
  dropped = 0;
  private readonly settle = (): void => {
    this.settleScheduled = false;
    const now = this.clock.now();
    for (const ring of this.settling) {
      if (this.freeBytes + ring.length > this.maxBytes) {
        this.dropped++;
        continue;
      }
      this.free.push({ ring, since: now });
      this.freeBytes += ring.length;
    }
    this.settling.length = 0;
    this.scheduleTrim();
  };
  private readonly trim = (): void => {
    this.trimTimer = undefined;
    const oldest = this.clock.now() - this.idleMs;
    let kept = 0;
    for (const entry of this.free) {
      if (entry.since > oldest) this.free[kept++] = entry;
      else {
        this.freeBytes -= entry.ring.length;
        this.dropped++;
      }
    }
    this.free.length = kept;
    this.scheduleTrim();
  };

  constructor(
    private readonly clock: Clock,
    readonly maxBytes: number = SEND_RING_POOL_DEFAULT_BYTES,
    readonly idleMs: number = SEND_RING_POOL_DEFAULT_IDLE_MS,
  ) {
    // First written when a stack's second connection reuses a ring, after the write path was optimised.
    settleFields(this, NO_FIELDS, ['freeBytes', 'settleScheduled', 'trimTimer', 'reused', 'dropped']);
  }

  /** Bytes of rings waiting in the pool. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  /** The largest pooled ring of at least `minBytes` and at most `maxBytes`, removed from the pool; else undefined. */
  take(minBytes: number, maxBytes: number): Uint8Array | undefined {
    const free = this.free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const length = free[i]!.ring.length;
      if (length >= minBytes && length <= maxBytes && (best < 0 || length > free[best]!.ring.length))
        best = i;
    }
    if (best < 0) return undefined;
    const { ring } = free[best]!;
    free.splice(best, 1);
    this.freeBytes -= ring.length;
    this.reused++;
    return ring;
  }

  /** A ring whose queue no longer reads it: pooled from the next turn of the event loop on. */
  give(ring: Uint8Array): void {
    this.settling.push(ring);
    if (!this.settleScheduled) {
      this.settleScheduled = true;
      setImmediate(this.settle);
    }
  }

  private scheduleTrim(): void {
    if (this.trimTimer !== undefined || this.free.length === 0) return;
    let oldest = this.free[0]!.since;
    for (const entry of this.free) if (entry.since < oldest) oldest = entry.since;
    const wait = Math.max(0, oldest + this.idleMs - this.clock.now());
    this.trimTimer = this.clock.setTimer(wait + 1, this.trim);
  }
}
