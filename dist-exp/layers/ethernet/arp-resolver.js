import { Counters } from '../../core/counters.js';
import { formatIpv4 } from '../../core/ipv4-address.js';
import { BROADCAST_MAC, formatMac } from '../../core/mac-address.js';
import { ArpCache, NO_MAC } from './arp-cache.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST } from './arp-packet.js';
import { ETHERNET_HEADER_LENGTH } from './ethernet-frame.js';
export const ARP_COUNTERS = [
    'arpRxRequests',
    'arpRxReplies',
    'arpTxRequests',
    'arpTxReplies',
    'arpTxAnnouncements',
    /** Entries created from a request addressed to us (RFC 826: only those create entries). */
    'arpLearned',
    /** Known entries whose MAC a packet confirmed or changed (RFC 826's merge). */
    'arpUpdated',
    /** Packets neither for us nor about a neighbour we know: nothing learnt (the merge rule). */
    'arpIgnored',
    'arpResolved',
    /** Resolutions given up after the last unanswered request (broadcast or unicast refresh). */
    'arpFailed',
    'arpEvicted',
    /** Another host claims our address (RFC 5227 §2.4). */
    'arpConflicts',
    /** Datagrams that waited for a resolution. */
    'txQueued',
    /** Waiting datagrams dropped when their resolution failed (each reported unreachable). */
    'dropArpFailed',
    /** Waiting datagrams dropped, oldest first, for a neighbour's queue limit. */
    'dropQueueFull',
    /** Datagrams dropped for the limit on all queues together. */
    'dropQueueTotal',
    /** Waiting datagrams dropped with their evicted (or closed) entry. */
    'dropQueueEvicted',
];
/**
 * ARP for one interface (RFC 826, with RFC 5227's announcement and conflict detection): answers requests for
 * our address, resolves neighbours with queued datagrams and retries, keeps a bounded cache whose entries age
 * from REACHABLE to STALE and are refreshed by unicast requests when used stale. All timing on the Clock.
 */
export class ArpResolver {
    clock;
    log;
    config;
    address;
    mac;
    port;
    counters = new Counters(ARP_COUNTERS);
    cache;
    queuedBytes = 0;
    announceTimer;
    announcementsLeft = 0;
    lastDefence = Number.NEGATIVE_INFINITY;
    closed = false;
    constructor(clock, log, config, address, mac, port) {
        this.clock = clock;
        this.log = log;
        this.config = config;
        this.address = address;
        this.mac = mac;
        this.port = port;
        this.cache = new ArpCache(config.maxEntries, (entry) => {
            this.counters.values.arpEvicted++;
            this.discard(entry, 'dropQueueEvicted');
        });
    }
    /** RFC 5227 §2.3: announce our address (and MAC) so neighbours update their caches. */
    start() {
        this.announcementsLeft = this.config.announcements;
        this.announce();
    }
    announce = () => {
        this.announceTimer = undefined;
        if (this.closed || this.announcementsLeft <= 0)
            return;
        this.announcementsLeft--;
        this.sendAnnouncement();
        if (this.announcementsLeft > 0)
            this.announceTimer = this.clock.setTimer(this.config.announceIntervalMs, this.announce);
    };
    /** A gratuitous request: sender and target are our address, target MAC zero, to everyone. */
    sendAnnouncement() {
        this.counters.values.arpTxAnnouncements++;
        this.port.sendArp(BROADCAST_MAC, {
            op: ARP_OP_REQUEST,
            sha: this.mac,
            spa: this.address,
            tha: 0,
            tpa: this.address,
        });
    }
    /**
     * The MAC to send to `ip` now, or NO_MAC if there is none yet (then `hold` the datagram). The hot path:
     * no allocation for a known neighbour. A stale neighbour is used and, the first time, refreshed.
     */
    lookup(ip) {
        const entry = this.cache.get(ip);
        if (entry === undefined || entry.state === 'incomplete')
            return NO_MAC;
        const now = this.clock.now();
        entry.usedAt = now;
        entry.referenced = true;
        if (entry.state === 'reachable' && now - entry.confirmedAt >= this.config.reachableMs)
            entry.state = 'stale';
        if (entry.state === 'stale')
            this.startRefresh(entry);
        return entry.mac;
    }
    /** Copies `datagram` into a frame that waits for `ip` to resolve, starting the resolution if needed. */
    hold(ip, datagram) {
        const c = this.counters.values;
        const length = datagram.length;
        if (length > this.config.queueBytesPerNeighbour) {
            c.dropQueueFull++;
            return;
        }
        if (this.queuedBytes + length > this.config.queueBytesTotal) {
            c.dropQueueTotal++;
            return;
        }
        let entry = this.cache.get(ip);
        if (entry === undefined) {
            entry = this.cache.add(ip, NO_MAC, 'incomplete', this.clock.now());
            entry.referenced = true;
            this.solicit(entry);
        }
        else if (entry.state !== 'incomplete') {
            // Resolved meanwhile (a caller that did not look up first): send at once.
            const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + length);
            frame.set(datagram, ETHERNET_HEADER_LENGTH);
            this.port.sendHeld(frame, entry.mac);
            return;
        }
        // Linux's neigh_resolve: the oldest waiting datagrams make room for the newest.
        while (entry.queue.length > 0 && entry.queueBytes + length > this.config.queueBytesPerNeighbour) {
            const oldest = entry.queue.shift();
            this.unqueue(entry, oldest);
            c.dropQueueFull++;
        }
        const frame = new Uint8Array(ETHERNET_HEADER_LENGTH + length);
        frame.set(datagram, ETHERNET_HEADER_LENGTH);
        entry.queue.push(frame);
        entry.queueBytes += length;
        this.queuedBytes += length;
        c.txQueued++;
    }
    /** RFC 826's packet reception, with RFC 5227's conflict detection. */
    receive(packet) {
        if (this.closed)
            return;
        const c = this.counters.values;
        const isRequest = packet.op === ARP_OP_REQUEST;
        if (isRequest)
            c.arpRxRequests++;
        else
            c.arpRxReplies++;
        const forUs = packet.tpa === this.address;
        if (packet.spa === this.address) {
            // Someone else uses our address (our own frames never get here: the layer drops our source MAC).
            this.conflict(packet);
            return;
        }
        // An RFC 5227 probe (sender address 0) teaches nothing; one for our address is answered, which defends it.
        const probe = packet.spa === 0;
        let merged = false;
        if (!probe) {
            const entry = this.cache.get(packet.spa);
            if (entry !== undefined) {
                merged = true;
                this.merge(entry, packet, forUs && !isRequest);
            }
        }
        if (!forUs) {
            if (!merged)
                c.arpIgnored++;
            return;
        }
        if (!merged && !probe) {
            // Learnt from a request (or an unsolicited reply) to us: unconfirmed, so stale (Linux's neigh_event_ns).
            this.cache.add(packet.spa, packet.sha, 'stale', this.clock.now());
            c.arpLearned++;
            if (this.log.isLevelEnabled('debug'))
                this.log.debug({ ip: formatIpv4(packet.spa), mac: formatMac(packet.sha) }, 'arp learnt');
        }
        if (isRequest) {
            c.arpTxReplies++;
            this.port.sendArp(packet.sha, {
                op: ARP_OP_REPLY,
                sha: this.mac,
                spa: this.address,
                tha: packet.sha,
                tpa: packet.spa,
            });
        }
    }
    /** Updates a known neighbour; a reply to us confirms it (REACHABLE) and releases what waits for it. */
    merge(entry, packet, confirms) {
        const c = this.counters.values;
        const changed = entry.mac !== packet.sha;
        c.arpUpdated++;
        const wasIncomplete = entry.state === 'incomplete';
        entry.mac = packet.sha;
        if (confirms) {
            entry.state = 'reachable';
            entry.confirmedAt = this.clock.now();
            entry.probes = 0;
            entry.timer?.cancel();
            entry.timer = undefined;
        }
        else if (changed || wasIncomplete) {
            // A new MAC (or a first one from a gratuitous packet) is known but not confirmed.
            entry.state = 'stale';
            entry.confirmedAt = this.clock.now();
            if (wasIncomplete) {
                entry.probes = 0;
                entry.timer?.cancel();
                entry.timer = undefined;
            }
        }
        if (wasIncomplete) {
            c.arpResolved++;
            if (this.log.isLevelEnabled('debug'))
                this.log.debug({ ip: formatIpv4(entry.ip), mac: formatMac(entry.mac) }, 'arp resolved');
            this.release(entry);
        }
        else if (changed && this.log.isLevelEnabled('info')) {
            this.log.info({ ip: formatIpv4(entry.ip), mac: formatMac(entry.mac) }, 'arp neighbour changed MAC');
        }
    }
    conflict(packet) {
        if (packet.sha === this.mac)
            return;
        this.counters.values.arpConflicts++;
        if (this.log.isLevelEnabled('warn'))
            this.log.warn({ ip: formatIpv4(this.address), mac: formatMac(packet.sha) }, 'address conflict');
        // RFC 5227 §2.4 (b): defend once per DEFEND_INTERVAL with an announcement, then keep the address.
        const now = this.clock.now();
        if (now - this.lastDefence >= this.config.defendIntervalMs) {
            this.lastDefence = now;
            this.sendAnnouncement();
        }
    }
    /** Sends what waited for `entry`, oldest first. */
    release(entry) {
        const queue = entry.queue;
        if (queue.length === 0)
            return;
        // A send may re-enter (a synchronous link): the entry starts a fresh queue first.
        entry.queue = [];
        this.queuedBytes -= entry.queueBytes;
        entry.queueBytes = 0;
        for (const frame of queue)
            this.port.sendHeld(frame, entry.mac);
    }
    /** First broadcast request for a new entry, and the retry timer. */
    solicit(entry) {
        entry.probes = 1;
        this.sendRequest(entry, BROADCAST_MAC);
        entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
    }
    /** A stale entry in use: unicast requests to the MAC we have (Linux's PROBE), traffic still flowing. */
    startRefresh(entry) {
        entry.state = 'probe';
        entry.probes = 1;
        this.sendRequest(entry, entry.mac);
        entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
    }
    retry(entry) {
        entry.timer = undefined;
        if (this.closed || this.cache.get(entry.ip) !== entry)
            return;
        if (entry.state !== 'incomplete' && entry.state !== 'probe')
            return;
        const limit = entry.state === 'incomplete' ? this.config.broadcastProbes : this.config.unicastProbes;
        if (entry.probes < limit) {
            entry.probes++;
            this.sendRequest(entry, entry.state === 'incomplete' ? BROADCAST_MAC : entry.mac);
            entry.timer = this.clock.setTimer(this.config.retransmitMs, () => this.retry(entry));
            return;
        }
        this.counters.values.arpFailed++;
        if (this.log.isLevelEnabled('info'))
            this.log.info({ ip: formatIpv4(entry.ip), queued: entry.queue.length }, 'arp resolution failed');
        this.cache.delete(entry);
        this.discard(entry, 'dropArpFailed');
    }
    sendRequest(entry, dst) {
        this.counters.values.arpTxRequests++;
        this.port.sendArp(dst, {
            op: ARP_OP_REQUEST,
            sha: this.mac,
            spa: this.address,
            tha: dst === BROADCAST_MAC ? 0 : dst,
            tpa: entry.ip,
        });
    }
    /** Drops a removed entry's timer and queue; failed resolutions report each datagram unreachable. */
    discard(entry, counter) {
        entry.timer?.cancel();
        entry.timer = undefined;
        const queue = entry.queue;
        entry.queue = [];
        this.queuedBytes -= entry.queueBytes;
        entry.queueBytes = 0;
        this.counters.values[counter] += queue.length;
        if (counter !== 'dropArpFailed')
            return;
        for (const frame of queue)
            this.port.unreachable(frame.subarray(ETHERNET_HEADER_LENGTH));
    }
    unqueue(entry, frame) {
        const length = frame.length - ETHERNET_HEADER_LENGTH;
        entry.queueBytes -= length;
        this.queuedBytes -= length;
    }
    /** The cache as `ip neigh` shows it, states as of now. */
    entries() {
        const now = this.clock.now();
        const out = [];
        for (const e of this.cache.values()) {
            const state = e.state === 'reachable' && now - e.confirmedAt >= this.config.reachableMs ? 'stale' : e.state;
            out.push({
                ip: e.ip,
                ...(e.mac === NO_MAC ? {} : { mac: e.mac }),
                state,
                ageMs: now - e.confirmedAt,
                queued: e.queue.length,
            });
        }
        return out;
    }
    stats() {
        let incomplete = 0;
        for (const e of this.cache.values())
            if (e.state === 'incomplete')
                incomplete++;
        return {
            ...this.counters.snapshot(),
            arpEntries: this.cache.size,
            arpIncomplete: incomplete,
            arpQueuedBytes: this.queuedBytes,
        };
    }
    close() {
        if (this.closed)
            return;
        this.closed = true;
        this.announceTimer?.cancel();
        this.announceTimer = undefined;
        for (const entry of this.cache.values())
            this.discard(entry, 'dropQueueEvicted');
        this.cache.clear();
    }
}
//# sourceMappingURL=arp-resolver.js.map