import { silentLoggers } from '../../../src/core/logger.js';
import { type MacAddress, parseMac } from '../../../src/core/mac-address.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import type { ArpConfig } from '../../../src/layers/ethernet/arp-config.js';
import { type ArpPacket, encodeArp, parseArp } from '../../../src/layers/ethernet/arp-packet.js';
import {
  ETHERTYPE_ARP,
  type EthernetFrame,
  encodeEthernetFrame,
  parseEthernetFrame,
} from '../../../src/layers/ethernet/ethernet-frame.js';
import { EthernetLayer } from '../../../src/layers/ethernet/ethernet-layer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';

export const US = 0x0a090001; // 10.9.0.1
export const PEER = 0x0a090002; // 10.9.0.2
export const OTHER = 0x0a090003; // 10.9.0.3
export const MAC_US = parseMac('02:00:00:00:00:01');
export const MAC_PEER = parseMac('02:00:00:00:00:02');
export const MAC_OTHER = parseMac('02:00:00:00:00:03');

/** An IPv4 datagram of `length` bytes to `dst` (only what the Ethernet layer reads is real), bytes tagged by `tag`. */
export function datagramTo(dst: number, length = 60, tag = 0): Uint8Array {
  const d = new Uint8Array(length).fill(tag);
  d[0] = 0x45;
  d[2] = length >>> 8;
  d[3] = length & 0xff;
  new DataView(d.buffer).setUint32(12, US);
  new DataView(d.buffer).setUint32(16, dst);
  return d;
}

export function arpFrame(dst: MacAddress, src: MacAddress, packet: ArpPacket): Uint8Array {
  return encodeEthernetFrame(dst, src, ETHERTYPE_ARP, encodeArp(packet));
}

export interface SentFrame extends EthernetFrame {
  readonly arp?: ArpPacket;
}

/**
 * An EthernetLayer for 10.9.0.1 / 02:00:00:00:00:01 (a /24) over one end of an Ethernet MemoryLink pair; the
 * test holds the other end (the wire): it sees every frame sent and injects frames.
 */
export function ethernetRig(arp: Partial<ArpConfig> = {}) {
  const clock = new VirtualClock();
  const [ours, wire] = MemoryLink.pair(1500, undefined, { medium: 'ethernet', macs: [MAC_US, MAC_PEER] });
  const sent: SentFrame[] = [];
  wire.onReceive((bytes) => {
    const frame = parseEthernetFrame(bytes.slice());
    if (typeof frame === 'string') throw new Error(`sent a ${frame}`);
    const parsed = frame.etherType === ETHERTYPE_ARP ? parseArp(frame.payload) : undefined;
    sent.push(typeof parsed === 'object' ? { ...frame, arp: parsed } : frame);
  });
  const eth = new EthernetLayer(ours, clock, silentLoggers().for('ethernet'), {
    address: US,
    mac: MAC_US,
    prefixLength: 24,
    arp,
  });
  const up: Uint8Array[] = [];
  eth.onReceive((d) => up.push(d.slice()));
  const unreachable: Uint8Array[] = [];
  eth.onUnreachable((d) => unreachable.push(d.slice()));
  return {
    clock,
    eth,
    wire,
    sent,
    up,
    unreachable,
    inject: (frame: Uint8Array) => wire.send(frame),
    /** Takes the frames sent so far. */
    take: (): SentFrame[] => sent.splice(0),
    stat: (name: string): number => eth.stats()[name] ?? Number.NaN,
  };
}
