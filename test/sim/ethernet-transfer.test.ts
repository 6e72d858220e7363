/**
 * Stages 4 and 5 in simulation: two complete stacks built by the real container over a MemoryLink pair that
 * moves Ethernet frames, each with an EthernetLayer and ARP between its link and its IP layer. A 20,000-byte
 * ping crosses fragmented; 10 MB cross over pilha's TCP byte-exact; the ARP caches show the other stack.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { silentLoggers } from '../../src/core/logger.js';
import { isGroupMac, macOctet } from '../../src/core/mac-address.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { buildNetworkStack } from '../../src/di/compositions.js';
import { EthernetLayer } from '../../src/layers/ethernet/ethernet-layer.js';
import { NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import { MAC_A, MAC_B } from '../helpers/ethernet-stacks.js';
import { ADDRESS_A, ADDRESS_B, memoryConfig, twoPingStacks } from '../helpers/memory-stacks.js';
import { drive, pattern, transferAtoB, twoTcpStacks } from '../helpers/tcp-stacks.js';

const SIZE = 10 * 1024 * 1024;

describe('two stacks over an Ethernet MemoryLink', () => {
  it('the composition puts an EthernetLayer (with the link MACs) between the link and IP', async () => {
    const { a, b } = await twoPingStacks(1500, {}, { ethernet: true });
    expect(a.link).toBeInstanceOf(EthernetLayer);
    expect(a.ethernet?.mac).toBe(MAC_A);
    expect(b.ethernet?.mac).toBe(MAC_B);
    expect(a.link.medium).toBe('ip');
    // The stats nest the device's counters under inner., as the decorators do.
    expect(a.link.stats()).toHaveProperty('inner.txPackets');
    // Each announced itself on start (RFC 5227): two announcements, the second 2 s later.
    expect(a.link.stats()).toMatchObject({ arpTxAnnouncements: 1 });
    await a.close();
    await b.close();
  });

  it("only a link whose medium is Ethernet gets one; its MAC is the link's, else the config's, else random", async () => {
    const plain = await twoPingStacks();
    expect(plain.a.link).not.toBeInstanceOf(EthernetLayer);
    expect(plain.a.ethernet).toBeUndefined();
    const clock = new VirtualClock();
    const [noMacs] = MemoryLink.pair(1500, undefined, { medium: 'ethernet' });
    const configured = await buildNetworkStack(memoryConfig(ADDRESS_A, { mac: MAC_B }), {
      baseLink: noMacs,
      clock,
      loggers: silentLoggers(),
    });
    expect(configured.ethernet?.mac).toBe(MAC_B);
    const [anonymous] = MemoryLink.pair(1500, undefined, { medium: 'ethernet' });
    const random = await buildNetworkStack(memoryConfig(ADDRESS_A), {
      baseLink: anonymous,
      clock,
      loggers: silentLoggers(),
    });
    const mac = random.ethernet!.mac;
    expect(isGroupMac(mac)).toBe(false);
    expect(macOctet(mac, 0) & 0x02).toBe(2); // locally administered
  });

  it('a 20000-byte ping: resolved by ARP, fragmented, reassembled and answered, three times', async () => {
    const { clock, a, b } = await twoPingStacks(1500, {}, { ethernet: true });
    const done = a.pinger.run({ target: ADDRESS_B, size: 20_000, count: 3, intervalMs: 1000, waitMs: 1000 });
    clock.runAll(10_000);
    const summary = await done;
    expect(summary.transmitted).toBe(3);
    expect(summary.received).toBe(3);
    expect(summary.corrupted).toBe(0);
    for (const reply of summary.replies) {
      expect(reply.bytes).toBe(20_008);
      expect(reply.reassembly).toMatchObject({ src: ADDRESS_B, dst: ADDRESS_A, fragments: 14 });
    }
    expect(b.ip.stats()).toMatchObject({ reassembled: 3, rxFragments: 42 });
    // A queued the first request's 14 fragments while it resolved B, then sent them all.
    expect(a.link.stats()).toMatchObject({
      txQueued: 14,
      arpResolved: 1,
      dropQueueFull: 0,
      dropArpFailed: 0,
    });
    // B learnt A from A's request (addressed to B), so its replies needed no resolution of their own.
    expect(b.link.stats()).toMatchObject({ arpLearned: 1, txQueued: 0 });
    expect(a.ethernet!.arpCache()).toEqual([
      expect.objectContaining({ ip: ADDRESS_B, mac: MAC_B, state: 'reachable', queued: 0 }),
    ]);
    expect(b.ethernet!.arpCache()).toEqual([expect.objectContaining({ ip: ADDRESS_A, mac: MAC_A })]);
    await a.close();
    await b.close();
  });

  it('10 MB over pilha TCP, byte-exact', async () => {
    const stacks = await twoTcpStacks({ ethernet: true });
    const data = pattern(SIZE);
    const start = performance.now();
    const { body, virtualMs, sender } = await transferAtoB(stacks, data);
    const realMs = performance.now() - start;
    expect(body.length).toBe(SIZE);
    expect(body.equals(data)).toBe(true);
    expect(sender.stats().retransmitted).toBe(0);
    const linkA = stacks.a.link.stats();
    expect(linkA.dropNotOurMac).toBe(0);
    expect(linkA.txFrames).toBeGreaterThan(SIZE / 1500);
    console.log(
      `ethernet: 10 MB in ${virtualMs.toFixed(0)} ms virtual, ${realMs.toFixed(0)} ms real; ` +
        `A sent ${linkA.txFrames} frames, ${linkA.arpTxRequests} ARP requests`,
    );
    await stacks.close();
  });

  it('1 MB through seeded loss, duplication, reordering and bit errors on the frames: byte-exact', async () => {
    const impairment = {
      ...NO_IMPAIRMENT,
      loss: 0.02,
      duplicate: 0.01,
      reorder: 0.01,
      corrupt: 0.01,
      delayMs: 2,
      seed: 9,
    };
    const stacks = await twoTcpStacks({ ethernet: true, impairment });
    const data = pattern(1024 * 1024);
    const { body } = await transferAtoB(stacks, data);
    expect(body.equals(data)).toBe(true);
    // A bit error in an Ethernet header shows up as a drop by reason (there is no FCS in the simulation),
    // one in the payload as an IP or TCP checksum drop.
    const drops = (stats: Record<string, number>) =>
      JSON.stringify(
        Object.fromEntries(Object.entries(stats).filter(([k, v]) => /^drop|corrupted/.test(k) && v > 0)),
      );
    console.log(
      `ethernet, impaired: A's link ${drops(stacks.a.link.stats())}; B's link ${drops(stacks.b.link.stats())}`,
    );
    expect(stacks.a.link.stats().arpResolved).toBeGreaterThanOrEqual(1);
    await stacks.close();
  });

  it('1 MB with synchronous delivery (every answer inside the send that caused it): byte-exact', async () => {
    const stacks = await twoTcpStacks({ ethernet: true, synchronous: true });
    const data = pattern(1024 * 1024);
    const { body } = await transferAtoB(stacks, data);
    expect(body.equals(data)).toBe(true);
    expect(stacks.a.link.stats().txReentrantAllocations).toBeGreaterThan(0);
    await stacks.close();
  });

  it('a connection to an address nobody answers for: ARP gives up and TCP hears host unreachable', async () => {
    const stacks = await twoTcpStacks({ ethernet: true });
    const { clock, a } = stacks;
    const socket = a.transport.createConnection(5001, formatIpv4(ADDRESS_B + 7));
    socket.on('error', () => {});
    await drive(clock, () => (a.link.stats().arpFailed ?? 0) > 0, { limitMs: 10_000 });
    // The SYN and its retransmissions at 1 s and 2 s waited for the 3 requests (at 0, 1 and 2 s); at 3 s all
    // three are dropped and each comes back to TCP as a host unreachable.
    expect(a.link.stats()).toMatchObject({ arpFailed: 1, dropArpFailed: 3, arpTxRequests: 3 });
    expect(a.icmp.stats()).toMatchObject({ localDestUnreachable: 3 });
    expect(a.tcp.stats()).toMatchObject({ icmpErrors: 3 });
    socket.destroy();
    await stacks.close();
  });
});
