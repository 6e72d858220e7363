/**
 * A listening port: the SYN queue (half-open connections in SYN_RECEIVED, counted) and the accept
 * queue (established connections the application has not taken yet), both bounded as Linux bounds
 * them (tcp_max_syn_backlog and the listen backlog). The TCP layer fills them; the server drains the
 * accept queue when told that something is waiting.
 */

import type { TcpConnection } from '../connection/tcp-connection.js';

export class TcpListener {
  /** Connections in SYN_RECEIVED that belong to this listener. */
  synQueued = 0;
  /** Clock time of the last SYN answered with a cookie (Linux's synq overflow stamp); -Infinity if none. */
  lastCookieAt = Number.NEGATIVE_INFINITY;
  private readonly queue: TcpConnection[] = [];
  private closedFlag = false;

  constructor(
    readonly port: number,
    readonly backlog: number,
    readonly synBacklog: number,
    /** Called (from the packet path) when a connection joins the accept queue. */
    private readonly onAcceptable: () => void,
    private readonly unbind: (listener: TcpListener) => void,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  get acceptQueueLength(): number {
    return this.queue.length;
  }

  get acceptQueueFull(): boolean {
    return this.queue.length >= this.backlog;
  }

  get synQueueFull(): boolean {
    return this.synQueued >= this.synBacklog;
  }

  /**
   * SYN-ACK retransmissions allowed to a half-open connection now, out of `configured`: `underPressure`
   * once the SYN queue is more than half full, so that flood entries give their slot back after 7 s
   * rather than 63 s. Linux's reqsk_timer_handler lowers the count to the same floor, but less while
   * "young" entries (not yet timed out) are many; under a flood those are flood entries too, refilling
   * every freed slot, and kept old ones alive for 31 s in our tests. A legitimate client loses nothing:
   * each SYN it retransmits gets an answer, from a fresh entry or, while the queue is full, a cookie.
   */
  synAckRetryLimit(configured: number, underPressure: number): number {
    if (this.synQueued * 2 > Math.max(8, this.synBacklog)) return Math.min(configured, underPressure);
    return configured;
  }

  /** Takes the oldest established connection, if any. */
  accept(): TcpConnection | undefined {
    return this.queue.shift();
  }

  /** The layer: a connection of ours reached ESTABLISHED. */
  enqueue(connection: TcpConnection): void {
    this.queue.push(connection);
    this.onAcceptable();
  }

  /** The layer: a queued connection closed before it was accepted. */
  remove(connection: TcpConnection): void {
    const i = this.queue.indexOf(connection);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Stops listening; connections not yet accepted are reset (as Linux does on close of a listener). */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.unbind(this);
    for (const connection of this.queue.splice(0)) connection.abort();
  }
}
