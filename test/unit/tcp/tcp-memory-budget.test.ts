/**
 * The stack-wide TCP memory budget (Linux tcp_mem): charging and uncharging, the three thresholds with
 * their hysteresis, the per-buffer limits (capacity, fair share under pressure, minimum past `high`), and
 * the send and receive buffers charging it and obeying it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiveBuffer, ReceiveResult } from '../../../src/transport/tcp/receive/receive-buffer.js';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';
import { DEFAULT_TCP_CONFIG, resolveTcpConfig } from '../../../src/transport/tcp/tcp-config.js';
import { TcpMemoryBudget } from '../../../src/transport/tcp/tcp-memory-budget.js';

const LIMITS = { low: 600, pressure: 800, high: 1200 };

describe('TcpMemoryBudget', () => {
  it('counts bytes charged and uncharged, and the peak', () => {
    const m = new TcpMemoryBudget(LIMITS);
    m.update(0, 100);
    m.update(0, 50);
    m.update(100, 30);
    expect(m.bytes).toBe(80);
    m.update(30, 0);
    m.update(50, 0);
    expect(m.stats()).toMatchObject({ memoryBytes: 0, memoryPeakBytes: 150, memoryPressure: 0 });
  });

  it('enters pressure above `pressure` and leaves it only below `low` (hysteresis)', () => {
    const m = new TcpMemoryBudget(LIMITS);
    m.update(0, 800);
    expect(m.inPressure).toBe(false); // at the threshold, not above it
    m.update(800, 801);
    expect(m.inPressure).toBe(true);
    m.update(801, 700);
    expect(m.inPressure).toBe(true); // between low and pressure: still under pressure
    m.update(700, 600);
    expect(m.inPressure).toBe(true);
    m.update(600, 599);
    expect(m.inPressure).toBe(false);
    m.update(599, 750);
    expect(m.inPressure).toBe(false); // between low and pressure again, from below: no pressure
    m.update(750, 900);
    expect(m.stats()).toMatchObject({ memoryPressure: 1, memoryPressureEntered: 2 });
  });

  it('gives every buffer its capacity without pressure', () => {
    const m = new TcpMemoryBudget(LIMITS);
    m.update(0, 700);
    expect(m.limit(5000, 100)).toBe(5000);
  });

  it('under pressure limits a buffer to its fair share of `high`, never below its minimum', () => {
    const m = new TcpMemoryBudget(LIMITS);
    // Three buffers hold data: 1200 / 3 = 400 each.
    m.update(0, 500);
    m.update(0, 200);
    m.update(0, 150);
    expect(m.inPressure).toBe(true);
    expect(m.limit(5000, 100)).toBe(400);
    expect(m.limit(300, 100)).toBe(300); // a buffer smaller than its share keeps its capacity
    expect(m.limit(5000, 450)).toBe(450); // the minimum wins over the share
    expect(m.limit(200, 450)).toBe(200); // but never above the capacity
  });

  it('past `high` holds every buffer to its minimum', () => {
    const m = new TcpMemoryBudget(LIMITS);
    m.update(0, 1200);
    expect(m.limit(5000, 100)).toBe(100);
    expect(m.limit(50, 100)).toBe(50);
    m.update(1200, 1199);
    expect(m.limit(5000, 100)).toBe(1200); // one holder, below `high`: its share is all of `high`
  });

  it('refuses limits out of order', () => {
    expect(() => new TcpMemoryBudget({ low: 10, pressure: 5, high: 20 })).toThrow(RangeError);
    expect(() => new TcpMemoryBudget({ low: 10, pressure: 20, high: 15 })).toThrow(RangeError);
    expect(() => new TcpMemoryBudget({ low: 0, pressure: 20, high: 30 })).toThrow(RangeError);
    expect(() => resolveTcpConfig({ memoryLow: 10, memoryPressure: 5 })).toThrow(/ordered/);
    expect(() => resolveTcpConfig({ sendBufferMin: 0 })).toThrow(/sendBufferMin/);
  });

  it('defaults: Linux proportions 3 : 4 : 6, and one connection at full buffers stays below `low`', () => {
    const c = DEFAULT_TCP_CONFIG;
    expect(c.memoryLow * 4).toBe(c.memoryPressure * 3);
    expect(c.memoryHigh * 4).toBe(c.memoryPressure * 6);
    expect(c.sendBufferSize + c.receiveBufferSize).toBeLessThan(c.memoryLow);
  });

  it('charged bytes always equal what the buffers hold, and return to 0 (any sequence of operations)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), who: fc.nat(3), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('ack' as const), who: fc.nat(3), n: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('clear' as const), who: fc.nat(3), n: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) => {
        const m = new TcpMemoryBudget(LIMITS);
        const buffers = [0, 1, 2, 3].map(() => new SendBuffer(1000, m, 50));
        for (const { kind, who, n } of ops) {
          const b = buffers[who]!;
          if (kind === 'push') b.push(new Uint8Array(n));
          else if (kind === 'ack') b.acknowledge(Math.min(n, b.size));
          else b.clear();
          expect(m.bytes).toBe(buffers.reduce((sum, x) => sum + x.size, 0));
        }
        for (const b of buffers) b.clear();
        expect(m.bytes).toBe(0);
        // With nothing held, no pressure is left behind.
        expect(m.inPressure).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SendBuffer under a memory budget', () => {
  it('tells the writer to wait at the budget limit, counted, and lets it go on once ACKs make room', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const other = new SendBuffer(10_000, m, 100);
    other.push(new Uint8Array(700));
    const b = new SendBuffer(10_000, m, 100);
    b.push(new Uint8Array(200)); // 900 charged: pressure; two holders, a share of 600 each
    expect(m.inPressure).toBe(true);
    expect(b.limit).toBe(600);
    expect(b.mustWait()).toBe(false);
    b.push(new Uint8Array(450));
    expect(b.free).toBe(0);
    expect(b.mustWait()).toBe(true);
    expect(m.stats().memorySendHeld).toBe(1);
    // ACKs that leave it at the limit do not wake the writer; one below does, once.
    b.acknowledge(50);
    expect(b.writerMayResume()).toBe(false);
    b.acknowledge(200);
    expect(b.writerMayResume()).toBe(true);
    expect(b.writerMayResume()).toBe(false);
  });

  it('wakes a waiting writer even when the limit grew back before the ACK (pressure ended meanwhile)', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const other = new SendBuffer(10_000, m, 100);
    other.push(new Uint8Array(1100));
    const b = new SendBuffer(10_000, m, 100);
    b.push(new Uint8Array(200)); // 1300 > high: held to the minimum
    expect(b.mustWait()).toBe(true);
    other.clear(); // pressure ends: b's limit is its capacity again, so it is no longer "full"
    expect(m.inPressure).toBe(false);
    expect(b.full).toBe(false);
    b.acknowledge(10);
    // Comparing "full before" with "full after" the ACK would never wake this writer.
    expect(b.writerMayResume()).toBe(true);
  });

  it('past `high` a writer waits at its minimum, and a buffer below its minimum always has room', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const hog = new SendBuffer(10_000, m, 100);
    hog.push(new Uint8Array(2000));
    const b = new SendBuffer(10_000, m, 100);
    b.push(new Uint8Array(99));
    expect(b.mustWait()).toBe(false);
    b.push(new Uint8Array(1));
    expect(b.mustWait()).toBe(true);
    // A writer that waits for its own capacity is not counted as held by the budget.
    const small = new SendBuffer(50, m, 100);
    small.push(new Uint8Array(60));
    expect(small.mustWait()).toBe(true);
    expect(m.stats().memorySendHeld).toBe(1);
  });
});

describe('ReceiveBuffer under a memory budget', () => {
  it('a reset keeps the in-order data charged and gives the out-of-order ranges back (clearOutOfOrder)', () => {
    const m = new TcpMemoryBudget({ low: 60_000, pressure: 80_000, high: 120_000 });
    const b = new ReceiveBuffer(10_000, 8, 10_000, m);
    expect(b.insert(0, new Uint8Array(300))).toBe(ReceiveResult.IN_ORDER);
    expect(b.insert(500, new Uint8Array(200))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(b.insert(900, new Uint8Array(100))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(m.bytes).toBe(600);
    b.clearOutOfOrder();
    expect(b.queued).toBe(300);
    expect(b.outOfOrderBytes).toBe(0);
    expect(b.outOfOrderRanges).toBe(0);
    expect(m.bytes).toBe(300);
    b.clearOutOfOrder(); // nothing out of order: no change
    expect(m.bytes).toBe(300);
    expect(b.read()?.length).toBe(300);
    expect(m.bytes).toBe(0);
  });

  it('charges in-order and out-of-order bytes, uncharges what is read, and clears to 0', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const b = new ReceiveBuffer(1000, 8, 1000, m, 100);
    expect(b.insert(0, new Uint8Array(100))).toBe(ReceiveResult.IN_ORDER);
    expect(b.insert(200, new Uint8Array(50))).toBe(ReceiveResult.OUT_OF_ORDER);
    expect(m.bytes).toBe(150);
    expect(b.insert(100, new Uint8Array(100))).toBe(ReceiveResult.IN_ORDER); // fills the hole
    expect(m.bytes).toBe(250);
    expect(b.insert(0, new Uint8Array(250))).toBe(ReceiveResult.DUPLICATE);
    expect(m.bytes).toBe(250);
    b.read();
    expect(m.bytes).toBe(b.queued);
    b.insert(400, new Uint8Array(10));
    b.clear();
    expect(m.bytes).toBe(0);
  });

  it('offers a smaller window under pressure (never below the minimum) and counts the clamp', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const b = new ReceiveBuffer(1000, 8, 1000, m, 100);
    b.insert(0, new Uint8Array(100));
    expect(b.windowSpace()).toBe(900);
    expect(m.stats().memoryWindowClamped).toBe(0);
    const hog = new SendBuffer(10_000, m, 100);
    hog.push(new Uint8Array(1150)); // 1250 > high: every buffer held to its minimum
    expect(b.free).toBe(0);
    expect(b.windowSpace()).toBe(0);
    hog.acknowledge(500); // 750, still under pressure: shares of 1200 / 2 = 600
    expect(b.free).toBe(500);
    expect(b.windowSpace()).toBe(500);
    expect(m.stats().memoryWindowClamped).toBe(2);
    hog.clear();
    expect(b.windowSpace()).toBe(900);
    expect(m.stats().memoryWindowClamped).toBe(2);
  });

  it('past `high`, a buffer holding its minimum drops new bytes (unacknowledged); the next expected still go in below it', () => {
    const m = new TcpMemoryBudget(LIMITS);
    const b = new ReceiveBuffer(1000, 8, 1000, m, 100);
    const hog = new SendBuffer(10_000, m, 100);
    hog.push(new Uint8Array(1150)); // past high
    expect(b.insert(0, new Uint8Array(60))).toBe(ReceiveResult.IN_ORDER); // under its minimum: taken
    expect(b.insert(60, new Uint8Array(60))).toBe(ReceiveResult.IN_ORDER); // 60 < 100 queued: taken
    expect(b.insert(120, new Uint8Array(60))).toBe(ReceiveResult.NO_MEMORY); // holds 120 ≥ 100
    expect(b.insert(300, new Uint8Array(60))).toBe(ReceiveResult.NO_MEMORY); // out of order, likewise
    expect(b.insert(0, new Uint8Array(100))).toBe(ReceiveResult.DUPLICATE); // nothing new: not a drop
    expect(m.bytes).toBe(1150 + 120);
    b.read(); // the application reads: below its minimum again
    expect(b.insert(120, new Uint8Array(60))).toBe(ReceiveResult.IN_ORDER);
    hog.clear(); // below high: windows already promised may be filled again
    expect(b.insert(180, new Uint8Array(500))).toBe(ReceiveResult.IN_ORDER);
  });
});
