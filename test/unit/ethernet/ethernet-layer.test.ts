import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/core/counters.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { BROADCAST_MAC, parseMac } from '../../../src/core/mac-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { ARP_OP_REPLY, ARP_OP_REQUEST, encodeArp } from '../../../src/layers/ethernet/arp-packet.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  encodeEthernetFrame,
} from '../../../src/layers/ethernet/ethernet-frame.js';
import { EthernetLayer } from '../../../src/layers/ethernet/ethernet-layer.js';
import { ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import { NO_IMPAIRMENT } from '../../../src/layers/link/decorators/impairment.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import type { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import type { RawLink } from '../../../src/layers/link/raw-link.js';
import { arpFrame, datagramTo, ethernetRig, MAC_PEER, MAC_US, PEER, US } from './ethernet-rig.js';

const ipv4 = (dst: number, src: number, payload: Uint8Array, type = ETHERTYPE_IPV4): Uint8Array =>
  encodeEthernetFrame(dst, src, type, payload);

/** Resolves PEER: A sends one datagram, the peer answers the request. */
function resolvedRig() {
  const rig = ethernetRig();
  rig.eth.send(datagramTo(PEER, 40, 1));
  rig.inject(
    arpFrame(MAC_US, MAC_PEER, { op: ARP_OP_REPLY, sha: MAC_PEER, spa: PEER, tha: MAC_US, tpa: US }),
  );
  rig.take();
  return rig;
}

describe('EthernetLayer: receive filter (stage 4)', () => {
  it('hands up the payload of an IPv4 frame to our MAC, and of one to broadcast', () => {
    const rig = ethernetRig();
    const d = datagramTo(US, 40, 9);
    rig.inject(ipv4(MAC_US, MAC_PEER, d));
    rig.inject(ipv4(BROADCAST_MAC, MAC_PEER, d));
    expect(rig.up).toHaveLength(2);
    // The minimum-size frame's padding stays behind the datagram; the IP layer reads its total length.
    expect(rig.up[0]!.subarray(0, 40)).toEqual(d);
    expect(rig.eth.stats()).toMatchObject({ rxFrames: 2, rxIpv4: 2, rxBroadcast: 1, 'inner.rxPackets': 2 });
  });

  const payload = datagramTo(US, 40);
  const cases: ReadonlyArray<readonly [string, Uint8Array]> = [
    ['dropRunt', new Uint8Array(13)],
    ['dropRunt', Uint8Array.from([...ipv4(MAC_US, MAC_PEER, new Uint8Array(0), 0x8100).subarray(0, 16)])],
    ['dropNotOurMac', ipv4(parseMac('02:00:00:00:00:99'), MAC_PEER, payload)],
    ['dropMulticast', ipv4(parseMac('01:00:5e:00:00:01'), MAC_PEER, payload)],
    ['dropMulticast', ipv4(parseMac('33:33:00:00:00:01'), MAC_PEER, payload, ETHERTYPE_IPV6)],
    ['dropOwnSource', ipv4(BROADCAST_MAC, MAC_US, payload)],
    ['dropBadSource', ipv4(MAC_US, parseMac('03:00:00:00:00:01'), payload)],
    ['dropVlan', ipv4(MAC_US, MAC_PEER, Uint8Array.of(0, 100, 8, 0, ...payload), 0x8100)],
    ['dropVlan', ipv4(MAC_US, MAC_PEER, Uint8Array.of(0, 100, 0x81, 0, 0, 5, 8, 0, ...payload), 0x88a8)],
    ['dropIpv6', ipv4(MAC_US, MAC_PEER, payload, ETHERTYPE_IPV6)],
    ['dropLlc', ipv4(MAC_US, MAC_PEER, payload, 0x0026)],
    ['dropEtherType', ipv4(MAC_US, MAC_PEER, payload, 0x88cc)],
    [
      'dropArpMalformed',
      ipv4(MAC_US, MAC_PEER, encodeArp({ op: 3, sha: MAC_PEER, spa: PEER, tha: 0, tpa: US }), 0x0806),
    ],
    ['dropArpMalformed', ipv4(MAC_US, MAC_PEER, new Uint8Array(20), 0x0806)],
  ];
  for (const [counter, frame] of cases) {
    it(`drops under ${counter} (a ${frame.length}-byte frame), handing nothing up`, () => {
      const rig = ethernetRig();
      expect(() => rig.inject(frame)).not.toThrow();
      expect(rig.up).toHaveLength(0);
      expect(rig.sent).toHaveLength(0);
      const stats = rig.eth.stats();
      expect(stats[counter]).toBe(1);
      const drops = Object.entries(stats).filter(([k, v]) => k.startsWith('drop') && v > 0);
      expect(drops).toEqual([[counter, 1]]);
    });
  }
});

describe('EthernetLayer: transmit', () => {
  it('frames a datagram to the resolved MAC, from ours, EtherType IPv4, the datagram unchanged', () => {
    const rig = resolvedRig();
    const d = datagramTo(PEER, 1500, 5);
    rig.eth.send(d);
    const [frame] = rig.take();
    expect(frame).toMatchObject({ dst: MAC_PEER, src: MAC_US, etherType: ETHERTYPE_IPV4 });
    expect(frame!.payload).toEqual(d);
    expect(rig.eth.stats()).toMatchObject({ txDatagrams: 2, txFrames: 3, dropTxMalformed: 0 });
  });

  it('sends broadcasts to the broadcast MAC and multicasts to 01:00:5e + 23 bits, with no ARP', () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(0xffff_ffff));
    rig.eth.send(datagramTo(0x0a0900ff)); // 10.9.0.255, the /24's directed broadcast
    rig.eth.send(datagramTo(0xe0ff0102)); // 224.255.1.2 → 01:00:5e:7f:01:02
    expect(rig.take().map((f) => f.dst)).toEqual([
      BROADCAST_MAC,
      BROADCAST_MAC,
      parseMac('01:00:5e:7f:01:02'),
    ]);
    expect(rig.stat('arpTxRequests')).toBe(0);
  });

  it('drops (and counts) a datagram too short for an IPv4 header or above the MTU', () => {
    const rig = ethernetRig();
    rig.eth.send(new Uint8Array(19));
    rig.eth.send(datagramTo(PEER, 1501));
    expect(rig.sent).toHaveLength(0);
    expect(rig.stat('dropTxMalformed')).toBe(2);
  });

  it('copies each datagram into one reused frame buffer; a send inside a send gets its own', () => {
    const buffers: ArrayBufferLike[] = [];
    let inside: (() => void) | undefined;
    const device: RawLink = {
      mtu: 1500,
      medium: 'ethernet',
      send: (frame) => {
        buffers.push(frame.buffer);
        const run = inside;
        inside = undefined;
        run?.();
      },
      onReceive: () => {},
      stats: () => new Counters([]).snapshot(),
      close: async () => {},
    };
    const eth = new EthernetLayer(device, new VirtualClock(), silentLoggers().for('ethernet'), {
      address: US,
      mac: MAC_US,
    });
    for (let i = 0; i < 3; i++) eth.send(datagramTo(0xffff_ffff, 1000));
    expect(new Set(buffers).size).toBe(1);
    inside = () => eth.send(datagramTo(0xffff_ffff, 100));
    eth.send(datagramTo(0xffff_ffff, 1000));
    expect(buffers[4]).not.toBe(buffers[3]);
    expect(eth.stats().txReentrantAllocations).toBe(1);
  });

  it('refuses a link that does not move Ethernet frames, and a group address as its MAC', () => {
    const [ipLink] = MemoryLink.pair();
    const log = silentLoggers().for('ethernet');
    expect(() => new EthernetLayer(ipLink, new VirtualClock(), log, { address: US, mac: MAC_US })).toThrow(
      /medium is ethernet/,
    );
    const [eth] = MemoryLink.pair(1500, undefined, { medium: 'ethernet' });
    expect(
      () => new EthernetLayer(eth, new VirtualClock(), log, { address: US, mac: BROADCAST_MAC }),
    ).toThrow(/unicast/);
  });

  it('after close: nothing sent, timers cancelled, waiting datagrams dropped', async () => {
    const rig = ethernetRig();
    rig.eth.send(datagramTo(PEER));
    rig.take();
    await rig.eth.close();
    rig.eth.send(datagramTo(PEER));
    rig.clock.runAll(10_000);
    expect(rig.sent).toHaveLength(0);
    expect(rig.unreachable).toHaveLength(0);
    expect(rig.eth.stats()).toMatchObject({ dropClosed: 1, dropQueueEvicted: 1, arpEntries: 0 });
  });
});

describe('link decorators over an Ethernet link', () => {
  it('ImpairedLink and PcapLink pass the medium and MAC through', () => {
    const [link] = MemoryLink.pair(1500, undefined, { medium: 'ethernet', macs: [MAC_US, MAC_PEER] });
    const impaired = new ImpairedLink(link, { ...NO_IMPAIRMENT, seed: 1 }, new VirtualClock());
    const writer = { write: () => {}, close: () => {} } as unknown as PcapWriter;
    const pcap = new PcapLink(impaired, writer);
    expect([impaired.medium, impaired.mac, pcap.medium, pcap.mac]).toEqual([
      'ethernet',
      MAC_US,
      'ethernet',
      MAC_US,
    ]);
    const [plain] = MemoryLink.pair();
    expect(new PcapLink(plain, writer).medium).toBeUndefined();
  });
});

describe('ARP answered through the layer', () => {
  it('a request for our address gets a unicast reply with our MAC', () => {
    const rig = ethernetRig();
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha: MAC_PEER, spa: PEER, tha: 0, tpa: US }),
    );
    const [reply] = rig.take();
    expect(reply).toMatchObject({
      dst: MAC_PEER,
      src: MAC_US,
      etherType: 0x0806,
      arp: { op: ARP_OP_REPLY, sha: MAC_US, spa: US, tha: MAC_PEER, tpa: PEER },
    });
    expect(reply!.payload.length).toBe(46); // padded to the 60-byte minimum frame
  });
  it('a sender address no neighbour can have is neither answered nor learnt (as Linux); a probe still is answered', () => {
    const rig = ethernetRig();
    // Multicast, the subnet's broadcast (10.9.0.0/24), the limited broadcast, loopback, network 0, class E.
    const senders = [0xe0000001, 0x0a0900ff, 0xffffffff, 0x7f000005, 0x00000005, 0xf0000001];
    for (const spa of senders) {
      rig.inject(
        arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha: MAC_PEER, spa, tha: 0, tpa: US }),
      );
      rig.inject(arpFrame(MAC_US, MAC_PEER, { op: ARP_OP_REPLY, sha: MAC_PEER, spa, tha: MAC_US, tpa: US }));
    }
    expect(rig.take()).toEqual([]);
    expect(rig.eth.arpCache()).toEqual([]);
    expect(rig.stat('arpBadSender')).toBe(senders.length * 2);
    // An RFC 5227 probe (sender 0.0.0.0) for our address is answered, which defends it; nothing is learnt.
    rig.inject(
      arpFrame(BROADCAST_MAC, MAC_PEER, { op: ARP_OP_REQUEST, sha: MAC_PEER, spa: 0, tha: 0, tpa: US }),
    );
    expect(rig.take().map((f) => f.arp?.op)).toEqual([ARP_OP_REPLY]);
    expect(rig.eth.arpCache()).toEqual([]);
    expect(rig.stat('arpBadSender')).toBe(senders.length * 2);
  });
});
