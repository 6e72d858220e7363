import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoPattern } from '../../../src/app/pinger.js';
import { encodeIcmp, ICMP_ECHO_REQUEST, parseIcmp } from '../../../src/layers/icmp/icmp-message.js';
import { fragmentIpv4 } from '../../../src/layers/ip/fragmenter.js';
import { encodeIpv4, IP_PROTOCOL_ICMP, parseIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { ADDRESS_A, ADDRESS_B, twoPingStacks } from '../../helpers/memory-stacks.js';

describe('IPv4 + ICMP stacks over a MemoryLink', () => {
  it('a 20000-byte ping is fragmented, reassembled, answered and reassembled again', async () => {
    const { clock, a, b } = await twoPingStacks();
    const done = a.pinger.run({ target: ADDRESS_B, size: 20_000, count: 3, intervalMs: 1000, waitMs: 1000 });
    clock.runAll(10_000);
    const summary = await done;
    expect(summary.transmitted).toBe(3);
    expect(summary.received).toBe(3);
    expect(summary.corrupted).toBe(0);
    for (const reply of summary.replies) {
      expect(reply.bytes).toBe(20_008);
      expect(reply.reassembly).toMatchObject({
        src: ADDRESS_B,
        dst: ADDRESS_A,
        fragments: 14,
        totalLength: 20_028,
      });
      expect(reply.reassembly!.arrivalOrder).toEqual([...Array(14).keys()]);
    }
    expect(b.ip.stats()).toMatchObject({ reassembled: 3, rxFragments: 42, txFragmented: 3, txFragments: 42 });
    expect(b.icmp.stats()).toMatchObject({ rxEchoRequests: 3, txEchoReplies: 3 });
  });

  it('answers a datagram for an unknown protocol with ICMP protocol unreachable', async () => {
    const { clock, a, b } = await twoPingStacks();
    a.ip.send(ADDRESS_B, 253, new Uint8Array(32));
    clock.runAll();
    expect(b.ip.stats().dropUnknownProtocol).toBe(1);
    expect(b.icmp.stats().txDestUnreachable).toBe(1);
    expect(a.icmp.stats().rxDestUnreachable).toBe(1);
  });

  it('sends ICMP Time Exceeded (code 1) when reassembly times out with the first fragment present', async () => {
    const { clock, linkA, a, b } = await twoPingStacks(1500, { reassemblyTimeoutMs: 1000 });
    const request = encodeIcmp({
      type: ICMP_ECHO_REQUEST,
      code: 0,
      rest: 0x00010001,
      body: echoPattern(8000, 1),
    });
    const frags = fragmentIpv4(
      { id: 42, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B },
      request,
      1500,
    );
    const errors: Array<{ type: number; code: number; quoted: Uint8Array }> = [];
    a.icmp.onError((e) => errors.push(e));
    for (const [i, f] of frags.entries()) if (i !== 2) linkA.send(f);
    clock.advance(999);
    expect(errors).toEqual([]);
    clock.advance(10);
    expect(b.ip.stats().dropReassemblyTimeout).toBe(1);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ type: 11, code: 1 });
    // The quote is the first fragment's header (with its id) and the first 8 bytes of the ICMP request.
    const quoted = errors[0]!.quoted;
    expect(quoted.length).toBe(28);
    expect((quoted[4]! << 8) | quoted[5]!).toBe(42);
    expect(Array.from(quoted.subarray(20))).toEqual(Array.from(request.subarray(0, 8)));
  });

  it('drops garbage from the link without throwing, and counts it', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120, size: 'max' }), (bytes) => {
        linkA.send(bytes);
        clock.runAll();
      }),
    );
    const stats = b.ip.stats();
    expect(stats.rxPackets).toBeGreaterThan(0);
    expect(stats.delivered).toBe(0);
  });

  it('drops datagrams that are not for it, with a zero TTL, or from a martian source', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    const base = { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B };
    linkA.send(encodeIpv4({ ...base, dst: ADDRESS_A }, ping));
    linkA.send(encodeIpv4({ ...base, ttl: 0 }, ping));
    linkA.send(encodeIpv4({ ...base, src: 0xe0000001 }, ping));
    const badChecksum = encodeIpv4(base, ping);
    badChecksum[11] ^= 0xff;
    linkA.send(badChecksum);
    const badIcmp = encodeIpv4(
      base,
      ping.map((x, i) => (i === 2 ? x ^ 1 : x)),
    );
    linkA.send(badIcmp);
    clock.runAll();
    expect(b.ip.stats()).toMatchObject({
      dropNotForUs: 1,
      dropZeroTtl: 1,
      dropBadSource: 1,
      dropBadChecksum: 1,
    });
    expect(b.icmp.stats()).toMatchObject({ dropBadChecksum: 1, txEchoReplies: 0 });
  });

  it('an echo reply carries the request id, sequence and data', async () => {
    const { clock, linkA, linkB, a } = await twoPingStacks();
    const sent: Uint8Array[] = [];
    const origSend = linkB.send.bind(linkB);
    linkB.send = (d: Uint8Array) => {
      sent.push(d.slice());
      origSend(d);
    };
    a.icmp.sendEchoRequest(ADDRESS_B, 0x1234, 7, Uint8Array.from([1, 2, 3, 4, 5]));
    clock.runAll();
    expect(linkA.stats().rxPackets).toBe(1);
    const ip = parseIpv4(sent[0]!);
    if (typeof ip === 'string') throw new Error(ip);
    const icmp = parseIcmp(ip.payload);
    expect(icmp).toEqual({ type: 0, code: 0, rest: 0x12340007, body: Uint8Array.from([1, 2, 3, 4, 5]) });
  });
});
