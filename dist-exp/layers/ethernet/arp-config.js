export const DEFAULT_ARP_CONFIG = {
    reachableMs: 30_000,
    retransmitMs: 1_000,
    broadcastProbes: 3,
    unicastProbes: 3,
    maxEntries: 1024,
    queueBytesPerNeighbour: 212_992,
    queueBytesTotal: 1024 * 1024,
    announcements: 2,
    announceIntervalMs: 2_000,
    defendIntervalMs: 10_000,
};
//# sourceMappingURL=arp-config.js.map