/**
 * Output deferred to the end of the current task, for small writes (TCP autocorking, as Linux's
 * tcp_autocorking): a write that leaves less than a segment unsent does not go out at once but from one
 * microtask per stack, after whatever else the application does in the same task. A response written
 * and then ended (node:http's res.end() and the socket's end() a tick later) thus leaves as one segment
 * carrying both the data and the FIN instead of two, which on a TUN device is one system call less per
 * connection. Writes of a segment or more go out at once, as before.
 *
 * One scheduler per stack, shared by every connection (no closure or timer per connection); the list is
 * emptied on every run, so it never keeps a closed connection alive.
 */

import { NO_FIELDS, settleFields } from '../../settled-fields.js';

/** What the scheduler calls back: the connection's deferred flush. */
export interface DeferredOutput {
  /** Whether this connection is already in the list (a field of the connection's, kept by the scheduler). */
  outputDeferred: boolean;
  flushDeferred(): void;
}

export class TcpOutputScheduler {
  private pending: DeferredOutput[] = [];
  private spare: DeferredOutput[] = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    // Swap the lists: a flush that defers again (a handler writing from inside) lands in the next run.
    const list = this.pending;
    this.pending = this.spare;
    this.spare = list;
    let i = 0;
    try {
      for (; i < list.length; i++) {
        const c = list[i]!;
        c.outputDeferred = false;
        c.flushDeferred();
      }
    } finally {
      // Should a flush throw, the rest are not left marked as deferred forever (their next write defers again).
      for (i++; i < list.length; i++) list[i]!.outputDeferred = false;
      list.length = 0;
    }
  };

  constructor() {
    // First written by a stack's first autocorked write, maybe after the code reading them was optimised.
    settleFields(this, NO_FIELDS, ['pending', 'spare', 'scheduled']);
  }

  /** Flushes `c` at the end of the current task (once, however often it is deferred before then). */
  defer(c: DeferredOutput): void {
    if (c.outputDeferred) return;
    c.outputDeferred = true;
    this.pending.push(c);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.run);
    }
  }
}
