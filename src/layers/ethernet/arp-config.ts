/**
 * Every limit and timeout of ARP in one place, with the Linux value each copies (net.ipv4.neigh.default.*,
 * see ip-sysctl and neighbour.c) or the RFC it comes from.
 */
export interface ArpConfig {
  /** How long a reply keeps an entry REACHABLE before it turns STALE (base_reachable_time_ms: 30 s). */
  readonly reachableMs: number;
  /**
   * A different MAC for a neighbour within this long of a packet's last change to its entry is ignored, unless
   * in a request to us or a gratuitous packet: of several answers back to back (proxies), the first stands
   * (locktime: 1 s).
   */
  readonly locktimeMs: number;
  /** Interval between requests while resolving (retrans_time_ms: 1 s). */
  readonly retransmitMs: number;
  /** Broadcast requests for an unknown neighbour before giving up (mcast_solicit: 3). */
  readonly broadcastProbes: number;
  /** Unicast requests to refresh a STALE neighbour in use before forgetting it (ucast_solicit: 3). */
  readonly unicastProbes: number;
  /** Entries at most; past it the oldest unused one is evicted (gc_thresh3: 1024). */
  readonly maxEntries: number;
  /** Bytes of datagrams waiting for one neighbour's resolution; the oldest go first (unres_qlen_bytes: 212992). */
  readonly queueBytesPerNeighbour: number;
  /** Bytes waiting for all resolutions together (pilha's own cap: Linux bounds it only per neighbour). */
  readonly queueBytesTotal: number;
  /** Gratuitous ARP announcements on start (RFC 5227 §2.3 ANNOUNCE_NUM: 2). */
  readonly announcements: number;
  /** Between announcements (RFC 5227 ANNOUNCE_INTERVAL: 2 s). */
  readonly announceIntervalMs: number;
  /** At most one defending announcement per this interval on an address conflict (RFC 5227 DEFEND_INTERVAL: 10 s). */
  readonly defendIntervalMs: number;
}

export const DEFAULT_ARP_CONFIG: ArpConfig = {
  reachableMs: 30_000,
  locktimeMs: 1_000,
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
