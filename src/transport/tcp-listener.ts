/**
 * A listening port: the SYN queue (half-open connections in SYN_RECEIVED, counted) and the accept
 * queue (established connections the application has not taken yet), both bounded as Linux bounds
 * them (tcp_max_syn_backlog and the listen backlog). The TCP layer fills them; the server drains the
 * accept queue when told that something is waiting.
 */

import type { TcpConnection } from './tcp-connection.js';

export class TcpListener {
  /** Connections in SYN_RECEIVED that belong to this listener. */
  synQueued = 0;
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
