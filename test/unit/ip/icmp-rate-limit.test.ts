/**
 * The limits on ICMP errors pilha originates, as Linux's: per destination (icmp_ratelimit, one a second with a
 * burst of six, inet_peer_xrlim_allow) and overall (icmp_msgs_per_sec 1,000, icmp_msgs_burst 50).
 */
import { describe, expect, it } from 'vitest';
import { IcmpPeerRateLimit } from '../../../src/layers/icmp/icmp-peer-rate-limit.js';
import { encodeIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { ADDRESS_A, ADDRESS_B, twoPingStacks } from '../../helpers/memory-stacks.js';

/** A datagram for a protocol nobody handles (253): B answers it with Protocol Unreachable, if the limits allow. */
const unknownProtocol = (src: number) =>
  encodeIpv4({ id: 1, ttl: 64, protocol: 253, src, dst: ADDRESS_B }, new Uint8Array(8));

describe('IcmpPeerRateLimit', () => {
  it('a destination gets a burst of six, then one a second; another destination has its own', () => {
    const limit = new IcmpPeerRateLimit();
    const allowed = (dst: number, now: number, times: number) =>
      Array.from({ length: times }, () => limit.allow(dst, now)).filter(Boolean).length;
    expect(allowed(1, 0, 10)).toBe(6);
    expect(allowed(1, 999, 10)).toBe(0);
    expect(allowed(1, 1000, 10)).toBe(1);
    expect(allowed(2, 1000, 10)).toBe(6);
    // Idle long enough, the burst is back, and no more than it.
    expect(allowed(1, 60_000, 10)).toBe(6);
  });

  it('tracks a bounded number of destinations, forgetting the longest-tracked first', () => {
    const limit = new IcmpPeerRateLimit(1000, 6, 3);
    for (const dst of [1, 2, 3, 4]) limit.allow(dst, 0);
    expect(limit.tracked).toBe(3);
    // 1 was forgotten: it starts afresh with its burst; 4 still has five left.
    expect(Array.from({ length: 10 }, () => limit.allow(1, 0)).filter(Boolean).length).toBe(6);
  });
});

describe('ICMP errors from a stack', () => {
  it('one source flooding gets six errors and one a second after, not the global thousand a second', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    for (let i = 0; i < 150; i++) {
      linkA.send(unknownProtocol(ADDRESS_A));
      clock.advance(10);
    }
    clock.runAll(100);
    expect(b.ip.stats().dropUnknownProtocol).toBe(150);
    expect(b.icmp.stats()).toMatchObject({
      txDestUnreachable: 7,
      dropPeerRateLimited: 143,
      dropRateLimited: 0,
    });
  });

  it('many sources at once: the global burst of 50 holds', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    for (let i = 0; i < 60; i++) linkA.send(unknownProtocol(ADDRESS_A + 0x100 + i));
    clock.runAll(100);
    expect(b.icmp.stats()).toMatchObject({
      txDestUnreachable: 50,
      dropRateLimited: 10,
      dropPeerRateLimited: 0,
    });
  });

  it("errors the global limit refuses do not spend their destination's allowance", async () => {
    const { clock, linkA, b } = await twoPingStacks();
    for (let i = 0; i < 50; i++) linkA.send(unknownProtocol(ADDRESS_A + 0x100 + i));
    for (let i = 0; i < 7; i++) linkA.send(unknownProtocol(ADDRESS_A));
    clock.runAll(100);
    expect(b.icmp.stats()).toMatchObject({
      txDestUnreachable: 50,
      dropRateLimited: 7,
      dropPeerRateLimited: 0,
    });
    clock.advance(400); // the global allowance has refilled; A's, never spent, is whole
    for (let i = 0; i < 7; i++) linkA.send(unknownProtocol(ADDRESS_A));
    clock.runAll(100);
    expect(b.icmp.stats()).toMatchObject({
      txDestUnreachable: 56,
      dropRateLimited: 7,
      dropPeerRateLimited: 1,
    });
  });
});
