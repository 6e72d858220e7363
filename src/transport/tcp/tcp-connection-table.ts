/**
 * The connections of one local port, by demultiplexing key (remote address · 65536 + remote port): a Map
 * from the key to a slot holding the connection, the slot emptied when the connection leaves.
 *
 * Why the slot: the Map gains and loses an entry per connection, and its hash table is rebuilt every few
 * dozen; a rebuilt table keeps the entries it had (for iterators), and in pilha http under ab without
 * keep-alive those stale entries kept closed connections alive through every young-generation collection
 * into the old generation (with the TIME_WAIT table's, about 0.6 MB promoted per scavenge once the heap had
 * grown, twice the scavenge time). What a stale entry keeps now is an empty slot of a few words.
 */

import type { TcpConnection } from './connection/tcp-connection.js';

interface Slot {
  connection: TcpConnection | undefined;
}

export class TcpConnectionTable {
  private readonly slots = new Map<number, Slot>();

  get size(): number {
    return this.slots.size;
  }

  get(key: number): TcpConnection | undefined {
    return this.slots.get(key)?.connection;
  }

  has(key: number): boolean {
    return this.slots.has(key);
  }

  set(key: number, connection: TcpConnection): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) slot.connection = connection;
    else this.slots.set(key, { connection });
  }

  delete(key: number): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    slot.connection = undefined;
    this.slots.delete(key);
  }

  /** The connections now (a copy: the table may change while the caller goes through them). */
  values(): TcpConnection[] {
    const out: TcpConnection[] = [];
    for (const slot of this.slots.values()) if (slot.connection !== undefined) out.push(slot.connection);
    return out;
  }
}
