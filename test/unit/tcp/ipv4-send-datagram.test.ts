import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { IPV4_MIN_HEADER, parseIpv4 as parseDatagram } from '../../../src/layers/ip/ipv4-header.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';

const A = parseIpv4('10.3.0.1');
const B = parseIpv4('10.3.0.2');

function setup(mtu = 1500) {
  const [link, peer] = MemoryLink.pair(mtu);
  const ip = new Ipv4Layer(link, new VirtualClock(), silentLoggers().for('ip'), {
    address: A,
    initialId: 100,
  });
  const seen: Uint8Array[] = [];
  peer.onReceive((d) => seen.push(d));
  return { ip, seen };
}

describe('IPLayer.allocateDatagram / sendDatagram (payload written in place)', () => {
  it('reserves 20 bytes for the header and fills it in on send', () => {
    const { ip, seen } = setup();
    const d = ip.allocateDatagram(5);
    expect(d.length).toBe(25);
    d.set([1, 2, 3, 4, 5], IPV4_MIN_HEADER);
    ip.sendDatagram(B, 6, d, { ttl: 9 });
    expect(seen.length).toBe(1);
    const parsed = parseDatagram(seen[0]!);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed).toMatchObject({ src: A, dst: B, protocol: 6, ttl: 9, id: 100, totalLength: 25 });
    expect(Array.from(parsed.payload)).toEqual([1, 2, 3, 4, 5]);
    expect(ip.stats()).toMatchObject({ txPackets: 1, txBytes: 25 });
  });

  it('shares identification numbers with send()', () => {
    const { ip, seen } = setup();
    ip.send(B, 17, new Uint8Array(3));
    ip.sendDatagram(B, 17, ip.allocateDatagram(3));
    const ids = seen.map((d) => (d[4]! << 8) | d[5]!);
    expect(ids).toEqual([100, 101]);
  });

  it('fragments a datagram above the MTU, like send()', () => {
    const { ip, seen } = setup(600);
    const d = ip.allocateDatagram(1000);
    for (let i = 0; i < 1000; i++) d[IPV4_MIN_HEADER + i] = i & 0xff;
    ip.sendDatagram(B, 6, d);
    expect(seen.length).toBe(2);
    expect(ip.stats()).toMatchObject({ txFragmented: 1, txFragments: 2 });
  });

  it('refuses sizes IPv4 cannot carry, and DF above the MTU', () => {
    const { ip } = setup(600);
    expect(() => ip.allocateDatagram(70_000)).toThrow(PilhaError);
    expect(() => ip.sendDatagram(B, 6, ip.allocateDatagram(1000), { dontFragment: true })).toThrow(
      /DF is set/,
    );
    expect(() => ip.sendDatagram(B, 6, new Uint8Array(10))).toThrow(PilhaError);
  });
});
