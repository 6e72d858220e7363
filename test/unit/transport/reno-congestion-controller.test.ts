import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_SSTHRESH, initialWindow } from '../../../src/transport/congestion/congestion-controller.js';
import {
  RenoCongestionController,
  RenoCongestionControllerFactory,
} from '../../../src/transport/congestion/reno-congestion-controller.js';

const MSS = 1000;

/** Acknowledges `bytes` in full-sized segments, one ACK each; time is irrelevant to Reno. */
function ackSegments(cc: RenoCongestionController, bytes: number, mss = cc.mss): void {
  for (let left = bytes; left > 0; left -= mss) cc.onAck(Math.min(mss, left), 0, 0);
}

/** One round trip in which the whole window is sent and acknowledged segment by segment. */
function roundTrip(cc: RenoCongestionController): void {
  ackSegments(cc, cc.cwnd);
}

/** A controller that has left slow start with ssthresh = `ssthresh` and cwnd = 1 SMSS. */
function afterTimeout(ssthresh: number): RenoCongestionController {
  const cc = new RenoCongestionController(MSS);
  cc.onRetransmissionTimeout(2 * ssthresh);
  expect(cc.ssthresh).toBe(ssthresh);
  return cc;
}

describe('RenoCongestionController (RFC 5681)', () => {
  describe('initial window (§3.1, RFC 3390)', () => {
    it.each([
      [536, 2144], // 4 segments
      [1095, 4380], // 4 segments
      [1460, 4380], // 3 segments
      [2190, 4380], // 2 segments
      [4000, 8000], // 2 segments
      [8960, 17_920], // jumbo: 2 segments
    ])('MSS %i gives IW %i', (mss, iw) => {
      expect(initialWindow(mss)).toBe(iw);
      const cc = new RenoCongestionController(mss);
      expect(cc.cwnd).toBe(iw);
      expect(cc.ssthresh).toBe(INITIAL_SSTHRESH);
      expect(cc.inSlowStart).toBe(true);
      expect(cc.inRecovery).toBe(false);
      expect(cc.name).toBe('reno');
    });

    it('rejects an MSS that is not a positive integer', () => {
      expect(() => new RenoCongestionController(0)).toThrow(RangeError);
      expect(() => new RenoCongestionController(1.5)).toThrow(RangeError);
    });
  });

  describe('slow start (§3.1)', () => {
    it('grows cwnd by min(N, SMSS) per ACK', () => {
      const cc = new RenoCongestionController(MSS);
      expect(cc.cwnd).toBe(4000);
      cc.onAck(1000, 0, 3000);
      expect(cc.cwnd).toBe(5000);
      cc.onAck(400, 0, 2600); // a small segment: N < SMSS
      expect(cc.cwnd).toBe(5400);
      cc.onAck(3000, 0, 0); // a stretch ACK still counts one SMSS
      expect(cc.cwnd).toBe(6400);
    });

    it('ignores ACKs that acknowledge nothing', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onAck(0, 0, 4000);
      cc.onAck(-5, 0, 4000);
      expect(cc.cwnd).toBe(4000);
    });

    it('doubles cwnd every round trip', () => {
      const cc = new RenoCongestionController(MSS);
      const windows = [cc.cwnd];
      for (let i = 0; i < 4; i++) {
        roundTrip(cc);
        windows.push(cc.cwnd);
      }
      expect(windows).toEqual([4000, 8000, 16_000, 32_000, 64_000]);
    });

    it('stops at ssthresh and counts the rest of the crossing ACK for congestion avoidance', () => {
      const cc = afterTimeout(10_500);
      expect(cc.cwnd).toBe(1000);
      ackSegments(cc, 9000); // 1000 → 10 000
      expect(cc.cwnd).toBe(10_000);
      expect(cc.inSlowStart).toBe(true);
      cc.onAck(1000, 0, 0); // +1000 would pass 10 500: stop there, 500 bytes left over
      expect(cc.cwnd).toBe(10_500);
      expect(cc.inSlowStart).toBe(false);
      ackSegments(cc, 9000); // 500 + 9000 < 10 500
      expect(cc.cwnd).toBe(10_500);
      cc.onAck(1000, 0, 0); // 10 500 counted: one SMSS
      expect(cc.cwnd).toBe(11_500);
    });
  });

  describe('congestion avoidance (§3.1)', () => {
    it('starts when cwnd reaches ssthresh (cwnd = ssthresh counts as avoidance)', () => {
      const cc = afterTimeout(4000);
      ackSegments(cc, 3000);
      expect(cc.cwnd).toBe(4000);
      expect(cc.inSlowStart).toBe(false);
      ackSegments(cc, 3000);
      expect(cc.cwnd).toBe(4000);
      cc.onAck(1000, 0, 0);
      expect(cc.cwnd).toBe(5000);
    });

    it('grows about one SMSS per round trip', () => {
      const cc = afterTimeout(10_000);
      ackSegments(cc, 9000);
      expect(cc.cwnd).toBe(10_000);
      const windows: number[] = [];
      for (let i = 0; i < 10; i++) {
        roundTrip(cc);
        windows.push(cc.cwnd);
      }
      expect(windows).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((k) => k * 1000));
    });

    it('matches eq. (3), SMSS·SMSS/cwnd per ACK, over many round trips with an odd MSS', () => {
      const mss = 1448;
      const cc = new RenoCongestionController(mss);
      cc.onRetransmissionTimeout(20 * mss);
      ackSegments(cc, 9 * mss);
      expect(cc.cwnd).toBe(10 * mss);
      let model = cc.cwnd;
      for (let rtt = 0; rtt < 50; rtt++) {
        const segments = Math.floor(cc.cwnd / mss);
        for (let s = 0; s < segments; s++) {
          cc.onAck(mss, 0, 0);
          model += (mss * mss) / model;
        }
      }
      // 50 round trips at ~1 SMSS each; byte counting tracks the real-valued formula.
      expect(cc.cwnd / mss).toBeGreaterThanOrEqual(58);
      expect(cc.cwnd / mss).toBeLessThanOrEqual(60);
      expect(Math.abs(cc.cwnd - model)).toBeLessThanOrEqual(2 * mss);
    });

    it('never grows more than one SMSS per ACK', () => {
      const cc = afterTimeout(2000);
      ackSegments(cc, 1000);
      expect(cc.cwnd).toBe(2000);
      cc.onAck(100_000, 0, 0);
      expect(cc.cwnd).toBe(3000);
    });
  });

  describe('retransmission timeout (§3.1)', () => {
    it('sets ssthresh = max(FlightSize/2, 2·SMSS) and cwnd = 1 SMSS', () => {
      const cc = new RenoCongestionController(MSS);
      roundTrip(cc);
      roundTrip(cc); // cwnd 16 000
      cc.onRetransmissionTimeout(15_000);
      expect(cc.ssthresh).toBe(7500);
      expect(cc.cwnd).toBe(1000);
      expect(cc.inSlowStart).toBe(true);
    });

    it('keeps ssthresh at least 2·SMSS', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onRetransmissionTimeout(3000);
      expect(cc.ssthresh).toBe(2000);
      expect(cc.cwnd).toBe(1000);
    });

    it('holds ssthresh when the timer fires again before any new data is acknowledged', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onRetransmissionTimeout(20_000);
      expect(cc.ssthresh).toBe(10_000);
      cc.onRetransmissionTimeout(1000); // the same segment, retransmitted again
      expect(cc.ssthresh).toBe(10_000);
      expect(cc.cwnd).toBe(1000);
      cc.onAck(1000, 0, 0); // progress
      cc.onRetransmissionTimeout(8000); // a new loss
      expect(cc.ssthresh).toBe(4000);
      expect(cc.cwnd).toBe(1000);
    });

    it('ends fast recovery', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onFastRetransmit(20_000);
      cc.onRetransmissionTimeout(13_000);
      expect(cc.inRecovery).toBe(false);
      expect(cc.ssthresh).toBe(6500);
      expect(cc.cwnd).toBe(1000);
    });
  });

  describe('fast retransmit and fast recovery (§3.2)', () => {
    it('leaves cwnd alone on the first duplicate ACKs', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onDuplicateAck();
      cc.onDuplicateAck();
      expect(cc.cwnd).toBe(4000);
      expect(cc.ssthresh).toBe(INITIAL_SSTHRESH);
    });

    it('halves, inflates by 3 SMSS, inflates per dup ACK and deflates to ssthresh on exit', () => {
      const cc = new RenoCongestionController(MSS);
      roundTrip(cc);
      roundTrip(cc);
      expect(cc.cwnd).toBe(16_000);

      // Step 2 and 3, on the third duplicate ACK.
      cc.onFastRetransmit(16_000);
      expect(cc.inRecovery).toBe(true);
      expect(cc.ssthresh).toBe(8000);
      expect(cc.cwnd).toBe(11_000); // ssthresh + 3·SMSS

      // Step 4: each further duplicate ACK.
      for (let i = 0; i < 5; i++) cc.onDuplicateAck();
      expect(cc.cwnd).toBe(16_000);

      // ACKs for new data during recovery do not grow cwnd...
      cc.onAck(1000, 0, 15_000);
      expect(cc.cwnd).toBe(16_000);

      // ...and step 6 deflates it when recovery ends.
      cc.onRecoveryExit();
      expect(cc.inRecovery).toBe(false);
      expect(cc.cwnd).toBe(8000);
      expect(cc.ssthresh).toBe(8000);
      expect(cc.inSlowStart).toBe(false);

      // Congestion avoidance from there on.
      roundTrip(cc);
      expect(cc.cwnd).toBe(9000);
    });

    it('keeps ssthresh at least 2·SMSS', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onFastRetransmit(3000);
      expect(cc.ssthresh).toBe(2000);
      expect(cc.cwnd).toBe(5000);
    });

    it('reduces once per recovery episode', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onFastRetransmit(20_000);
      cc.onFastRetransmit(13_000);
      expect(cc.ssthresh).toBe(10_000);
      expect(cc.cwnd).toBe(13_000);
    });

    it('ignores a recovery exit outside recovery', () => {
      const cc = new RenoCongestionController(MSS);
      cc.onRecoveryExit();
      expect(cc.cwnd).toBe(4000);
    });
  });

  it('keeps cwnd ≥ 1 SMSS and, after any loss, ssthresh ≥ 2·SMSS (property)', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('ack' as const), bytes: fc.integer({ min: 0, max: 5 * MSS }) }),
      fc.record({ kind: fc.constant('dup' as const) }),
      fc.record({ kind: fc.constant('fast' as const), inFlight: fc.integer({ min: 0, max: 200 * MSS }) }),
      fc.record({ kind: fc.constant('exit' as const) }),
      fc.record({ kind: fc.constant('rto' as const), inFlight: fc.integer({ min: 0, max: 200 * MSS }) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200, size: 'max' }), (events) => {
        const cc = new RenoCongestionController(MSS);
        for (const e of events) {
          switch (e.kind) {
            case 'ack':
              cc.onAck(e.bytes, 0, 0);
              break;
            case 'dup':
              cc.onDuplicateAck();
              break;
            case 'fast':
              cc.onFastRetransmit(e.inFlight);
              break;
            case 'exit':
              cc.onRecoveryExit();
              break;
            case 'rto':
              cc.onRetransmissionTimeout(e.inFlight);
              break;
            default:
              e satisfies never;
          }
          expect(Number.isInteger(cc.cwnd)).toBe(true);
          expect(cc.cwnd).toBeGreaterThanOrEqual(MSS);
          expect(cc.ssthresh).toBeGreaterThanOrEqual(2 * MSS);
        }
      }),
    );
  });

  it('the factory makes independent controllers', () => {
    const factory = new RenoCongestionControllerFactory();
    const a = factory.create(1460);
    const b = factory.create(536);
    a.onRetransmissionTimeout(10_000);
    expect(a.cwnd).toBe(1460);
    expect(b.cwnd).toBe(2144);
    expect(b.ssthresh).toBe(INITIAL_SSTHRESH);
    expect(factory.name).toBe('reno');
  });

  it('RFC 5681 §4.1: after idle, cwnd is cut to the restart window min(IW, cwnd); ssthresh is kept', () => {
    const cc = new RenoCongestionController(1460);
    for (let i = 0; i < 20; i++) cc.onAck(1460, 0, 0);
    cc.onFastRetransmit(40 * 1460);
    cc.onRecoveryExit();
    const ssthresh = cc.ssthresh;
    expect(cc.cwnd).toBeGreaterThan(3 * 1460);
    cc.onIdleRestart();
    expect(cc.cwnd).toBe(3 * 1460);
    expect(cc.ssthresh).toBe(ssthresh);
    const small = new RenoCongestionController(1460);
    small.onRetransmissionTimeout(10 * 1460);
    small.onIdleRestart();
    expect(small.cwnd).toBe(1460);
  });
});
