/**
 * EthernetLayer over a link that takes TCP super-segments as frames (a TAP device with offload): it offers the
 * IP layer segmentation, frames a super-segment whole (or its headers only, the payload passed on apart), and
 * cuts one whose next hop ARP has not resolved into segments that wait in ARP's queue; the link's receive
 * flags go up with each datagram. Decorators over frames offer no segmentation.
 */
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { type MacAddress, parseMac } from '../../../src/core/mac-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { ARP_OP_REPLY, parseArp } from '../../../src/layers/ethernet/arp-packet.js';
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  parseEthernetFrame,
} from '../../../src/layers/ethernet/ethernet-frame.js';
import { EthernetLayer } from '../../../src/layers/ethernet/ethernet-layer.js';
import { ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import { NO_IMPAIRMENT } from '../../../src/layers/link/decorators/impairment.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import type { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { tcpChecksumValid } from '../../../src/layers/link/offload/tcp-super-segment.js';
import {
  type RawLink,
  type ReceiveHandler,
  RX_CHECKSUM_VOUCHED,
  type SegmentationOffload,
} from '../../../src/layers/link/raw-link.js';
import { MSS, superSegment } from '../link/offload/super-segment-fixtures.js';
import { arpFrame } from './ethernet-rig.js';

// The fixtures' super-segments go from 10.0.0.2 (us) to 10.0.0.1 (the peer).
const US = parseIpv4('10.0.0.2');
const PEER = parseIpv4('10.0.0.1');
const MAC_US = parseMac('02:00:00:00:00:01');
const MAC_PEER = parseMac('02:00:00:00:00:02');

/** A frame link that records frames sent one by one and super-frames handed whole or in parts. */
class FrameRecorder implements RawLink {
  readonly mtu = 1500;
  readonly medium = 'ethernet' as const;
  readonly mac = MAC_US;
  readonly frames: Uint8Array[] = [];
  readonly whole: Uint8Array[] = [];
  readonly parts: { head: Uint8Array; payload: Uint8Array; segmentSize: number }[] = [];
  readonly segmentation: SegmentationOffload | undefined;
  handler: ReceiveHandler = () => {};

  constructor(offload: boolean, parts = true) {
    this.segmentation = offload
      ? {
          maxDatagramBytes: 14 + 65535,
          sendSegmented: (frame) => this.whole.push(frame.slice()),
          ...(parts
            ? {
                sendSegmentedParts: (head: Uint8Array, payload: Uint8Array, segmentSize: number) =>
                  this.parts.push({ head: head.slice(), payload, segmentSize }),
              }
            : {}),
        }
      : undefined;
  }
  send(frame: Uint8Array): void {
    this.frames.push(frame.slice());
  }
  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }
  stats(): Record<string, number> {
    return {};
  }
  async close(): Promise<void> {}
}

function rig(link: FrameRecorder, resolved: boolean) {
  const eth = new EthernetLayer(link, new VirtualClock(), silentLoggers().for('ethernet'), {
    address: US,
    mac: MAC_US,
    prefixLength: 24,
  });
  const answerArp = () =>
    link.handler(
      arpFrame(MAC_US, MAC_PEER, { op: ARP_OP_REPLY, sha: MAC_PEER, spa: PEER, tha: MAC_US, tpa: US }),
    );
  if (resolved) {
    // A datagram to the peer asks ARP, which the peer answers (an unsolicited reply would not be cached).
    eth.send(superSegment(0, 100));
    answerArp();
    link.frames.length = 0;
  }
  return { eth, answerArp };
}

function header(frame: Uint8Array): { dst: MacAddress; src: MacAddress; etherType: number } {
  const f = parseEthernetFrame(frame);
  if (typeof f === 'string') throw new Error(f);
  return { dst: f.dst, src: f.src, etherType: f.etherType };
}

describe('EthernetLayer with segmentation offload below', () => {
  it('offers segmentation only over a link that has it: 14 bytes less, parts where the link takes them', () => {
    expect(rig(new FrameRecorder(false), true).eth.segmentation).toBeUndefined();
    const s = rig(new FrameRecorder(true), true).eth.segmentation!;
    expect(s.maxDatagramBytes).toBe(65535);
    expect(s.sendSegmentedParts).toBeTypeOf('function');
    expect(rig(new FrameRecorder(true, false), true).eth.segmentation!.sendSegmentedParts).toBeUndefined();
  });

  it('frames a super-segment to the resolved MAC and hands it below whole, unchanged behind the header', () => {
    const link = new FrameRecorder(true);
    const { eth } = rig(link, true);
    const d = superSegment(1, 10 * MSS);
    const before = eth.stats();
    eth.segmentation!.sendSegmented(d, MSS);
    expect(link.frames).toHaveLength(0);
    expect(link.whole).toHaveLength(1);
    expect(header(link.whole[0]!)).toEqual({ dst: MAC_PEER, src: MAC_US, etherType: ETHERTYPE_IPV4 });
    expect(link.whole[0]!.subarray(14)).toEqual(d);
    const after = eth.stats();
    const delta = (name: string) => after[name]! - before[name]!;
    expect([delta('txDatagrams'), delta('txSuperSegments'), delta('txFrames')]).toEqual([1, 1, 1]);
    expect(delta('txBytes')).toBe(14 + d.length);
  });

  it('in parts: only the headers are copied behind the Ethernet header; the payload is passed on as it is', () => {
    const link = new FrameRecorder(true);
    const { eth } = rig(link, true);
    const d = superSegment(2, 4 * MSS);
    const payload = d.subarray(52);
    eth.segmentation!.sendSegmentedParts!(d.subarray(0, 52), payload, MSS);
    expect(link.parts).toHaveLength(1);
    const sent = link.parts[0]!;
    expect(sent.head.length).toBe(14 + 52);
    expect(header(sent.head)).toEqual({ dst: MAC_PEER, src: MAC_US, etherType: ETHERTYPE_IPV4 });
    expect(sent.head.subarray(14)).toEqual(d.subarray(0, 52));
    expect(sent.payload).toBe(payload);
    expect(sent.segmentSize).toBe(MSS);
  });

  it('before ARP has the next hop: cut into segments that wait, then go as frames of at most 1514 bytes', () => {
    const link = new FrameRecorder(true);
    const { eth, answerArp } = rig(link, false);
    const d = superSegment(3, 3 * MSS + 100);
    eth.segmentation!.sendSegmented(d, MSS);
    // One ARP request, nothing else yet.
    expect(link.frames.map((f) => header(f).etherType)).toEqual([ETHERTYPE_ARP]);
    expect(typeof parseArp(link.frames[0]!.subarray(14))).toBe('object');
    link.frames.length = 0;
    answerArp();
    expect(link.whole).toHaveLength(0);
    expect(link.frames).toHaveLength(4);
    for (const f of link.frames) {
      expect(header(f)).toEqual({ dst: MAC_PEER, src: MAC_US, etherType: ETHERTYPE_IPV4 });
      expect(f.length).toBeLessThanOrEqual(1514);
      expect(tcpChecksumValid(f.subarray(14))).toBe(true);
    }
    expect(eth.stats()).toMatchObject({ txSuperSegmentsSplit: 1, txSuperSegments: 0, txDatagrams: 4 });
  });

  it('refuses (counted) a super-segment larger than the link takes, and sends nothing after close', async () => {
    const link = new FrameRecorder(true);
    const { eth } = rig(link, true);
    eth.segmentation!.sendSegmented(new Uint8Array(65536), MSS);
    expect(eth.stats().dropTxMalformed).toBe(1);
    // One that cannot be cut while ARP resolves (not TCP) is dropped, not counted as split.
    const unresolved = rig(new FrameRecorder(true), false).eth;
    const udp = superSegment(6, 2 * MSS);
    udp[9] = 17;
    unresolved.segmentation!.sendSegmented(udp, MSS);
    expect(unresolved.stats()).toMatchObject({ dropTxMalformed: 1, txSuperSegmentsSplit: 0 });
    await eth.close();
    eth.segmentation!.sendSegmented(superSegment(4, 2 * MSS), MSS);
    expect(link.whole).toHaveLength(0);
    expect(eth.stats().dropClosed).toBe(1);
  });

  it("passes the link's receive flags up with each IPv4 datagram (a GSO read's vouched checksum)", () => {
    const link = new FrameRecorder(true);
    const { eth } = rig(link, true);
    const got: [number, number | undefined][] = [];
    eth.onReceive((d, flags) => got.push([d.length, flags]));
    const d = superSegment(5, 20 * MSS);
    const frame = new Uint8Array(14 + d.length);
    frame.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0], 0);
    frame.set(d, 14);
    link.handler(frame, RX_CHECKSUM_VOUCHED);
    link.handler(frame);
    expect(got).toEqual([
      [d.length, RX_CHECKSUM_VOUCHED],
      [d.length, 0],
    ]);
  });

  it('ImpairedLink and PcapLink over frames offer no segmentation (they impair and capture datagrams)', () => {
    const link = new FrameRecorder(true);
    const writer = { write: () => {}, close: async () => {} } as unknown as PcapWriter;
    expect(new ImpairedLink(link, NO_IMPAIRMENT, new VirtualClock()).segmentation).toBeUndefined();
    expect(new PcapLink(link, writer).segmentation).toBeUndefined();
  });
});
