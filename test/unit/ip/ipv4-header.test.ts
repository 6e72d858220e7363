import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4 as parseAddress } from '../../../src/core/ipv4-address.js';
import {
  copiedOptions,
  encodeIpv4,
  IP_PROTOCOL_ICMP,
  type Ipv4Datagram,
  parseIpv4,
} from '../../../src/layers/ip/ipv4-header.js';
import fixture from '../../fixtures/linux-ping-fragments.json' with { type: 'json' };
import { histogram, sampleRun } from '../../helpers/property-coverage.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const LOCALHOST = parseAddress('127.0.0.1');

function parsed(bytes: Uint8Array): Ipv4Datagram {
  const d = parseIpv4(bytes);
  if (typeof d === 'string') throw new Error(`parse failed: ${d}`);
  return d;
}

describe('IPv4 codec', () => {
  it('parses the first fragment of a real Linux echo request', () => {
    const d = parsed(hex(fixture.datagrams[0]!));
    expect(d).toMatchObject({
      totalLength: 1500,
      id: 0xca85,
      moreFragments: true,
      dontFragment: false,
      fragmentOffset: 0,
      ttl: 64,
      protocol: IP_PROTOCOL_ICMP,
      src: LOCALHOST,
      dst: LOCALHOST,
    });
    expect(d.header.length).toBe(20);
    expect(d.payload.length).toBe(1480);
    expect(d.payload[0]).toBe(8); // ICMP echo request
  });

  it('parses the last fragment: offset in bytes, MF clear', () => {
    const d = parsed(hex(fixture.datagrams[2]!));
    expect(d.fragmentOffset).toBe(370 * 8);
    expect(d.moreFragments).toBe(false);
    expect(d.payload.length).toBe(48);
  });

  it('re-encodes a real datagram byte for byte', () => {
    for (const h of fixture.datagrams) {
      const bytes = hex(h);
      const d = parsed(bytes);
      const again = encodeIpv4(
        {
          tos: d.tos,
          id: d.id,
          dontFragment: d.dontFragment,
          moreFragments: d.moreFragments,
          fragmentOffset: d.fragmentOffset,
          ttl: d.ttl,
          protocol: d.protocol,
          src: d.src,
          dst: d.dst,
        },
        d.payload,
      );
      expect(Buffer.from(again).toString('hex')).toBe(h);
    }
  });

  it('round-trips random headers, options included', () => {
    const options = fc
      .integer({ min: 0, max: 10 })
      .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }));
    fc.assert(
      fc.property(
        fc.record({
          tos: fc.integer({ min: 0, max: 255 }),
          id: fc.integer({ min: 0, max: 0xffff }),
          ttl: fc.integer({ min: 1, max: 255 }),
          protocol: fc.integer({ min: 0, max: 255 }),
          src: fc.nat().map((n) => n >>> 0),
          dst: fc.nat().map((n) => n >>> 0),
          dontFragment: fc.boolean(),
        }),
        options,
        fc.uint8Array({ maxLength: 2000, size: 'max' }),
        (fields, opts, payload) => {
          const d = parsed(encodeIpv4({ ...fields, options: opts }, payload));
          expect(d).toMatchObject({ ...fields, moreFragments: false, fragmentOffset: 0 });
          expect(d.options).toEqual(opts);
          expect(d.payload).toEqual(payload);
        },
      ),
    );
  });

  it('ignores link padding past the total length', () => {
    const bytes = hex(fixture.datagrams[2]!);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes);
    expect(parsed(padded).payload.length).toBe(48);
  });

  it('rejects each kind of bad header with its reason', () => {
    const good = hex(fixture.datagrams[2]!);
    // Each case sets some bytes of a good datagram (offset: value) and expects one reason.
    const withBytes = (patch: Record<number, number>) => {
      const b = good.slice();
      for (const [at, value] of Object.entries(patch)) b[Number(at)] = value;
      return parseIpv4(b);
    };
    expect(parseIpv4(good.subarray(0, 19))).toBe('truncated');
    expect(withBytes({ 0: 0x65 })).toBe('bad-version');
    expect(withBytes({ 0: 0x44 })).toBe('bad-ihl');
    // A 60-byte header claimed in a 40-byte buffer.
    const shortWithLongIhl = good.slice(0, 40);
    shortWithLongIhl[0] = 0x4f;
    expect(parseIpv4(shortWithLongIhl)).toBe('truncated');
    expect(withBytes({ 2: 0, 3: 19 })).toBe('bad-total-length');
    expect(withBytes({ 2: 0x01, 3: 0 })).toBe('truncated');
    expect(withBytes({ 10: good[10]! ^ 0x01 })).toBe('bad-checksum');
  });

  // Random bytes up to 200 (size 'max': the default size stays under 20, the shortest header), many runs:
  // only one in 16 starts with version 4, and of those only some carry a header length of 5 or more.
  const garbage = fc.uint8Array({ maxLength: 200, size: 'max' });
  const GARBAGE_RUNS = 2000;

  it('never throws on random or truncated bytes', () => {
    fc.assert(
      fc.property(garbage, (bytes) => {
        parseIpv4(bytes);
      }),
      { numRuns: GARBAGE_RUNS },
    );
    const real = hex(fixture.datagrams[0]!);
    for (let n = 0; n <= real.length; n += 7) parseIpv4(real.subarray(0, n));
  });

  it('that property meets headers with options and the version, length and total-length checks', () => {
    const runs = sampleRun(garbage, GARBAGE_RUNS);
    const lengths = histogram(runs, (b) => (b.length < 20 ? 'under 20' : b.length < 60 ? '20-59' : '60-200'));
    expect(lengths['under 20'] ?? 0).toBeGreaterThanOrEqual(100);
    expect(lengths['20-59'] ?? 0).toBeGreaterThanOrEqual(200);
    expect(lengths['60-200'] ?? 0).toBeGreaterThanOrEqual(1000);
    const verdicts = histogram(runs, (b) => {
      const r = parseIpv4(b);
      return typeof r === 'string' ? r : 'parsed';
    });
    for (const verdict of ['truncated', 'bad-version', 'bad-ihl']) {
      expect(verdicts[verdict] ?? 0, `${verdict} in ${JSON.stringify(verdicts)}`).toBeGreaterThanOrEqual(20);
    }
    // Version 4 with a header length from 6 to 15 words (options) in a buffer long enough to hold it.
    const withOptions = runs.filter((b) => b.length >= 60 && b[0]! >>> 4 === 4 && (b[0]! & 0x0f) > 5);
    expect(withOptions.length).toBeGreaterThanOrEqual(20);
  });

  it('copies only options with the copied flag into later fragments', () => {
    // Security option (type 130, copied) then record route (type 7, not copied), then EOL padding.
    const opts = Uint8Array.from([130, 4, 0xaa, 0xbb, 7, 3, 4, 0]);
    expect(Array.from(copiedOptions(opts))).toEqual([130, 4, 0xaa, 0xbb]);
  });
});
