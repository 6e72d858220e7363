import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDecimal,
  parseDecimalFraction,
  parseDecimalInteger,
} from '../../../src/core/decimal-number.js';

const NOT_PLAIN = [
  '',
  ' 1',
  '1 ',
  '+1',
  '-1',
  '0x10',
  '0b1',
  '0o7',
  '1e3',
  '1E3',
  'Infinity',
  'NaN',
  '1_000',
];

describe('plain decimal numbers', () => {
  it('reads plain decimal integers only', () => {
    expect(parseDecimalInteger('0')).toBe(0);
    expect(parseDecimalInteger('1500')).toBe(1500);
    expect(parseDecimalInteger('4294967295')).toBe(4294967295);
    for (const text of [...NOT_PLAIN, '01500', '00', '1.0', '1.', '.5']) {
      expect(parseDecimalInteger(text), text).toBeUndefined();
    }
  });

  it('reads plain decimal fractions only', () => {
    expect(parseDecimalFraction('0')).toBe(0);
    expect(parseDecimalFraction('30')).toBe(30);
    expect(parseDecimalFraction('0.05')).toBe(0.05);
    expect(parseDecimalFraction('.2')).toBe(0.2);
    expect(parseDecimalFraction('3600.000')).toBe(3600);
    for (const text of [...NOT_PLAIN, '1.', '.', '00.5', '01', '1.2.3', '5e-1']) {
      expect(parseDecimalFraction(text), text).toBeUndefined();
    }
  });

  it('formats without an exponent, for numbers String() writes with one', () => {
    expect(formatDecimal(0)).toBe('0');
    expect(formatDecimal(0.05)).toBe('0.05');
    expect(formatDecimal(1e-7)).toBe('0.0000001');
    expect(formatDecimal(1.25e-8)).toBe('0.0000000125');
    expect(formatDecimal(1e21)).toBe('1000000000000000000000');
    expect(formatDecimal(1.5e22)).toBe('15000000000000000000000');
    expect(formatDecimal(-2.5e-7)).toBe('-0.00000025');
    expect(() => formatDecimal(Number.NaN)).toThrow(RangeError);
  });

  const doubles = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });

  it('reads back what it formats, exactly (property)', () => {
    fc.assert(
      fc.property(doubles, (x) => {
        expect(parseDecimalFraction(formatDecimal(x))).toBe(x);
      }),
      { numRuns: 2000 },
    );
  });

  it('the property meets numbers that String() writes with either exponent', () => {
    const forms = fc.sample(doubles, { seed: 1, numRuns: 2000 }).map((x) => /e([+-])/.exec(String(x))?.[1]);
    expect(forms.filter((f) => f === '-').length).toBeGreaterThan(100);
    expect(forms.filter((f) => f === '+').length).toBeGreaterThan(100);
  });
});
