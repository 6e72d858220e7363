/**
 * SACK-based loss recovery end to end on the scoreboard, step by step on chosen times: RACK finds the holes
 * and fast recovery begins with one window reduction; PRR paces it; the ACK of the recovery point ends it;
 * a timeout marks everything unSACKed lost; a retransmitted tail probe that repaired a loss costs one
 * reduction; D-SACK and timestamps undo a reduction that a spurious retransmission caused.
 */
import { describe, expect, it } from 'vitest';
import { congestionControllerFactoryFor } from '../../../../src/transport/congestion/congestion-control-by-name.js';
import type { CongestionController } from '../../../../src/transport/congestion/congestion-controller.js';
import { RecoveryUndo } from '../../../../src/transport/tcp/recovery/recovery-undo.js';
import {
  AckEffect,
  RecoveryPhase,
  SackRecovery,
  type SackRecoveryCounters,
} from '../../../../src/transport/tcp/recovery/sack-recovery.js';
import { type Seq, seq } from '../../../../src/transport/tcp/wire/seq.js';
import type { SackBlock } from '../../../../src/transport/tcp/wire/tcp-header.js';

const MSS = 1000;
const at = (n: number): Seq => seq(n * MSS);
const blocks = (...pairs: [number, number][]): SackBlock[] =>
  pairs.map(([l, r]) => ({ left: at(l), right: at(r) }));

function setup(segments = 20) {
  const counts: SackRecoveryCounters = {
    fastRetransmits: 0,
    dsacksReceived: 0,
    sackBlocksIgnored: 0,
    tlpProbes: 0,
    tlpLossRepairs: 0,
    undos: 0,
  };
  const cc: CongestionController = congestionControllerFactoryFor('newreno', { hystart: false }).create(MSS);
  // Grow the window to 20 segments first (slow start from 4).
  for (let i = 0; i < 16; i++) cc.onAck(MSS, 0, 20 * MSS);
  const r = new SackRecovery(seq(0), counts);
  for (let i = 0; i < segments; i++) r.sentNew(at(i), at(i + 1), i);
  return { r, cc, counts };
}

describe('SackRecovery', () => {
  it('RACK finds two holes below SACKed data: fast recovery with one reduction, PRR-paced, ended by the recovery point', () => {
    const { r, cc, counts } = setup();
    expect(cc.cwnd).toBe(20 * MSS);
    // Segments 0 and 1 lost; 2..5 SACKed at t = 30 (segment 5 sent at 5: RACK.rtt 25).
    const e = r.onAck(at(0), blocks([2, 6]), at(0), at(20), 30, 0, 25, MSS, cc);
    expect(e & AckEffect.RECOVERY_ENTERED).toBeTruthy();
    expect(r.phase).toBe(RecoveryPhase.RECOVERY);
    expect(counts.fastRetransmits).toBe(1);
    expect(cc.ssthresh).toBe(10 * MSS);
    expect(r.log.lostBytes).toBe(2 * MSS);
    expect(r.log.firstLostToRetransmit()).toBe(0);
    expect(r.allowance(cc, 20 * MSS)).toBeGreaterThanOrEqual(MSS);
    r.sentAgain(0, 31, undefined);
    r.sentAgain(1, 31, undefined);
    expect(r.growsWindow).toBe(false);
    // More SACKs: PRR lets out about half of what is delivered.
    r.onAck(at(0), blocks([2, 10]), at(0), at(20), 32, 0, 25, MSS, cc);
    expect(r.allowance(cc, 20 * MSS)).toBeGreaterThan(0);
    expect(r.allowance(cc, 20 * MSS)).toBeLessThanOrEqual(3 * MSS);
    // Everything up to the recovery point acknowledged: recovery ends at cwnd = ssthresh.
    const end = r.onAck(at(20), undefined, at(0), at(20), 60, 0, 25, MSS, cc);
    expect(end & AckEffect.RECOVERY_EXITED).toBeTruthy();
    expect(r.phase).toBe(RecoveryPhase.OPEN);
    expect(cc.cwnd).toBe(10 * MSS);
    expect(r.log.count).toBe(0);
  });

  it('reordering within the window is not a loss: one SACK above a hole, then the hole filled', () => {
    const { r, cc, counts } = setup();
    r.onAck(at(1), blocks([2, 3]), at(0), at(20), 26, 0, 25, MSS, cc); // segment 1 late, 2 arrived
    expect(r.phase).toBe(RecoveryPhase.OPEN);
    expect(r.reorderTimeout).toBeGreaterThan(0); // RACK would call it lost after min_RTT/4 more
    r.onAck(at(3), undefined, at(1), at(20), 26.5, 0, 25, MSS, cc);
    expect(r.rack.reorderingSeen).toBe(true);
    expect(counts.fastRetransmits).toBe(0);
    expect(cc.ssthresh).toBeGreaterThan(10 * MSS);
  });

  it('a timeout marks everything unSACKed lost and sends it again in slow start; undone if the ACK echoes an older timestamp', () => {
    const { r, cc, counts } = setup(10);
    // Nothing comes back at all: the timer expires.
    r.onTimeout(at(0), at(10), cc);
    cc.onRetransmissionTimeout(10 * MSS);
    expect(r.phase).toBe(RecoveryPhase.LOSS);
    expect(r.log.lostBytes).toBe(10 * MSS);
    expect(r.allowance(cc, 10 * MSS)).toBe(MSS); // cwnd 1 MSS; pipe 0: all lost or SACKed
    r.sentAgain(0, 300, 5000);
    // The ACK of segment 0 echoes TSval 4990: it answers the original, sent before the retransmission.
    const e = r.onAck(at(1), undefined, at(0), at(10), 301, 4990, 100, MSS, cc);
    expect(e & AckEffect.UNDONE).toBeTruthy();
    expect(counts.undos).toBe(1);
    expect(cc.cwnd).toBe(20 * MSS);
    expect(r.log.lostBytes).toBe(0);
    expect(r.phase).toBe(RecoveryPhase.OPEN);
  });

  it('a late original that fills one hole while another retransmission is still out undoes nothing', () => {
    const { r, cc, counts } = setup();
    r.onAck(at(0), blocks([1, 2], [3, 6]), at(0), at(20), 30, 0, 25, MSS, cc); // holes at 0 and 2
    expect(r.phase).toBe(RecoveryPhase.RECOVERY);
    r.sentAgain(0, 31, 1000);
    r.sentAgain(2, 31, 1000);
    // The original of segment 0 arrives late (echo 990, older than the retransmissions' 1000); 2 is still out.
    r.onAck(at(2), blocks([3, 6]), at(0), at(20), 32, 990, 25, MSS, cc);
    expect(counts.undos).toBe(0);
    expect(r.phase).toBe(RecoveryPhase.RECOVERY);
  });

  it('ignores blocks reversed, not above the cumulative ACK, or past SND.MAX (Linux tcp_is_sackblock_valid)', () => {
    const { r, cc, counts } = setup();
    const bad = [
      { left: at(10), right: at(5) }, // reversed: read across the wrap it would cover all but 5..10
      { left: at(2), right: at(4) }, // begins at the cumulative ACK
      { left: at(15), right: at(21) }, // ends past SND.MAX
    ];
    r.onAck(at(2), bad, at(0), at(20), 30, 0, 25, MSS, cc);
    expect(counts.sackBlocksIgnored).toBe(3);
    expect(counts.dsacksReceived).toBe(0);
    expect(r.log.sackedBytes).toBe(0);
    expect(r.phase).toBe(RecoveryPhase.OPEN);
    r.onAck(at(2), blocks([4, 6]), at(2), at(20), 31, 0, 25, MSS, cc);
    expect(r.log.sackedBytes).toBe(2 * MSS);
    expect(counts.sackBlocksIgnored).toBe(3);
  });

  it('D-SACKs for every retransmission of a recovery undo its reduction', () => {
    const { r, cc, counts } = setup();
    r.onAck(at(0), blocks([1, 6]), at(0), at(20), 30, 0, 25, MSS, cc);
    expect(r.phase).toBe(RecoveryPhase.RECOVERY);
    r.sentAgain(0, 31, undefined);
    // The original of segment 0 was only late: the ACK covers it, then the retransmission comes back as a D-SACK.
    r.onAck(at(6), undefined, at(0), at(20), 32, 0, 25, MSS, cc);
    const e = r.onAck(at(6), blocks([0, 1]), at(6), at(20), 33, 0, 25, MSS, cc);
    expect(counts.dsacksReceived).toBe(1);
    expect(e & AckEffect.UNDONE).toBeTruthy();
    expect(cc.cwnd).toBe(20 * MSS);
    expect(cc.ssthresh).toBeGreaterThan(10 * MSS);
  });

  it('a retransmitted tail probe that repaired a loss costs one reduction; a D-SACKed one none', () => {
    const { r, cc, counts } = setup(6);
    r.tlp.sent(at(5), true); // probe (segment 4 again) with SND.MAX at 5; segment 5 was sent after it
    r.onAck(at(6), undefined, at(0), at(6), 30, 0, 25, MSS, cc);
    expect(counts.tlpLossRepairs).toBe(1);
    expect(cc.ssthresh).toBeLessThan(20 * MSS);
    const before = cc.ssthresh;
    r.sentNew(at(6), at(7), 40);
    r.tlp.sent(at(7), true);
    r.onAck(at(7), blocks([6, 7]), at(6), at(7), 50, 0, 25, MSS, cc);
    expect(counts.tlpLossRepairs).toBe(1);
    expect(cc.ssthresh).toBe(before);
  });
});

describe('RecoveryUndo', () => {
  it('Eifel: an echo older than the first retransmission’s TSval (mod 2^32) shows it spurious; equal or none does not', () => {
    const cc = congestionControllerFactoryFor('newreno').create(MSS);
    const u = new RecoveryUndo();
    u.begin(cc, true, seq(0));
    u.retransmitted(0xffff_fff0);
    u.retransmitted(5); // later ones do not move the stamp
    expect(u.spuriousByTimestamp(0xffff_ffe0)).toBe(true);
    expect(u.spuriousByTimestamp(0xffff_fff0)).toBe(false);
    expect(u.spuriousByTimestamp(3)).toBe(false);
    expect(u.spuriousByTimestamp(0)).toBe(false);
  });

  it('restores at least the old window, never lowers it, and only once', () => {
    const cc = congestionControllerFactoryFor('cubic').create(MSS);
    for (let i = 0; i < 16; i++) cc.onAck(MSS, 0, 20 * MSS);
    const u = new RecoveryUndo();
    u.begin(cc, true, at(10));
    cc.onFastRetransmit(20 * MSS);
    cc.onRecoveryExit();
    u.retransmitted(undefined);
    u.begin(cc, false, at(12)); // a timeout inside the episode keeps the first values
    expect(u.spuriousByDsack(at(9), at(10), at(30))).toBe(false); // sent before the episode
    expect(u.spuriousByDsack(at(30), at(31), at(30))).toBe(false); // not yet acknowledged before this ACK
    expect(u.spuriousByDsack(at(10), at(11), at(30))).toBe(true);
    u.undo(cc);
    expect(cc.cwnd).toBe(20 * MSS);
    expect(u.canUndo).toBe(false);
  });
});
