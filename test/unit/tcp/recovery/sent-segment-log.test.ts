/**
 * The per-segment scoreboard: SACK marking (RFC 2018 blocks, D-SACKs below the ACK ignored, partial cover
 * ignored), RFC 6675 SetPipe with lost and retransmitted segments, NextSeg rule 1 (the first lost segment
 * not yet retransmitted), cumulative ACKs that cut a segment, growth past the first capacity, across 2^32.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SegmentFlag, SentSegmentLog } from '../../../../src/transport/tcp/recovery/sent-segment-log.js';
import { type Seq, seq } from '../../../../src/transport/tcp/wire/seq.js';

const SMSS = 1000;

describe.each([0, 2 ** 32 - 4500])('SentSegmentLog (sequence numbers from %d)', (base) => {
  const at = (n: number): Seq => seq(base + n);
  /** Ten 1000-byte segments sent at t = 0..9. */
  const flight = (): SentSegmentLog => {
    const log = new SentSegmentLog();
    for (let i = 0; i < 10; i++) log.append(at(i * SMSS), at((i + 1) * SMSS), i);
    return log;
  };
  const recorder = () => {
    const seen: number[] = [];
    return { seen, delivered: (i: number, log: SentSegmentLog) => seen.push(log.start(i) - at(0)) };
  };

  it('SACK blocks mark the segments they cover wholly; D-SACKs below the ACK and partial cover change nothing', () => {
    const log = flight();
    const r = recorder();
    expect(log.sack(at(2000), at(4000), r)).toBe(2000);
    expect(log.sack(at(3000), at(4000), r)).toBe(0); // already SACKed
    expect(log.sack(at(4500), at(6000), r)).toBe(1000); // 4000–5000 only in part: only 5000–6000
    expect(log.sack(at(-500), at(0), r)).toBe(0);
    expect(r.seen.map((s) => (s + 2 ** 32) % 2 ** 32)).toEqual([2000, 3000, 5000]);
    expect(log.sackedBytes).toBe(3000);
    expect(log.sackedSegments).toBe(3);
    expect(log.flags(2) & SegmentFlag.SACKED).toBeTruthy();
    expect(log.flags(4) & SegmentFlag.SACKED).toBeFalsy();
  });

  it('a cumulative ACK removes what it covers, reports only what was not SACKed, and trims a segment it cuts', () => {
    const log = flight();
    log.sack(at(1000), at(2000), undefined);
    const r = recorder();
    expect(log.acknowledge(at(2500), r)).toBe(1000 + 500); // 0–1000 new, 1000–2000 SACKed before, half of the third
    expect(r.seen.length).toBe(1);
    expect(log.count).toBe(8);
    expect(log.start(0)).toBe(at(2500));
    expect(log.sackedBytes).toBe(0);
  });

  it('SetPipe: the flight less SACKed and lost bytes, plus lost bytes retransmitted since', () => {
    const log = flight();
    expect(log.pipe(10_000)).toBe(10_000);
    log.sack(at(3000), at(6000), undefined);
    expect(log.pipe(10_000)).toBe(7000);
    log.markLost(0);
    log.markLost(1);
    expect(log.pipe(10_000)).toBe(5000);
    log.retransmitted(0, 20, 0);
    expect(log.pipe(10_000)).toBe(6000);
    log.markLost(0); // the retransmission is lost as well
    expect(log.pipe(10_000)).toBe(5000);
    log.sack(at(0), at(1000), undefined); // then it arrives after all
    expect(log.lostBytes).toBe(1000);
    expect(log.pipe(10_000)).toBe(5000);
  });

  it('NextSeg rule 1: the oldest lost segment not retransmitted since; SACKed ones are never lost', () => {
    const log = flight();
    expect(log.firstLostToRetransmit()).toBe(-1);
    log.sack(at(5000), at(6000), undefined);
    log.markLost(5); // SACKed: no-op
    log.markLost(3);
    log.markLost(1);
    expect(log.hasLostToRetransmit).toBe(true);
    expect(log.firstLostToRetransmit()).toBe(1);
    log.retransmitted(1, 30, 0);
    expect(log.firstLostToRetransmit()).toBe(3);
    log.retransmitted(3, 31, 0);
    expect(log.firstLostToRetransmit()).toBe(-1);
    expect(log.timeSent(3)).toBe(31);
    expect(log.flags(3) & SegmentFlag.EVER_RETRANSMITTED).toBeTruthy();
  });

  it('a timeout marks every segment not SACKed lost; an undo forgets every mark', () => {
    const log = flight();
    log.sack(at(8000), at(10_000), undefined);
    log.markAllLost();
    expect(log.lostBytes).toBe(8000);
    expect(log.pipe(10_000)).toBe(0);
    log.unmarkLost();
    expect(log.lostBytes).toBe(0);
    expect(log.firstLostToRetransmit()).toBe(-1);
    expect(log.pipe(10_000)).toBe(8000);
  });

  it('grows past its first capacity keeping order, and the counts stay exact when everything is acknowledged', () => {
    const log = new SentSegmentLog();
    for (let i = 0; i < 300; i++) log.append(at(i * 100), at((i + 1) * 100), i);
    for (let i = 1; i < 300; i += 2) log.sack(at(i * 100), at((i + 1) * 100), undefined);
    for (let i = 0; i < 300; i += 4) log.markLost(i);
    expect(log.count).toBe(300);
    expect(log.start(299)).toBe(at(29_900));
    expect(log.sackedBytes).toBe(15_000);
    expect(log.acknowledge(at(30_000), undefined)).toBe(15_000);
    expect(log.count).toBe(0);
    expect([log.sackedBytes, log.lostBytes, log.retransmittedBytes, log.sackedSegments]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(log.hasLostToRetransmit).toBe(false);
  });
  it('a smaller path MTU cuts each run of segments longer than the new size (not SACKed) into lost pieces', () => {
    const log = flight();
    log.sack(at(3000), at(4000), undefined);
    log.markLost(5); // lost and not yet retransmitted: cut, still lost
    log.markLost(6);
    log.retransmitted(6, 20, 0); // its retransmission was as long: lost again
    expect(log.cutOversize(400)).toBe(8000); // all but the SACKed one and the one already waiting
    // Two runs, cut whole: 0–3000 into 7 × 400 + 200, then the SACKed entry, then 4000–10000 into 15 × 400.
    expect(log.count).toBe(24);
    const ranges = Array.from({ length: log.count }, (_, i) => [log.start(i) - at(0), log.end(i) - at(0)]);
    expect(ranges.slice(0, 9)).toEqual([
      [0, 400],
      [400, 800],
      [800, 1200],
      [1200, 1600],
      [1600, 2000],
      [2000, 2400],
      [2400, 2800],
      [2800, 3000],
      [3000, 4000],
    ]);
    expect(ranges[9]).toEqual([4000, 4400]);
    expect(ranges[23]).toEqual([9600, 10_000]);
    // A piece keeps the time of the segment it starts in.
    expect(log.timeSent(2)).toBe(0);
    expect(log.timeSent(3)).toBe(1);
    expect(log.flags(8)).toBe(SegmentFlag.SACKED);
    expect(log.sackedBytes).toBe(1000);
    expect(log.sackedSegments).toBe(1);
    expect(log.lostBytes).toBe(9000);
    expect(log.retransmittedBytes).toBe(0);
    expect(log.pipe(10 * SMSS)).toBe(0);
    // Pieces that cover the retransmitted segment (6000–7000) count as ever retransmitted; the others do not.
    expect(log.flags(13) & SegmentFlag.EVER_RETRANSMITTED).toBeFalsy(); // 5600–6000
    expect(log.flags(14) & SegmentFlag.EVER_RETRANSMITTED).toBeTruthy(); // 6000–6400
    expect(log.flags(16) & SegmentFlag.EVER_RETRANSMITTED).toBeTruthy(); // 6800–7200
    expect(log.flags(17) & SegmentFlag.EVER_RETRANSMITTED).toBeFalsy(); // 7200–7600
    expect(log.firstLostToRetransmit()).toBe(0);
    // Nothing longer than the size: nothing changes.
    expect(log.cutOversize(400)).toBe(0);
    expect(log.count).toBe(24);
    // The pieces are acknowledged as any entry.
    expect(log.acknowledge(at(10 * SMSS), undefined)).toBe(9000);
    expect(log.count).toBe(0);
    expect(log.lostBytes).toBe(0);
  });

  it('a path MTU that falls a byte at a time leaves one short piece per run, not a sliver per segment', () => {
    const log = flight();
    expect(log.cutOversize(999)).toBe(10 * SMSS);
    expect(log.count).toBe(11); // 10 × 999 + 10
    expect(log.cutOversize(998)).toBe(0); // all lost already, none sent again: cut anew, nothing new lost
    expect(log.count).toBe(11); // 10 × 998 + 20
    expect(log.end(10) - log.start(10)).toBe(20);
    expect(log.lostBytes).toBe(10 * SMSS);
    // An entry already lost and waiting, too long for the new size, is cut too (it would be refused again).
    const waiting = flight();
    waiting.markLost(0);
    expect(waiting.cutOversize(500)).toBe(9000);
    expect(waiting.count).toBe(20);
  });
});

// The next lost entry is searched from a hint (a burst of path MTU reports had made each pass of the SACK
// output scan the whole flight again): whatever the operations, it is the one a scan from the oldest finds.
describe('the next lost entry to send again', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('lose' as const), at: fc.nat(40) }),
    fc.record({ kind: fc.constant('resend' as const), at: fc.nat(40) }),
    fc.record({ kind: fc.constant('sack' as const), at: fc.nat(40) }),
    fc.record({ kind: fc.constant('ack' as const), at: fc.nat(6) }),
    fc.record({ kind: fc.constant('send' as const), at: fc.nat(3) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.integer({ min: 300, max: 1000 }) }),
    fc.record({ kind: fc.constant('timeout' as const), at: fc.constant(0) }),
  );

  it('is the first lost and not resent entry from the oldest (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const log = new SentSegmentLog();
        let next = 0;
        let una = 0;
        const send = (n: number) => {
          for (let j = 0; j < n; j++) {
            log.append(seq(next), seq(next + SMSS), next);
            next += SMSS;
          }
        };
        send(20);
        for (const o of ops) {
          if (o.kind === 'lose' && o.at < log.count) log.markLost(o.at);
          else if (o.kind === 'resend') {
            const i = log.firstLostToRetransmit();
            if (i >= 0) log.retransmitted(i, 1, 0);
          } else if (o.kind === 'sack' && o.at < log.count)
            log.sack(log.start(o.at), log.end(o.at), undefined);
          else if (o.kind === 'ack' && log.count > 0) {
            una = Math.min(log.end(Math.min(o.at, log.count - 1)) - seq(0), next);
            log.acknowledge(seq(una), undefined);
          } else if (o.kind === 'send') send(o.at);
          else if (o.kind === 'cut') log.cutOversize(o.at);
          else if (o.kind === 'timeout') log.markAllLost();
          let expected = -1;
          for (let i = 0; i < log.count; i++) {
            if ((log.flags(i) & (SegmentFlag.LOST | SegmentFlag.RETRANSMITTED)) === SegmentFlag.LOST) {
              expected = i;
              break;
            }
          }
          expect(log.firstLostToRetransmit()).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
