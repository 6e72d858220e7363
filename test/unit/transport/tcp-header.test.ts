import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../src/core/checksum.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { seq, seqToUnsigned } from '../../../src/transport/tcp/wire/seq.js';
import {
  emitTcpSegment,
  encodeTcpSegment,
  formatTcpFlags,
  isTcpParseError,
  NO_TCP_OPTIONS,
  parseTcpSegment,
  TcpFlags,
  type TcpOptions,
  type TcpParseError,
  type TcpSegment,
  tcpHeaderLength,
  tcpOptionsLength,
  tcpPseudoHeaderSum,
  tcpSeqLength,
} from '../../../src/transport/tcp/wire/tcp-header.js';
import { histogram, sampleRun } from '../../helpers/property-coverage.js';

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

function expectSegment(result: TcpSegment | TcpParseError): TcpSegment {
  if (isTcpParseError(result)) throw new Error(`expected a segment, got '${result}'`);
  return result;
}

/**
 * A SYN sent by Linux 6.18 (`connect()` from 10.0.0.1 to 10.0.0.2:80, default sysctls with
 * tcp_rmem max 6 MiB), read from a TUN device (`IFF_TUN | IFF_NO_PI`, no offloads, so the kernel
 * filled in the full checksum) inside a throwaway network namespace. The whole IPv4 datagram:
 */
const LINUX_SYN_DATAGRAM = hex(`
  4500 003c 6b5c 4000 4006 bb5d 0a00 0001 0a00 0002
  d996 0050 f5d5 bcfa 0000 0000 a002 faf0 53a7 0000
  0204 05b4 0402 080a 287d 3031 0000 0000 0103 0307
`);
const SYN_SRC = parseIpv4('10.0.0.1');
const SYN_DST = parseIpv4('10.0.0.2');
const LINUX_SYN = LINUX_SYN_DATAGRAM.subarray(20);

const SRC = parseIpv4('192.168.7.1');
const DST = parseIpv4('192.168.7.2');

function segment(fields: Partial<TcpSegment> = {}): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: seq(1000),
    ack: seq(2000),
    flags: TcpFlags.ACK,
    window: 65535,
    urgentPointer: 0,
    options: NO_TCP_OPTIONS,
    payload: new Uint8Array(0),
    ...fields,
  };
}

/** A header with hand-written option bytes (padded with zeros) and a correct checksum. */
function rawSegment(optionBytes: number[], payload: number[] = [], dataOffsetWords?: number): Uint8Array {
  const optionsLength = (optionBytes.length + 3) & ~3;
  const headerLength = 20 + optionsLength;
  const bytes = new Uint8Array(headerLength + payload.length);
  bytes.set([0x9c, 0x40, 0x00, 0x50, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0], 0);
  bytes[12] = (dataOffsetWords ?? headerLength / 4) << 4;
  bytes[13] = TcpFlags.ACK;
  bytes[14] = 0xff;
  bytes[15] = 0xff;
  bytes.set(optionBytes, 20);
  bytes.set(payload, headerLength);
  fixChecksum(bytes, SRC, DST);
  return bytes;
}

function fixChecksum(bytes: Uint8Array, src: number, dst: number): void {
  bytes[16] = 0;
  bytes[17] = 0;
  const c = internetChecksum(bytes, 0, bytes.length, tcpPseudoHeaderSum(src, dst, bytes.length));
  bytes[16] = c >>> 8;
  bytes[17] = c & 0xff;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const options: fc.Arbitrary<TcpOptions> = fc
  .record(
    {
      mss: u16,
      windowScale: fc.integer({ min: 0, max: 255 }),
      sackPermitted: fc.constant(true),
      timestamp: fc.record({ value: u32, echo: u32 }),
      sack: fc.array(fc.record({ left: u32.map(seq), right: u32.map(seq) }), {
        minLength: 1,
        maxLength: 4,
      }),
    },
    { requiredKeys: [] },
  )
  .filter((o) => tcpOptionsLength(o) <= 40);
const segments: fc.Arbitrary<TcpSegment> = fc.record({
  srcPort: u16,
  dstPort: u16,
  seq: u32.map(seq),
  ack: u32.map(seq),
  flags: fc.integer({ min: 0, max: 255 }),
  window: u16,
  urgentPointer: u16,
  options,
  // size 'max': the default size would keep payloads under about 10 bytes.
  payload: fc.uint8Array({ maxLength: 300, size: 'max' }),
});

const byte = fc.integer({ min: 0, max: 255 });
/** The data length of each known option kind: MSS, window scale, SACK-permitted, timestamps. */
const KNOWN_OPTION_DATA: Readonly<Record<number, number>> = { 2: 2, 3: 1, 4: 0, 8: 8 };
/**
 * An option area of up to 40 bytes made of pieces: a random byte, EOL or NOP, a well-formed known option,
 * a SACK of 1 to 4 blocks, or any kind with any length (wrong lengths of known kinds included), cut at 40.
 * Random bytes alone almost never form a known option, so would never reach their parsers.
 */
const optionSoup = fc
  .array(
    fc.oneof(
      byte.map((b) => [b]),
      fc.constantFrom([0], [1]),
      fc
        .constantFrom(2, 3, 4, 8)
        .chain((kind) =>
          fc
            .array(byte, { minLength: KNOWN_OPTION_DATA[kind], maxLength: KNOWN_OPTION_DATA[kind] })
            .map((d) => [kind, d.length + 2, ...d]),
        ),
      fc
        .integer({ min: 1, max: 4 })
        .chain((blocks) =>
          fc
            .array(byte, { minLength: 8 * blocks, maxLength: 8 * blocks })
            .map((d) => [5, d.length + 2, ...d]),
        ),
      fc
        .tuple(byte, fc.integer({ min: 0, max: 40 }))
        .chain(([kind, length]) =>
          fc
            .array(byte, { minLength: Math.max(0, length - 2), maxLength: Math.max(0, length - 2) })
            .map((d) => [kind, length, ...d]),
        ),
    ),
    { maxLength: 12, size: 'max' },
  )
  .map((pieces) => pieces.flat().slice(0, 40));

describe('a SYN captured from Linux', () => {
  it('carries correct IPv4 and TCP checksums', () => {
    expect(internetChecksum(LINUX_SYN_DATAGRAM, 0, 20)).toBe(0);
    expect(internetChecksum(LINUX_SYN, 0, LINUX_SYN.length, tcpPseudoHeaderSum(SYN_SRC, SYN_DST, 40))).toBe(
      0,
    );
    // Recomputed from scratch over a zeroed field it is the one Linux wrote.
    const copy = LINUX_SYN.slice();
    copy[16] = 0;
    copy[17] = 0;
    expect(internetChecksum(copy, 0, 40, tcpPseudoHeaderSum(SYN_SRC, SYN_DST, 40))).toBe(0x53a7);
  });

  it('parses field by field', () => {
    const syn = expectSegment(parseTcpSegment(LINUX_SYN, SYN_SRC, SYN_DST));
    expect(syn.srcPort).toBe(55702);
    expect(syn.dstPort).toBe(80);
    expect(seqToUnsigned(syn.seq)).toBe(0xf5d5bcfa);
    expect(syn.ack).toBe(0);
    expect(syn.flags).toBe(TcpFlags.SYN);
    expect(formatTcpFlags(syn.flags)).toBe('SYN');
    expect(syn.window).toBe(64240);
    expect(syn.urgentPointer).toBe(0);
    expect(syn.options).toEqual({
      mss: 1460,
      sackPermitted: true,
      timestamp: { value: 0x287d3031, echo: 0 },
      windowScale: 7,
    });
    expect(syn.payload.length).toBe(0);
    expect(tcpSeqLength(syn)).toBe(1);
  });

  it('re-emits to the same bytes (pilha lays options out as Linux does)', () => {
    const syn = expectSegment(parseTcpSegment(LINUX_SYN, SYN_SRC, SYN_DST));
    expect(tcpHeaderLength(syn.options)).toBe(40);
    expect(encodeTcpSegment(syn, SYN_SRC, SYN_DST)).toEqual(LINUX_SYN.slice());
  });

  it('fails its checksum against another address pair', () => {
    expect(parseTcpSegment(LINUX_SYN, SYN_SRC, parseIpv4('10.0.0.3'))).toBe('bad-checksum');
    expect(isTcpParseError(parseTcpSegment(LINUX_SYN, SYN_SRC, parseIpv4('10.0.0.3'), false))).toBe(false);
  });
});

describe('emit and parse', () => {
  it('round-trips a data segment, the payload as a view', () => {
    const payload = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
    const seg = segment({ flags: TcpFlags.ACK | TcpFlags.PSH, payload, urgentPointer: 3 });
    const bytes = encodeTcpSegment(seg, SRC, DST);
    expect(bytes.length).toBe(20 + payload.length);
    const parsed = expectSegment(parseTcpSegment(bytes, SRC, DST));
    expect(parsed).toEqual(seg);
    expect(parsed.payload.buffer).toBe(bytes.buffer);
    expect(parsed.payload.byteOffset).toBe(20);
    expect(parsed.options).toBe(NO_TCP_OPTIONS);
    expect(tcpSeqLength(parsed)).toBe(payload.length);
  });

  it('writes at an offset, leaves the rest of the buffer alone and returns the length', () => {
    const seg = segment({ payload: Uint8Array.of(1, 2, 3), options: { mss: 536 } });
    const out = new Uint8Array(100).fill(0xee);
    const n = emitTcpSegment(out, 10, seg, SRC, DST);
    expect(n).toBe(24 + 3);
    expect(out.subarray(0, 10).every((b) => b === 0xee)).toBe(true);
    expect(out.subarray(10 + n).every((b) => b === 0xee)).toBe(true);
    expect(out.subarray(10, 10 + n)).toEqual(encodeTcpSegment(seg, SRC, DST));
  });

  it('does not copy a payload that already sits in place', () => {
    const out = new Uint8Array(64);
    const payload = out.subarray(20, 25);
    payload.set([5, 6, 7, 8, 9]);
    const n = emitTcpSegment(out, 0, segment({ payload }), SRC, DST);
    expect(n).toBe(25);
    expect(expectSegment(parseTcpSegment(out.subarray(0, n), SRC, DST)).payload).toEqual(
      Uint8Array.of(5, 6, 7, 8, 9),
    );
  });

  it('rejects an output buffer that is too small and options over 40 bytes', () => {
    expect(() => emitTcpSegment(new Uint8Array(19), 0, segment(), SRC, DST)).toThrow(RangeError);
    expect(() => emitTcpSegment(new Uint8Array(30), 11, segment(), SRC, DST)).toThrow(RangeError);
    const sack = [1, 2, 3, 4].map((i) => ({ left: seq(i * 100), right: seq(i * 100 + 50) }));
    const tooMany: TcpOptions = { timestamp: { value: 1, echo: 2 }, sack };
    expect(tcpOptionsLength(tooMany)).toBe(48);
    expect(() => tcpHeaderLength(tooMany)).toThrow(RangeError);
    expect(tcpHeaderLength({ sack })).toBe(56);
    expect(tcpHeaderLength({ timestamp: { value: 1, echo: 2 }, sack: sack.slice(0, 3) })).toBe(60);
  });

  it('lays out options 4-byte aligned', () => {
    const bytes = encodeTcpSegment(
      segment({
        options: {
          sackPermitted: true,
          windowScale: 14,
          sack: [{ left: seq(0xfffffff0), right: seq(0x10) }],
        },
      }),
      SRC,
      DST,
    );
    expect(bytes[12]! >>> 4).toBe(10);
    expect([...bytes.subarray(20)]).toEqual([
      ...[1, 1, 4, 2], // NOP NOP SACK-permitted
      ...[1, 3, 3, 14], // NOP window scale 14
      ...[1, 1, 5, 10, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10], // NOP NOP SACK, one block
    ]);
  });

  it('round-trips any segment with any option set (property)', () => {
    fc.assert(
      fc.property(segments, u32, u32, (seg, src, dst) => {
        const bytes = encodeTcpSegment(seg, src, dst);
        expect(bytes.length).toBe(tcpHeaderLength(seg.options) + seg.payload.length);
        expect((bytes[12]! >>> 4) * 4).toBe(tcpHeaderLength(seg.options));
        expect(tcpHeaderLength(seg.options) % 4).toBe(0);
        expect(parseTcpSegment(bytes, src, dst)).toEqual(seg);
      }),
    );
  });

  it('detects any single flipped bit (property)', () => {
    fc.assert(
      fc.property(segments, fc.nat(), fc.integer({ min: 0, max: 7 }), (seg, at, bit) => {
        const bytes = encodeTcpSegment(seg, SRC, DST);
        const i = at % bytes.length;
        bytes[i]! ^= 1 << bit;
        const result = parseTcpSegment(bytes, SRC, DST);
        // A flip in the data offset may be caught by the length checks first.
        if (i === 12 && bit >= 4) expect(isTcpParseError(result)).toBe(true);
        else expect(result).toBe('bad-checksum');
      }),
    );
  });
});

describe('rejecting bad segments', () => {
  it('a segment shorter than 20 bytes is truncated', () => {
    const bytes = encodeTcpSegment(segment(), SRC, DST);
    for (let n = 0; n < 20; n++) expect(parseTcpSegment(bytes.subarray(0, n), SRC, DST)).toBe('truncated');
  });

  it('a data offset below 5 is bad, one past the buffer is truncated', () => {
    expect(parseTcpSegment(rawSegment([], [], 4), SRC, DST)).toBe('bad-data-offset');
    expect(parseTcpSegment(rawSegment([], [], 0), SRC, DST)).toBe('bad-data-offset');
    expect(parseTcpSegment(rawSegment([], [1, 2, 3], 6), SRC, DST)).toBe('truncated');
    expect(expectSegment(parseTcpSegment(rawSegment([], [1, 1, 1, 1], 6), SRC, DST)).payload.length).toBe(0);
  });

  it('detects a bad checksum, and skips the check when asked', () => {
    const bytes = encodeTcpSegment(segment({ payload: Uint8Array.of(1, 2, 3) }), SRC, DST);
    bytes[17]! ^= 0x01;
    expect(parseTcpSegment(bytes, SRC, DST)).toBe('bad-checksum');
    expect(expectSegment(parseTcpSegment(bytes, SRC, DST, false)).payload).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('skips unknown options by their length', () => {
    // Kind 30 (MPTCP) with 4 bytes of data, then MSS; kind 253 (experimental) with none.
    const bytes = rawSegment([30, 6, 0xde, 0xad, 0xbe, 0xef, 2, 4, 0x05, 0xb4, 253, 2]);
    expect(expectSegment(parseTcpSegment(bytes, SRC, DST)).options).toEqual({ mss: 1460 });
  });

  it('stops at EOL; the rest of the option area is padding', () => {
    const bytes = rawSegment([1, 3, 3, 5, 0, 0xff, 0xff, 0x07]);
    expect(expectSegment(parseTcpSegment(bytes, SRC, DST)).options).toEqual({ windowScale: 5 });
  });

  it('a header of only NOPs and EOLs has no options', () => {
    expect(expectSegment(parseTcpSegment(rawSegment([1, 1, 1, 0]), SRC, DST)).options).toEqual({});
  });

  // Lenient as Linux's tcp_parse_options: the segment is taken, the bad option ignored and the set marked.
  const optionsOf = (bytes: number[], payload: number[] = []) =>
    expectSegment(parseTcpSegment(rawSegment(bytes, payload), SRC, DST)).options;

  it('an option running past the header ends the options: those before it are kept', () => {
    // Window scale, then an MSS claiming 4 bytes with 2 left in the header (options at 20..27).
    expect(optionsOf([3, 3, 7, 1, 1, 1, 2, 4])).toEqual({ windowScale: 7, malformed: true });
    // An unknown option claiming 40 bytes in a 4-byte option area, data following the header.
    const seg = expectSegment(
      parseTcpSegment(rawSegment([99, 40, 0, 0], [1, 2, 3, 4, 5, 6, 7, 8]), SRC, DST),
    );
    expect(seg.options).toEqual({ malformed: true });
    expect(seg.payload.length).toBe(8);
    // A kind in the last byte, with no room for its length.
    expect(optionsOf([1, 1, 1, 2])).toEqual({ malformed: true });
  });

  it('an option length below 2 ends the options (it would never advance)', () => {
    expect(optionsOf([99, 0, 1, 1])).toEqual({ malformed: true });
    expect(optionsOf([2, 4, 0x05, 0xb4, 99, 1, 1, 1])).toEqual({ mss: 1460, malformed: true });
  });

  it('a known option of the wrong length is ignored, and the options after it are read', () => {
    expect(optionsOf([2, 3, 5, 1])).toEqual({ malformed: true }); // MSS
    expect(optionsOf([3, 4, 7, 1])).toEqual({ malformed: true }); // window scale
    expect(optionsOf([4, 3, 0, 1])).toEqual({ malformed: true }); // SACK-permitted
    expect(optionsOf([8, 6, 0, 0, 0, 1, 1, 1])).toEqual({ malformed: true }); // timestamps
    expect(optionsOf([5, 2, 1, 1])).toEqual({ malformed: true }); // SACK, no blocks
    expect(optionsOf([5, 6, 0, 0, 0, 1, 1, 1])).toEqual({ malformed: true }); // SACK, half a block
    // A SYN whose MSS a middlebox mangled keeps its window scale and SACK-permitted.
    expect(optionsOf([2, 3, 5, 3, 3, 7, 4, 2])).toEqual({
      windowScale: 7,
      sackPermitted: true,
      malformed: true,
    });
  });

  it('well-formed options are not marked', () => {
    expect(optionsOf([2, 4, 0x05, 0xb4]).malformed).toBeUndefined();
    expect(optionsOf([1, 1, 1, 0]).malformed).toBeUndefined();
  });

  // Garbage of 0 to 120 bytes: shorter than a header, a header with a random data offset, options, data.
  const garbage = fc.tuple(fc.uint8Array({ maxLength: 120, size: 'max' }), fc.boolean());
  const GARBAGE_RUNS = 2000;

  it('never throws on garbage, with or without the checksum check (property)', () => {
    fc.assert(
      fc.property(garbage, ([bytes, verify]) => {
        const result = parseTcpSegment(bytes, SRC, DST, verify);
        if (!isTcpParseError(result)) {
          expect(result.payload.length).toBeLessThanOrEqual(bytes.length - 20);
        }
      }),
      { numRuns: GARBAGE_RUNS },
    );
  });

  it('that property meets every length class and every verdict of the parser', () => {
    const runs = sampleRun(garbage, GARBAGE_RUNS);
    const lengths = histogram(runs, ([b]) =>
      b.length < 20 ? 'under 20' : b.length < 60 ? '20-59' : '60-120',
    );
    expect(lengths['under 20'] ?? 0).toBeGreaterThanOrEqual(100);
    expect(lengths['20-59'] ?? 0).toBeGreaterThanOrEqual(300);
    expect(lengths['60-120'] ?? 0).toBeGreaterThanOrEqual(500);
    const verdicts = histogram(runs, ([b, verify]) => {
      const r = parseTcpSegment(b, SRC, DST, verify);
      return `${verify ? 'checked' : 'unchecked'} ${isTcpParseError(r) ? r : 'parsed'}`;
    });
    for (const verdict of [
      'checked truncated',
      'checked bad-data-offset',
      'checked bad-checksum',
      'unchecked truncated',
      'unchecked bad-data-offset',
      'unchecked parsed',
    ]) {
      expect(verdicts[verdict] ?? 0, `${verdict} in ${JSON.stringify(verdicts)}`).toBeGreaterThanOrEqual(20);
    }
  });

  const soupAndPayload = fc.tuple(optionSoup, fc.uint8Array({ maxLength: 20, size: 'max' }));
  const SOUP_RUNS = 2000;

  it('never throws on garbage options behind a valid fixed header (property)', () => {
    fc.assert(
      fc.property(soupAndPayload, ([opts, payload]) => {
        const bytes = rawSegment(opts, [...payload]);
        const result = parseTcpSegment(bytes, SRC, DST);
        expect(isTcpParseError(result)).toBe(false);
      }),
      { numRuns: SOUP_RUNS },
    );
  });

  it('that property fills the option area and reaches every option parser', () => {
    const runs = sampleRun(soupAndPayload, SOUP_RUNS);
    expect(runs.filter(([o]) => o.length >= 36).length).toBeGreaterThanOrEqual(500);
    expect(runs.filter(([o]) => o.length <= 8).length).toBeGreaterThanOrEqual(100);
    const results = runs.map(([o, p]) => parseTcpSegment(rawSegment(o, [...p]), SRC, DST));
    const parsed = results.filter((r): r is TcpSegment => !isTcpParseError(r));
    expect(parsed.filter((r) => r.options.malformed === true).length).toBeGreaterThanOrEqual(200);
    expect(parsed.filter((r) => r.options.malformed !== true).length).toBeGreaterThanOrEqual(200);
    const kinds = histogram(
      parsed.flatMap((r) =>
        Object.entries(r.options)
          .filter(([k, v]) => v !== undefined && k !== 'malformed')
          .map(([k]) => k),
      ),
      (k) => k,
    );
    for (const kind of ['mss', 'windowScale', 'sackPermitted', 'timestamp', 'sack']) {
      expect(kinds[kind] ?? 0, `${kind} in ${JSON.stringify(kinds)}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('never throws on any prefix of a valid segment (property)', () => {
    fc.assert(
      fc.property(segments, fc.nat(), (seg, cut) => {
        const bytes = encodeTcpSegment(seg, SRC, DST);
        const n = cut % bytes.length;
        const result = parseTcpSegment(bytes.subarray(0, n), SRC, DST);
        expect(isTcpParseError(result)).toBe(true);
        expect(parseTcpSegment(bytes.subarray(0, n), SRC, DST, false)).toBeDefined();
      }),
    );
  });
});

describe('the segment generator of the round-trip properties', () => {
  it('reaches payloads up to 300 bytes and every option, alone and together', () => {
    const runs = sampleRun(segments, 100);
    expect(runs.filter((s) => s.payload.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(runs.filter((s) => s.payload.length >= 200).length).toBeGreaterThanOrEqual(20);
    const kinds = histogram(
      runs.flatMap((s) => Object.keys(s.options)),
      (k) => k,
    );
    for (const kind of ['mss', 'windowScale', 'sackPermitted', 'timestamp', 'sack']) {
      expect(kinds[kind] ?? 0, `${kind} in ${JSON.stringify(kinds)}`).toBeGreaterThanOrEqual(10);
    }
    expect(runs.filter((s) => tcpOptionsLength(s.options) >= 30).length).toBeGreaterThanOrEqual(5);
  });
});

describe('formatTcpFlags', () => {
  it('names the set bits in header order', () => {
    expect(formatTcpFlags(TcpFlags.SYN | TcpFlags.ACK)).toBe('SYN|ACK');
    expect(formatTcpFlags(TcpFlags.FIN | TcpFlags.PSH | TcpFlags.ACK)).toBe('FIN|PSH|ACK');
    expect(formatTcpFlags(0xff)).toBe('FIN|SYN|RST|PSH|ACK|URG|ECE|CWR');
    expect(formatTcpFlags(0)).toBe('');
  });
});
