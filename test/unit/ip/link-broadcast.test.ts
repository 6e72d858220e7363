/**
 * A datagram to pilha's own address that came in a link-layer broadcast frame (ff:ff:ff:ff:ff:ff): no ICMP
 * error answers it (RFC 1122 §3.2.2, as Linux's __icmp_send for a pkt_type other than PACKET_HOST), and TCP
 * ignores it (Linux's tcp_v4_rcv). The same datagrams in a frame to pilha's MAC are answered.
 */
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC, type MacAddress } from '../../../src/core/mac-address.js';
import { ETHERTYPE_IPV4, encodeEthernetFrame } from '../../../src/layers/ethernet/ethernet-frame.js';
import { fragmentIpv4 } from '../../../src/layers/ip/fragmenter.js';
import { encodeIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { RX_LINK_BROADCAST } from '../../../src/layers/link/raw-link.js';
import { TcpFlags } from '../../../src/transport/tcp/wire/tcp-header.js';
import { MAC_A, MAC_B } from '../../helpers/ethernet-stacks.js';
import { ADDRESS_A, ADDRESS_B, twoPingStacks } from '../../helpers/memory-stacks.js';
import { twoTcpStacks } from '../../helpers/tcp-stacks.js';
import { ethernetRig } from '../ethernet/ethernet-rig.js';
import { tcpDatagram } from '../link/raw-link-datagrams.js';

/** An IPv4 datagram from A to B in a frame from A's MAC to `dst`. */
function frameTo(dst: MacAddress, datagram: Uint8Array): Uint8Array {
  return encodeEthernetFrame(dst, MAC_A, ETHERTYPE_IPV4, datagram);
}

const BASE = { id: 7, ttl: 64, src: ADDRESS_A, dst: ADDRESS_B } as const;

describe('a datagram to our address in a link-layer broadcast frame', () => {
  it('the Ethernet layer hands it up flagged RX_LINK_BROADCAST; one to our MAC is not flagged', () => {
    const rig = ethernetRig();
    const flags: number[] = [];
    rig.eth.onReceive((_d, f) => flags.push(f ?? 0));
    const datagram = encodeIpv4(
      { ...BASE, protocol: 253, src: 0x0a090002, dst: 0x0a090001 },
      new Uint8Array(8),
    );
    rig.inject(
      encodeEthernetFrame(BROADCAST_MAC, rig.eth.mac === MAC_A ? MAC_B : MAC_A, ETHERTYPE_IPV4, datagram),
    );
    rig.inject(encodeEthernetFrame(rig.eth.mac, MAC_B, ETHERTYPE_IPV4, datagram));
    expect(flags.map((f) => f & RX_LINK_BROADCAST)).toEqual([RX_LINK_BROADCAST, 0]);
  });

  it('draws no Protocol Unreachable and no Parameter Problem; the same in a frame to our MAC does', async () => {
    const { clock, linkA, b } = await twoPingStacks(1500, {}, { ethernet: true });
    const unknownProtocol = encodeIpv4({ ...BASE, protocol: 253 }, new Uint8Array(16));
    // Option 0x44 (timestamp) with a length past the header: a Parameter Problem for a unicast frame.
    const badOption = encodeIpv4(
      { ...BASE, protocol: 253, options: Uint8Array.from([0x44, 12, 5, 0]) },
      new Uint8Array(16),
    );
    linkA.send(frameTo(BROADCAST_MAC, unknownProtocol));
    linkA.send(frameTo(BROADCAST_MAC, badOption));
    clock.runAll(100);
    expect(b.ip.stats()).toMatchObject({ dropUnknownProtocol: 1, dropBadOptions: 1 });
    expect(b.icmp.stats()).toMatchObject({ txDestUnreachable: 0, txParameterProblem: 0 });
    linkA.send(frameTo(MAC_B, unknownProtocol));
    linkA.send(frameTo(MAC_B, badOption));
    clock.runAll(100);
    expect(b.ip.stats()).toMatchObject({ dropUnknownProtocol: 2, dropBadOptions: 2 });
    expect(b.icmp.stats()).toMatchObject({ txDestUnreachable: 1, txParameterProblem: 1 });
    await b.close();
  });

  it("reassembly: the first fragment's frame decides, as Linux's head fragment does", async () => {
    const { clock, linkA, b } = await twoPingStacks(1500, { reassemblyTimeoutMs: 1000 }, { ethernet: true });
    const fragments = (id: number) =>
      fragmentIpv4({ ...BASE, id, protocol: 253 }, new Uint8Array(4000), 1500).slice(0, 2);
    // Incomplete, the first fragment broadcast: no Time Exceeded when it times out.
    const [first1, second1] = fragments(41);
    linkA.send(frameTo(BROADCAST_MAC, first1!));
    linkA.send(frameTo(MAC_B, second1!));
    // Incomplete, only a later fragment broadcast: Time Exceeded.
    const [first2, second2] = fragments(42);
    linkA.send(frameTo(MAC_B, first2!));
    linkA.send(frameTo(BROADCAST_MAC, second2!));
    clock.runAll(2000);
    expect(b.ip.stats().dropReassemblyTimeout).toBe(2);
    expect(b.icmp.stats().txTimeExceeded).toBe(1);
    // Complete, the first fragment broadcast: no Protocol Unreachable for the whole datagram.
    for (const [i, f] of fragmentIpv4(
      { ...BASE, id: 43, protocol: 253 },
      new Uint8Array(3000),
      1500,
    ).entries()) {
      linkA.send(frameTo(i === 0 ? BROADCAST_MAC : MAC_B, f));
    }
    clock.runAll(100);
    expect(b.ip.stats()).toMatchObject({ reassembled: 1, dropUnknownProtocol: 1 });
    expect(b.icmp.stats().txDestUnreachable).toBe(0);
    await b.close();
  });

  it('TCP ignores a segment in one (no RST, no SYN-ACK), and counts it', async () => {
    const stacks = await twoTcpStacks({ ethernet: true });
    const { clock, b, links } = stacks;
    b.tcp.listen(80, { onAcceptable: () => {} });
    const [linkA] = links;
    const syn = (port: number) =>
      tcpDatagram({ src: ADDRESS_A, dst: ADDRESS_B, dstPort: port, flags: TcpFlags.SYN });
    clock.runAll(100);
    const sentBefore = b.ip.stats().txPackets!;
    linkA.send(frameTo(BROADCAST_MAC, syn(80))); // to the listener
    linkA.send(frameTo(BROADCAST_MAC, syn(81))); // to a closed port
    clock.runAll(100);
    expect(b.tcp.stats().dropLinkBroadcast).toBe(2);
    expect(b.ip.stats().txPackets).toBe(sentBefore);
    linkA.send(frameTo(MAC_B, syn(81)));
    clock.runAll(100);
    expect(b.ip.stats().txPackets).toBe(sentBefore + 1); // the RST
    expect(b.tcp.stats().dropLinkBroadcast).toBe(2);
    await stacks.close();
  });
});
