import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { formatIpv4, parseIpv4, parseIpv4Prefix } from '../../../src/core/ipv4-address.js';

function error(fn: () => unknown): PilhaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PilhaError);
    return err as PilhaError;
  }
  throw new Error('expected a PilhaError');
}

describe('parseIpv4', () => {
  it('reads dotted quads', () => {
    expect(parseIpv4('10.77.0.2')).toBe(0x0a4d0002);
    expect(parseIpv4('0.0.0.0')).toBe(0);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('100.64.0.0')).toBe(0x64400000);
  });

  it('refuses leading zeros instead of reading them as decimal (or as octal)', () => {
    for (const text of ['010.001.0.9', '10.77.0.02', '00.1.1.1', '1.2.3.000']) {
      const e = error(() => parseIpv4(text));
      expect(e.code).toBe('EBADADDR');
      expect(e.message).toBe(
        `not an IPv4 address: '${text}' (no leading zeros: they read as octal elsewhere)`,
      );
    }
  });

  it('refuses every other form inet_aton would take', () => {
    for (const text of [
      '10.1',
      '167772161',
      '0x0a.0.0.1',
      '10.0.0.256',
      '10.0.0.1.',
      '1.2.3.4/8',
      '',
      '1..2.3',
    ]) {
      expect(error(() => parseIpv4(text)).message).toBe(`not an IPv4 address: '${text}'`);
    }
  });

  it('agrees with net.isIPv4 on any four numbers (property)', () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.integer({ min: 0, max: 99 }).map((n) => `0${n}`),
    );
    fc.assert(
      fc.property(fc.tuple(part, part, part, part), (parts) => {
        const text = parts.join('.');
        let ok = true;
        try {
          expect(formatIpv4(parseIpv4(text))).toBe(text);
        } catch (err) {
          expect(err).toBeInstanceOf(PilhaError);
          ok = false;
        }
        expect(ok, text).toBe(isIPv4(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseIpv4Prefix', () => {
  it('reads an address with an optional prefix length', () => {
    expect(parseIpv4Prefix('10.77.0.1/24')).toEqual({ address: 0x0a4d0001, length: 24 });
    expect(parseIpv4Prefix('10.77.0.1', 16)).toEqual({ address: 0x0a4d0001, length: 16 });
    expect(parseIpv4Prefix('10.77.0.1/0')).toEqual({ address: 0x0a4d0001, length: 0 });
    expect(parseIpv4Prefix('10.77.0.1/32').length).toBe(32);
  });

  it('refuses leading zeros, signs, exponents and out-of-range lengths', () => {
    for (const len of ['024', '00', '+24', '2e1', '0x18', '33', '', ' 24', '24.0']) {
      const text = `10.77.0.1/${len}`;
      expect(error(() => parseIpv4Prefix(text)).message).toBe(`bad prefix length in '${text}'`);
    }
    expect(error(() => parseIpv4Prefix('010.77.0.1/24')).message).toMatch(/no leading zeros/);
    expect(error(() => parseIpv4Prefix('10.77.0.1/24/8')).message).toMatch(/not an IPv4 prefix/);
  });
});
