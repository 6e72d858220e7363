/**
 * ARP's state machine through an EthernetLayer on a VirtualClock, frame by frame: each step injects a frame
 * or sends a datagram at an explicit time and checks the exact frames that go out.
 */
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC } from '../../../src/core/mac-address.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, type ArpPacket } from '../../../src/layers/ethernet/arp-packet.js';
import {
  arpFrame,
  datagramTo,
  ethernetRig,
  MAC_OTHER,
  MAC_PEER,
  MAC_US,
  OTHER,
  PEER,
  US,
} from './ethernet-rig.js';

const broadcastRequestFor = (tpa: number): Partial<ArpPacket> => ({
  op: ARP_OP_REQUEST,
  sha: MAC_US,
  spa: US,
  tha: 0,
  tpa,
});
/** A gratuitous request: `spa` at `sha` announcing itself (target address = sender address). */
const gratuitousRequest = (spa: number, sha: number) =>
  arpFrame(BROADCAST_MAC, sha, { op: ARP_OP_REQUEST, sha, spa, tha: 0, tpa: spa });
const replyFromPeer = arpFrame(MAC_US, MAC_PEER, {
  op: ARP_OP_REPLY,
  sha: MAC_PEER,
  spa: PEER,
  tha: MAC_US,
  tpa: US,
});
const requestFromPeer = arpFrame(BROADCAST_MAC, MAC_PEER, {
  op: ARP_OP_REQUEST,
  sha: MAC_PEER,
  spa: PEER,
  tha: 0,
  tpa: US,
});

describe('ARP resolution', () => {
  it('request, reply: the waiting datagrams go out in order, and the entry is reachable', () => {
    const rig = ethernetRig();
    const first = datagramTo(PEER, 100, 1);
    const second = datagramTo(PEER, 200, 2);
    rig.eth.send(first);
    rig.eth.send(second);
    // One broadcast request, not one per datagram.
    const [request, ...rest] = rig.take();
    expect(rest).toHaveLength(0);
    expect(request).toMatchObject({ dst: BROADCAST_MAC, src: MAC_US, arp: broadcastRequestFor(PEER) });
    expect(rig.eth.arpCache()).toEqual([{ ip: PEER, state: 'incomplete', ageMs: 0, queued: 2 }]);
    rig.clock.advance(300);
    rig.inject(replyFromPeer);
    const out = rig.take();
    expect(out.map((f) => [f.dst, f.etherType, f.payload.length])).toEqual([
      [MAC_PEER, 0x0800, 100],
      [MAC_PEER, 0x0800, 200],
    ]);
    expect(out[0]!.payload).toEqual(first);
    expect(out[1]!.payload).toEqual(second);
    expect(rig.eth.arpCache()).toEqual([
      { ip: PEER, mac: MAC_PEER, state: 'reachable', ageMs: 0, queued: 0 },
    ]);
    expect(rig.eth.stats()).toMatchObject({
      txQueued: 2,
      arpResolved: 1,
      arpQueuedBytes: 0,
      arpIncomplete: 0,
    });
    // Resolved: the next datagram goes out at once, no more requests, even after the retry time.
    rig.eth.send(datagramTo(PEER));
    rig.clock.advance(5_000);
    expect(rig.take().map((f) => f.etherType)).toEqual([0x0800]);
  });

  it('retries every second; after 3 unanswered requests drops the datagrams and reports each unreachable', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER, 100, 1));
    rig.clock.advance(999);
    expect(rig.take()).toHaveLength(1);
    rig.eth.send(datagramTo(PEER, 120, 2));
    rig.clock.advance(1);
    expect(rig.take()).toMatchObject([{ dst: BROADCAST_MAC, arp: broadcastRequestFor(PEER) }]);
    rig.clock.advance(1_000);
    expect(rig.take()).toMatchObject([{ dst: BROADCAST_MAC, arp: broadcastRequestFor(PEER) }]);
    expect(rig.unreachable).toHaveLength(0);
    rig.clock.advance(999);
    expect(rig.unreachable).toHaveLength(0);
    rig.clock.advance(1); // 3 s after the first request
    expect(rig.sent).toHaveLength(0);
    expect(rig.unreachable).toEqual([datagramTo(PEER, 100, 1), datagramTo(PEER, 120, 2)]);
    expect(rig.eth.stats()).toMatchObject({
      arpTxRequests: 3,
      arpFailed: 1,
      dropArpFailed: 2,
      arpEntries: 0,
      arpQueuedBytes: 0,
    });
    rig.clock.advance(10_000);
    expect(rig.sent).toHaveLength(0);
    // The next datagram starts a new resolution.
    rig.eth.send(datagramTo(PEER));
    expect(rig.take()).toMatchObject([{ dst: BROADCAST_MAC, arp: broadcastRequestFor(PEER) }]);
  });

  it('bounds the queue per neighbour (oldest dropped first) and over all neighbours', () => {
    const rig = ethernetRig({ queueBytesPerNeighbour: 3_000, queueBytesTotal: 4_000 });
    for (let i = 1; i <= 4; i++) rig.eth.send(datagramTo(PEER, 1_000, i));
    expect(rig.stat('dropQueueFull')).toBe(1);
    rig.eth.send(datagramTo(OTHER, 1_000, 9));
    rig.eth.send(datagramTo(OTHER, 1_000, 10)); // 5,000 bytes would wait in all
    expect(rig.stat('dropQueueTotal')).toBe(1);
    expect(rig.stat('arpQueuedBytes')).toBe(4_000);
    rig.take();
    rig.inject(replyFromPeer);
    expect(rig.take().map((f) => f.payload[30])).toEqual([2, 3, 4]);
    expect(rig.stat('arpQueuedBytes')).toBe(1_000);
  });

  it('a reachable entry turns stale after 30 s; used stale, it is refreshed by unicast requests', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER));
    rig.inject(replyFromPeer);
    rig.take();
    rig.clock.advance(29_999);
    expect(rig.eth.arpCache()[0]).toMatchObject({ state: 'reachable' });
    rig.clock.advance(1);
    expect(rig.eth.arpCache()[0]).toMatchObject({ state: 'stale', mac: MAC_PEER });
    // Used stale: the datagram goes at once to the MAC we have, and a unicast request checks it.
    rig.eth.send(datagramTo(PEER, 80));
    expect(rig.take()).toMatchObject([
      { dst: MAC_PEER, etherType: 0x0806, arp: { op: ARP_OP_REQUEST, tha: MAC_PEER, tpa: PEER } },
      { dst: MAC_PEER, etherType: 0x0800 },
    ]);
    expect(rig.eth.arpCache()[0]).toMatchObject({ state: 'probe' });
    rig.eth.send(datagramTo(PEER, 80)); // no second refresh while one is under way
    expect(rig.take().map((f) => f.etherType)).toEqual([0x0800]);
    rig.clock.advance(500);
    rig.inject(replyFromPeer);
    expect(rig.eth.arpCache()[0]).toMatchObject({ state: 'reachable', ageMs: 0 });
    rig.clock.advance(5_000);
    expect(rig.sent).toHaveLength(0);
  });

  it('a stale neighbour that answers none of 3 unicast requests is forgotten; the next send broadcasts', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER));
    rig.inject(replyFromPeer);
    rig.clock.advance(30_000);
    rig.take();
    rig.eth.send(datagramTo(PEER));
    rig.clock.advance(3_000);
    const requests = rig.take().filter((f) => f.arp !== undefined);
    expect(requests.map((f) => [f.dst, f.arp!.tha])).toEqual([
      [MAC_PEER, MAC_PEER],
      [MAC_PEER, MAC_PEER],
      [MAC_PEER, MAC_PEER],
    ]);
    expect(rig.eth.arpCache()).toEqual([]);
    expect(rig.stat('arpFailed')).toBe(1);
    expect(rig.unreachable).toHaveLength(0); // nothing was waiting: traffic kept flowing to the old MAC
    rig.eth.send(datagramTo(PEER));
    expect(rig.take()).toMatchObject([{ dst: BROADCAST_MAC, arp: broadcastRequestFor(PEER) }]);
  });
});

describe('ARP reception (RFC 826)', () => {
  it('a request to us is answered and teaches its sender (stale: unconfirmed), so replies need no request', () => {
    const rig = ethernetRig();
    rig.inject(requestFromPeer);
    expect(rig.take()).toMatchObject([{ dst: MAC_PEER, arp: { op: ARP_OP_REPLY, sha: MAC_US, tpa: PEER } }]);
    expect(rig.eth.arpCache()).toEqual([{ ip: PEER, mac: MAC_PEER, state: 'stale', ageMs: 0, queued: 0 }]);
    expect(rig.stat('arpLearned')).toBe(1);
  });

  // A probe's request with sender MAC ff:ff:ff:ff:ff:ff (from a unicast frame source) was answered and learnt:
  // pilha then sent its unicast echo reply to the Ethernet broadcast address (RFC 1122 §3.3.6: a datagram sent
  // to a link-layer broadcast MUST have a broadcast or multicast IP destination).
  it('a sender MAC that is a group (broadcast, multicast) or zero address teaches nothing and is not answered', () => {
    for (const sha of [BROADCAST_MAC, 0x01005e000001, 0x333300000001, 0]) {
      const rig = ethernetRig();
      rig.inject(arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha, spa: PEER, tha: 0, tpa: US }));
      expect(rig.sent).toHaveLength(0);
      expect(rig.eth.arpCache()).toEqual([]);
      expect(rig.stat('dropArpMalformed')).toBe(1);
      // Nor does it change what a known neighbour's entry says.
      rig.inject(requestFromPeer);
      rig.take();
      rig.inject(
        arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REPLY, sha, spa: PEER, tha: MAC_US, tpa: US }),
      );
      expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ ip: PEER, mac: MAC_PEER })]);
      rig.eth.send(datagramTo(PEER));
      const frames = rig.take(); // the datagram, and a unicast refresh of the stale entry
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.every((f) => f.dst === MAC_PEER)).toBe(true);
    }
  });

  it('the merge rule: a request for someone else teaches nothing new, but updates a neighbour we know', () => {
    const rig = ethernetRig();
    const forOther = (sha: number) =>
      arpFrame(BROADCAST_MAC, sha, { op: ARP_OP_REQUEST, sha, spa: PEER, tha: 0, tpa: OTHER });
    rig.inject(forOther(MAC_PEER));
    expect(rig.eth.arpCache()).toEqual([]);
    expect(rig.sent).toHaveLength(0);
    expect(rig.stat('arpIgnored')).toBe(1);
    // Known: its new MAC is taken (unconfirmed, so stale), once the entry's locktime (1 s) has passed.
    rig.eth.send(datagramTo(PEER));
    rig.inject(replyFromPeer);
    rig.take();
    rig.clock.advance(1_000);
    rig.inject(forOther(MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([
      expect.objectContaining({ ip: PEER, mac: MAC_OTHER, state: 'stale' }),
    ]);
    expect(rig.sent).toHaveLength(0);
  });

  it('a gratuitous ARP (sender = target) from a known neighbour updates it; from an unknown one, nothing', () => {
    const rig = ethernetRig();
    rig.inject(gratuitousRequest(OTHER, MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([]);
    rig.inject(requestFromPeer);
    rig.take();
    rig.inject(gratuitousRequest(PEER, MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ ip: PEER, mac: MAC_OTHER })]);
  });

  it('locktime: another MAC within 1 s of the last update is ignored (the first answer stands), then taken', () => {
    const rig = ethernetRig();
    const replyFrom = (sha: number) =>
      arpFrame(MAC_US, sha, { op: ARP_OP_REPLY, sha, spa: PEER, tha: MAC_US, tpa: US });
    rig.eth.send(datagramTo(PEER));
    rig.take();
    rig.clock.advance(100);
    // Two proxies answer back to back: the first resolves the entry, the second is ignored.
    rig.inject(replyFrom(MAC_PEER));
    rig.clock.advance(10);
    rig.inject(replyFrom(MAC_OTHER));
    expect(rig.take()).toMatchObject([{ dst: MAC_PEER, etherType: 0x0800 }]);
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_PEER, state: 'reachable' })]);
    expect(rig.stat('arpLockedOut')).toBe(1);
    // The same MAC again within the locktime confirms, as ever; it does not restart the locktime.
    rig.clock.advance(500);
    rig.inject(replyFrom(MAC_PEER));
    rig.clock.advance(489);
    rig.inject(replyFrom(MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_PEER })]);
    expect(rig.stat('arpLockedOut')).toBe(2);
    // 1 s after the update: the new MAC is taken, and the datagrams follow it.
    rig.clock.advance(1);
    rig.inject(replyFrom(MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_OTHER, state: 'reachable' })]);
    expect(rig.stat('arpLockedOut')).toBe(2);
    rig.eth.send(datagramTo(PEER));
    expect(rig.take()).toMatchObject([{ dst: MAC_OTHER, etherType: 0x0800 }]);
    // ...and it is locked in turn: a request for someone else from the old MAC right after changes nothing.
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha: MAC_PEER, spa: PEER, tha: 0, tpa: OTHER }),
    );
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_OTHER })]);
    expect(rig.stat('arpLockedOut')).toBe(3);
    // A request to us overrides the locktime (Linux's neigh_event_ns): its MAC is taken, unconfirmed.
    rig.inject(requestFromPeer);
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_PEER, state: 'stale' })]);
    expect(rig.stat('arpLockedOut')).toBe(3);
  });

  it('locktime does not hold a gratuitous ARP (request or reply naming itself) back', () => {
    const rig = ethernetRig();
    rig.inject(requestFromPeer);
    rig.take();
    rig.inject(gratuitousRequest(PEER, MAC_OTHER));
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_OTHER, state: 'stale' })]);
    // A reply is gratuitous only when it names itself as the target MAC too (Linux's arp_is_garp).
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, {
        op: ARP_OP_REPLY,
        sha: MAC_PEER,
        spa: PEER,
        tha: MAC_PEER,
        tpa: PEER,
      }),
    );
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_PEER })]);
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_OTHER, { op: ARP_OP_REPLY, sha: MAC_OTHER, spa: PEER, tha: 0, tpa: PEER }),
    );
    expect(rig.eth.arpCache()).toEqual([expect.objectContaining({ mac: MAC_PEER })]);
    expect(rig.stat('arpLockedOut')).toBe(1);
  });

  it('an RFC 5227 probe for our address (sender 0.0.0.0) is answered, and teaches nothing', () => {
    const rig = ethernetRig();
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha: MAC_PEER, spa: 0, tha: 0, tpa: US }),
    );
    expect(rig.take()).toMatchObject([{ dst: MAC_PEER, arp: { op: ARP_OP_REPLY, spa: US, tpa: 0 } }]);
    expect(rig.eth.arpCache()).toEqual([]);
  });

  it('a reply for an incomplete entry resolves it even if unsolicited-looking (a gratuitous reply)', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER));
    rig.take();
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REPLY, sha: MAC_PEER, spa: PEER, tha: 0, tpa: PEER }),
    );
    expect(rig.take()).toMatchObject([{ dst: MAC_PEER, etherType: 0x0800 }]);
    expect(rig.eth.arpCache()[0]).toMatchObject({ state: 'stale', mac: MAC_PEER });
  });
});

describe('RFC 5227: announcement and conflicts', () => {
  it('announces our address twice, 2 s apart, on start', () => {
    const rig = ethernetRig();
    rig.eth.start();
    const announcement = {
      dst: BROADCAST_MAC,
      src: MAC_US,
      arp: { op: ARP_OP_REQUEST, sha: MAC_US, spa: US, tha: 0, tpa: US },
    };
    expect(rig.take()).toMatchObject([announcement]);
    rig.clock.advance(1_999);
    expect(rig.sent).toHaveLength(0);
    rig.clock.advance(1);
    expect(rig.take()).toMatchObject([announcement]);
    rig.clock.advance(60_000);
    expect(rig.sent).toHaveLength(0);
    expect(rig.stat('arpTxAnnouncements')).toBe(2);
  });

  it('another MAC claiming our address is counted and answered with one announcement per 10 s', () => {
    const rig = ethernetRig();
    const claim = arpFrame(BROADCAST_MAC, MAC_OTHER, {
      op: ARP_OP_REQUEST,
      sha: MAC_OTHER,
      spa: US,
      tha: 0,
      tpa: US,
    });
    rig.inject(claim);
    expect(rig.take()).toMatchObject([{ dst: BROADCAST_MAC, arp: { sha: MAC_US, spa: US, tpa: US } }]);
    rig.clock.advance(9_999);
    rig.inject(claim);
    expect(rig.sent).toHaveLength(0);
    rig.clock.advance(1);
    rig.inject(claim);
    expect(rig.take()).toHaveLength(1);
    expect(rig.stat('arpConflicts')).toBe(3);
    expect(rig.eth.arpCache()).toEqual([]);
  });
});

describe('ARP under a flood', () => {
  it('100,000 spoofed senders: the cache stays at its bound, a neighbour in use keeps its entry', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER));
    rig.inject(replyFromPeer);
    rig.take();
    let sentToPeer = 0;
    let maxEntries = 0;
    let broadcastRequests = 0;
    for (let i = 0; i < 100_000; i++) {
      const spa = (0x0a400000 + i) >>> 0; // 10.64.0.0 onwards
      const sha = 0x0200_1000_0000 + i;
      rig.inject(arpFrame(BROADCAST_MAC, sha, { op: ARP_OP_REQUEST, sha, spa, tha: 0, tpa: US }));
      if (i % 100 === 0) {
        rig.eth.send(datagramTo(PEER));
        sentToPeer++;
        maxEntries = Math.max(maxEntries, rig.stat('arpEntries'));
        for (const f of rig.sent)
          if (f.arp?.op === ARP_OP_REQUEST && f.dst === BROADCAST_MAC) broadcastRequests++;
        rig.sent.length = 0;
      }
      if (i % 10_000 === 0) rig.clock.advance(1_000);
    }
    expect(maxEntries).toBe(1024);
    expect(rig.stat('arpEntries')).toBe(1024);
    expect(rig.stat('arpEvicted')).toBe(100_001 - 1024);
    expect(rig.stat('arpTxReplies')).toBe(100_000);
    // The neighbour carrying traffic was never evicted: it needed no new broadcast request.
    expect(rig.eth.arpCache().find((e) => e.ip === PEER)).toMatchObject({ mac: MAC_PEER });
    expect(broadcastRequests).toBe(0);
    expect(rig.stat('arpFailed')).toBe(0);
    expect(sentToPeer).toBe(1000);
    expect(rig.stat('arpQueuedBytes')).toBe(0);
  });
});
