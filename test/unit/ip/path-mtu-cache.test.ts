/** What path MTU discovery keeps per destination (RFC 1191), and how a report is read. */
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  LOWERINGS_BURST,
  LOWERINGS_PER_SECOND,
  PATH_MTU_EXPIRY_MS,
  PATH_MTU_FLOOR,
  PathMtuCache,
  reportedPathMtu,
} from '../../../src/layers/ip/path-mtu-cache.js';

const A = parseIpv4('10.0.0.1');
const B = parseIpv4('10.0.0.2');

describe('PathMtuCache', () => {
  it('lowers one destination, never raises it on a report, and leaves the others at the link MTU', () => {
    const cache = new PathMtuCache(new VirtualClock());
    expect(cache.mtu(A, 1500)).toBe(1500);
    expect(cache.lower(A, 1280, 1500)).toBe(1280);
    expect(cache.mtu(A, 1500)).toBe(1280);
    expect(cache.mtu(B, 1500)).toBe(1500);
    expect(cache.lower(A, 1400, 1500)).toBe(1280); // a larger report is not taken
    expect(cache.lower(A, 9000, 1500)).toBe(1280);
    expect(cache.lower(B, 9000, 1500)).toBe(1500); // nor one above the link
    expect(cache.size).toBe(1);
    expect(cache.locked(A)).toBe(false);
  });

  it('a report below 552 bytes sets 552 and locks the path (sent without DF), as Linux min_pmtu', () => {
    const cache = new PathMtuCache(new VirtualClock());
    expect(cache.lower(A, 68, 1500)).toBe(PATH_MTU_FLOOR);
    expect(cache.locked(A)).toBe(true);
    expect(cache.locked(B)).toBe(false);
    // A path already at the floor is locked by the next report below it.
    expect(cache.lower(B, 552, 1500)).toBe(552);
    expect(cache.locked(B)).toBe(false);
    expect(cache.lower(B, 300, 1500)).toBe(552);
    expect(cache.locked(B)).toBe(true);
  });

  it('forgets after ten minutes (RFC 1191 §6.3), locked paths included, and tells its owner then', () => {
    const clock = new VirtualClock();
    const told: number[] = [];
    const cache = new PathMtuCache(clock, (dst) => told.push(dst));
    cache.lower(A, 1000, 1500);
    cache.lower(B, 100, 1500);
    clock.advance(PATH_MTU_EXPIRY_MS - 1);
    expect(cache.mtu(A, 1500)).toBe(1000);
    expect(cache.locked(B)).toBe(true);
    expect(told).toEqual([]);
    clock.advance(1);
    expect(told).toEqual([A, B]);
    expect(cache.mtu(A, 1500)).toBe(1500);
    expect(cache.locked(B)).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.forgotten).toBe(2);
  });

  it('an entry lowered again expires ten minutes after its last fall; the timer follows the order of expiry', () => {
    const clock = new VirtualClock();
    const told: Array<[number, number]> = [];
    const cache = new PathMtuCache(clock, (dst) => told.push([dst, clock.now()]));
    cache.lower(A, 1400, 1500);
    clock.advance(1000);
    cache.lower(B, 1400, 1500);
    clock.advance(1000);
    cache.lower(A, 1300, 1500); // A now expires after B
    clock.advance(PATH_MTU_EXPIRY_MS);
    expect(told).toEqual([
      [B, PATH_MTU_EXPIRY_MS + 1000],
      [A, PATH_MTU_EXPIRY_MS + 2000],
    ]);
    expect(cache.size).toBe(0);
  });

  it('a lookup after the expiry sees the link MTU before the timer runs; a report then starts afresh, untold', () => {
    const virtual = new VirtualClock();
    // A clock whose time can pass the expiry before its timers run (a busy event loop).
    let late = 0;
    const clock = { now: () => virtual.now() + late, setTimer: virtual.setTimer.bind(virtual) };
    const told: number[] = [];
    const cache = new PathMtuCache(clock, (dst) => told.push(dst));
    cache.lower(A, 1000, 1500);
    late = PATH_MTU_EXPIRY_MS + 5;
    expect(cache.mtu(A, 1500)).toBe(1500);
    expect(told).toEqual([]); // never told from inside a look-up
    expect(cache.lower(A, 1400, 1500)).toBe(1400); // not capped by the expired 1000
    // The old entry went first, without telling: the caller sets connections to the new value, and a raise
    // in between would have them resend a flight for nothing.
    expect(told).toEqual([]);
    expect(cache.forgotten).toBe(1);
    expect(cache.size).toBe(1);
    virtual.advance(PATH_MTU_EXPIRY_MS);
    expect(told).toEqual([A]);
    expect(cache.size).toBe(0);
  });

  it('close: clear() forgets everything, cancels the timer and tells no one', () => {
    const clock = new VirtualClock();
    const told: number[] = [];
    const cache = new PathMtuCache(clock, (dst) => told.push(dst));
    cache.lower(A, 1000, 1500);
    cache.lower(B, 100, 1500);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.locked(B)).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(PATH_MTU_EXPIRY_MS);
    expect(told).toEqual([]);
  });

  it('falls at most 4 times at once, then 10 times a second (a byte at a time would resend every flight)', () => {
    const clock = new VirtualClock();
    const cache = new PathMtuCache(clock);
    let reported = 1499;
    const fall = () => cache.lower(A, reported--, 1500);
    for (let i = 0; i < LOWERINGS_BURST; i++) expect(fall()).toBe(1499 - i);
    expect(fall()).toBe(1499 - LOWERINGS_BURST + 1); // over the rate: not taken
    expect(cache.limited).toBe(1);
    clock.advance(1000 / LOWERINGS_PER_SECOND);
    expect(fall()).toBe(reported + 1); // one more after 100 ms, to what was reported
    expect(fall()).toBe(reported + 2);
    // Other destinations have buckets of their own.
    expect(cache.lower(B, 1400, 1500)).toBe(1400);
    expect(cache.limited).toBe(2);
  });

  it('holds at most 4,096 destinations, replacing the oldest (and telling its owner)', () => {
    const told: number[] = [];
    const cache = new PathMtuCache(new VirtualClock(), (dst) => told.push(dst));
    for (let i = 0; i < 5000; i++) cache.lower(0x0b00_0000 + i, 1400, 1500);
    expect(cache.size).toBe(4096);
    expect(cache.mtu(0x0b00_0000, 1500)).toBe(1500);
    expect(cache.mtu(0x0b00_0000 + 4999, 1500)).toBe(1400);
    expect(told.length).toBe(5000 - 4096);
    expect(told[0]).toBe(0x0b00_0000);
  });
});

describe('reportedPathMtu', () => {
  it('is the next-hop MTU when the router gave one, else the RFC 1191 plateau below the refused datagram', () => {
    expect(reportedPathMtu(1280, 1500)).toBe(1280);
    expect(reportedPathMtu(0, 1500)).toBe(1492);
    expect(reportedPathMtu(0, 1492)).toBe(1006);
    expect(reportedPathMtu(0, 65_535)).toBe(32_000);
    expect(reportedPathMtu(0, 576)).toBe(508);
    expect(reportedPathMtu(0, 40)).toBe(68);
  });
});
