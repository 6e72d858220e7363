/** Marks an incomplete entry's MAC. */
export const NO_MAC = -1;
/**
 * The neighbour table, bounded: at `maxEntries`, adding one evicts another, chosen by the CLOCK
 * (second-chance) approximation of least-recently-used over insertion order: an entry used since it was last
 * passed over is moved to the back instead. A flood of made-up senders thus churns through its own entries,
 * which nothing uses, while neighbours that carry traffic stay. Amortised O(1) per insertion.
 */
export class ArpCache {
    maxEntries;
    evicted;
    entries = new Map();
    constructor(maxEntries, 
    /** Told of every entry removed to make room, before it goes (to cancel its timer, drop its queue). */
    evicted) {
        this.maxEntries = maxEntries;
        this.evicted = evicted;
    }
    get size() {
        return this.entries.size;
    }
    get(ip) {
        return this.entries.get(ip);
    }
    /** Adds a new entry for `ip` (which must be absent), evicting one first if the table is full. */
    add(ip, mac, state, now) {
        if (this.entries.size >= this.maxEntries)
            this.evictOne();
        const entry = {
            ip,
            mac,
            state,
            confirmedAt: now,
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
    delete(entry) {
        if (this.entries.get(entry.ip) === entry)
            this.entries.delete(entry.ip);
    }
    values() {
        return this.entries.values();
    }
    clear() {
        this.entries.clear();
    }
    evictOne() {
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
//# sourceMappingURL=arp-cache.js.map