/**
 * Identification numbers per destination (RFC 7739 §5.3, as Linux's ip_idents), found missing by an
 * independent probe: pilha numbered every datagram from one global counter.
 */
import { describe, expect, it } from 'vitest';
import { parseIpv4 as parseAddress } from '../../../src/core/ipv4-address.js';
import { SeededRandom } from '../../../src/core/seeded-random.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { IP_PROTOCOL_ICMP, IP_PROTOCOL_TCP } from '../../../src/layers/ip/ipv4-header.js';
import { IPV4_ID_BUCKETS, Ipv4IdGenerator } from '../../../src/layers/ip/ipv4-id-generator.js';

const A = parseAddress('10.0.0.1');

function seededWords(seed: number): (out: Uint32Array) => void {
  const rng = new SeededRandom(seed);
  return (out) => {
    for (let i = 0; i < out.length; i++) out[i] = rng.nextUint32();
  };
}

describe('Ipv4IdGenerator', () => {
  it('numbers datagrams to one destination and protocol consecutively, wrapping at 65,536', () => {
    const ids = new Ipv4IdGenerator(new VirtualClock(), 65_530);
    const taken = Array.from({ length: 8 }, () => ids.take(A, IP_PROTOCOL_TCP, 1));
    expect(taken).toEqual([65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1]);
    // A GSO super-segment of 45 segments takes 45 numbers, as the kernel numbers them when it cuts.
    expect(ids.take(A, IP_PROTOCOL_TCP, 45)).toBe(2);
    expect(ids.take(A, IP_PROTOCOL_TCP, 1)).toBe(47);
  });

  it("what pilha sends to others does not move a destination's numbers (no idle scan)", () => {
    const clock = new VirtualClock();
    const ids = new Ipv4IdGenerator(clock, undefined, seededWords(7));
    const first = ids.take(A, IP_PROTOCOL_ICMP, 1);
    // 10,000 datagrams to 1,000 other hosts: only those whose hash shares A's counter move it.
    let sharing = 0;
    const probe = new Ipv4IdGenerator(clock, undefined, seededWords(7));
    const bucketOf = (dst: number, protocol: number) => {
      // Same key, fresh counters: two destinations share a counter when a take on one moves the other.
      const before = probe.take(A, IP_PROTOCOL_ICMP, 0);
      probe.take(dst, protocol, 1);
      return probe.take(A, IP_PROTOCOL_ICMP, 0) !== before;
    };
    for (let host = 2; host < 1002; host++) {
      const dst = A + host;
      if (bucketOf(dst, IP_PROTOCOL_TCP)) sharing++;
      for (let i = 0; i < 10; i++) ids.take(dst, IP_PROTOCOL_TCP, 1);
    }
    expect(sharing).toBeLessThan(5); // about 1,000 / 2,048 expected to share, by chance
    expect(ids.take(A, IP_PROTOCOL_ICMP, 1)).toBe((first + 1 + 10 * sharing) & 0xffff);
  });

  it('starts each counter at a random value, under a random key: two stacks number alike by chance only', () => {
    const one = new Ipv4IdGenerator(new VirtualClock());
    const two = new Ipv4IdGenerator(new VirtualClock());
    let same = 0;
    const firsts = new Set<number>();
    for (let host = 0; host < 256; host++) {
      const id = one.take(A + host, IP_PROTOCOL_TCP, 1);
      firsts.add(id);
      if (id === two.take(A + host, IP_PROTOCOL_TCP, 1)) same++;
    }
    expect(same).toBeLessThan(4); // 256 / 65,536 expected
    // The first numbers to 256 hosts are spread, not one counter's run.
    expect(firsts.size).toBeGreaterThan(200);
  });

  it('a counter idle for a while moves on by a random amount below the milliseconds it was idle (as Linux)', () => {
    const clock = new VirtualClock();
    const ids = new Ipv4IdGenerator(clock, undefined, seededWords(11));
    const steps: number[] = [];
    let last = ids.take(A, IP_PROTOCOL_TCP, 1);
    for (let round = 0; round < 200; round++) {
      clock.advance(1000);
      const id = ids.take(A, IP_PROTOCOL_TCP, 1);
      steps.push((id - last - 1) & 0xffff);
      last = id;
      // Within the same millisecond, numbers stay consecutive.
      expect(ids.take(A, IP_PROTOCOL_TCP, 1)).toBe((id + 1) & 0xffff);
      last = (id + 1) & 0xffff;
    }
    for (const step of steps) expect(step).toBeLessThan(1000);
    // Random, not a constant: an observer cannot subtract the idle steps out.
    expect(new Set(steps).size).toBeGreaterThan(150);
  });

  it('has a power-of-two number of counters (the hash is masked)', () => {
    expect(IPV4_ID_BUCKETS & (IPV4_ID_BUCKETS - 1)).toBe(0);
  });
});
