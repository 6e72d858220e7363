import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoPattern } from '../../../src/app/pinger.js';
import { parseIpv4 as parseAddress } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { buildTcpStack } from '../../../src/di/compositions.js';
import { encodeIcmp, ICMP_ECHO_REQUEST, parseIcmp } from '../../../src/layers/icmp/icmp-message.js';
import { fragmentIpv4 } from '../../../src/layers/ip/fragmenter.js';
import {
  encodeIpv4,
  finishIpv4Checksum,
  IP_PROTOCOL_ICMP,
  IP_PROTOCOL_TCP,
  parseIpv4,
} from '../../../src/layers/ip/ipv4-header.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, TcpFlags } from '../../../src/transport/tcp/wire/tcp-header.js';
import { ADDRESS_A, ADDRESS_B, memoryConfig, twoPingStacks } from '../../helpers/memory-stacks.js';

/** An echo request from A to B with `bodyBytes` of pattern, cut into fragments for MTU 1500 under IP id `id`. */
function fragmentedEchoRequest(id: number, bodyBytes: number): { request: Uint8Array; frags: Uint8Array[] } {
  const request = encodeIcmp({
    type: ICMP_ECHO_REQUEST,
    code: 0,
    rest: 0x00010001,
    body: echoPattern(bodyBytes, 1),
  });
  const frags = fragmentIpv4(
    { id, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B },
    request,
    1500,
  );
  return { request, frags };
}

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

  it('stop() ends a run at once with the summary so far, as ping(8) on its first Ctrl-C', async () => {
    const { clock, a, b } = await twoPingStacks();
    const done = a.pinger.run({ target: ADDRESS_B, size: 56, count: 1000, intervalMs: 1000, waitMs: 2000 });
    clock.runUntil(2500); // requests 1, 2 and 3 sent and answered
    a.pinger.stop();
    const summary = await done;
    expect(summary).toMatchObject({ transmitted: 3, received: 3, lossPercent: 0 });
    expect(summary.rtt).toBeDefined();
    expect(clock.pendingTimers).toBe(0); // nothing more will be sent
    expect(b.icmp.stats().rxEchoRequests).toBe(3);
    a.pinger.stop(); // no run: nothing to do
  });

  it('answers a datagram for an unknown protocol with ICMP protocol unreachable', async () => {
    const { clock, a, b } = await twoPingStacks();
    a.ip.send(ADDRESS_B, 253, new Uint8Array(32));
    clock.runAll();
    expect(b.ip.stats().dropUnknownProtocol).toBe(1);
    expect(b.icmp.stats().txDestUnreachable).toBe(1);
    expect(a.icmp.stats().rxDestUnreachable).toBe(1);
  });

  it('reassembles and answers fragments that carry DF (RFC 791 forbids fragmenting them further, not receiving them)', async () => {
    const { clock, linkA, linkB, b } = await twoPingStacks();
    const { frags } = fragmentedEchoRequest(43, 3000);
    // DF on every fragment, as Linux sends when it refragments a DF datagram it defragmented (IPSKB_FRAG_PMTU).
    for (const f of frags) {
      f[6]! |= 0x40;
      finishIpv4Checksum(f, 0, 20);
      linkA.send(f);
    }
    clock.runAll();
    expect(frags.length).toBe(3);
    expect(b.ip.stats()).toMatchObject({ rxFragments: 3, reassembled: 1, dropBadFragment: 0 });
    expect(b.icmp.stats()).toMatchObject({ rxEchoRequests: 1, txEchoReplies: 1 });
    expect(linkB.stats().txPackets).toBe(3); // the reply, fragmented again (without DF)
  });

  it('sends ICMP Time Exceeded (code 1) when reassembly times out with the first fragment present', async () => {
    const { clock, linkA, a, b } = await twoPingStacks(1500, { reassemblyTimeoutMs: 1000 });
    const { request, frags } = fragmentedEchoRequest(42, 8000);
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

  it('drops datagrams that are not for it or fail their checksums', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    const base = { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B };
    linkA.send(encodeIpv4({ ...base, dst: ADDRESS_A }, ping));
    const badChecksum = encodeIpv4(base, ping);
    badChecksum[11] ^= 0xff;
    linkA.send(badChecksum);
    const badIcmp = encodeIpv4(
      base,
      ping.map((x, i) => (i === 2 ? x ^ 1 : x)),
    );
    linkA.send(badIcmp);
    clock.runAll();
    expect(b.ip.stats()).toMatchObject({ dropNotForUs: 1, dropBadChecksum: 1 });
    expect(b.icmp.stats()).toMatchObject({ dropBadChecksum: 1, txEchoReplies: 0 });
  });

  it('drops source-routed datagrams (loose or strict), as Linux by default; answers a Timestamp one with ours', async () => {
    const { clock, linkA, linkB, b } = await twoPingStacks();
    const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    const base = { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B };
    const replies: Uint8Array[] = [];
    linkA.onReceive((d) => replies.push(d.slice()));
    // NOP, then LSRR (131) or SSRR (137) with one hop already passed, pointer at the end.
    for (const type of [131, 137]) {
      linkA.send(encodeIpv4({ ...base, options: Uint8Array.from([1, type, 7, 8, 10, 9, 0, 9]) }, ping));
    }
    clock.runAll();
    expect(b.ip.stats()).toMatchObject({ dropSourceRouted: 2, delivered: 0 });
    expect(replies).toEqual([]);
    // A Timestamp option (timestamps only, two slots) comes back with pilha's in the first.
    linkA.send(
      encodeIpv4({ ...base, options: Uint8Array.from([68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }, ping),
    );
    clock.runAll();
    expect(replies.length).toBe(1);
    const reply = parseIpv4(replies[0]!);
    expect(typeof reply).not.toBe('string');
    if (typeof reply === 'string') return;
    expect([...reply.options.subarray(0, 4)]).toEqual([68, 12, 9, 0]);
    const stamp = new DataView(reply.options.buffer, reply.options.byteOffset).getUint32(4);
    expect(stamp).toBeLessThan(86_400_000);
    expect(linkB.stats().txPackets).toBe(1);
  });

  it('malformed options: a Parameter Problem pointing at the byte, nothing else', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    const base = { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B };
    const replies: Uint8Array[] = [];
    linkA.onReceive((d) => replies.push(d.slice()));
    // NOP, then a Record Route whose pointer (3) is below its first slot: byte 20 + 3 of the header.
    linkA.send(encodeIpv4({ ...base, options: Uint8Array.from([1, 7, 7, 3, 0, 0, 0, 0]) }, ping));
    clock.runAll();
    expect(b.ip.stats()).toMatchObject({ dropBadOptions: 1, delivered: 0 });
    expect(b.icmp.stats()).toMatchObject({ txParameterProblem: 1, txEchoReplies: 0 });
    expect(replies.length).toBe(1);
    const error = parseIpv4(replies[0]!);
    if (typeof error === 'string') throw new Error(error);
    const message = parseIcmp(error.payload);
    if (typeof message === 'string') throw new Error(message);
    expect(message).toMatchObject({ type: 12, code: 0, rest: (23 << 24) >>> 0 });
    // It quotes the header (options included) and the first 8 bytes of the payload.
    expect(message.body.length).toBe(28 + 8);
    // About a fragment other than the first: dropped, but no error (RFC 1122 §3.2.2; found by the fuzzer).
    const later = encodeIpv4(
      { ...base, id: 2, fragmentOffset: 8, options: Uint8Array.from([1, 7, 7, 3, 0, 0, 0, 0]) },
      ping,
    );
    linkA.send(later);
    clock.runAll();
    expect(b.ip.stats()).toMatchObject({ dropBadOptions: 2 });
    expect(b.icmp.stats()).toMatchObject({ txParameterProblem: 1 });
    expect(replies.length).toBe(1);
  });

  it('accepts TTL 0 and 1 addressed to it (RFC 1122 §3.2.1.7: a host must not discard them)', async () => {
    const { clock, linkA, b } = await twoPingStacks();
    const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    for (const ttl of [0, 1]) {
      linkA.send(
        encodeIpv4({ id: ttl, ttl, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B }, ping),
      );
    }
    clock.runAll();
    expect(b.ip.stats().delivered).toBe(2);
    expect(b.icmp.stats().txEchoReplies).toBe(2);
  });

  describe('drops, counts by reason and never answers a source a host must not accept (RFC 1122 §3.2.1.3)', () => {
    const cases: ReadonlyArray<readonly [what: string, src: string, counter: string]> = [
      ['its own address', '10.9.0.2', 'dropSourceOurs'],
      ['0.0.0.0', '0.0.0.0', 'dropSourceZero'],
      ['another address of network 0', '0.1.2.3', 'dropSourceZero'],
      ['the limited broadcast', '255.255.255.255', 'dropSourceBroadcast'],
      ["the subnet's directed broadcast", '10.9.0.255', 'dropSourceBroadcast'],
      ['a multicast address (class D)', '224.0.0.1', 'dropSourceMulticast'],
      ['another multicast address', '239.255.255.250', 'dropSourceMulticast'],
      ['a reserved address (class E)', '240.0.0.1', 'dropSourceReserved'],
      ['loopback', '127.0.0.1', 'dropSourceLoopback'],
      ['another loopback address', '127.255.0.9', 'dropSourceLoopback'],
    ];
    for (const [what, src, counter] of cases) {
      it(`${what} (${src}): ${counter}`, async () => {
        const { clock, linkA, linkB, b } = await twoPingStacks(1500, {
          link: { kind: 'provided', prefixLength: 24 },
        });
        const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
        const base = { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, dst: ADDRESS_B };
        linkA.send(encodeIpv4({ ...base, src: parseAddress(src) }, ping));
        // Fragments too: a bad source never reaches the reassembler.
        const frags = fragmentIpv4({ ...base, id: 2, src: parseAddress(src) }, echoPattern(3000, 1), 1500);
        for (const f of frags) linkA.send(f);
        clock.runAll();
        expect(frags.length).toBe(3);
        expect(b.ip.stats()[counter]).toBe(4);
        expect(b.ip.stats()).toMatchObject({ delivered: 0, rxFragments: 0, reassemblyPending: 0 });
        expect(linkB.stats().txPackets).toBe(0);
      });
    }

    it('a neighbour on the subnet, and any address when no prefix is known, are accepted', async () => {
      const { clock, linkA, linkB, b } = await twoPingStacks();
      const ping = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
      for (const src of ['10.9.0.255', '10.9.0.0', '10.9.0.3', '192.0.2.1']) {
        linkA.send(
          encodeIpv4(
            { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: parseAddress(src), dst: ADDRESS_B },
            ping,
          ),
        );
      }
      clock.runAll();
      expect(b.icmp.stats().txEchoReplies).toBe(4);
      expect(linkB.stats().txPackets).toBe(4);
    });
  });

  it('a TCP SYN that claims to come from pilha itself gets no SYN-ACK', async () => {
    const clock = new VirtualClock();
    const [linkA, linkB] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
    const b = await buildTcpStack(memoryConfig(ADDRESS_B), {
      baseLink: linkB,
      clock,
      loggers: silentLoggers(),
    });
    await b.transport.createServer(() => {}).listen(80);
    const syn = encodeTcpSegment(
      {
        srcPort: 80,
        dstPort: 80,
        seq: seq(1000),
        ack: seq(0),
        flags: TcpFlags.SYN,
        window: 65_535,
        urgentPointer: 0,
        options: { mss: 1460 },
        payload: new Uint8Array(0),
      },
      ADDRESS_B,
      ADDRESS_B,
    );
    linkA.send(
      encodeIpv4({ id: 1, ttl: 64, protocol: IP_PROTOCOL_TCP, src: ADDRESS_B, dst: ADDRESS_B }, syn),
    );
    clock.runAll();
    expect(b.ip.stats().dropSourceOurs).toBe(1);
    expect(linkB.stats().txPackets).toBe(0);
    await b.close();
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
