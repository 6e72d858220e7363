/**
 * V8 shape stability of the per-connection records (src/transport/settled-fields.ts): a record made with
 * small sequence numbers and one that then holds sequence numbers and timestamps above 2^31 keep one map.
 * Sequence numbers are held signed (seq.ts), so Smis either way; timestamps and clock times above 2^31 are
 * doubles, not Smis. Without settled fields the second record changes the fields' representation, which
 * deprecates the first one's map and throws away the optimised code built on it (slow early downloads).
 * Checked with V8's %HaveSameMap (natives syntax, switched on for this process).
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { CubicCongestionController } from '../../../src/transport/congestion/cubic-congestion-controller.js';
import { settleFields } from '../../../src/transport/settled-fields.js';
import {
  type TcpBatchOwner,
  TcpSegmentBatcher,
} from '../../../src/transport/tcp/batching/tcp-segment-batcher.js';
import { ConnectionCounterTotals } from '../../../src/transport/tcp/connection/connection-counter-totals.js';
import {
  addConnectionCounters,
  CONNECTION_COUNTERS,
  newConnectionCounters,
} from '../../../src/transport/tcp/connection/tcp-connection-types.js';
import { TcpControlBlock } from '../../../src/transport/tcp/connection/tcp-control-block.js';
import { LossRecovery } from '../../../src/transport/tcp/recovery/loss-recovery.js';
import { RackLossDetector } from '../../../src/transport/tcp/recovery/rack-loss-detector.js';
import { SackRecovery } from '../../../src/transport/tcp/recovery/sack-recovery.js';
import { TailLossProbe } from '../../../src/transport/tcp/recovery/tail-loss-probe.js';
import { SendBuffer } from '../../../src/transport/tcp/send/send-buffer.js';
import { PureAckParser } from '../../../src/transport/tcp/wire/pure-ack-parser.js';
import { seq, seqToUnsigned } from '../../../src/transport/tcp/wire/seq.js';
import {
  encodeTcpSegment,
  isTcpParseError,
  NO_TCP_OPTIONS,
  parseTcpSegment,
  TcpFlags,
  type TcpSegment,
} from '../../../src/transport/tcp/wire/tcp-header.js';
import { SegmentingLink } from '../../helpers/segmenting-link.js';

setFlagsFromString('--allow-natives-syntax');
// The only way to reach V8's natives syntax from a test: a function compiled after the flag is set.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: object, b: object) => boolean;
const hasObjectElements = new Function('a', 'return %HasObjectElements(a);') as (a: unknown[]) => boolean;

const A = parseIpv4('10.9.0.1');
const B = parseIpv4('10.9.0.2');
const BIG = 2 ** 31;

function controlBlock(iss: number, tsOffset: number): TcpControlBlock {
  return new TcpControlBlock(
    {
      localAddress: A,
      localPort: 80,
      remoteAddress: B,
      remotePort: 40_000,
      iss: seq(iss),
      tsOffset,
      mtu: 65_000,
    },
    7,
  );
}

describe('records that hold sequence numbers keep one map when those pass 2^31', () => {
  it('the natives-syntax probe tells maps apart (this test can fail)', () => {
    class Plain {
      n = 0;
      constructor(n: number) {
        this.n = n;
      }
    }
    const small = new Plain(1);
    expect(haveSameMap(small, new Plain(2))).toBe(true);
    expect(haveSameMap(small, new Plain(BIG + 1))).toBe(false);
  });

  it('TcpControlBlock', () => {
    const small = controlBlock(1000, 0);
    small.rcvNxt = seq(5001);
    const big = controlBlock(BIG + 1000, BIG + 3);
    big.irs = seq(2 ** 32 - 10);
    big.rcvNxt = seq(2 ** 32 - 9);
    big.rcvAdvEdge = seq(BIG + 70_000);
    big.lastAckSent = seq(2 ** 32 - 9);
    big.sndWl1 = seq(2 ** 32 - 9);
    big.sndWl2 = seq(BIG + 1001);
    big.tsRecent = BIG + 11;
    big.tsRecentAt = 1234.5;
    big.finSeq = seq(BIG + 5000);
    expect(haveSameMap(small, big)).toBe(true);
  });

  it('CubicCongestionController, once a congestion avoidance stage has begun', () => {
    const fresh = new CubicCongestionController(1448);
    const used = new CubicCongestionController(1448);
    for (let i = 0; i < 10; i++) used.onAck(1448, 10 + i, 30 * 1448, 1.25);
    used.onFastRetransmit(used.cwnd);
    used.onRecoveryExit();
    used.onAck(1448, 40.5, 30 * 1448, 1.5);
    expect(used.k).toBeGreaterThan(0);
    expect(haveSameMap(fresh, used)).toBe(true);
  });

  it('RackLossDetector, SackRecovery, LossRecovery, TailLossProbe', () => {
    const counts = newConnectionCounters();
    const rack = new RackLossDetector(seq(5));
    rack.beginAck(10, 7);
    const sack = new SackRecovery(seq(5), counts);
    const loss = new LossRecovery(controlBlock(5, 0), counts);
    const tlp = new TailLossProbe();
    tlp.sent(seq(500), false);

    const rackBig = new RackLossDetector(seq(BIG + 5));
    rackBig.beginAck(10.25, BIG + 7);
    const tlpBig = new TailLossProbe();
    tlpBig.sent(seq(BIG + 500), true);
    expect(haveSameMap(rack, rackBig)).toBe(true);
    expect(haveSameMap(sack, new SackRecovery(seq(BIG + 5), counts))).toBe(true);
    expect(haveSameMap(loss, new LossRecovery(controlBlock(BIG + 5, 0), counts))).toBe(true);
    expect(haveSameMap(tlp, tlpBig)).toBe(true);
  });

  it('TcpSegmentBatcher', () => {
    const [link] = MemoryLink.pair(65_000);
    const ip = new Ipv4Layer(
      new SegmentingLink(link, 65_535),
      new VirtualClock(),
      silentLoggers().for('ip'),
      {
        address: A,
        initialId: 1,
      },
    );
    const owner: TcpBatchOwner = { fillBatchedPayload: () => true };
    const small = new TcpSegmentBatcher(ip);
    small.start(owner, A, B, seq(5), TcpFlags.ACK, 77, 500, 7, 9, 32, 100);
    const big = new TcpSegmentBatcher(ip);
    big.start(
      owner,
      A,
      B,
      seq(BIG + 5),
      TcpFlags.ACK,
      seq(BIG + 77) as number,
      500,
      BIG + 7,
      BIG + 9,
      32,
      100,
    );
    expect(haveSameMap(small, big)).toBe(true);
  });

  it("parsed segments: the pure-ACK parser's and parseTcpSegment's, and their timestamps", () => {
    const ack = (s: number, a: number, ts: number): Uint8Array => {
      const seg: TcpSegment = {
        srcPort: 40_000,
        dstPort: 80,
        seq: seq(s),
        ack: seq(a),
        flags: TcpFlags.ACK,
        window: 500,
        urgentPointer: 0,
        options: { timestamp: { value: ts, echo: ts + 1 } },
        payload: new Uint8Array(0),
      };
      return encodeTcpSegment(seg, B, A);
    };
    const parse = (bytes: Uint8Array): TcpSegment => {
      const seg = parseTcpSegment(bytes, B, A);
      if (isTcpParseError(seg)) throw new Error(seg);
      return seg;
    };
    const parser = new PureAckParser();
    expect(parser.parse(ack(5, 7, 9), B, A)).toBe(true);
    const small = parse(ack(5, 7, 9));
    const big = parse(ack(BIG + 5, 2 ** 32 - 7, BIG + 9));
    expect(seqToUnsigned(big.seq)).toBe(BIG + 5);
    expect(haveSameMap(small, big)).toBe(true);
    expect(haveSameMap(small.options.timestamp!, big.options.timestamp!)).toBe(true);
    expect(parser.parse(ack(BIG + 5, 2 ** 32 - 7, BIG + 9), B, A)).toBe(true);
    expect(haveSameMap(parser.segment, small)).toBe(true);
  });

  it("every parsed segment's options have one map, whichever options came and in whatever order", () => {
    const withOptions = (
      options: TcpSegment['options'],
      flags: number = TcpFlags.ACK,
      payload = 3,
    ): Uint8Array =>
      encodeTcpSegment(
        {
          srcPort: 40_000,
          dstPort: 80,
          seq: seq(1),
          ack: seq(2),
          flags,
          window: 500,
          urgentPointer: 0,
          options,
          payload: new Uint8Array(payload),
        },
        B,
        A,
      );
    const optionsOf = (bytes: Uint8Array): object => {
      const seg = parseTcpSegment(bytes, B, A);
      if (isTcpParseError(seg)) throw new Error(seg);
      return seg.options;
    };
    const timestamp = { value: BIG + 9, echo: 3 };
    const sack = [{ left: seq(100), right: seq(BIG + 200) }];
    const maps = [
      optionsOf(withOptions({ timestamp: { value: 9, echo: 3 } })),
      optionsOf(withOptions({ timestamp, sack })),
      optionsOf(withOptions({ sack })),
      optionsOf(withOptions({ mss: 1460, windowScale: 7, sackPermitted: true, timestamp }, TcpFlags.SYN)),
      optionsOf(withOptions({ mss: 536 }, TcpFlags.SYN)),
    ];
    const parser = new PureAckParser();
    expect(parser.parse(withOptions({ timestamp }, TcpFlags.ACK, 0), B, A)).toBe(true);
    maps.push(parser.segment.options);
    expect(parser.parse(withOptions({}, TcpFlags.ACK, 0), B, A)).toBe(true);
    expect(parser.segment.options).toBe(NO_TCP_OPTIONS);
    maps.push(NO_TCP_OPTIONS, optionsOf(withOptions({})));
    for (const options of maps) expect(haveSameMap(options, maps[0]!)).toBe(true);
    // The probe itself: an object literal of the same keys is another map.
    expect(haveSameMap({ timestamp }, maps[0]!)).toBe(false);
  });
});

describe("the send queue's chunk list", () => {
  it('holds objects from the start: its first chunk does not change its map', () => {
    const queue = new SendBuffer(1000);
    const chunks = () => (queue as unknown as { chunks: Uint8Array[] }).chunks;
    expect(chunks()).toHaveLength(0);
    expect(hasObjectElements(chunks())).toBe(true);
    queue.push(new Uint8Array(10));
    queue.acknowledge(10);
    expect(hasObjectElements(chunks())).toBe(true);
  });
});

describe('settleFields', () => {
  it('keeps every value as it was', () => {
    const o = { a: 5, b: true, c: BIG + 1, d: 'x', e: [1] };
    const e = o.e;
    settleFields(o, ['a', 'c'], ['b', 'd', 'e']);
    expect(o).toEqual({ a: 5, b: true, c: BIG + 1, d: 'x', e: [1] });
    expect(o.e).toBe(e);
  });

  it("settles a class's map on its first object and returns at once for the later ones (same lists)", () => {
    class Record {
      n = 0;
      flag = false;
    }
    const DOUBLES = ['n'];
    const MUTABLE = ['flag'];
    const first = new Record();
    settleFields(first, DOUBLES, MUTABLE);
    // A later object, through a proxy that counts what settleFields reads and writes: nothing.
    let touched = 0;
    const counting: ProxyHandler<Record> = {
      get: (t, k, r) => {
        touched++;
        return Reflect.get(t, k, r);
      },
      set: (t, k, v, r) => {
        touched++;
        return Reflect.set(t, k, v, r);
      },
    };
    settleFields(new Proxy(new Record(), counting), DOUBLES, MUTABLE);
    expect(touched).toBe(0);
    // Other lists (here equal, but other arrays) are walked: the skip is per list and class.
    settleFields(new Proxy(new Record(), counting), ['n'], ['flag']);
    expect(touched).toBeGreaterThan(0);
    // And the later objects, never walked, have the settled map: a double and a Smi keep it.
    const later = new Record();
    later.n = BIG + 0.5;
    expect(haveSameMap(first, later)).toBe(true);
    expect(haveSameMap(first, new Record())).toBe(true);
  });

  it('refuses a name that is not a field, or not a number field among the doubles (it would add a field)', () => {
    const o = { a: 5, d: 'x' };
    expect(() => settleFields(o, ['b'])).toThrow(/b is not a number field/);
    expect(() => settleFields(o, ['d'])).toThrow(TypeError);
    expect(() => settleFields(o, [], ['c'])).toThrow(/c is not a field/);
    expect(Object.keys(o)).toEqual(['a', 'd']);
  });
});

describe("a connection's counters", () => {
  it("keep their map when the layer's sums of closed connections pass 2^31", () => {
    const before = newConnectionCounters();
    const totals = new ConnectionCounterTotals();
    const closed = newConnectionCounters();
    // Below 2^30: a small integer in a connection's counters whether or not V8 compresses pointers.
    closed.bytesSent = 2 ** 30 - 1;
    closed.bytesAcked = 2 ** 30 - 1;
    for (let i = 0; i < 4; i++) addConnectionCounters(totals, closed);
    expect(totals.bytesSent).toBe(2 ** 32 - 4);
    const after = newConnectionCounters();
    expect(haveSameMap(before, after)).toBe(true);
    expect(haveSameMap(before, closed)).toBe(true);
    // The probe: the same sums in a connection's own counters do change its map, for the rest of this file's
    // process: so this block comes last in the file, and the test after this one reads only keys.
    const grown = newConnectionCounters();
    for (let i = 0; i < 4; i++) addConnectionCounters(grown, closed);
    expect(haveSameMap(grown, after)).toBe(false);
  });

  it('the sums have exactly the counters, in order', () => {
    expect(Object.keys(new ConnectionCounterTotals())).toEqual([...CONNECTION_COUNTERS]);
    expect(Object.keys(newConnectionCounters())).toEqual([...CONNECTION_COUNTERS]);
  });
});
