/**
 * The receiving half of a connection. Owns the receive buffer (reassembly), and decides the ACK policy
 * of RFC 5681 §4.2 (an ACK now, or after the delayed-ACK timeout, or after a second full-sized segment),
 * the window we advertise (receiver silly window avoidance, RFC 9293 §3.8.6.2.2; the right edge never
 * moves left) and when a reading application deserves a window update; with SACK, the SACK and D-SACK
 * blocks (RFC 2018, RFC 2883) the next ACK reports (sack-block-generator.ts, made at the first hole or
 * duplicate). It writes no segment itself: TcpSegmentEmitter asks it for the window and the SACK blocks
 * of every segment and tells it when an ACK went out (ackSent), and TcpConnection sends the ACKs it says
 * are due. TcpConnection calls processText during segment arrival (RFC 9293 §3.10.7.4, seventh step).
 */

import type { ConnectionCounterName, TcpConnectionDeps } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { TcpState } from '../connection/tcp-state.js';
import { type TcpTimers, TimerKind } from '../connection/tcp-timers.js';
import type { TcpConfig } from '../tcp-config.js';
import { type Seq, seqAdd, seqDiff, seqGt, seqLe } from '../wire/seq.js';
import { TcpFlags, type TcpSegment } from '../wire/tcp-header.js';
import { ReceiveBuffer, ReceiveResult } from './receive-buffer.js';
import { SackBlockGenerator } from './sack-block-generator.js';
import { ackOnlyAtEdge, segmentAcceptable } from './segment-acceptability.js';
import type { TcpAckBatch } from './tcp-ack-batch.js';

/** RFC 7323 §5.5: TS.Recent idle this long is invalid (the peer's clock may have wrapped): 24 days. */
export const PAWS_IDLE_MS = 24 * 24 * 60 * 60 * 1000;
/**
 * How far behind TS.Recent a TSval may be and still pass PAWS: one tick, as Linux's TCP_PAWS_WINDOW. A
 * segment overtaken by a retransmission sent a tick later carries a TSval one below the TS.Recent that the
 * retransmission set; dropped, it had to be sent again (3 of 4 PAWS drops in a probe at 2% reordering).
 */
const PAWS_WINDOW = 1;

/** The verdict of the acceptability test on a segment in a synchronized state. */
export const Acceptance = {
  ACCEPT: 0,
  /** Out of a zero window but at RCV.NXT with an ACK: its ACK is processed, its text and FIN are not. */
  ACK_ONLY: 1,
  /** Dropped silently (a RST out of the window: a RST is never answered). */
  DROP: 2,
  /** Dropped by PAWS; answered with an ACK. */
  DROP_PAWS: 3,
  /** Dropped, out of the window; answered with an ACK. */
  DROP_OUT_OF_WINDOW: 4,
} as const;
export type Acceptance = (typeof Acceptance)[keyof typeof Acceptance];

/** What the text of a segment did (bits). */
export const TextResult = {
  /** New in-order data is readable. */
  READABLE: 1,
  /** Data came for a socket that is gone (orphaned): nobody will read it; nothing was taken. */
  UNREAD: 2,
} as const;

const EMPTY = new Uint8Array(0);

/** The SACK edges when no block was ever needed (the option writer reads none: zero blocks). */
const NO_SACK_EDGES = new Uint32Array(0);

export class TcpReceiver {
  readonly receiveBuffer: ReceiveBuffer;
  /** An ACK is due now (sent by the next segment out, or by output() at the end of this event). */
  private ackNow = false;
  /** In-order bytes received since our last ACK (RFC 5681 §4.2: ACK every second full-sized segment). */
  private ackPendingBytes = 0;
  /** An ACK is due by the end of the link's current batch (tcp-ack-batch.ts): one for the whole batch. */
  private ackAtEnd = false;
  private readonly batch: TcpAckBatch | undefined;
  /**
   * The SACK and D-SACK blocks our ACKs report; made at the first hole or duplicate, so that the many
   * connections that never see one (idle ones, clean paths) do not carry it.
   */
  private sack: SackBlockGenerator | undefined;
  private readonly config: TcpConfig;

  constructor(
    private readonly tcb: TcpControlBlock,
    deps: TcpConnectionDeps,
    private readonly timers: TcpTimers,
    private readonly counts: Record<ConnectionCounterName, number>,
  ) {
    const config = deps.config;
    this.config = config;
    this.batch = deps.ackBatch;
    this.receiveBuffer = new ReceiveBuffer(
      config.receiveBufferSize,
      config.maxOutOfOrderRanges,
      config.receiveBufferSize,
      deps.memory,
      config.receiveBufferMin,
    );
  }

  // ─── ACK policy ──────────────────────────────────────────────────────────────────────────────────

  /** Asks for an ACK now (it goes with the next segment out, or alone at the end of this event). */
  requestAck(): void {
    this.ackNow = true;
  }

  /** An ACK is due now. */
  get ackDue(): boolean {
    return this.ackNow;
  }

  /** An ACK is due by the end of the current batch (and not sooner). */
  get ackAtBatchEnd(): boolean {
    return this.ackAtEnd;
  }

  /**
   * A window update is due: by the end of the current batch when one is open (the batch's one ACK carries
   * it; returns true), else false and the caller sends it now.
   */
  windowUpdateWaits(): boolean {
    if (this.batch?.open !== true) return false;
    this.ackAtEnd = true;
    return true;
  }

  /** The delayed-ACK timer fired: whether anything is waiting to be acknowledged. */
  get ackPending(): boolean {
    return this.ackPendingBytes > 0 || this.ackNow || this.ackAtEnd;
  }

  /** A segment carrying our ACK went out: nothing is pending any more (Last.ACK.sent is RCV.NXT). */
  ackSent(): void {
    this.tcb.lastAckSent = this.tcb.rcvNxt;
    this.ackNow = false;
    this.ackAtEnd = false;
    this.ackPendingBytes = 0;
    this.timers.clear(TimerKind.DELAYED_ACK);
  }

  // ─── Segment text ────────────────────────────────────────────────────────────────────────────────

  /**
   * RFC 9293 §3.10.7.4 seventh and eighth, for an acceptable segment at `segSeq` whose ACK has been
   * processed: trims `payload` to what is new (the old part is a D-SACK, RFC 2883 §4.4) and what fits
   * RCV.WND `rcvWnd` (RCV.NXT was `rcvNxt` on arrival; the FIN goes if its byte does not), takes the text
   * when `textAllowed` by the state, and records the FIN where it sits (checked once everything before it
   * is in). Returns TextResult bits.
   */
  receiveText(
    segSeq: Seq,
    payload: Uint8Array,
    fin: boolean,
    rcvNxt: Seq,
    rcvWnd: number,
    textAllowed: boolean,
    orphaned: boolean,
    finReceived: boolean,
  ): number {
    let dataSeq = segSeq;
    const skip = seqDiff(rcvNxt, dataSeq);
    if (skip > 0) {
      this.noteOldDuplicate(dataSeq, payload.length);
      payload = skip >= payload.length ? EMPTY : payload.subarray(skip);
      dataSeq = rcvNxt;
    }
    const room = rcvWnd - seqDiff(dataSeq, rcvNxt);
    if (payload.length > room) {
      payload = room > 0 ? payload.subarray(0, room) : EMPTY;
      fin = false;
    }
    let result = 0;
    if (payload.length > 0 && textAllowed) {
      if (orphaned) return TextResult.UNREAD;
      if (this.processText(dataSeq, payload)) result = TextResult.READABLE;
    }
    if (fin && !finReceived) {
      const rb = this.receiveBuffer;
      rb.markFin(rb.nextOffset + seqDiff(dataSeq, this.tcb.rcvNxt) + payload.length);
      if (!rb.finReached) this.ackNow = true;
    }
    return result;
  }

  /**
   * Seventh, the segment text: into the receive buffer, and an ACK now or delayed. Returns whether new
   * in-order data became readable.
   */
  processText(dataSeq: Seq, payload: Uint8Array): boolean {
    const tcb = this.tcb;
    const rb = this.receiveBuffer;
    const hadHoles = rb.outOfOrderRanges > 0;
    const before = rb.nextOffset;
    const offset = before + seqDiff(dataSeq, tcb.rcvNxt);
    if (tcb.sackEnabled && hadHoles && this.sack?.hasDuplicate !== true)
      this.noteHeldDuplicate(offset, payload.length);
    const result = rb.insert(offset, payload);
    if (payload.length > tcb.rcvMss) tcb.rcvMss = Math.min(payload.length, tcb.ourMss);
    switch (result) {
      case ReceiveResult.IN_ORDER: {
        const advanced = rb.nextOffset - before;
        tcb.rcvNxt = seqAdd(tcb.rcvNxt, advanced);
        this.counts.bytesReceived += advanced;
        // RFC 5681 §4.2: ACK at once when a segment fills a hole; otherwise at least every second
        // full-sized segment (by the end of the read batch, when the link delivers in batches: one ACK
        // for the batch), and within the delayed-ACK timeout (which also covers a batch that never ends).
        if (hadHoles) this.ackNow = true;
        else {
          this.ackPendingBytes += payload.length;
          if (this.ackPendingBytes < 2 * tcb.rcvMss || this.batch?.open === true) {
            if (this.ackPendingBytes >= 2 * tcb.rcvMss) this.ackAtEnd = true;
            this.timers.ensure(TimerKind.DELAYED_ACK, this.config.delayedAckMs);
          } else this.ackNow = true;
        }
        return true;
      }
      case ReceiveResult.OUT_OF_ORDER:
        // RFC 5681 §4.2: an out-of-order segment is ACKed at once (the duplicate ACK that drives fast retransmit).
        this.counts.outOfOrderReceived++;
        this.ackNow = true;
        // RFC 2018 §4: its block goes first in the SACK option.
        if (tcb.sackEnabled) this.sackGenerator().noteArrival(rb, Math.max(offset, rb.nextOffset));
        return false;
      case ReceiveResult.DUPLICATE:
        this.ackNow = true;
        // RFC 2883 §4: the block holding a duplicate of out-of-order data follows the D-SACK.
        if (tcb.sackEnabled && offset > rb.nextOffset) this.sackGenerator().noteArrival(rb, offset);
        return false;
      case ReceiveResult.DROPPED:
        this.counts.outOfOrderDropped++;
        this.ackNow = true;
        return false;
      case ReceiveResult.NO_MEMORY:
        // Not acknowledged: the peer sends it again once the stack has memory (and its window) to spare.
        this.counts.dropNoMemory++;
        this.ackNow = true;
        return false;
      default:
        result satisfies never;
        return false;
    }
  }

  /**
   * Linux's exemption from PAWS (tcp_disordered_ack): on a reordering path a duplicate ACK overtaken by a
   * later one carries an older TSval but nothing old: a pure ACK at RCV.NXT for SND.UNA that would not move
   * the send window, its TSval within one RTO of TS.Recent. Dropped, it lost its SACK blocks and was answered.
   */
  private disorderedAck(seg: TcpSegment, segLen: number, tsValue: number, rtoMs: number): boolean {
    const tcb = this.tcb;
    if (segLen !== 0 || !(seg.flags & TcpFlags.ACK) || seg.seq !== tcb.rcvNxt || seg.ack !== tcb.sndUna)
      return false;
    // Would it update the window (RFC 9293 §3.10.7.4's SND.WL1 test, as Linux's tcp_may_update_window)?
    if (seqGt(seg.seq, tcb.sndWl1)) return false;
    const window = seg.window * (1 << tcb.sndShift);
    if (seg.seq === tcb.sndWl1 && (window > tcb.sndWnd || window === 0)) return false;
    return ((tcb.tsRecent - tsValue) | 0) <= rtoMs;
  }

  /**
   * 0. PAWS (RFC 7323 §5.3 R1) and 1. the sequence number check (RFC 9293 §3.10.7.4, the four cases of
   * the acceptability test) of a segment occupying `segLen` sequence numbers against RCV.WND `rcvWnd`.
   * Counts the drops; notes the D-SACK of a retransmission of data already received.
   */
  checkAcceptable(seg: TcpSegment, segLen: number, rcvWnd: number, now: number, rtoMs: number): Acceptance {
    const tcb = this.tcb;
    const flags = seg.flags;
    const rcvNxt = tcb.rcvNxt;
    if (this.pawsRejects(seg, segLen, now, rtoMs)) return Acceptance.DROP_PAWS;
    if (segmentAcceptable(seg.seq, segLen, rcvNxt, rcvWnd)) return Acceptance.ACCEPT;
    // RFC 5961 §3.2: a RST outside the window is dropped silently — and a RST is never answered.
    if (flags & TcpFlags.RST) {
      this.counts.dropRstOutOfWindow++;
      return Acceptance.DROP;
    }
    // A segment at the right edge (at RCV.NXT in a zero window) still has its ACK taken.
    if (flags & TcpFlags.ACK && ackOnlyAtEdge(seg.seq, rcvNxt, rcvWnd)) {
      this.ackNow = true;
      return Acceptance.ACK_ONLY;
    }
    this.counts.dropOutOfWindow++;
    // RFC 2883 §4.1.1: a retransmission of data already received is reported as a D-SACK.
    if (!(flags & TcpFlags.SYN) && seqLe(seqAdd(seg.seq, seg.payload.length), rcvNxt)) {
      this.noteOldDuplicate(seg.seq, seg.payload.length);
    }
    return Acceptance.DROP_OUT_OF_WINDOW;
  }

  /**
   * PAWS (RFC 7323 §5), counted: a timestamp older than TS.Recent (by more than PAWS_WINDOW) is an old
   * duplicate, whatever its sequence number says (it may be from 4 GiB ago). A RST is exempt (§5.3 R1;
   * RFC 5961 checks it), and so is a duplicate ACK that a later ACK overtook (disorderedAck).
   */
  pawsRejects(seg: TcpSegment, segLen: number, now: number, rtoMs: number): boolean {
    const tcb = this.tcb;
    const ts = seg.options.timestamp;
    if (
      !tcb.tsEnabled ||
      ts === undefined ||
      seg.flags & TcpFlags.RST ||
      ((tcb.tsRecent - ts.value) | 0) <= PAWS_WINDOW ||
      now - tcb.tsRecentAt >= PAWS_IDLE_MS ||
      this.disorderedAck(seg, segLen, ts.value, rtoMs)
    ) {
      return false;
    }
    this.counts.dropPaws++;
    if (!(seg.flags & TcpFlags.SYN)) this.noteOldDuplicate(seg.seq, seg.payload.length);
    return true;
  }

  /** RFC 7323 §4.3: TS.Recent follows the TSval of segments that cover Last.ACK.sent. */
  updateTsRecent(seg: TcpSegment, now: number): void {
    const tcb = this.tcb;
    const ts = seg.options.timestamp;
    if (
      tcb.tsEnabled &&
      ts !== undefined &&
      seqLe(seg.seq, tcb.lastAckSent) &&
      ((ts.value - tcb.tsRecent) | 0) >= 0
    ) {
      tcb.tsRecent = ts.value;
      tcb.tsRecentAt = now;
    }
  }

  // ─── SACK and D-SACK blocks ──────────────────────────────────────────────────────────────────────

  /** The SACK block generator, made when first needed. */
  private sackGenerator(): SackBlockGenerator {
    if (this.sack === undefined) this.sack = new SackBlockGenerator();
    return this.sack;
  }

  /** RFC 2883: the first bytes of [offset, offset + length) already held past a hole are a D-SACK. */
  private noteHeldDuplicate(offset: number, length: number): void {
    const rb = this.receiveBuffer;
    const rcvNxt = this.tcb.rcvNxt;
    const end = offset + length;
    const k = rb.firstOverlap(offset, end);
    if (k < 0) return;
    const from = Math.max(offset, rb.rangeStart(k));
    const to = Math.min(end, rb.rangeEnd(k));
    // RCV.NXT sits at rb.nextOffset in the stream.
    this.sackGenerator().noteDuplicate(
      seqAdd(rcvNxt, from - rb.nextOffset),
      seqAdd(rcvNxt, to - rb.nextOffset),
    );
  }

  /**
   * RFC 2883: a segment whose bytes [seg, seg + length) lie wholly or partly below RCV.NXT (a
   * retransmission of data already received): its old part is the D-SACK of the next ACK.
   */
  noteOldDuplicate(segSeq: Seq, length: number): void {
    if (!this.tcb.sackEnabled || length <= 0) return;
    const below = seqDiff(this.tcb.rcvNxt, segSeq);
    if (below <= 0) return;
    this.sackGenerator().noteDuplicate(segSeq, seqAdd(segSeq, Math.min(below, length)));
  }

  /** Whether the next ACK has SACK or D-SACK blocks to report. */
  wantsSackOption(): boolean {
    const sack = this.sack;
    return sack?.wantsOption(this.receiveBuffer) === true;
  }

  /**
   * Prepares up to `max` blocks for the segment being written (after wantsSackOption): returns how many,
   * now in sackEdges. Counts the ACKs with SACK and the D-SACKs sent.
   */
  prepareSack(max: number): number {
    const sack = this.sack!;
    const blocks = sack.prepare(this.receiveBuffer, this.tcb.rcvNxt, max);
    if (blocks > 0) {
      this.counts.sackAcksSent++;
      if (sack.lastHadDuplicate) this.counts.dsacksSent++;
    }
    return blocks;
  }

  /** The edges prepareSack wrote (left, right pairs). */
  get sackEdges(): Uint32Array {
    return this.sack?.edges ?? NO_SACK_EDGES;
  }

  // ─── Window ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * RCV.WND for the acceptability test (RFC 9293 §3.10.7.4): up to the right edge we last advertised, as Linux's
   * tcp_receive_window. Free space the peer was not offered is not counted: without window scaling the buffer
   * (256 KiB) is larger than a window field can say (64 KiB), and counting it took data and RSTs far past the
   * advertised edge (segments up to 256 KiB beyond RCV.NXT were queued, RSTs there got challenge ACKs).
   */
  receiveWindow(): number {
    const advertised = seqDiff(this.tcb.rcvAdvEdge, this.tcb.rcvNxt);
    return Math.max(advertised, 0);
  }

  /**
   * The window field of a SYN (never scaled, RFC 7323 §2.2), and the new right edge. A retransmitted SYN or
   * SYN-ACK offers at least what the first one did (the edge never moves left, §3.8.6.2.2), as Linux resends
   * the same window: memory pressure since may have shrunk the free space, but not what the peer may send.
   */
  synWindow(): number {
    const tcb = this.tcb;
    const offered = seqDiff(tcb.rcvAdvEdge, tcb.rcvNxt);
    const window = Math.min(Math.max(this.receiveBuffer.free, offered), 65_535);
    tcb.rcvAdvEdge = seqAdd(tcb.rcvNxt, window);
    return window;
  }

  /**
   * The window field for a non-SYN segment, and the new right edge. Receiver SWS avoidance: free space
   * below min(buffer/2, MSS) is advertised as none; the right edge never moves left (§3.8.6.2.2).
   */
  advertiseWindow(): number {
    const tcb = this.tcb;
    const shift = tcb.rcvShift;
    let free = this.receiveBuffer.windowSpace();
    const capacity = this.receiveBuffer.capacity;
    if (free < Math.min(capacity >>> 1, tcb.rcvMss)) free = 0;
    let field = free >>> shift;
    const remaining = seqDiff(tcb.rcvAdvEdge, tcb.rcvNxt);
    if (remaining > 0) {
      const keep = (remaining + (1 << shift) - 1) >>> shift;
      if (keep > field) field = keep;
    }
    if (field > 65_535) field = 65_535;
    tcb.rcvAdvEdge = seqAdd(tcb.rcvNxt, field * (1 << shift));
    return field;
  }

  /** After the application reads: whether the window has grown a lot (at least doubled, by an MSS) and deserves an ACK. */
  windowUpdateDue(state: TcpState): boolean {
    if (state !== TcpState.ESTABLISHED && state !== TcpState.FIN_WAIT_1 && state !== TcpState.FIN_WAIT_2)
      return false;
    const tcb = this.tcb;
    const current = seqDiff(tcb.rcvAdvEdge, tcb.rcvNxt);
    // What could be advertised: the free space, up to what the window field can say.
    let free = Math.min(this.receiveBuffer.free, 65_535 * (1 << tcb.rcvShift));
    // While the right edge is still the one our SYN set (its window is never scaled: at most 64 KB, RFC 7323
    // §2.2), growth is measured against that window: a peer that sent a request of a few hundred bytes is far
    // from its edge, and the rest of the buffer is advertised by the answer or by the data's own ACKs, not by
    // an ACK of its own (a segment less per request/response connection). A peer near the edge still gets one.
    if (free > 65_535 && seqDiff(tcb.rcvAdvEdge, tcb.irs) <= 65_536) free = 65_535;
    return free - current >= tcb.rcvMss && free >= 2 * current;
  }
}
