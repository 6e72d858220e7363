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

  it('forgets after ten minutes (RFC 1191 §6.3), locked paths included', () => {
    const clock = new VirtualClock();
    const cache = new PathMtuCache(clock);
    cache.lower(A, 1000, 1500);
    cache.lower(B, 100, 1500);
    clock.advance(PATH_MTU_EXPIRY_MS - 1);
    expect(cache.mtu(A, 1500)).toBe(1000);
    expect(cache.locked(B)).toBe(true);
    clock.advance(1);
    expect(cache.mtu(A, 1500)).toBe(1500);
    expect(cache.locked(B)).toBe(false);
    expect(cache.size).toBe(0);
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

  it('holds at most 4,096 destinations, replacing the oldest', () => {
    const cache = new PathMtuCache(new VirtualClock());
    for (let i = 0; i < 5000; i++) cache.lower(0x0b00_0000 + i, 1400, 1500);
    expect(cache.size).toBe(4096);
    expect(cache.mtu(0x0b00_0000, 1500)).toBe(1500);
    expect(cache.mtu(0x0b00_0000 + 4999, 1500)).toBe(1400);
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
