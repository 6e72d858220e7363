/** RFC 8985 §7: the probe timeout, and what the ACK of a probe says. */
import { describe, expect, it } from 'vitest';
import {
  ProbeOutcome,
  TailLossProbe,
  WORST_CASE_DELAYED_ACK_MS,
} from '../../../../src/transport/tcp/recovery/tail-loss-probe.js';
import { seq } from '../../../../src/transport/tcp/wire/seq.js';

describe('TailLossProbe', () => {
  it('PTO is 2·SRTT plus slack, plus the worst-case delayed ACK for a lone segment, never past the RTO', () => {
    const tlp = new TailLossProbe();
    expect(tlp.timeout(10, 5000, 1000, 300)).toBe(22);
    expect(tlp.timeout(10, 1000, 1000, 300)).toBe(20 + WORST_CASE_DELAYED_ACK_MS);
    expect(tlp.timeout(100, 5000, 1000, 150)).toBe(150);
    expect(tlp.timeout(0, 5000, 1000, 1000)).toBe(1000);
  });

  it('a retransmitted probe whose ACK covers it repaired a loss; a D-SACKed one did not; new data never implies one', () => {
    const tlp = new TailLossProbe();
    tlp.sent(seq(5000), true);
    expect(tlp.pending).toBe(true);
    expect(tlp.onAck(seq(4000))).toBe(ProbeOutcome.NONE);
    expect(tlp.onAck(seq(5000))).toBe(ProbeOutcome.LOSS_REPAIRED);
    expect(tlp.pending).toBe(false);
    tlp.sent(seq(6000), true);
    tlp.onDsack();
    expect(tlp.onAck(seq(6000))).toBe(ProbeOutcome.NO_LOSS);
    tlp.sent(seq(7000), false);
    expect(tlp.onAck(seq(7000))).toBe(ProbeOutcome.NO_LOSS);
    expect(tlp.onAck(seq(8000))).toBe(ProbeOutcome.NONE);
  });
});
