/**
 * pilha as a SACK receiver, segment by segment on a VirtualClock: the negotiation (RFC 2018 §2), the
 * blocks of RFC 2018 §5's examples (most recent first), and the D-SACK blocks of RFC 2883 §4's examples.
 * Every ACK is parsed back from the wire and its SACK option compared block by block.
 *
 * The RFCs number bytes from 3000 or 5000; each example runs twice, once as written and once shifted so
 * that the sequence numbers wrap past 2^32 in the middle of it.
 */
import { describe, expect, it } from 'vitest';
import { seq } from '../../../src/transport/tcp/wire/seq.js';
import type { TcpOptions, TcpSegment } from '../../../src/transport/tcp/wire/tcp-header.js';
import {
  ACK,
  bytes,
  expectSegment,
  type HarnessOptions,
  ISS,
  PLAIN_SYN,
  Recorder,
  SYN,
  TcpHarness,
} from './tcp-harness.js';

const SACK_SYN: TcpOptions = { mss: 1460, sackPermitted: true };
const SHIFTS = [0, 2 ** 32 - 4250];

/** A passively opened connection whose first data byte is RFC byte `first`, sequence numbers offset by `shift`. */
class SackPeer {
  readonly h: TcpHarness;
  readonly rec: Recorder;
  readonly synAck: TcpSegment;
  private tsValue = 100;

  constructor(
    first: number,
    readonly shift: number,
    synOptions: TcpOptions = SACK_SYN,
    options: HarnessOptions = {},
  ) {
    // A link MTU that lets the RFCs' 1500-byte segments through.
    this.h = new TcpHarness({ mtu: 4000, ...options });
    this.h.listen();
    this.h.send({ flags: SYN, seq: this.wire(first - 1), options: synOptions });
    this.synAck = this.h.recv();
    this.h.send({ flags: ACK, seq: this.wire(first), ack: ISS + 1, options: this.options() });
    this.h.recvNothing();
    this.rec = new Recorder(this.h.accepted[0]!);
  }

  wire(rfcSeq: number): number {
    return (rfcSeq + this.shift) >>> 0;
  }

  rfc(wireSeq: number): number {
    return (wireSeq - this.shift) >>> 0;
  }

  private options(): TcpOptions | undefined {
    if (this.synAck.options.timestamp === undefined) return undefined;
    return { timestamp: { value: this.tsValue++, echo: this.synAck.options.timestamp.value } };
  }

  /** The segment [from, to) in RFC numbers, with data bytes that are a function of their position. */
  data(from: number, to: number): void {
    const options = this.options();
    this.h.send({
      flags: ACK,
      seq: this.wire(from),
      ack: ISS + 1,
      payload: bytes(to - from, from),
      ...(options !== undefined ? { options } : {}),
    });
  }

  /** The next ACK as the RFCs write it: `ack` or `ack, SACK=l-r, l-r`. */
  ack(): string {
    const seg = this.h.recv();
    expectSegment(seg, { flags: 'ACK', seq: ISS + 1, payload: 0 });
    const sack = seg.options.sack;
    const acked = `${this.rfc(seg.ack)}`;
    if (sack === undefined) return acked;
    return `${acked}, SACK=${sack.map((b) => `${this.rfc(b.left)}-${this.rfc(b.right)}`).join(', ')}`;
  }

  /** The delayed ACK of in-order data. */
  delayedAck(): string {
    this.h.recvNothing();
    this.h.advance(40);
    return this.ack();
  }
}

describe.each(SHIFTS)('RFC 2018 §5 examples (sequence numbers shifted by %d)', (shift) => {
  it('case 2: the first segment is dropped, the other seven arrive', () => {
    const p = new SackPeer(5000, shift);
    const acks: string[] = [];
    for (let s = 5500; s < 9000; s += 500) {
      p.data(s, s + 500);
      acks.push(p.ack());
    }
    expect(acks).toEqual([
      '5000, SACK=5500-6000',
      '5000, SACK=5500-6500',
      '5000, SACK=5500-7000',
      '5000, SACK=5500-7500',
      '5000, SACK=5500-8000',
      '5000, SACK=5500-8500',
      '5000, SACK=5500-9000',
    ]);
    // The hole filled: everything acknowledged, no SACK option any more.
    p.data(5000, 5500);
    expect(p.ack()).toBe('9000');
    expect(Buffer.from(p.rec.received)).toEqual(Buffer.from(bytes(4000, 5000)));
  });

  it('case 3: the 2nd, 4th, 6th and 8th segments are dropped; then the 4th and the 2nd arrive', () => {
    const p = new SackPeer(5000, shift);
    p.data(5000, 5500);
    expect(p.delayedAck()).toBe('5500');
    p.data(6000, 6500);
    expect(p.ack()).toBe('5500, SACK=6000-6500');
    p.data(7000, 7500);
    expect(p.ack()).toBe('5500, SACK=7000-7500, 6000-6500');
    p.data(8000, 8500);
    expect(p.ack()).toBe('5500, SACK=8000-8500, 7000-7500, 6000-6500');
    p.data(6500, 7000);
    expect(p.ack()).toBe('5500, SACK=6000-7500, 8000-8500');
    p.data(5500, 6000);
    expect(p.ack()).toBe('7500, SACK=8000-8500');
  });
});

describe('how many blocks fit', () => {
  it('four without timestamps, three beside them; the newest first, then the last reported', () => {
    for (const [options, max] of [
      [SACK_SYN, 4],
      [{ ...SACK_SYN, timestamp: { value: 1, echo: 0 } }, 3],
    ] as const) {
      const p = new SackPeer(1000, 0, options);
      expect(p.synAck.options.sackPermitted).toBe(true);
      // Five holes: 1000-1100 missing, then every other 100 bytes.
      const blocks: string[] = [];
      for (let s = 1100; s < 2100; s += 200) {
        p.data(s, s + 100);
        blocks.unshift(`${s}-${s + 100}`);
        expect(p.ack()).toBe(`1000, SACK=${blocks.slice(0, max).join(', ')}`);
      }
      // Fill the gap between the two oldest blocks: their merged block comes first, then the others newest first.
      p.data(1200, 1300);
      expect(p.ack()).toBe(
        `1000, SACK=${['1100-1400', '1900-2000', '1700-1800', '1500-1600'].slice(0, max).join(', ')}`,
      );
    }
  });

  it('a block pushed out of the list is reported again when there is room', () => {
    const p = new SackPeer(1000, 0);
    for (let s = 1100; s < 2100; s += 200) {
      p.data(s, s + 100);
      p.ack();
    }
    // The list holds 1900, 1700, 1500, 1300; 1100-1200 fell out. The hole below 1100 fills:
    p.data(1000, 1100);
    expect(p.ack()).toBe('1200, SACK=1900-2000, 1700-1800, 1500-1600, 1300-1400');
    p.data(1200, 1300);
    expect(p.ack()).toBe('1400, SACK=1900-2000, 1700-1800, 1500-1600');
  });
});

describe.each(SHIFTS)('RFC 2883 §4 D-SACK examples (sequence numbers shifted by %d)', (shift) => {
  it('example 1: a duplicate segment below the cumulative ACK', () => {
    const p = new SackPeer(3000, shift);
    p.data(3000, 3500);
    p.data(3500, 4000);
    expect(p.delayedAck()).toBe('4000'); // the ACKs the example loses
    p.data(3000, 3500);
    expect(p.ack()).toBe('4000, SACK=3000-3500');
    // Reported once only.
    p.data(4000, 4500);
    p.h.advance(40);
    expect(p.ack()).toBe('4500');
  });

  it('example 2: an out-of-order segment, then a duplicate segment', () => {
    const p = new SackPeer(3000, shift);
    p.data(3000, 3500);
    p.data(3500, 4000);
    expect(p.delayedAck()).toBe('4000');
    p.data(4500, 5000);
    expect(p.ack()).toBe('4000, SACK=4500-5000');
    p.data(3000, 3500);
    expect(p.ack()).toBe('4000, SACK=3000-3500, 4500-5000');
  });

  it('example 3: a duplicate of an out-of-order segment', () => {
    const p = new SackPeer(3500, shift);
    p.data(3500, 4000);
    expect(p.delayedAck()).toBe('4000');
    p.data(4500, 5000);
    expect(p.ack()).toBe('4000, SACK=4500-5000');
    p.data(5000, 5500);
    expect(p.ack()).toBe('4000, SACK=4500-5500');
    p.data(5000, 5500);
    expect(p.ack()).toBe('4000, SACK=5000-5500, 4500-5500');
    p.data(5500, 6000);
    expect(p.ack()).toBe('4000, SACK=4500-6000');
  });

  it('example 4: a single duplicate subsegment', () => {
    const p = new SackPeer(500, shift);
    p.data(500, 1000);
    expect(p.delayedAck()).toBe('1000');
    p.data(2000, 2500);
    expect(p.ack()).toBe('1000, SACK=2000-2500');
    p.data(1000, 1500);
    expect(p.ack()).toBe('1500, SACK=2000-2500');
    p.data(1000, 2000);
    expect(p.ack()).toBe('2500, SACK=1000-1500');
    expect(Buffer.from(p.rec.received)).toEqual(Buffer.from(bytes(2000, 500)));
  });

  it('example 5: two non-contiguous duplicate subsegments covered by the cumulative ACK', () => {
    const p = new SackPeer(500, shift);
    p.data(500, 1000);
    expect(p.delayedAck()).toBe('1000');
    p.data(3000, 3500);
    expect(p.ack()).toBe('1000, SACK=3000-3500');
    p.data(1000, 1500);
    expect(p.ack()).toBe('1500, SACK=3000-3500');
    p.data(2000, 2500);
    expect(p.ack()).toBe('1500, SACK=2000-2500, 3000-3500');
    p.data(1000, 2500);
    expect(p.ack()).toBe('2500, SACK=1000-1500, 3000-3500');
  });

  it('a partial overlap with held data reports the overlap', () => {
    const p = new SackPeer(1000, shift);
    p.data(1500, 2000);
    expect(p.ack()).toBe('1000, SACK=1500-2000');
    p.data(1800, 2300);
    expect(p.ack()).toBe('1000, SACK=1800-2000, 1500-2300');
  });
});

describe('SACK negotiation (RFC 2018 §2)', () => {
  it('a peer that offers SACK gets SACK-permitted in the SYN-ACK', () => {
    const p = new SackPeer(1000, 0);
    expect(p.synAck.options).toEqual({ mss: 3960, sackPermitted: true });
    expect(p.rec.conn.stats().sack).toBe(true);
  });

  it('a peer without SACK gets no SACK-permitted and never a SACK option', () => {
    const p = new SackPeer(1000, 0, PLAIN_SYN);
    expect(p.synAck.options).toEqual({ mss: 3960 });
    expect(p.rec.conn.stats().sack).toBe(false);
    p.data(1500, 2000);
    expect(p.ack()).toBe('1000');
    p.data(1000, 1500);
    expect(p.ack()).toBe('2000');
    p.data(1000, 1500);
    expect(p.ack()).toBe('2000');
  });

  it('with sack off: no SACK-permitted in SYN or SYN-ACK, no SACK options', () => {
    const p = new SackPeer(1000, 0, SACK_SYN, { tcp: { sack: false } });
    expect(p.synAck.options).toEqual({ mss: 3960 });
    p.data(1500, 2000);
    expect(p.ack()).toBe('1000');
    const h = new TcpHarness({ tcp: { sack: false } });
    expect(h.synSent().syn.options.sackPermitted).toBeUndefined();
  });

  it('active open: SACK-permitted in our SYN, SACK blocks only if the SYN-ACK had it too', () => {
    for (const offered of [true, false]) {
      const h = new TcpHarness();
      const { rec, syn } = h.synSent();
      expect(syn.options.sackPermitted).toBe(true);
      h.send({ flags: SYN | ACK, seq: 4999, ack: ISS + 1, options: offered ? SACK_SYN : PLAIN_SYN });
      h.recv();
      expect(rec.conn.stats().sack).toBe(offered);
      h.send({ flags: ACK, seq: 5500, ack: ISS + 1, payload: bytes(100) });
      const ack = h.recv();
      expectSegment(ack, { flags: 'ACK', ack: 5000 });
      expect(ack.options.sack).toEqual(offered ? [{ left: seq(5500), right: seq(5600) }] : undefined);
    }
  });

  it('counts ACKs with SACK and D-SACK blocks', () => {
    const p = new SackPeer(3000, 0);
    p.data(3500, 4000);
    p.ack();
    p.data(3500, 4000);
    p.ack();
    expect(p.rec.conn.counters()).toMatchObject({ sackAcksSent: 2, dsacksSent: 1 });
  });
});
