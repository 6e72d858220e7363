/**
 * A retransmission always carries a later TSval than the copy it repeats, even within the same millisecond
 * (the TS clock steps ahead by one; TcpControlBlock.retransmitTsValue). On a sub-millisecond path the echo
 * then still says which copy arrived: a late original is told from the retransmission (RFC 8985 §6.2 step 2)
 * and the spurious retransmission is undone (RFC 3522). The TSvals stay monotonic for the peer's PAWS.
 */
import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const MSS = 1000;
/** The peer's SYN: SACK and timestamps; its segments carry TSval 500 onward. */
const SYN_OPTIONS = { mss: MSS + 12, sackPermitted: true, timestamp: { value: 500, echo: 0 } };

describe('TSval of a retransmission', () => {
  it('is later than the original sent in the same millisecond, and an echo of the original undoes it', () => {
    const h = new TcpHarness();
    const rec = h.established(SYN_OPTIONS, 65_535, 1);
    rec.conn.write(bytes(4 * MSS));
    const flight = h.recvAll();
    expect(flight).toHaveLength(4);
    const tsvals = flight.map((s) => s.options.timestamp!.value);
    const original = tsvals[0]!;
    // 0.3 ms on (the same millisecond), segments 2–4 are SACKed: three SACKed and no reordering seen, so
    // RACK deems segment 1 lost at once and sends it again.
    h.advance(0.3);
    const sack = [{ left: seq(ISS + 1 + MSS), right: seq(ISS + 1 + 4 * MSS) }];
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1,
      options: { sack, timestamp: { value: 501, echo: tsvals[3]! } },
    });
    const again = h.recvAll().filter((s) => s.payload.length > 0 && s.seq === ISS + 1);
    expect(again).toHaveLength(1);
    const retransmitted = again[0]!.options.timestamp!.value;
    expect(retransmitted).toBeGreaterThan(original);
    expect(rec.conn.counters()).toMatchObject({ retransmitted: 1, fastRetransmits: 1, undos: 0 });
    // The late original arrives: the ACK of everything echoes its TSval, not the retransmission's.
    h.advance(0.3);
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1 + 4 * MSS,
      options: { timestamp: { value: 502, echo: original } },
    });
    expect(rec.conn.counters().undos).toBe(1);
    // Later segments never go back below the retransmission's TSval (PAWS at the peer).
    rec.conn.write(bytes(MSS));
    const next = h.recvAll().filter((s) => s.payload.length > 0);
    expect(next).toHaveLength(1);
    expect(next[0]!.options.timestamp!.value).toBeGreaterThanOrEqual(retransmitted);
  });

  it('needs no step when a millisecond has passed since the original', () => {
    const h = new TcpHarness();
    const rec = h.established(SYN_OPTIONS, 65_535, 1);
    rec.conn.write(bytes(4 * MSS));
    const original = h.recvAll()[0]!.options.timestamp!.value;
    h.advance(2);
    const sack = [{ left: seq(ISS + 1 + MSS), right: seq(ISS + 1 + 4 * MSS) }];
    h.send({
      flags: ACK,
      seq: IRS + 1,
      ack: ISS + 1,
      options: { sack, timestamp: { value: 501, echo: original } },
    });
    const again = h.recvAll().find((s) => s.payload.length > 0 && s.seq === ISS + 1);
    expect(again!.options.timestamp!.value).toBe(original + 2);
  });
});
