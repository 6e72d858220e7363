/** Received IP options checked as Linux's ip_options_compile checks them; a probe found malformed ones answered. */
import { describe, expect, it } from 'vitest';
import { hasSourceRoute, ipv4OptionsProblem } from '../../../src/layers/ip/ipv4-options-check.js';

const check = (bytes: number[]) => ipv4OptionsProblem(Uint8Array.from(bytes));

describe('ipv4OptionsProblem', () => {
  it('well-formed options, unknown ones and padding pass', () => {
    expect(check([])).toBe(-1);
    expect(check([1, 1, 1, 0])).toBe(-1);
    expect(check([7, 7, 4, 0, 0, 0, 0, 0])).toBe(-1); // Record Route, one empty slot
    expect(check([7, 7, 8, 1, 2, 3, 4, 0])).toBe(-1); // full
    expect(check([68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(-1); // Timestamp
    expect(check([68, 12, 13, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(-1); // full, overflow 14
    expect(check([148, 4, 0, 0])).toBe(-1); // Router Alert: unknown here, skipped
    expect(check([131, 7, 4, 10, 0, 0, 1, 0])).toBe(-1); // a loose source route is well formed
  });

  it('points at the byte in error: a length, a pointer, a flag', () => {
    expect(check([1, 7])).toBe(1); // no length byte
    expect(check([99, 1, 0, 0])).toBe(0); // length below 2
    expect(check([1, 7, 9, 4, 0, 0, 0, 0])).toBe(1); // past the options
    expect(check([7, 2, 0, 0])).toBe(1); // Record Route without a pointer
    expect(check([7, 7, 3, 0, 0, 0, 0, 0])).toBe(2); // pointer below 4
    expect(check([7, 7, 6, 0, 0, 0, 0, 0])).toBe(2); // pointer into the middle of the last slot
    expect(check([68, 3, 5, 0])).toBe(1); // Timestamp shorter than 4
    expect(check([68, 8, 4, 0, 0, 0, 0, 0])).toBe(2); // pointer below 5
    expect(check([68, 8, 5, 2, 0, 0, 0, 0])).toBe(3); // flag 2
    expect(check([68, 8, 5, 1, 0, 0, 0, 0])).toBe(2); // an address + time slot does not fit
    expect(check([68, 8, 9, 0xf0, 0, 0, 0, 0])).toBe(3); // full, overflow at 15
    expect(check([1, 1, 137, 3, 3, 0, 0, 0])).toBe(4); // strict source route, pointer below 4
  });

  it('finds a source route after other options', () => {
    expect(hasSourceRoute(Uint8Array.from([1, 7, 7, 4, 0, 0, 0, 0, 131, 3, 4, 0]))).toBe(true);
    expect(hasSourceRoute(Uint8Array.from([1, 7, 7, 4, 0, 0, 0, 0]))).toBe(false);
  });
});
