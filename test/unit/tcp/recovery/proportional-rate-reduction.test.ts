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
      prr.onAck(MSS, 19 * MSS - ack * MSS + sent, 10 * MSS, MSS);
      while (prr.allowance >= MSS) {
        prr.onSend(MSS);
        sent += MSS;
      }
    }
    expect(sent).toBe(5 * MSS); // half of the 10 segments delivered
  });

  it('the first ACK always lets the retransmission out', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(100 * MSS);
    prr.onAck(MSS, 99 * MSS, 10 * MSS, MSS);
    expect(prr.allowance).toBe(MSS);
  });

  it('below ssthresh: at most what was delivered plus one segment, and never above ssthresh − pipe', () => {
    const prr = new ProportionalRateReduction();
    prr.begin(10 * MSS);
    prr.onAck(4 * MSS, 2 * MSS, 7 * MSS, MSS); // a big SACK, pipe far below ssthresh
    expect(prr.allowance).toBe(5 * MSS);
    prr.onSend(5 * MSS);
    prr.onAck(MSS, 6 * MSS, 7 * MSS, MSS);
    expect(prr.allowance).toBe(MSS);
  });
});
