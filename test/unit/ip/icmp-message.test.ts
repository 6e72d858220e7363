import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  echoId,
  echoRest,
  echoSeq,
  encodeIcmp,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  parseIcmp,
} from '../../../src/layers/icmp/icmp-message.js';
import { parseIpv4 } from '../../../src/layers/ip/ipv4-header.js';
import { Reassembler } from '../../../src/layers/ip/reassembler.js';
import fixture from '../../fixtures/linux-ping-fragments.json' with { type: 'json' };

function reassembleFixture(from: number, to: number) {
  const r = new Reassembler(new VirtualClock(), { dropped: () => {}, timedOut: () => {} });
  let out: ReturnType<Reassembler['add']>;
  for (const h of fixture.datagrams.slice(from, to)) {
    const d = parseIpv4(Uint8Array.from(Buffer.from(h, 'hex')));
    if (typeof d === 'string') throw new Error(d);
    out = r.add(d) ?? out;
  }
  return out!;
}

describe('ICMP codec', () => {
  it("parses Linux's real 3000-byte echo request after reassembling its three fragments", () => {
    const whole = reassembleFixture(0, 3);
    expect(whole.info.fragments).toBe(3);
    const message = parseIcmp(whole.datagram.payload);
    if (typeof message === 'string') throw new Error(message);
    expect(message.type).toBe(ICMP_ECHO_REQUEST);
    expect(echoId(message)).toBe(0x1819);
    expect(echoSeq(message)).toBe(1);
    // ping -p 70696c6861 fills the data after its 16-byte timestamp with "pilha".
    expect(Buffer.from(message.body.subarray(16, 26)).toString()).toMatch(/pilha|ilhap|lhapi|hapil|apilh/);
    expect(message.body.length).toBe(3000);
  });

  it("Linux's reply carries the same id, sequence and data", () => {
    const request = parseIcmp(reassembleFixture(0, 3).datagram.payload);
    const reply = parseIcmp(reassembleFixture(3, 6).datagram.payload);
    if (typeof request === 'string' || typeof reply === 'string') throw new Error('parse failed');
    expect(reply.type).toBe(ICMP_ECHO_REPLY);
    expect(reply.rest).toBe(request.rest);
    expect(reply.body).toEqual(request.body);
  });

  it('round-trips any message, and the checksum verifies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.nat().map((n) => n >>> 0),
        fc.uint8Array({ maxLength: 1000, size: 'max' }),
        (type, code, rest, body) => {
          expect(parseIcmp(encodeIcmp({ type, code, rest, body }))).toEqual({ type, code, rest, body });
        },
      ),
    );
  });

  it('rejects truncated messages and bad checksums', () => {
    const m = encodeIcmp({
      type: ICMP_ECHO_REQUEST,
      code: 0,
      rest: echoRest(1, 2),
      body: new Uint8Array(10),
    });
    expect(parseIcmp(m.subarray(0, 7))).toBe('truncated');
    const bad = m.slice();
    bad[9] ^= 0x40;
    expect(parseIcmp(bad)).toBe('bad-checksum');
  });
});
