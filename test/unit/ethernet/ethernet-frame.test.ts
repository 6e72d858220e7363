import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC, parseMac } from '../../../src/core/mac-address.js';
import {
  ARP_OP_REPLY,
  ARP_OP_REQUEST,
  encodeArp,
  parseArp,
} from '../../../src/layers/ethernet/arp-packet.js';
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  encodeEthernetFrame,
  parseEthernetFrame,
} from '../../../src/layers/ethernet/ethernet-frame.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** An ARP request laid out as Linux sends one (arping 10.9.0.2 from 10.9.0.1 on a veth: 42 bytes, no padding), written by hand. */
const LINUX_ARP_REQUEST = hex(`
  ffffffffffff 5e1f2a3b4c5d 0806
  0001 0800 06 04 0001 5e1f2a3b4c5d 0a090001 000000000000 0a090002`);

describe('Ethernet frame codec', () => {
  it('parses destination, source and EtherType, and the payload as a view', () => {
    const frame = parseEthernetFrame(LINUX_ARP_REQUEST);
    if (typeof frame === 'string') throw new Error(frame);
    expect(frame.dst).toBe(BROADCAST_MAC);
    expect(frame.src).toBe(parseMac('5e:1f:2a:3b:4c:5d'));
    expect(frame.etherType).toBe(ETHERTYPE_ARP);
    expect(frame.vlanId).toBeUndefined();
    expect(frame.headerLength).toBe(14);
    expect(frame.payload.length).toBe(28);
    expect(frame.payload.buffer).toBe(LINUX_ARP_REQUEST.buffer);
  });

  it('round-trips, padding short frames to the 60-byte minimum', () => {
    const dst = parseMac('02:00:00:00:00:01');
    const src = parseMac('02:00:00:00:00:02');
    const small = encodeEthernetFrame(dst, src, ETHERTYPE_IPV4, Uint8Array.of(1, 2, 3));
    expect(small.length).toBe(60);
    const big = encodeEthernetFrame(dst, src, ETHERTYPE_IPV4, new Uint8Array(1500).fill(7));
    expect(big.length).toBe(1514);
    const parsed = parseEthernetFrame(big);
    expect(parsed).toMatchObject({ dst, src, etherType: ETHERTYPE_IPV4, headerLength: 14 });
    expect((parsed as { payload: Uint8Array }).payload).toEqual(new Uint8Array(1500).fill(7));
  });

  it('recognises an 802.1Q tag: VLAN id and inner EtherType, 18-byte header', () => {
    const tagged = hex(`020000000001 020000000002 8100 2064 0800 45`);
    expect(parseEthernetFrame(tagged)).toMatchObject({
      etherType: ETHERTYPE_IPV4,
      vlanId: 100,
      headerLength: 18,
    });
    const qinq = hex(`020000000001 020000000002 88a8 0005 8100 0006 0800`);
    expect(parseEthernetFrame(qinq)).toMatchObject({ vlanId: 5, headerLength: 18 });
  });

  it('reports runts, never throws', () => {
    expect(parseEthernetFrame(new Uint8Array(0))).toBe('runt');
    expect(parseEthernetFrame(new Uint8Array(13))).toBe('runt');
    expect(parseEthernetFrame(hex(`020000000001 020000000002 8100 0064`))).toBe('runt');
    expect(typeof parseEthernetFrame(new Uint8Array(14))).toBe('object');
  });
});

describe('ARP packet codec', () => {
  it('parses a request in the form Linux sends', () => {
    expect(parseArp(LINUX_ARP_REQUEST.subarray(14))).toEqual({
      op: ARP_OP_REQUEST,
      sha: parseMac('5e:1f:2a:3b:4c:5d'),
      spa: 0x0a090001,
      tha: 0,
      tpa: 0x0a090002,
    });
  });

  it('round-trips, and re-encodes that request byte for byte', () => {
    expect(encodeArp(parseArp(LINUX_ARP_REQUEST.subarray(14)) as never)).toEqual(
      LINUX_ARP_REQUEST.subarray(14),
    );
    const reply = { op: ARP_OP_REPLY, sha: 0x0200_0000_0001, spa: 0xc0a80001, tha: 0xfeff_ffff_fffe, tpa: 1 };
    expect(parseArp(encodeArp(reply))).toEqual(reply);
  });

  it('ignores trailing padding and rejects what is not IPv4 over Ethernet, never throwing', () => {
    const arp = LINUX_ARP_REQUEST.subarray(14);
    const padded = new Uint8Array(46);
    padded.set(arp);
    expect(parseArp(padded)).toMatchObject({ op: ARP_OP_REQUEST });
    expect(parseArp(arp.subarray(0, 27))).toBe('truncated');
    const mutate = (at: number, value: number): Uint8Array => {
      const copy = arp.slice();
      copy[at] = value;
      return copy;
    };
    expect(parseArp(mutate(1, 6))).toBe('unsupported-hardware'); // IEEE 802
    expect(parseArp(mutate(4, 8))).toBe('unsupported-hardware'); // hlen
    expect(parseArp(mutate(2, 0x86))).toBe('unsupported-protocol');
    expect(parseArp(mutate(5, 16))).toBe('unsupported-protocol'); // plen
    expect(parseArp(mutate(7, 3))).toBe('bad-operation'); // RARP
  });
});
