/** RFC 6937 PRR-SSRB on chosen ACK sequences: proportional while pipe > ssthresh, slow-start bound below it. */
import { describe, expect, it } from 'vitest';
import { ProportionalRateReduction } from '../../../../src/transport/tcp/recovery/proportional-rate-reduction.js';

const MSS = 1000;

describe('ProportionalRateReduction', () => {
  it('sends ssthresh/RecoverFS of what is delivered while the pipe is above ssthresh (RFC 6937 example: 1 in 2)', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(20 * MSS); // RecoverFS 20 segments, ssthresh 10
    let sent = 0;
    for (let ack = 0; ack < 10; ack++) {
      let pipe = 19 * MSS - ack * MSS + sent;
      prr.onAck(MSS, pipe, 10 * MSS, MSS);
      while (prr.allowance(pipe) >= MSS) {
        prr.onSend(MSS);
        sent += MSS;
        pipe += MSS;
      }
    }
    expect(sent).toBe(5 * MSS); // half of the 10 segments delivered
  });

  it('the first ACK always lets the retransmission out', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(100 * MSS);
    prr.onAck(MSS, 99 * MSS, 10 * MSS, MSS);
    expect(prr.allowance(99 * MSS)).toBe(MSS);
  });

  it('below ssthresh: at most what was delivered plus one segment, and never above ssthresh − pipe', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(10 * MSS);
    prr.onAck(4 * MSS, 2 * MSS, 7 * MSS, MSS); // a big SACK, pipe far below ssthresh
    expect(prr.allowance(2 * MSS)).toBe(5 * MSS);
    prr.onSend(5 * MSS);
    expect(prr.allowance(7 * MSS)).toBe(0);
    prr.onAck(MSS, 6 * MSS, 7 * MSS, MSS);
    expect(prr.allowance(6 * MSS)).toBe(MSS);
  });

  it('rounds what an ACK allows up to a whole segment, as Linux counts in packets', () => {
    // ssthresh 3.5 segments, pipe 3 after the ACK: RFC 6937 in bytes would allow half a segment, which sends
    // nothing; a lost retransmission then has no later segment to reveal it, and the RTO decides.
    const prr = new ProportionalRateReduction();
    prr.begin(7 * MSS);
    prr.onAck(MSS, 6 * MSS, 3500, MSS);
    prr.onSend(MSS); // the fast retransmit
    prr.onAck(3 * MSS, 3 * MSS, 3500, MSS);
    expect(prr.allowance(3 * MSS)).toBe(MSS);
  });

  it('a retransmission deemed lost frees its room at once, without waiting for an ACK that delivers', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(8 * MSS);
    prr.onAck(MSS, 5 * MSS, 4 * MSS, MSS); // first ACK: the fast retransmit
    prr.onSend(MSS);
    expect(prr.allowance(6 * MSS)).toBe(0);
    // RACK deems that retransmission lost (the pipe drops by it) on an ACK that delivers nothing new.
    prr.onAck(0, 5 * MSS, 4 * MSS, MSS);
    expect(prr.allowance(5 * MSS)).toBe(MSS);
  });
});
