import { describe, expect, it } from 'vitest';
import {
  decodeFramedHeader,
  encodeFramedHeader,
  FRAMED_HEADER_BYTES,
  FRAMED_MAX_MESSAGE_BYTES,
  FramedHeaderReader,
} from '../../../../src/app/framed/framed-header.js';

const ascii = (text: string) => Buffer.from(text, 'latin1');

/** Every way to cut `bytes` into consecutive non-empty pieces (2^(n-1) of them). */
function* splits(bytes: Uint8Array): Generator<Uint8Array[]> {
  const cuts = bytes.length - 1;
  for (let mask = 0; mask < 1 << cuts; mask++) {
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < cuts; i++) {
      if (mask & (1 << i)) {
        pieces.push(bytes.subarray(start, i + 1));
        start = i + 1;
      }
    }
    pieces.push(bytes.subarray(start));
    yield pieces;
  }
}

describe('framed header encode/decode', () => {
  it('encodes the length left-justified and padded with spaces to 8 bytes', () => {
    expect(encodeFramedHeader(16385).toString('latin1')).toBe('16385   ');
    expect(encodeFramedHeader(0).toString('latin1')).toBe('0       ');
    expect(encodeFramedHeader(99_999_999).toString('latin1')).toBe('99999999');
    expect(encodeFramedHeader(7)).toHaveLength(FRAMED_HEADER_BYTES);
  });

  it('refuses to encode what 8 digits cannot say', () => {
    expect(() => encodeFramedHeader(100_000_000)).toThrow(RangeError);
    expect(() => encodeFramedHeader(-1)).toThrow(RangeError);
    expect(() => encodeFramedHeader(1.5)).toThrow(RangeError);
  });

  it('round-trips lengths of every digit count', () => {
    for (const n of [0, 9, 10, 99, 100, 16385, 1_000_000, 12_345_678, 99_999_999]) {
      expect(decodeFramedHeader(encodeFramedHeader(n))).toEqual({ ok: true, size: n });
    }
  });

  it('reads leading zeros as digits', () => {
    expect(decodeFramedHeader(ascii('00000012'))).toEqual({ ok: true, size: 12 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['letters', '12a4    ', /not digits followed by spaces/],
    ['all letters', 'hello!!!', /not digits followed by spaces/],
    ['spaces before the digits', '  16385 ', /no digits before the spaces/],
    ['digits after spaces', '16 385  ', /digits after spaces/],
    ['empty (all spaces)', '        ', /no digits before the spaces/],
    ['a negative sign', '-1      ', /not digits followed by spaces/],
    ['a leading +', '+16385  ', /not digits followed by spaces/],
    ['a tab for padding', '16385\t  ', /not digits followed by spaces/],
    ['a newline for padding', '16385\n  ', /not digits followed by spaces/],
    ['a NUL byte', '1\u0000      ', /not digits followed by spaces/],
  ];
  for (const [what, header, reason] of bad) {
    it(`refuses ${what}: ${JSON.stringify(header)}`, () => {
      const result = decodeFramedHeader(ascii(header));
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(reason);
        expect(result.reason).not.toMatch(/[\n\r\t\0]/); // one printable line for the ERR reply
      }
    });
  }

  it('refuses a header that is not 8 bytes', () => {
    expect(decodeFramedHeader(ascii('1234567')).ok).toBe(false);
    expect(decodeFramedHeader(ascii('123456789')).ok).toBe(false);
  });

  it('holds the maximum size at its boundary', () => {
    expect(decodeFramedHeader(ascii('1000    '), 1000)).toEqual({ ok: true, size: 1000 });
    const over = decodeFramedHeader(ascii('1001    '), 1000);
    expect(over).toEqual({ ok: false, reason: 'message of 1001 bytes is over the maximum of 1000' });
    expect(decodeFramedHeader(ascii('0       '), 0)).toEqual({ ok: true, size: 0 });
    expect(decodeFramedHeader(ascii('1       '), 0).ok).toBe(false);
    // The default maximum is the largest 8-digit number: everything a well-formed header says.
    expect(decodeFramedHeader(ascii('99999999'))).toEqual({ ok: true, size: FRAMED_MAX_MESSAGE_BYTES });
  });
});

describe('FramedHeaderReader', () => {
  it('assembles the header from every split of the 8 bytes across reads, message bytes following', () => {
    const wire = Buffer.concat([encodeFramedHeader(16385), ascii('AB')]);
    let count = 0;
    for (const pieces of splits(wire.subarray(0, FRAMED_HEADER_BYTES))) {
      // The last piece also carries the first message bytes, as a TCP read would.
      const chunks = [...pieces.slice(0, -1), Buffer.concat([pieces.at(-1)!, ascii('AB')])];
      const reader = new FramedHeaderReader();
      let leftover = '';
      for (const chunk of chunks) {
        const taken = reader.feed(chunk);
        leftover += Buffer.from(chunk.subarray(taken)).toString('latin1');
      }
      expect(reader.complete).toBe(true);
      expect(reader.result()).toEqual({ ok: true, size: 16385 });
      expect(leftover).toBe('AB');
      count++;
    }
    expect(count).toBe(2 ** 7);
  });

  it('finds a bad header however it is split', () => {
    for (const pieces of splits(ascii('16 385  '))) {
      const reader = new FramedHeaderReader();
      for (const piece of pieces) reader.feed(piece);
      expect(reader.result()).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/digits after spaces/),
      });
    }
  });

  it('takes nothing more once complete, counts what arrived, and starts over after reset', () => {
    const reader = new FramedHeaderReader(100);
    expect(reader.feed(ascii('12'))).toBe(2);
    expect(reader.received).toBe(2);
    expect(reader.complete).toBe(false);
    expect(reader.feed(ascii('3     xyz'), 0)).toBe(6);
    expect(reader.feed(ascii('more'))).toBe(0);
    expect(reader.result()).toEqual({ ok: false, reason: 'message of 123 bytes is over the maximum of 100' });
    reader.reset();
    expect(reader.received).toBe(0);
    expect(reader.feed(ascii('xx42'), 2)).toBe(2);
    expect(reader.received).toBe(2);
    expect(reader.feed(ascii('xxxxx      yy'), 5)).toBe(6);
    expect(reader.result()).toEqual({ ok: true, size: 42 });
  });
});
