/**
 * A map from objects to values for registries that gain and lose an entry per connection (a server's open
 * sockets): two arrays, each key's index kept on the key under a symbol of the map's own, so that set, get
 * and delete are O(1) and a deleted entry's slots are overwritten at once (the last entry moves into them).
 *
 * Why not a Map or a Set: with one there, `pilha http` under ab without keep-alive promoted whole closed
 * connections (the socket, its TCP connection, node:http's per-connection state) into V8's old generation
 * at every young-generation collection once its heap had grown (after a large download: 2 MB promoted per
 * scavenge instead of 0.2 MB, each scavenge three to four times as long, a tenth more CPU per request).
 * A hash table that churns is rebuilt every few dozen entries and a rebuilt table keeps its old entries
 * (for live iterators); an overwritten array slot keeps nothing. Keys of a SlotMap die young.
 */
export class SlotMap<K extends object, V> {
  private readonly keyList: K[] = [];
  private readonly valueList: V[] = [];
  /** Where each key's index lives on it (a property the key does not otherwise have). */
  private readonly slot = Symbol('slot');

  get size(): number {
    return this.keyList.length;
  }

  /** Adds `key` with `value`, or replaces its value. */
  set(key: K, value: V): void {
    const i = this.indexOf(key);
    if (i >= 0) {
      this.valueList[i] = value;
      return;
    }
    this.setIndex(key, this.keyList.length);
    this.keyList.push(key);
    this.valueList.push(value);
  }

  has(key: K): boolean {
    return this.indexOf(key) >= 0;
  }

  get(key: K): V | undefined {
    const i = this.indexOf(key);
    return i >= 0 ? this.valueList[i] : undefined;
  }

  /** Removes `key`; false when it was not there. */
  delete(key: K): boolean {
    const i = this.indexOf(key);
    if (i < 0) return false;
    const lastKey = this.keyList.pop()!;
    const lastValue = this.valueList.pop()!;
    if (lastKey !== key) {
      this.keyList[i] = lastKey;
      this.valueList[i] = lastValue;
      this.setIndex(lastKey, i);
    }
    // -1 rather than deleting the property: the key keeps its shape (hidden class).
    this.setIndex(key, -1);
    return true;
  }

  /** The keys now (a copy: the map may change while the caller goes through them). */
  keys(): K[] {
    return this.keyList.slice();
  }

  /** The key's index, or -1 when it is not in this map. */
  private indexOf(key: K): number {
    const i = (key as Record<symbol, number | undefined>)[this.slot];
    return i !== undefined && i >= 0 && this.keyList[i] === key ? i : -1;
  }

  private setIndex(key: K, i: number): void {
    (key as Record<symbol, number>)[this.slot] = i;
  }
}
