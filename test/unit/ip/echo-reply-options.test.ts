import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { echoReplyOptions } from '../../../src/layers/icmp/echo-reply-options.js';

const US = parseIpv4('10.77.0.2');

/** `ping -R`'s option: Record Route, 39 bytes, 9 slots, then EOL; `recorded` slots already filled. */
function recordRoute(recorded: number[]): Uint8Array {
  const out = new Uint8Array(40);
  out.set([7, 39, 4 + 4 * recorded.length]);
  for (const [k, a] of recorded.entries()) {
    out.set([a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff], 3 + 4 * k);
  }
  return out;
}

// A probe's `ping -R` got replies without the option: no "RR:" lines, as if nothing had been recorded.
describe('echo reply options (RFC 1122 §3.2.2.6)', () => {
  it('a Record Route gets our address in its next slot and the pointer moved on', () => {
    const reply = echoReplyOptions(recordRoute([parseIpv4('10.77.0.1')]), US)!;
    expect(reply).toEqual(recordRoute([parseIpv4('10.77.0.1'), US]));
  });

  it('after NOPs, padded to a multiple of 4', () => {
    const reply = echoReplyOptions(Uint8Array.from([1, 7, 7, 4, 0, 0, 0, 0]), US)!;
    expect([...reply]).toEqual([7, 7, 8, 10, 77, 0, 2, 0]);
  });

  it('a full one comes back as it came', () => {
    const full = recordRoute([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(echoReplyOptions(full, US)).toEqual(full);
  });

  it('no Record Route, or malformed options: no options', () => {
    expect(echoReplyOptions(new Uint8Array(0), US)).toBeUndefined();
    expect(echoReplyOptions(Uint8Array.from([1, 1, 1, 0]), US)).toBeUndefined();
    expect(echoReplyOptions(Uint8Array.from([68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), US)).toBeUndefined();
    expect(echoReplyOptions(Uint8Array.from([7, 0, 4, 0]), US)).toBeUndefined(); // length 0
    expect(echoReplyOptions(Uint8Array.from([7, 9, 4, 0]), US)).toBeUndefined(); // past the options
    expect(echoReplyOptions(Uint8Array.from([7, 7, 1, 0, 0, 0, 0, 0]), US)).toBeUndefined(); // pointer < 4
    expect(echoReplyOptions(Uint8Array.from([1, 1, 1, 7]), US)).toBeUndefined(); // no length byte
  });
});
