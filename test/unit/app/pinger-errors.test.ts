/**
 * Pinger against a hand-written peer on a MemoryLink: a reply that comes twice is shown (DUP!) and counted
 * apart, as ping(8) does; an ICMP error quoting one of the run's requests (a router's Net Unreachable) is
 * shown as ping(8) shows it and counted as "+N errors"; an error about someone else's request is not.
 */
import { describe, expect, it } from 'vitest';
import {
  formatPingError,
  formatPingReply,
  formatPingSummary,
  type PingError,
  type PingReply,
} from '../../../src/app/pinger.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { buildPingStack } from '../../../src/di/compositions.js';
import { encodeIcmp, ICMP_ECHO_REPLY } from '../../../src/layers/icmp/icmp-message.js';
import { encodeIpv4, IP_PROTOCOL_ICMP, icmpQuote } from '../../../src/layers/ip/ipv4-header.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { ADDRESS_A, ADDRESS_B, memoryConfig } from '../../helpers/memory-stacks.js';

const ROUTER = parseIpv4('10.9.0.254');

describe('Pinger: duplicates and ICMP errors', () => {
  it('shows a second reply (DUP!) and an error about a request, and counts both apart', async () => {
    const clock = new VirtualClock();
    const [linkA, linkB] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
    const a = await buildPingStack(memoryConfig(ADDRESS_A), {
      baseLink: linkA,
      clock,
      loggers: silentLoggers(),
    });
    const icmpTo = (src: number, icmp: Uint8Array) =>
      linkB.send(encodeIpv4({ id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src, dst: ADDRESS_A }, icmp));
    // The peer: request 1 answered twice, request 2 met by a router's Net Unreachable (and an error about
    // another pinger's request too), request 3 answered once.
    linkB.onReceive((d) => {
      const header = d.subarray(0, 20);
      const icmp = d.subarray(20);
      const seq = (icmp[6]! << 8) | icmp[7]!;
      const reply = () =>
        icmpTo(
          ADDRESS_B,
          encodeIcmp({
            type: ICMP_ECHO_REPLY,
            code: 0,
            rest: (icmp[4]! << 24) | (icmp[5]! << 16) | seq,
            body: icmp.subarray(8),
          }),
        );
      if (seq === 2) {
        icmpTo(ROUTER, encodeIcmp({ type: 3, code: 0, rest: 0, body: icmpQuote(header, icmp) }));
        const other = Uint8Array.from(icmp.subarray(0, 8));
        other[4] ^= 0xff; // another pinger's id
        icmpTo(ROUTER, encodeIcmp({ type: 3, code: 1, rest: 0, body: icmpQuote(header, other) }));
        return;
      }
      reply();
      if (seq === 1) reply();
    });
    const replies: PingReply[] = [];
    const errors: PingError[] = [];
    const done = a.pinger.run(
      { target: ADDRESS_B, size: 56, count: 3, intervalMs: 1000, waitMs: 1000 },
      (r) => replies.push(r),
      (e) => errors.push(e),
    );
    clock.runAll(10_000);
    const summary = await done;
    expect(replies.map((r) => [r.seq, r.duplicate === true])).toEqual([
      [1, false],
      [1, true],
      [3, false],
    ]);
    expect(formatPingReply(ADDRESS_B, replies[1]!)).toMatch(
      /^64 bytes from 10\.9\.0\.2: icmp_seq=1 .* \(DUP!\)$/,
    );
    expect(errors).toEqual([{ seq: 2, from: ROUTER, type: 3, code: 0, rest: 0 }]);
    expect(formatPingError(errors[0]!)).toBe('From 10.9.0.254 icmp_seq=2 Destination Net Unreachable');
    expect(summary).toMatchObject({ transmitted: 3, received: 2, duplicates: 1, errors: 1 });
    expect(formatPingSummary(summary)).toMatch(
      /^3 packets transmitted, 2 received, \+1 duplicates, \+1 errors, 33\.3% packet loss/m,
    );
  });

  it('words the errors as ping(8) does', () => {
    const from = ROUTER;
    expect(formatPingError({ seq: 4, from, type: 3, code: 1, rest: 0 })).toBe(
      'From 10.9.0.254 icmp_seq=4 Destination Host Unreachable',
    );
    expect(formatPingError({ seq: 4, from, type: 3, code: 4, rest: 1400 })).toBe(
      'From 10.9.0.254 icmp_seq=4 Frag needed and DF set (mtu = 1400)',
    );
    expect(formatPingError({ seq: 4, from, type: 11, code: 0, rest: 0 })).toBe(
      'From 10.9.0.254 icmp_seq=4 Time to live exceeded',
    );
  });
});
