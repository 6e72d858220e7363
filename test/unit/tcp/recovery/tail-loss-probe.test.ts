/** RFC 8985 §7: the probe timeout, and what the ACK of a probe says. */
import { describe, expect, it } from 'vitest';
import {
  ProbeOutcome,
  TailLossProbe,
  WORST_CASE_DELAYED_ACK_MS,
} from '../../../../src/transport/tcp/recovery/tail-loss-probe.js';
import { seq } from '../../../../src/transport/tcp/wire/seq.js';

describe('TailLossProbe', () => {
  it('PTO is 2·SRTT plus 2 ms (Linux), plus the worst-case delayed ACK for a lone segment, never past the RTO', () => {
    const tlp = new TailLossProbe();
    expect(tlp.timeout(10, 5000, 1000, 300)).toBe(22);
    // A sub-millisecond path: about 2 ms, as Linux's TCP_TIMEOUT_MIN.
    expect(tlp.timeout(0.3, 5000, 1000, 300)).toBeCloseTo(2.6);
    // Our FIN in flight: at least 10 ms (a probe repeating it too soon draws an ACK that finds LAST-ACK gone).
    expect(tlp.timeout(0.3, 5000, 1000, 300, true)).toBe(10);
    expect(tlp.timeout(10, 5000, 1000, 300, true)).toBe(22);
    expect(tlp.timeout(0.3, 5000, 1000, 8, true)).toBe(8);
    expect(tlp.timeout(10, 1000, 1000, 300)).toBe(20 + WORST_CASE_DELAYED_ACK_MS);
    expect(tlp.timeout(100, 5000, 1000, 150)).toBe(150);
    expect(tlp.timeout(0, 5000, 1000, 1000)).toBe(1000);
  });

  it('a retransmitted probe repaired a loss only when an ACK goes beyond it without a D-SACK (as Linux)', () => {
    const tlp = new TailLossProbe();
    tlp.sent(seq(5000), true);
    expect(tlp.pending).toBe(true);
    expect(tlp.onAck(seq(4000), true)).toBe(ProbeOutcome.NONE);
    // Just at its end: the answer to the duplicate (a D-SACK, or a pure duplicate ACK) may still come.
    expect(tlp.onAck(seq(5000), true)).toBe(ProbeOutcome.NONE);
    expect(tlp.onAck(seq(5000), false)).toBe(ProbeOutcome.NO_LOSS);
    expect(tlp.pending).toBe(false);
    tlp.sent(seq(6000), true);
    expect(tlp.onAck(seq(7000), true)).toBe(ProbeOutcome.LOSS_REPAIRED);
    tlp.sent(seq(8000), true);
    tlp.onDsack();
    expect(tlp.onAck(seq(9000), true)).toBe(ProbeOutcome.NO_LOSS);
    tlp.sent(seq(9000), false);
    expect(tlp.onAck(seq(10_000), true)).toBe(ProbeOutcome.NO_LOSS);
    expect(tlp.onAck(seq(11_000), true)).toBe(ProbeOutcome.NONE);
  });
});
