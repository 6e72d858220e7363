/**
 * Input before timeouts (tcp-timer-gate.ts): on a link that keeps a backlog (a worker reader's ring), a timer
 * that expires while datagrams read before it wait to be handed up fires only once they have been processed,
 * at the end of the batch that takes the last of them.
 */
import { describe, expect, it } from 'vitest';
import { TcpTimerGate } from '../../../src/transport/tcp/connection/tcp-timer-gate.js';
import { ACK, bytes, expectSegment, FIN, IRS, ISS, PSH, stateOf, TcpHarness } from './tcp-harness.js';

/** LAST_ACK (our FIN out, not yet acknowledged) on a link with a backlog. */
function lastAck(backlog: boolean): { h: TcpHarness; rto: number } {
  const h = new TcpHarness({ batches: true, backlog });
  const rec = h.lastAck();
  h.endBatch();
  return { h, rto: rec.conn.stats().rto };
}

describe('TCP timers wait for the input read before they expired', () => {
  it('an ACK that waits in the backlog when the RTO expires ends the connection, and the FIN is not sent again', () => {
    const { h, rto } = lastAck(true);
    h.holdInput = true;
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.advance(rto + 1);
    // Expired, but the ACK was read before: held, not retransmitted.
    h.recvNothing();
    expect(h.tcp.stats().timersHeld).toBe(1);
    h.holdInput = false;
    h.deliverHeld();
    h.recvNothing();
    expect(h.tcp.connections()).toHaveLength(0);
    const stats = h.tcp.stats();
    expect(stats.timeouts).toBe(0);
    expect(stats.retransmitted).toBe(0);
  });

  it('without a backlog the same late ACK follows a retransmitted FIN (what the gate prevents)', () => {
    const { h, rto } = lastAck(false);
    h.advance(rto + 1);
    expectSegment(h.recv(), { flags: 'FIN|ACK', seq: ISS + 1, ack: IRS + 2 });
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.endBatch();
    expect(h.tcp.stats().timeouts).toBe(1);
    expect(h.tcp.stats().timersHeld).toBeUndefined();
  });

  it('a held timer still fires once the input is in, if that input did not answer it', () => {
    const { h, rto } = lastAck(true);
    h.holdInput = true;
    // A duplicate of the peer's FIN: it acknowledges nothing new.
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.advance(rto + 1);
    h.recvNothing();
    h.holdInput = false;
    h.deliverHeld();
    const out = h.recvAll();
    // The duplicate FIN is answered with an ACK, then the RTO sends the FIN again.
    expect(out.map((s) => s.flags & FIN)).toContain(FIN);
    expect(h.tcp.stats().timeouts).toBe(1);
    expect(stateOf(h.connection())).toBe('LAST_ACK');
  });

  it('waits only for what was read when it expired, not for input that keeps coming after', () => {
    const { h, rto } = lastAck(true);
    h.holdInput = true;
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.advance(rto + 1);
    // Read after the timer expired: the timer does not wait for these.
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.deliverHeld(1);
    expect(h.tcp.stats().timeouts).toBe(1);
    expect(h.recvAll().some((s) => (s.flags & FIN) !== 0)).toBe(true);
  });

  it('a batch end that leaves the mark unpassed keeps the timer held', () => {
    const { h, rto } = lastAck(true);
    h.holdInput = true;
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.advance(rto + 1);
    h.deliverHeld(1);
    expect(h.tcp.stats().timeouts).toBe(0);
    expect(h.recvAll().every((s) => (s.flags & FIN) === 0)).toBe(true);
    h.deliverHeld();
    expect(h.tcp.connections()).toHaveLength(0);
    expect(h.tcp.stats().timeouts).toBe(0);
  });

  it('a deadline set while the timer is held waits for the input read before it expired', () => {
    const h = new TcpHarness({ batches: true, backlog: true });
    const rec = h.established();
    h.endBatch();
    // One segment from the peer: our delayed ACK waits.
    h.send({ flags: ACK | PSH, seq: IRS + 1, ack: ISS + 1, payload: bytes(100) });
    h.endBatch();
    h.holdInput = true;
    h.send({ flags: ACK | PSH, seq: IRS + 101, ack: ISS + 1, payload: bytes(100, 100) });
    // The delayed ACK expires with that segment unprocessed: held, its mark the one segment.
    h.advance(h.config.delayedAckMs + 1);
    expect(h.tcp.stats().timersHeld).toBe(1);
    h.recvNothing();
    // Meanwhile our data goes out (its retransmission deadline set while held), the peer's ACK of it is read...
    rec.conn.write(bytes(10));
    expectSegment(h.recv(), { flags: 'PSH|ACK', seq: ISS + 1, payload: 10 });
    h.send({ flags: ACK, seq: IRS + 201, ack: ISS + 11 });
    // ...and the retransmission deadline passes before the main thread gets to it.
    h.advance(rec.conn.stats().rto + 1);
    h.deliverHeld(1);
    // The first mark is passed, but the retransmission deadline expired after it: it waits for the ACK.
    expect(h.tcp.stats().timeouts).toBe(0);
    h.deliverHeld();
    expect(h.recvAll().every((s) => s.payload.length === 0)).toBe(true);
    const stats = h.tcp.stats();
    expect(stats.timeouts).toBe(0);
    expect(stats.retransmitted).toBe(0);
    expect(rec.conn.stats().bytesAcked).toBe(10);
  });

  it('counts that wrap at 2^32 pass their marks', () => {
    const h = new TcpHarness({ batches: true, backlog: true });
    h.startBacklogCountsAt(0x7fffffff);
    const rec = h.lastAck();
    h.endBatch();
    h.holdInput = true;
    h.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    h.send({ flags: ACK, seq: IRS + 2, ack: ISS + 2 });
    h.advance(rec.conn.stats().rto + 1);
    h.deliverHeld();
    expect(h.tcp.connections()).toHaveLength(0);
    expect(h.tcp.stats().timeouts).toBe(0);
  });
});

describe('TcpTimerGate', () => {
  it('holds nothing before it is enabled, or when no input waits', () => {
    const gate = new TcpTimerGate();
    const fired: string[] = [];
    const timers = { fireHeld: () => fired.push('t') };
    expect(gate.hold(timers)).toBe(false);
    gate.enable({ received: () => 5, delivered: () => 5 });
    expect(gate.hold(timers)).toBe(false);
    expect(gate.heldCount).toBe(0);
  });

  it('releases in order, each once its mark is passed, and a throwing one does not stop the rest', () => {
    let received = 10;
    let delivered = 8;
    const gate = new TcpTimerGate();
    gate.enable({ received: () => received, delivered: () => delivered });
    const fired: string[] = [];
    expect(gate.hold({ fireHeld: () => fired.push('a') })).toBe(true);
    received = 12;
    expect(
      gate.hold({
        fireHeld: () => {
          fired.push('b');
          throw new Error('b failed');
        },
      }),
    ).toBe(true);
    expect(gate.hold({ fireHeld: () => fired.push('c') })).toBe(true);
    const errors: unknown[] = [];
    delivered = 11;
    gate.release((e) => errors.push(e));
    expect(fired).toEqual(['a']);
    delivered = 12;
    gate.release((e) => errors.push(e));
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(errors).toHaveLength(1);
    expect(gate.heldCount).toBe(3);
  });
});
