/**
 * What path MTU discovery (RFC 1191) has learned per destination: the MTU a "fragmentation needed" error
 * reported, which the transport validated (RFC 5927 §4.1) before lowering it here. Only lowered, never raised
 * by a report; an entry expires after ten minutes (RFC 1191 §6.3, Linux's ip_rt_mtu_expires; configurable),
 * after which the link MTU is tried again. One timer, for the entry that expires first, removes it and tells
 * the owner (`expired`), so that connections to that host can send full-sized segments again (Linux's
 * tcp_current_mss sees the route's MTU back up at their next send). A report below PATH_MTU_FLOOR is taken as
 * the floor with the path "locked", as Linux's ip_rt_min_pmtu: datagrams to it are then sent without DF, for
 * routers to fragment, so a forged tiny MTU cannot make a connection send 28-byte segments.
 *
 * Bounded (MAX_ENTRIES, the oldest replaced), and only written after a validated error: an entry costs a
 * report that quotes a segment in flight. A destination's path MTU falls at most LOWERINGS_BURST times at
 * once and then LOWERINGS_PER_SECOND times a second (a token bucket): each fall has every connection to it
 * send its flight again, and a host that sees the sequence numbers (or a flapping route) could otherwise
 * have it fall a byte at a time, hundreds of times a second. A path with that many narrower hops is not
 * slowed: each hop reports once.
 */

import type { Clock, Timer } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';

/** Linux's ip_rt_min_pmtu (512 + 20 + 20): the lowest path MTU taken from a report. */
export const PATH_MTU_FLOOR = 552;
/** RFC 1191 §6.3: at least ten minutes before a lowered estimate is raised again (Linux: 600 s). */
export const PATH_MTU_EXPIRY_MS = 600_000;
const MAX_ENTRIES = 4096;
/** Falls of one destination's path MTU taken at once, then per second (see above). */
export const LOWERINGS_BURST = 4;
export const LOWERINGS_PER_SECOND = 10;

/**
 * RFC 1191 §7, table 7-1: the plateaus to try when a router reports no next-hop MTU (an RFC 792 router
 * leaves the field zero): the largest one below the size of the datagram it refused.
 */
const PLATEAUS = [32_000, 17_914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];

/** The MTU a "fragmentation needed" error means: its next-hop MTU, or the plateau below `quotedLength`. */
export function reportedPathMtu(nextHopMtu: number, quotedLength: number): number {
  if (nextHopMtu !== 0) return nextHopMtu;
  for (const plateau of PLATEAUS) if (plateau < quotedLength) return plateau;
  return PLATEAUS[PLATEAUS.length - 1]!;
}

interface PathMtuEntry {
  mtu: number;
  locked: boolean;
  expiresAt: number;
  /** Falls it may take now, and when that was counted. */
  tokens: number;
  tokensAt: number;
}

export class PathMtuCache {
  /** In the order they expire: an entry lowered again moves to the end. */
  private readonly entries = new Map<Ipv4Address, PathMtuEntry>();
  /** Destinations held whose path is locked below the floor: while zero, sends skip the look-up. */
  private lockedCount = 0;
  /** Reports that would have lowered a path MTU past its rate (the token bucket above). */
  limited = 0;
  /** Entries removed because they expired or were replaced: their destinations are at the link MTU again. */
  forgotten = 0;
  /** Armed while entries are held: for the first one's expiry. */
  private timer: Timer | undefined;

  /**
   * `expired(dst)` is called when what was learned about `dst` is forgotten (it expired, or a newer
   * destination replaced it): its path MTU is the link MTU again. Called from the timer, or from lower() (a
   * replacement); never from a look-up (mtu(), locked(): a send's DF decision).
   */
  constructor(
    private readonly clock: Clock,
    private readonly expired: (dst: Ipv4Address) => void = () => {},
    /** How long a learned path MTU lasts after its last fall (Linux's net.ipv4.route.mtu_expires). */
    private readonly expiryMs: number = PATH_MTU_EXPIRY_MS,
  ) {}

  /** The path MTU to `dst`: what was learned, or `linkMtu`. */
  mtu(dst: Ipv4Address, linkMtu: number): number {
    return this.live(dst)?.mtu ?? linkMtu;
  }

  /** Whether datagrams to `dst` go without DF (its path MTU was reported below the floor). */
  locked(dst: Ipv4Address): boolean {
    return this.lockedCount > 0 && this.live(dst)?.locked === true;
  }

  /**
   * Lowers the path MTU to `dst` to `reported` (clamped to [PATH_MTU_FLOOR, the current value, `linkMtu` when
   * nothing was learned]). Returns the path MTU now in force; the caller compares it with what it uses.
   */
  lower(dst: Ipv4Address, reported: number, linkMtu: number): number {
    const current = this.live(dst);
    const before = current?.mtu ?? linkMtu;
    const locked = reported < PATH_MTU_FLOOR;
    const mtu = Math.min(before, Math.max(reported, PATH_MTU_FLOOR));
    if (mtu === before && (!locked || current?.locked === true)) return before;
    const now = this.clock.now();
    const expiresAt = now + this.expiryMs;
    if (current !== undefined) {
      const tokens = Math.min(
        LOWERINGS_BURST,
        current.tokens + ((now - current.tokensAt) * LOWERINGS_PER_SECOND) / 1000,
      );
      current.tokensAt = now;
      if (tokens < 1) {
        current.tokens = tokens;
        this.limited++;
        return before;
      }
      current.tokens = tokens - 1;
      if (locked && !current.locked) this.lockedCount++;
      current.mtu = mtu;
      current.locked ||= locked;
      current.expiresAt = expiresAt;
      this.entries.delete(dst);
      this.entries.set(dst, current);
      return mtu;
    }
    // An entry that expired before the timer ran goes first, without telling: the caller sets the new value.
    if (this.entries.has(dst)) this.forget(dst);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value!;
      this.forget(oldest);
      this.expired(oldest);
    }
    this.entries.set(dst, { mtu, locked, expiresAt, tokens: LOWERINGS_BURST - 1, tokensAt: now });
    if (locked) this.lockedCount++;
    this.timer ??= this.clock.setTimer(this.expiryMs, this.onTimer);
    return mtu;
  }

  /** Forgets everything learned, without telling the owner (the stack is closing). */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.entries.clear();
    this.lockedCount = 0;
  }

  /** Destinations with a learned path MTU. */
  get size(): number {
    return this.entries.size;
  }

  /** The entry for `dst` unless it has expired (the timer removes it, and tells the owner). */
  private live(dst: Ipv4Address): PathMtuEntry | undefined {
    if (this.entries.size === 0) return undefined;
    const entry = this.entries.get(dst);
    return entry === undefined || entry.expiresAt > this.clock.now() ? entry : undefined;
  }

  private forget(dst: Ipv4Address): void {
    if (this.entries.get(dst)?.locked === true) this.lockedCount--;
    this.entries.delete(dst);
    this.forgotten++;
  }

  /**
   * Removes the entries that have expired, oldest first, and waits for the next; then tells the owner of each
   * (last, so that nothing the owner does can leave the cache without its timer).
   */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    const gone: Ipv4Address[] = [];
    for (const [dst, entry] of this.entries) {
      if (entry.expiresAt > now) {
        this.timer = this.clock.setTimer(entry.expiresAt - now, this.onTimer);
        break;
      }
      this.forget(dst);
      gone.push(dst);
    }
    for (const dst of gone) this.expired(dst);
  };
}
