import type { Timer } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import type { MacAddress } from '../../core/mac-address.js';

/**
 * A neighbour's state, as Linux's NUD states (reduced):
 * - incomplete: broadcast requests sent, no answer yet; datagrams wait in the entry's queue;
 * - reachable: confirmed by a reply less than `reachableMs` ago;
 * - stale: known but unconfirmed (learnt from a request, or reachable too long ago); still used;
 * - probe: stale and in use, being refreshed by unicast requests (Linux's DELAY/PROBE); still used.
 */
export type ArpState = 'incomplete' | 'reachable' | 'stale' | 'probe';

/** What `arpCache()` lists: one line of `ip neigh`. */
export interface ArpCacheEntry {
  readonly ip: Ipv4Address;
  /** Absent while incomplete. */
  readonly mac?: MacAddress;
  readonly state: ArpState;
  /** Since the last confirmation (a reply) or, if none, since the entry was learnt. */
  readonly ageMs: number;
  /** Datagrams waiting for the resolution. */
  readonly queued: number;
}

/** Marks an incomplete entry's MAC. */
export const NO_MAC = -1;

/** One neighbour; mutable fields owned by the ArpResolver. */
export interface ArpEntry {
  readonly ip: Ipv4Address;
  mac: MacAddress | typeof NO_MAC;
  state: ArpState;
  /** When reachability was last confirmed, or the entry learnt. */
  confirmedAt: number;
  /** When a packet last changed its MAC or state, or the entry was made (ArpConfig.locktimeMs). */
  updatedAt: number;
  /** When traffic last went to it. */
  usedAt: number;
  /** Used since the eviction hand last passed (the second chance of the CLOCK algorithm). */
  referenced: boolean;
  /** Requests sent in the current resolution or refresh. */
  probes: number;
  timer: Timer | undefined;
  /** Frames (14 bytes of header room, then the datagram) waiting for the MAC; oldest first. */
  queue: Uint8Array[];
  queueBytes: number;
}

/**
 * The neighbour table, bounded: at `maxEntries`, adding one evicts another, chosen by the CLOCK
 * (second-chance) approximation of least-recently-used over insertion order: an entry used since it was last
 * passed over is moved to the back instead. A flood of made-up senders thus churns through its own entries,
 * which nothing uses, while neighbours that carry traffic stay. Amortised O(1) per insertion.
 */
export class ArpCache {
  private readonly entries = new Map<Ipv4Address, ArpEntry>();

  constructor(
    private readonly maxEntries: number,
    /** Told of every entry removed to make room, before it goes (to cancel its timer, drop its queue). */
    private readonly evicted: (entry: ArpEntry) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(ip: Ipv4Address): ArpEntry | undefined {
    return this.entries.get(ip);
  }

  /** Adds a new entry for `ip` (which must be absent), evicting one first if the table is full. */
  add(ip: Ipv4Address, mac: MacAddress | typeof NO_MAC, state: ArpState, now: number): ArpEntry {
    if (this.entries.size >= this.maxEntries) this.evictOne();
    const entry: ArpEntry = {
      ip,
      mac,
      state,
      confirmedAt: now,
      updatedAt: now,
      usedAt: now,
      referenced: false,
      probes: 0,
      timer: undefined,
      queue: [],
      queueBytes: 0,
    };
    this.entries.set(ip, entry);
    return entry;
  }

  delete(entry: ArpEntry): void {
    if (this.entries.get(entry.ip) === entry) this.entries.delete(entry.ip);
  }

  values(): IterableIterator<ArpEntry> {
    return this.entries.values();
  }

  clear(): void {
    this.entries.clear();
  }

  private evictOne(): void {
    // Each pass clears at most every entry's bit once, so the loop ends within two sweeps.
    for (const entry of this.entries.values()) {
      if (entry.referenced) {
        entry.referenced = false;
        this.entries.delete(entry.ip);
        this.entries.set(entry.ip, entry);
        continue;
      }
      this.entries.delete(entry.ip);
      this.evicted(entry);
      return;
    }
  }
}
