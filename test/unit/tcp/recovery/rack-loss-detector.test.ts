/**
 * RACK (RFC 8985 §6) step by step on chosen times: a segment is lost once a later-sent one is delivered and
 * RACK.rtt + reo_wnd have passed since it was sent; the reordering window is 0 until reordering is seen
 * (in recovery or with DupThresh SACKs), min_RTT/4 after, widened by D-SACKs once per round, capped at
 * SRTT; a lost retransmission is found by time too; an ambiguous ACK of a retransmission is not a sample.
 */
import { describe, expect, it } from 'vitest';
import { RackLossDetector } from '../../../../src/transport/tcp/recovery/rack-loss-detector.js';
import { SegmentFlag, SentSegmentLog } from '../../../../src/transport/tcp/recovery/sent-segment-log.js';
import { seq } from '../../../../src/transport/tcp/wire/seq.js';

/** Segments of 1000 bytes sent at t = 0, 1, 2, ... ms. */
function setup(n: number) {
  const log = new SentSegmentLog();
  for (let i = 0; i < n; i++) log.append(seq(i * 1000), seq((i + 1) * 1000), i);
  const rack = new RackLossDetector(seq(0));
  const sackAt = (now: number, i: number) => {
    rack.beginAck(now);
    log.sack(seq(i * 1000), seq((i + 1) * 1000), rack);
  };
  return { log, rack, sackAt };
}

describe('RackLossDetector', () => {
  it('marks a segment lost once a later one is delivered and RACK.rtt + reo_wnd has passed, not before', () => {
    const { log, rack, sackAt } = setup(5);
    sackAt(10, 2); // segment 2, sent at 2, delivered at 10: RACK.rtt = 8
    expect(rack.rtt).toBe(8);
    expect(rack.minRtt).toBe(8);
    // reo_wnd = min_RTT/4 = 2 (no recovery, fewer than 3 SACKed): segment 0 is due at 0 + 8 + 2 = 10.
    const reo = rack.reorderWindow(false, log.sackedSegments, 8);
    expect(reo).toBe(2);
    expect(rack.detectLosses(log, 10, reo)).toBe(1); // segment 1 (sent at 1) waits 1 ms more
    expect(log.flags(0) & SegmentFlag.LOST).toBeTruthy();
    expect(log.flags(1) & SegmentFlag.LOST).toBeFalsy();
    expect(log.flags(3) & SegmentFlag.LOST).toBeFalsy(); // sent after RACK.xmit_ts
    expect(rack.detectLosses(log, 11, reo)).toBe(0);
    expect(log.flags(1) & SegmentFlag.LOST).toBeTruthy();
  });

  it('reo_wnd is 0 in recovery or with DupThresh SACKed segments until reordering is seen; then min_RTT/4, capped at SRTT', () => {
    const { log, rack, sackAt } = setup(6);
    sackAt(10, 3);
    expect(rack.reorderWindow(true, log.sackedSegments, 8)).toBe(0);
    sackAt(10, 4);
    sackAt(10, 5);
    expect(rack.reorderWindow(false, log.sackedSegments, 8)).toBe(0);
    // Segment 1, never retransmitted, delivered below RACK.fack: reordering.
    sackAt(11, 1);
    expect(rack.reorderingSeen).toBe(true);
    expect(rack.reorderWindow(true, log.sackedSegments, 100)).toBe(rack.minRtt / 4);
    expect(rack.reorderWindow(true, log.sackedSegments, 1)).toBe(1);
  });

  it('a D-SACK widens the window once per round trip; 16 recoveries without one bring it back', () => {
    const { rack, sackAt, log } = setup(4);
    sackAt(10, 1);
    sackAt(10, 0); // reordering seen, min_RTT 7
    const base = rack.reorderWindow(false, log.sackedSegments, 1000);
    rack.onDsack(seq(0), seq(4000));
    rack.onDsack(seq(1000), seq(4000)); // same round: no second raise
    expect(rack.reorderWindow(false, log.sackedSegments, 1000)).toBe(2 * base);
    rack.onDsack(seq(4000), seq(8000));
    expect(rack.reorderWindow(false, log.sackedSegments, 1000)).toBe(3 * base);
    for (let i = 0; i < 16; i++) rack.onRecoveryEnd();
    expect(rack.reorderWindow(false, log.sackedSegments, 1000)).toBe(base);
  });

  it('a cumulative ACK of a retransmitted segment whose echo predates the retransmission is for the original: RACK stays', () => {
    const { log, rack, sackAt } = setup(6);
    sackAt(10, 5); // RACK.xmit_ts 5, min_RTT 5
    log.markLost(0);
    log.retransmitted(0, 20, 1020); // sent again at t = 20 carrying TSval 1020
    // At 30 the original of segment 0 arrives late and is acknowledged; the echo is its TSval (1000).
    rack.beginAck(30, 1000);
    log.acknowledge(seq(1000), rack);
    expect(rack.xmitAt).toBe(5);
    // The same ACK echoing the retransmission's TSval (1020) is for the retransmission.
    log.markLost(0);
    log.retransmitted(0, 20, 1020);
    rack.beginAck(30, 1020);
    log.acknowledge(seq(2000), rack);
    expect(rack.xmitAt).toBe(20);
  });

  it('tells the copies apart by the TSval each carried, even within one millisecond of the original', () => {
    // Sub-millisecond path: segment 1 (sent at 1.1, TSval 1001) is retransmitted at 1.4 carrying 1002 (the
    // TS clock stepped ahead, TcpControlBlock.retransmitTsValue). The late original is acknowledged at 1.6
    // echoing 1001: it must not move RACK to the retransmission's time, or everything sent between 1.1 and
    // 1.4 would look lost.
    const log = new SentSegmentLog();
    const times = [1.0, 1.1, 1.2, 1.3];
    for (let i = 0; i < times.length; i++) log.append(seq(i * 1000), seq((i + 1) * 1000), times[i]!);
    const rack = new RackLossDetector(seq(0));
    rack.beginAck(1.15, 1001);
    log.acknowledge(seq(1000), rack); // min_RTT 0.15
    log.markLost(0);
    log.retransmitted(0, 1.4, 1002);
    rack.beginAck(1.6, 1001);
    log.acknowledge(seq(2000), rack); // rtt 0.2 ≥ min_RTT: only the echo says it was the original
    expect(rack.xmitAt).toBe(1.0);
    expect(rack.detectLosses(log, 1.6, 0)).toBe(0);
    expect(log.hasLostToRetransmit).toBe(false);
  });

  it("a SACKed retransmission advances RACK (its echo is an in-order segment's), unless faster than min_RTT", () => {
    const { log, rack, sackAt } = setup(6);
    sackAt(10, 5); // RACK.xmit_ts 5, min_RTT 5
    for (const i of [0, 1, 2]) log.markLost(i);
    log.retransmitted(1, 20, 1020);
    log.retransmitted(2, 21, 1021);
    log.retransmitted(0, 22, 1022);
    // Segment 2's retransmission is SACKed at 22 (1 ms: below min_RTT, maybe the original): RACK stays.
    rack.beginAck(22, 1000);
    rack.beginSackBlocks();
    log.sack(seq(2000), seq(3000), rack);
    expect(rack.xmitAt).toBe(5);
    // Segment 1's retransmission is SACKed at 30 echoing TS.Recent (segment 0's TSval, 1000): it advances RACK,
    // so segment 0's lost copy is found by what was delivered after it, not by the retransmission timer.
    log.markLost(3);
    log.retransmitted(3, 24, 1024);
    rack.beginAck(31, 1000);
    rack.beginSackBlocks();
    log.sack(seq(3000), seq(4000), rack);
    expect(rack.xmitAt).toBe(24);
    expect(rack.detectLosses(log, 31, 0)).toBe(0);
    expect(log.firstLostToRetransmit()).toBe(0);
    expect(log.flags(1) & SegmentFlag.RETRANSMITTED).toBeFalsy(); // lost again too
  });

  it('finds a lost retransmission by time, and takes no RTT sample from an ambiguous ACK of one', () => {
    const { log, rack, sackAt } = setup(4);
    sackAt(10, 3); // rtt 7
    rack.detectLosses(log, 20, 0);
    expect(log.hasLostToRetransmit).toBe(true);
    log.retransmitted(0, 20, 0);
    log.retransmitted(1, 20, 0);
    log.retransmitted(2, 20, 0);
    // Segment 1's ACK comes 1 ms after its retransmission: below min_RTT, so for the original copy.
    rack.beginAck(21);
    log.sack(seq(1000), seq(2000), rack);
    expect(rack.rtt).toBe(7);
    // Segment 2's retransmission is delivered at 30 (rtt 10): RACK.xmit_ts = 20.
    rack.beginAck(30);
    log.sack(seq(2000), seq(3000), rack);
    expect(rack.xmitAt).toBe(20);
    // Segment 0 was retransmitted at 20 too but with a lower end: sent "before" it, so lost again at 20+10.
    expect(rack.detectLosses(log, 30, 0)).toBe(0);
    expect(log.firstLostToRetransmit()).toBe(0);
  });
});
