/**
 * RFC 1122 §3.2.2: an ICMP error is never sent about an ICMP error. Found by the fuzzer (npm run fuzz,
 * seed 1, session 2): a fragmented ICMP Time Exceeded whose reassembly timed out drew a Time Exceeded.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeIcmp,
  ICMP_DEST_UNREACHABLE,
  ICMP_TIME_EXCEEDED,
} from '../../../src/layers/icmp/icmp-message.js';
import { fragmentIpv4 } from '../../../src/layers/ip/fragmenter.js';
import { IP_PROTOCOL_ICMP } from '../../../src/layers/ip/ipv4-header.js';
import { ADDRESS_A, ADDRESS_B, twoPingStacks } from '../../helpers/memory-stacks.js';

describe('ICMP errors about ICMP errors', () => {
  for (const type of [ICMP_DEST_UNREACHABLE, ICMP_TIME_EXCEEDED]) {
    it(`no Time Exceeded when the reassembly of an ICMP error (type ${type}) times out`, async () => {
      const { clock, linkA, a, b } = await twoPingStacks(1500, { reassemblyTimeoutMs: 1000 });
      const error = encodeIcmp({ type, code: 1, rest: 0, body: new Uint8Array(3000) });
      const frags = fragmentIpv4(
        { id: 7, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: ADDRESS_A, dst: ADDRESS_B },
        error,
        1500,
      );
      const received: number[] = [];
      a.icmp.onError((e) => received.push(e.type));
      linkA.send(frags[0]!); // the first fragment only: reassembly times out
      clock.advance(1500);
      expect(b.ip.stats().dropReassemblyTimeout).toBe(1);
      expect(b.icmp.stats().txTimeExceeded).toBe(0);
      expect(received).toEqual([]);
    });
  }
});
