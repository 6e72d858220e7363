/**
 * The RFC 6675 scoreboard on its own (not yet wired into the sender): Update, IsLost, SetPipe and NextSeg
 * as RFC 6675 §3–4 define them, on a flight of ten 1000-byte segments, also across the 2^32 wrap.
 */
import { describe, expect, it } from 'vitest';
import { NextSegKind, SackScoreboard } from '../../../src/transport/tcp/sack/sack-scoreboard.js';
import { type Seq, seq } from '../../../src/transport/tcp/wire/seq.js';
import type { SackBlock } from '../../../src/transport/tcp/wire/tcp-header.js';

const SMSS = 1000;

describe.each([0, 2 ** 32 - 4500])('SackScoreboard (sequence numbers from %d)', (base) => {
  const at = (n: number): Seq => seq(base + n);
  const blocks = (...pairs: [number, number][]): SackBlock[] =>
    pairs.map(([l, r]) => ({ left: at(l), right: at(r) }));
  /** Ten segments sent: HighACK 0, HighData 10000. */
  const board = (...pairs: [number, number][]): SackScoreboard => {
    const b = new SackScoreboard(SMSS, at(0));
    b.update(at(0), blocks(...pairs), at(10_000));
    return b;
  };

  it('Update: merges blocks, ignores D-SACKs below HighACK, clips to HighData, forgets what is acknowledged', () => {
    const b = board([2000, 3000], [4000, 5000], [3000, 4000], [-500, 0], [9000, 12_000]);
    expect(b.runCount).toBe(2); // 2000–5000 and 9000–10000
    expect(b.sackedBytes).toBe(4000);
    expect(b.highSacked).toBe(at(10_000));
    b.update(at(2500), undefined, at(10_000));
    expect(b.sackedBytes).toBe(3500); // 2500–5000, 9000–10000
    b.update(at(5000), blocks([5000, 6000]), at(10_000));
    expect(b.runCount).toBe(2);
    expect(b.sackedBytes).toBe(2000);
  });

  it('IsLost: three SACKed segments above, or more than (DupThresh − 1)·SMSS SACKed bytes above', () => {
    expect(board([1000, 2000]).isLost(at(0))).toBe(false);
    expect(board([1000, 3000]).isLost(at(0))).toBe(false); // 2000 bytes: not more than 2·SMSS
    expect(board([1000, 4000]).isLost(at(0))).toBe(true); // 3000 bytes: the three duplicate ACKs of RFC 5681
    // Three discontiguous SACKed runs, 1500 bytes in all.
    const b = board([1000, 1500], [2000, 2500], [3000, 3500]);
    expect(b.isLost(at(0))).toBe(true);
    expect(b.isLost(at(1500))).toBe(false); // only two runs above it
    expect(board([1000, 4000]).isLost(at(4000))).toBe(false);
  });

  it('SetPipe: unSACKed bytes not lost, plus those retransmitted', () => {
    const b = board([1000, 4000]);
    // Hole 0–1000 is lost (out of the pipe); 4000–10000 is in flight.
    expect(b.pipe(at(0))).toBe(6000);
    // Segment 0 retransmitted (HighRxt 1000): it is in flight again.
    expect(b.pipe(at(1000))).toBe(7000);
    // Nothing SACKed: every byte counts once.
    expect(new SackScoreboard(SMSS, at(0)).pipe(at(0))).toBe(0);
    const plain = new SackScoreboard(SMSS, at(0));
    plain.update(at(0), undefined, at(10_000));
    expect(plain.pipe(at(0))).toBe(10_000);
  });

  it('NextSeg rule 1: the first lost byte past HighRxt, one SMSS at most, within the hole', () => {
    const b = board([3000, 6000]);
    expect(b.nextSeg(at(0), true, at(10_000))).toBe(NextSegKind.LOST);
    expect([b.nextStart, b.nextLength]).toEqual([at(0), 1000]);
    expect(b.nextSeg(at(1000), true, at(10_000))).toBe(NextSegKind.LOST);
    expect([b.nextStart, b.nextLength]).toEqual([at(1000), 1000]);
    expect(b.nextSeg(at(2500), true, at(10_000))).toBe(NextSegKind.LOST);
    expect([b.nextStart, b.nextLength]).toEqual([at(2500), 500]);
  });

  it('NextSeg rule 2 before rule 3: new data when allowed; else unSACKed bytes that are not lost yet', () => {
    const b = board([2000, 3000]); // one segment SACKed: 0–2000 not lost
    expect(b.nextSeg(at(0), true, at(10_000))).toBe(NextSegKind.NEW_DATA);
    expect(b.nextSeg(at(0), false, at(10_000))).toBe(NextSegKind.UNSACKED);
    expect([b.nextStart, b.nextLength]).toEqual([at(0), 1000]);
  });

  it('NextSeg rule 4: one rescue retransmission per recovery, the last SMSS above the SACKed bytes', () => {
    const b = board([1000, 4000]);
    b.enterRecovery();
    // The lost hole retransmitted; nothing new to send: rescue the tail.
    expect(b.nextSeg(at(1000), false, at(10_000))).toBe(NextSegKind.RESCUE);
    expect([b.nextStart, b.nextLength]).toEqual([at(9000), 1000]);
    expect(b.nextSeg(at(1000), false, at(10_000))).toBe(NextSegKind.NONE);
    // A cumulative ACK past RescueRxt (a later recovery) allows another.
    b.update(at(10_000), undefined, at(12_000));
    expect(b.nextSeg(at(10_000), false, at(12_000))).toBe(NextSegKind.NONE); // HighACK = RescueRxt: not past it
    b.update(at(10_500), undefined, at(12_000));
    expect(b.nextSeg(at(10_500), false, at(12_000))).toBe(NextSegKind.RESCUE);
    expect([b.nextStart, b.nextLength]).toEqual([at(11_000), 1000]);
  });

  it('a full board drops new runs rather than grow', () => {
    const b = new SackScoreboard(SMSS, at(0), 2);
    b.update(at(0), blocks([1000, 1100], [2000, 2100], [3000, 3100]), at(10_000));
    expect(b.runCount).toBe(2);
    expect(b.sackedBytes).toBe(200);
  });
});
