/**
 * The fuzzing peer: a small TCP that tracks, per flow, its own sequence numbers and what it has seen of
 * the stack's, so that most of what it generates is in-window and reaches deep into the state machine
 * (pure random segments would nearly all stop at the sequence check). It opens connections, answers the
 * stack's active opens (or refuses them, or opens simultaneously), sends data (in order, past a hole,
 * retransmitted), ACKs lazily (duplicate and partial ACKs, windows that close and open), FINs, RSTs and
 * SYNs where they do not belong. It reads every segment the stack sends: the data must be the bytes the
 * application wrote at that offset, and never bytes it has not written.
 */

import { peerStreamByte, stackStreamByte, streamBytes } from '../byte-pattern.js';
import type { FuzzRandom } from '../fuzz-random.js';
import {
  ACK,
  buildTcpDatagram,
  FIN,
  PSH,
  RST,
  readTcpDatagram,
  SYN,
  seqDelta,
  type WireSegment,
} from '../fuzz-wire.js';

export type FlowPhase = 'syn-sent' | 'stack-syn' | 'open';

export interface PeerFlow {
  readonly key: number;
  readonly peerPort: number;
  readonly stackPort: number;
  phase: FlowPhase;
  /** The peer's ISS and the next new sequence number it would send (its SND.MAX). */
  iss: number;
  sndMax: number;
  finSent: boolean;
  /** The stack's ISS, once its SYN or SYN-ACK was seen. */
  stackIss: number | undefined;
  /**
   * ISSs of earlier SYN-ACKs on this flow that the stack may still have established instead of the latest:
   * a listener answering with SYN cookies keeps no state, so each SYN (a mangled or stray one too) gets its
   * own SYN-ACK, and the connection is the one whose cookie the peer's ACK returns (as Linux). The stack's
   * first segment after them says which; until then it may be any of these.
   */
  readonly pendingStackIss: number[];
  /** Next in-order sequence number expected from the stack. */
  rcvNxt: number;
  /** What the peer last acknowledged (it ACKs lazily, below rcvNxt). */
  acked: number;
  /** Highest ACK the stack sent: how far the stack has taken the peer's bytes. */
  stackAck: number;
  stackWindow: number;
  /** Window scale shifts in force (0 when not negotiated). */
  stackShift: number;
  peerShift: number;
  peerOfferedWs: boolean;
  peerOfferedTs: boolean;
  ts: boolean;
  tsRecent: number;
  stackFin: boolean;
  /** A mutated or foreign segment may have put other bytes into this flow: the stream checks stand down. */
  tainted: boolean;
  /** Recent clean datagrams, for replays. */
  readonly history: Uint8Array[];
}

/** Ports the stack listens on (allowHalfOpen off, on) and a closed one. */
export const STACK_PORTS = [80, 8080, 9999] as const;
/** Ports the peer "listens" on for the stack's active opens. */
export const PEER_LISTEN_PORTS = [5000, 5001, 5002] as const;
/** Peer ports for its own opens: fresh per flow, so no 4-tuple is reused while the stack may remember it. */
const PEER_PORT_MIN = 1024;
const PEER_PORT_SPAN = 18_000;
const HISTORY = 8;
/** Earlier SYN-ACK ISSs kept per flow (a mangled SYN now and then; a few are plenty). */
const PENDING_ISS_MAX = 4;

/** Bytes the application wrote on the connection of a flow (0 if no socket has it yet). */
export type WrittenLookup = (key: number) => number;

export class PeerModel {
  readonly flows = new Map<number, PeerFlow>();
  private nextPeerPort = 0;
  private ipId = 1;
  private tsClock = 1;
  /** Flows as an array for random picks, rebuilt when the map changes. */
  private list: PeerFlow[] = [];
  private listDirty = false;

  constructor(
    private readonly rng: FuzzRandom,
    readonly peerAddress: number,
    readonly stackAddress: number,
    private readonly maxFlows: number,
  ) {}

  static key(peerPort: number, stackPort: number): number {
    return peerPort * 65536 + stackPort;
  }

  get size(): number {
    return this.flows.size;
  }

  randomFlow(filter?: (f: PeerFlow) => boolean): PeerFlow | undefined {
    if (this.listDirty) {
      this.list = [...this.flows.values()];
      this.listDirty = false;
    }
    if (this.list.length === 0) return undefined;
    if (filter === undefined) return this.rng.pick(this.list);
    for (let tries = 0; tries < 4; tries++) {
      const f = this.rng.pick(this.list);
      if (filter(f)) return f;
    }
    return this.list.find(filter);
  }

  taint(key: number): void {
    const f = this.flows.get(key);
    if (f !== undefined) f.tainted = true;
  }

  isClean(key: number): boolean {
    const f = this.flows.get(key);
    return f !== undefined && !f.tainted;
  }

  // ─── What the stack sent ─────────────────────────────────────────────────────────────────────────

  /**
   * Learns from a datagram the stack sent (already checked to be well formed). Returns a violation of the
   * stream (wrong bytes, bytes never written), or undefined.
   */
  observe(d: Uint8Array, written: WrittenLookup): string | undefined {
    const s = readTcpDatagram(d);
    if (s === undefined || s.dst !== this.peerAddress) return undefined;
    const key = PeerModel.key(s.dstPort, s.srcPort);
    let f = this.flows.get(key);
    const flags = s.flags;
    if (flags & RST) {
      if (f !== undefined) this.remove(f);
      return undefined;
    }
    if (flags & SYN) {
      if (!(flags & ACK)) {
        // An active open by the stack, or a new one on this 4-tuple. The same SYN again (our answer was
        // lost, held back or mangled) keeps the flow: the answer may still arrive and be taken.
        if (f === undefined || (f.phase !== 'stack-syn' && f.stackIss !== s.seq)) {
          if (f !== undefined) this.remove(f);
          if (this.flows.size >= this.maxFlows * 2) return undefined;
          f = this.newFlow(s.dstPort, s.srcPort, 'stack-syn', this.rng.nextUint32());
        }
        f.stackIss = s.seq;
        f.rcvNxt = (s.seq + 1) >>> 0;
        f.acked = f.rcvNxt;
        f.stackShift = wsOption(s) ?? -1; // resolved when the peer answers
        f.tsRecent = tsValue(s) ?? 0;
        f.ts = tsValue(s) !== undefined;
        return undefined;
      }
      if (f === undefined) return undefined;
      if (f.stackIss !== s.seq) {
        const at = f.pendingStackIss.indexOf(s.seq);
        if (at >= 0) f.pendingStackIss.splice(at, 1);
        if (f.stackIss !== undefined) {
          if (f.pendingStackIss.length >= PENDING_ISS_MAX) f.pendingStackIss.shift();
          f.pendingStackIss.push(f.stackIss);
        }
        f.stackIss = s.seq;
        f.rcvNxt = (s.seq + 1) >>> 0;
        f.acked = f.rcvNxt;
      }
      const ws = wsOption(s);
      f.stackShift = f.peerOfferedWs && ws !== undefined ? Math.min(ws, 14) : 0;
      if (!(f.peerOfferedWs && ws !== undefined)) f.peerShift = 0;
      const ts = tsValue(s);
      f.ts = f.peerOfferedTs && ts !== undefined;
      if (ts !== undefined) f.tsRecent = ts;
      this.takeAck(f, s);
      f.stackWindow = s.window;
      return undefined;
    }
    if (f === undefined) return undefined;
    if (f.pendingStackIss.length > 0) this.settleStackIss(f, s.seq, written(key));
    if (flags & ACK) {
      this.takeAck(f, s);
      f.stackWindow = s.window << Math.max(0, f.stackShift);
    }
    const ts = tsValue(s);
    if (ts !== undefined) f.tsRecent = ts;
    if (f.stackIss === undefined) return undefined;
    const length = s.payload.length;
    const offset = seqDelta(s.seq, (f.stackIss + 1) >>> 0);
    if (length > 0) {
      if (offset < 0) return `stack sent ${length} bytes before its ISS+1 (offset ${offset})`;
      const limit = written(key);
      if (offset + length > limit) {
        return `stack sent bytes [${offset}, ${offset + length}) of a stream the application wrote ${limit} bytes of`;
      }
      for (let i = 0; i < length; i++) {
        if (s.payload[i] !== stackStreamByte(offset + i)) {
          return `stack sent a wrong byte at stream offset ${offset + i} (port ${s.srcPort} → ${s.dstPort})`;
        }
      }
    }
    // In-order reception only; what comes past a hole is dropped and will come again.
    const end = (s.seq + length) >>> 0;
    if (seqDelta(s.seq, f.rcvNxt) <= 0 && seqDelta(end, f.rcvNxt) > 0) f.rcvNxt = end;
    if (flags & FIN && end === f.rcvNxt && !f.stackFin) {
      f.stackFin = true;
      f.rcvNxt = (f.rcvNxt + 1) >>> 0;
    }
    return undefined;
  }

  /**
   * The stack's first segment after SYN-ACKs with different ISSs: its sequence number lies in the stream of
   * the connection it established (from ISS+1 to what the application wrote, and a FIN). The latest SYN-ACK
   * is taken if it fits, else the earlier one that fits; either way the others are forgotten, so that a
   * connection of another incarnation sending later is still caught.
   */
  private settleStackIss(f: PeerFlow, seq: number, written: number): void {
    const fits = (iss: number): boolean => {
      const offset = seqDelta(seq, (iss + 1) >>> 0);
      return offset >= 0 && offset <= written + 1;
    };
    if (f.stackIss === undefined || !fits(f.stackIss)) {
      const iss = f.pendingStackIss.find(fits);
      if (iss !== undefined) {
        f.stackIss = iss;
        f.rcvNxt = (iss + 1) >>> 0;
        f.acked = f.rcvNxt;
        f.stackFin = false;
      }
    }
    f.pendingStackIss.length = 0;
  }

  private takeAck(f: PeerFlow, s: WireSegment): void {
    if (seqDelta(s.ack, f.stackAck) > 0 && seqDelta(s.ack, this.nextSeq(f)) <= 0) f.stackAck = s.ack;
  }

  // ─── What the peer sends ─────────────────────────────────────────────────────────────────────────

  /** A SYN opening a new flow to `stackPort`. */
  open(stackPort: number): Uint8Array | undefined {
    if (this.flows.size >= this.maxFlows) return undefined;
    const peerPort = PEER_PORT_MIN + (this.nextPeerPort++ % PEER_PORT_SPAN);
    const old = this.flows.get(PeerModel.key(peerPort, stackPort));
    if (old !== undefined) this.remove(old);
    const f = this.newFlow(peerPort, stackPort, 'syn-sent', this.rng.nextUint32());
    return this.segment(f, f.iss, 0, SYN, 0, this.synOptions(f));
  }

  /** Answers the stack's SYN: SYN-ACK, RST, or a SYN of its own (simultaneous open). */
  answerSyn(f: PeerFlow, how: 'accept' | 'refuse' | 'simultaneous'): Uint8Array {
    if (how === 'refuse') {
      this.remove(f);
      return this.segment(f, 0, f.rcvNxt, RST | ACK, 0);
    }
    const stackWs = f.stackShift;
    const options = this.synOptions(f, stackWs >= 0, f.ts);
    f.stackShift = f.peerOfferedWs && stackWs >= 0 ? Math.min(stackWs, 14) : 0;
    if (!f.peerOfferedWs || stackWs < 0) f.peerShift = 0;
    f.ts = f.ts && f.peerOfferedTs;
    f.phase = 'open';
    if (how === 'simultaneous') return this.segment(f, f.iss, 0, SYN, 0, options);
    return this.segment(f, f.iss, f.rcvNxt, SYN | ACK, 0, options);
  }

  /** The third segment of the handshake (the peer's view of the flow becomes open). */
  completeHandshake(f: PeerFlow): Uint8Array {
    f.phase = 'open';
    f.acked = f.rcvNxt;
    return this.segment(f, this.nextSeq(f), f.acked, ACK, 0);
  }

  /** New data at SND.MAX (or past a hole), `length` bytes of the peer's stream. */
  data(f: PeerFlow, length: number, hole: number, fin: boolean): Uint8Array {
    const seq = (f.sndMax + hole) >>> 0;
    f.sndMax = (seq + length) >>> 0;
    let flags = ACK | (this.rng.chance(0.5) ? PSH : 0);
    if (fin) {
      flags |= FIN;
      f.finSent = true;
    }
    return this.segment(f, seq, f.acked, flags, length);
  }

  /** Data again from where the stack has taken it up to (a retransmission; the FIN too if reached). */
  retransmit(f: PeerFlow, length: number): Uint8Array {
    const from = seqDelta(f.stackAck, (f.iss + 1) >>> 0) >= 0 ? f.stackAck : (f.iss + 1) >>> 0;
    const available = Math.max(0, seqDelta(f.sndMax, from));
    const n = Math.min(length, available);
    const fin = f.finSent && n === available;
    return this.segment(f, from, f.acked, ACK | (fin ? FIN : 0), n);
  }

  /** A pure ACK: everything received, part of it, the same as before (duplicate), or more than was sent. */
  ack(f: PeerFlow, how: 'full' | 'partial' | 'duplicate' | 'beyond', window?: number): Uint8Array {
    if (how === 'full') f.acked = f.rcvNxt;
    else if (how === 'partial') {
      const gap = seqDelta(f.rcvNxt, f.acked);
      if (gap > 0) f.acked = (f.acked + this.rng.range(1, gap)) >>> 0;
    }
    const ack = how === 'beyond' ? (f.rcvNxt + this.rng.range(1, 100_000)) >>> 0 : f.acked;
    return this.segment(f, this.nextSeq(f), ack, ACK, 0, undefined, window);
  }

  /** A RST: at the exact next sequence number, elsewhere in the window, or anywhere. */
  reset(f: PeerFlow, where: 'exact' | 'in-window' | 'anywhere'): Uint8Array {
    const next = this.nextSeq(f);
    const seq =
      where === 'exact'
        ? next
        : where === 'in-window'
          ? (next + this.rng.range(1, 60_000)) >>> 0
          : this.rng.nextUint32();
    const flags = this.rng.chance(0.5) ? RST : RST | ACK;
    if (where === 'exact') this.remove(f);
    return this.segment(f, seq, f.acked, flags, 0);
  }

  /** A SYN on a synchronized flow (RFC 5961 §4: a challenge ACK is the answer). */
  stray(f: PeerFlow): Uint8Array {
    const seq = this.rng.chance(0.5) ? f.iss : this.rng.near32(this.nextSeq(f), 70_000);
    // A stack still in SYN-SENT rightly takes another ISN from it: the flow's stream offsets are void.
    if (seq !== f.iss) f.tainted = true;
    return this.segment(f, seq, f.acked, this.rng.chance(0.5) ? SYN : SYN | ACK, 0, this.synOptions(f));
  }

  /** A clean datagram from the history of a flow (a duplicate arriving late). */
  replay(f: PeerFlow): Uint8Array | undefined {
    return f.history.length === 0 ? undefined : this.rng.pick(f.history);
  }

  /** The sequence number of the peer's next segment (after its FIN, if sent). */
  nextSeq(f: PeerFlow): number {
    return f.finSent ? (f.sndMax + 1) >>> 0 : f.sndMax;
  }

  remove(f: PeerFlow): void {
    if (this.flows.get(f.key) === f) {
      this.flows.delete(f.key);
      this.listDirty = true;
    }
  }

  advanceTsClock(ms: number): void {
    this.tsClock = (this.tsClock + Math.max(1, Math.floor(ms))) >>> 0;
  }

  private newFlow(peerPort: number, stackPort: number, phase: FlowPhase, iss: number): PeerFlow {
    const f: PeerFlow = {
      key: PeerModel.key(peerPort, stackPort),
      peerPort,
      stackPort,
      phase,
      iss,
      sndMax: (iss + 1) >>> 0,
      finSent: false,
      stackIss: undefined,
      pendingStackIss: [],
      rcvNxt: 0,
      acked: 0,
      stackAck: (iss + 1) >>> 0,
      stackWindow: 0,
      stackShift: 0,
      peerShift: this.rng.pick([0, 0, 2, 7, 14]),
      peerOfferedWs: false,
      peerOfferedTs: false,
      ts: false,
      tsRecent: 0,
      stackFin: false,
      tainted: false,
      history: [],
    };
    this.flows.set(f.key, f);
    this.listDirty = true;
    return f;
  }

  /** SYN options in a random order and mix (MSS, window scale, SACK-permitted, timestamps). */
  private synOptions(f: PeerFlow, allowWs = true, allowTs = true): Uint8Array {
    const rng = this.rng;
    const parts: number[][] = [];
    if (rng.chance(0.8)) {
      const mss = rng.pick([536, 1460, 8960, 48, 100, 65_535, rng.range(1, 0xffff)]);
      parts.push([2, 4, mss >>> 8, mss & 0xff]);
    }
    f.peerOfferedWs = allowWs && rng.chance(0.7);
    if (f.peerOfferedWs) parts.push([1, 3, 3, f.peerShift === 0 && rng.chance(0.1) ? 15 : f.peerShift]);
    if (rng.chance(0.5)) parts.push([1, 1, 4, 2]);
    f.peerOfferedTs = allowTs && rng.chance(0.7);
    if (f.peerOfferedTs) parts.push([1, 1, 8, 10, ...u32(this.tsClock), ...u32(f.tsRecent)]);
    for (let i = parts.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    }
    return Uint8Array.from(parts.flat());
  }

  /** Builds a clean datagram of this flow: payload from the peer's stream by sequence number. */
  private segment(
    f: PeerFlow,
    seq: number,
    ack: number,
    flags: number,
    length: number,
    synOptions?: Uint8Array,
    window?: number,
  ): Uint8Array {
    const rng = this.rng;
    let options = synOptions;
    if (options === undefined && f.ts && !(flags & RST) && rng.chance(0.95)) {
      options = Uint8Array.from([1, 1, 8, 10, ...u32(this.tsClock), ...u32(f.tsRecent)]);
    }
    if (options === undefined && flags & ACK && rng.chance(0.05)) {
      // SACK blocks somewhere around what the stack sent (pilha may ignore them; it must not choke).
      const left = rng.near32(f.rcvNxt, 20_000);
      options = Uint8Array.from([1, 1, 5, 10, ...u32(left), ...u32((left + rng.range(1, 5000)) >>> 0)]);
    }
    const offset = seqDelta(seq, (f.iss + 1) >>> 0);
    const payload = length > 0 ? streamBytes(peerStreamByte, offset, length) : undefined;
    const field =
      window ?? (rng.chance(0.9) ? 0xffff : rng.chance(0.5) ? rng.range(0, 0xffff) : rng.range(0, 4));
    const d = buildTcpDatagram(
      {
        src: this.peerAddress,
        dst: this.stackAddress,
        id: this.ipId++ & 0xffff,
        flagsOffset: rng.chance(0.5) ? 0x4000 : 0,
      },
      {
        srcPort: f.peerPort,
        dstPort: f.stackPort,
        seq,
        ack: flags & ACK ? ack : rng.chance(0.9) ? 0 : rng.nextUint32(),
        flags,
        window: field,
        ...(options !== undefined ? { options } : {}),
        ...(payload !== undefined ? { payload } : {}),
      },
    );
    if (f.history.length >= HISTORY) f.history.splice(rng.int(HISTORY), 1);
    f.history.push(d);
    return d;
  }
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** The window scale option of a segment, if present and well formed. */
function wsOption(s: WireSegment): number | undefined {
  return findOption(s.options, 3, 3);
}

function tsValue(s: WireSegment): number | undefined {
  return findOption(s.options, 8, 10);
}

function findOption(o: Uint8Array, kind: number, length: number): number | undefined {
  let i = 0;
  while (i < o.length) {
    const k = o[i]!;
    if (k === 0) return undefined;
    if (k === 1) {
      i++;
      continue;
    }
    const l = o[i + 1] ?? 0;
    if (l < 2) return undefined;
    if (k === kind && l === length) {
      return length === 3
        ? o[i + 2]
        : ((o[i + 2]! << 24) | (o[i + 3]! << 16) | (o[i + 4]! << 8) | o[i + 5]!) >>> 0;
    }
    i += l;
  }
  return undefined;
}
