import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { echoReplyOptions } from '../../../src/layers/icmp/echo-reply-options.js';
import { ipv4OptionsProblem } from '../../../src/layers/ip/ipv4-options-check.js';

const US = parseIpv4('10.77.0.2');
/** Milliseconds since midnight UT: 13:46:40.123. */
const NOW = 49_600_123;

function word(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

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
    const reply = echoReplyOptions(recordRoute([parseIpv4('10.77.0.1')]), US, NOW)!;
    expect(reply).toEqual(recordRoute([parseIpv4('10.77.0.1'), US]));
  });

  it('after NOPs, padded to a multiple of 4', () => {
    const reply = echoReplyOptions(Uint8Array.from([1, 7, 7, 4, 0, 0, 0, 0]), US, NOW)!;
    expect([...reply]).toEqual([7, 7, 8, 10, 77, 0, 2, 0]);
  });

  it('a full one comes back as it came', () => {
    const full = recordRoute([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(echoReplyOptions(full, US, NOW)).toEqual(full);
  });

  it('no Record Route or Timestamp: no options', () => {
    expect(echoReplyOptions(new Uint8Array(0), US, NOW)).toBeUndefined();
    expect(echoReplyOptions(Uint8Array.from([1, 1, 1, 0]), US, NOW)).toBeUndefined();
    expect(
      echoReplyOptions(Uint8Array.from([130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), US, NOW),
    ).toBeUndefined(); // security
  });

  // The one check of lengths, pointers and flags is the IP layer's: such a request never reaches the reply.
  it('malformed options are refused before the reply (ipv4-options-check.ts), and never make it loop', () => {
    for (const malformed of [
      [7, 0, 4, 0], // length 0
      [7, 9, 4, 0], // past the options
      [7, 7, 1, 0, 0, 0, 0, 0], // pointer < 4
      [1, 1, 1, 7], // no length byte
      [68, 8, 4, 0, 0, 0, 0, 0], // Timestamp pointer < 5
      [68, 8, 5, 2, 0, 0, 0, 0], // Timestamp flag 2
      [68, 8, 9, 0xf1, 0, 0, 0, 1], // full, its overflow count already 15
    ]) {
      const options = Uint8Array.from(malformed);
      expect(ipv4OptionsProblem(options), `${malformed}`).toBeGreaterThanOrEqual(0);
      echoReplyOptions(options, US, NOW); // returns, whatever it makes of them
    }
  });

  // `ping -T tsonly`, `-T tsandaddr` and `-T tsprespec` send these; a probe found them left out of replies.
  it('a Timestamp of timestamps only gets ours in its next slot', () => {
    const request = Uint8Array.from([68, 12, 9, 0, 0, 0, 0, 7, 0, 0, 0, 0]);
    expect([...echoReplyOptions(request, US, NOW)!]).toEqual([68, 12, 13, 0, 0, 0, 0, 7, ...word(NOW)]);
  });

  it('a Timestamp with addresses gets our address and the time', () => {
    const request = Uint8Array.from([68, 20, 5, 1, ...new Array(16).fill(0)]);
    const reply = echoReplyOptions(request, US, NOW)!;
    expect([...reply]).toEqual([68, 20, 13, 1, ...word(US), ...word(NOW), ...new Array(8).fill(0)]);
  });

  it('a prespecified Timestamp is stamped only where our address is next', () => {
    const other = parseIpv4('10.77.0.9');
    const ours = Uint8Array.from([68, 20, 5, 3, ...word(US), 0, 0, 0, 0, ...word(other), 0, 0, 0, 0]);
    expect([...echoReplyOptions(ours, US, NOW)!]).toEqual([
      68,
      20,
      13,
      3,
      ...word(US),
      ...word(NOW),
      ...word(other),
      0,
      0,
      0,
      0,
    ]);
    const theirs = Uint8Array.from([68, 12, 5, 3, ...word(other), 0, 0, 0, 0]);
    expect(echoReplyOptions(theirs, US, NOW)).toEqual(theirs);
  });

  it('a full Timestamp comes back with its overflow count raised (one at 15 is refused by the IP layer)', () => {
    const full = Uint8Array.from([68, 8, 9, 0x20, 0, 0, 0, 1]);
    expect([...echoReplyOptions(full, US, NOW)!]).toEqual([68, 8, 9, 0x30, 0, 0, 0, 1]);
    const last = Uint8Array.from([68, 8, 9, 0xe1, 0, 0, 0, 1]);
    expect([...echoReplyOptions(last, US, NOW)!]).toEqual([68, 8, 9, 0xf1, 0, 0, 0, 1]);
  });

  it('Record Route and Timestamp together both come back; a source route is left out', () => {
    const request = Uint8Array.from([131, 7, 4, 10, 0, 0, 1, 7, 7, 4, 0, 0, 0, 0, 68, 8, 5, 0, 0, 0, 0, 0]);
    const routeBack = [7, 7, 8, ...word(US)];
    const timeBack = [68, 8, 9, 0, ...word(NOW)];
    expect([...echoReplyOptions(request, US, NOW)!]).toEqual([...routeBack, ...timeBack, 0]);
  });
});
