import type { Ipv4Address } from '../../core/ipv4-address.js';

/** Linux's net.ipv4.icmp_ratelimit: one error per destination this often (milliseconds). */
export const ICMP_PEER_INTERVAL_MS = 1000;
/** Linux's XRLIM_BURST_FACTOR: a destination not sent an error for a while may get this many at once. */
export const ICMP_PEER_BURST = 6;
/** Destinations tracked at most; past it the longest-tracked is forgotten (it starts afresh, with a full burst). */
export const ICMP_PEER_MAX_TRACKED = 4096;

/** A destination's allowance, in milliseconds earned (an error costs ICMP_PEER_INTERVAL_MS), as of `at`. */
interface PeerAllowance {
  earned: number;
  at: number;
}

/**
 * The per-destination limit on ICMP errors we originate, on top of the global one (icmp-layer.ts), as Linux's
 * inet_peer_xrlim_allow: each destination earns one error a second and banks up to six. Without it a single
 * source, or a spoofed one, drew every error the global limit let through (1,000 a second) back at itself.
 */
export class IcmpPeerRateLimit {
  private readonly peers = new Map<Ipv4Address, PeerAllowance>();

  constructor(
    private readonly intervalMs = ICMP_PEER_INTERVAL_MS,
    private readonly burst = ICMP_PEER_BURST,
    private readonly maxTracked = ICMP_PEER_MAX_TRACKED,
  ) {}

  /** Whether an error may go to `dst` at `now` (milliseconds); if so, it is charged. */
  allow(dst: Ipv4Address, now: number): boolean {
    const cap = this.burst * this.intervalMs;
    let peer = this.peers.get(dst);
    if (peer === undefined) {
      if (this.peers.size >= this.maxTracked) {
        const oldest = this.peers.keys().next().value;
        if (oldest !== undefined) this.peers.delete(oldest);
      }
      // A destination first seen has its whole burst, as Linux's new inet_peer (rate_last an hour back).
      peer = { earned: cap, at: now };
      this.peers.set(dst, peer);
    } else {
      peer.earned = Math.min(cap, peer.earned + (now - peer.at));
      peer.at = now;
    }
    if (peer.earned < this.intervalMs) return false;
    peer.earned -= this.intervalMs;
    return true;
  }

  /** Destinations tracked now. */
  get tracked(): number {
    return this.peers.size;
  }
}
