import { describe, expect, it } from 'vitest';
import { integerOption, MAX_TIMER_MS, numberOption, secondsOption } from '../../../src/cli/number-options.js';
import { PilhaError } from '../../../src/core/errors.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PilhaError);
    expect((err as PilhaError).code).toBe('EBADOPTION');
    return (err as PilhaError).message;
  }
  throw new Error('expected a PilhaError');
}

describe('integer options', () => {
  it('take plain decimal integers within the range, edges included', () => {
    expect(integerOption('576', '--mtu', 576, 65_535)).toBe(576);
    expect(integerOption('65535', '--mtu', 576, 65_535)).toBe(65_535);
    expect(integerOption('0', '--size', 0, 10)).toBe(0);
  });

  it.each(['0x5dc', '1e3', '1500.0', '01500', '+1500', ' 1500', '1500 ', '', 'Infinity', '575', '65536'])(
    "refuse '%s' with the range in one line",
    (text) => {
      expect(message(() => integerOption(text, '--mtu', 576, 65_535))).toBe(
        `--mtu must be an integer from 576 to 65535, got '${text}'`,
      );
    },
  );
});

describe('number and seconds options', () => {
  it('take plain decimal fractions within the range', () => {
    expect(numberOption('0.5', '--x', 0, 1)).toBe(0.5);
    expect(numberOption('.5', '--x', 0, 1)).toBe(0.5);
    expect(secondsOption('0.001', '--wait', 0.001, 3600)).toBe(1);
    expect(secondsOption('3600', '--wait', 0.001, 3600)).toBe(3_600_000);
  });

  it.each(['1e-3', '0x10', '3600.5', '0', '-1', 'NaN', '1.', '', ' 1'])("refuse '%s'", (text) => {
    expect(message(() => secondsOption(text, '--wait', 0.001, 3600))).toBe(
      `--wait must be a number from 0.001 to 3600, got '${text}'`,
    );
  });

  it('never state a range a Node timer cannot hold', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(secondsOption('2147483', '--t', 0, 2_147_483)).toBe(2_147_483_000);
    expect(() => secondsOption('1', '--t', 0, 2_147_484)).toThrow(RangeError);
  });
});
