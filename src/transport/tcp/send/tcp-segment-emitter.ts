/**
 * Writes every segment a connection sends, whoever asks (the sender's data, SYNs, probes and
 * retransmissions; the connection's ACKs, challenge ACKs and RSTs): straight into the datagram the IP layer
 * allocates, header and options by positional writes (wire/tcp-segment-writer.ts, whose option writer is
 * the one the codec uses too), the payload copied once out of the send queue, then the checksum.
 *
 * Every segment but a bare RST carries the window the receiver advertises (SYNs unscaled) and, with
 * timestamps, TSval/TSecr; with SACK, an ACK carries the SACK and D-SACK blocks the receiver prepares
 * (RFC 2018 §4, RFC 2883) as far as they fit beside its data. A segment with ACK settles the receiver's
 * pending (delayed) ACK. The emitter holds no sequence state of its own: it reads the control block.
 *
 * Over a link with segmentation offload, a data segment goes to the stack's TcpSegmentBatcher instead, which
 * writes a run of consecutive ones into one super-segment for the link to cut; every other segment flushes
 * the pending run first. Segments are still decided, counted and written one by one here. A super-segment
 * that begins with the writer's bytes goes into a buffer that is never reused, so the send queue swaps the
 * writer's bytes it carries for views of it (retain): those bytes are copied once, into the super-segment.
 */

import type { Clock } from '../../../core/clock.js';
import { PATH_MTU_DISCOVERY } from '../../../layers/ip/ip-layer.js';
import { IPV4_MIN_HEADER } from '../../../layers/ip/ipv4-header.js';
import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import {
  MAX_BATCH_SEGMENTS,
  type TcpBatchOwner,
  type TcpSegmentBatcher,
} from '../batching/tcp-segment-batcher.js';
import type {
  ConnectionCounterName,
  TcpConnectionDeps,
  TcpNetwork,
} from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import type { TcpReceiver } from '../receive/tcp-receiver.js';
import type { TcpConfig } from '../tcp-config.js';
import { type Seq, seqAdd, seqDiff } from '../wire/seq.js';
import { TCP_PROTOCOL, TcpFlags } from '../wire/tcp-header.js';
import {
  finishTcpChecksum,
  MAX_SACK_BLOCKS,
  MAX_SACK_BLOCKS_WITH_TIMESTAMPS,
  synOptionsLength,
  TIMESTAMP_OPTION_LENGTH,
  writeSynOptions,
  writeTcpHeader,
  writeTcpOptions,
} from '../wire/tcp-segment-writer.js';
import type { SendBuffer } from './send-buffer.js';

export const FIN = TcpFlags.FIN;
export const SYN = TcpFlags.SYN;
export const RST = TcpFlags.RST;
export const PSH = TcpFlags.PSH;
export const ACK = TcpFlags.ACK;

/** settleFields list: written first by a connection without SACK, on its first output. */
const EMITTER_LATE_FIELDS = ['superSegmentLimit'];

export class TcpSegmentEmitter implements TcpBatchOwner {
  private readonly clock: Clock;
  private readonly config: TcpConfig;
  private readonly network: TcpNetwork;
  private readonly batcher: TcpSegmentBatcher | undefined;
  /** Clock time of the last rate-limited ACK (challenge or answer to a dropped segment), or -∞. */
  private lastInvalidAckAt = Number.NEGATIVE_INFINITY;
  /** Segments of this connection per super-segment at most (TcpSender sets it without SACK). */
  superSegmentLimit = MAX_BATCH_SEGMENTS;

  constructor(
    private readonly tcb: TcpControlBlock,
    deps: TcpConnectionDeps,
    private readonly counts: Record<ConnectionCounterName, number>,
    private readonly receiver: TcpReceiver,
    /** The sender's queue; read here only, to copy payload out of it. */
    private readonly sendBuffer: SendBuffer,
  ) {
    this.clock = deps.clock;
    this.config = deps.config;
    this.network = deps.network;
    this.batcher = deps.batcher;
    settleFields(this, NO_FIELDS, EMITTER_LATE_FIELDS);
  }

  // ─── Segments without data ───────────────────────────────────────────────────────────────────────

  /** An ACK at SND.NXT. */
  sendAck(): void {
    this.emit(ACK, this.tcb.sndNxt, 0, 0);
  }

  /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), throttled as §7 asks. */
  sendChallengeAck(): void {
    if (this.invalidAckAllowed()) {
      this.counts.challengeAcks++;
      this.sendAck();
    }
  }

  /**
   * The ACK that answers a segment dropped as unacceptable (out of window, PAWS). A segment that occupies
   * no sequence space (or is a SYN) may be one side of an ACK loop, so its answers are throttled (as
   * Linux's tcp_oow_rate_limited); one with data or a FIN is a retransmission the peer needs acknowledged,
   * and always is.
   */
  sendAckForDropped(occupiesSequence: boolean): void {
    if (occupiesSequence || this.invalidAckAllowed()) this.sendAck();
  }

  /** At most one throttled ACK per invalidAckIntervalMs (Linux tcp_invalid_ratelimit); counts the rest. */
  private invalidAckAllowed(): boolean {
    const now = this.clock.now();
    if (now - this.lastInvalidAckAt < this.config.invalidAckIntervalMs) {
      this.counts.acksRateLimited++;
      return false;
    }
    this.lastInvalidAckAt = now;
    return true;
  }

  /** RST (with our ACK when `withAck`), sequence number `seqNum`. */
  sendReset(seqNum: Seq, withAck: boolean): void {
    this.emit(withAck ? RST | ACK : RST, seqNum, 0, 0);
  }

  /** <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK of something we never sent. */
  sendResetTo(ack: Seq): void {
    this.emit(RST, ack, 0, 0);
  }

  /** A zero-window or keepalive probe: SEQ = SND.UNA − 1, no data; the peer must ACK it. */
  sendProbe(): void {
    this.emit(ACK, seqAdd(this.tcb.sndUna, -1), 0, 0);
  }

  // ─── Batched payload ─────────────────────────────────────────────────────────────────────────────

  /**
   * Writes the payload of this connection's segments in the pending super-segment: the queue's bytes at `seq`
   * on (the queue starts at SND.UNA, which never passes a byte not yet sent); a kept super-segment becomes
   * where the queue reads them from (retain: the writer's bytes are not copied again).
   */
  fillBatchedPayload(d: Uint8Array, at: number, seq: Seq, length: number, kept: boolean): boolean {
    const offset = seqDiff(seq, this.tcb.sndUna);
    const sendBuffer = this.sendBuffer;
    if (offset < 0 || offset + length > sendBuffer.size) return false;
    sendBuffer.copyTo(offset, length, d, at);
    if (kept) sendBuffer.retain(offset, length, d, at);
    return true;
  }

  batchedPayloadView(seq: Seq, length: number): Uint8Array | undefined {
    const offset = seqDiff(seq, this.tcb.sndUna);
    const sendBuffer = this.sendBuffer;
    // The stack's own bytes only: the writer's may be reused once its callback has run, before the send.
    if (offset < 0 || offset + length > sendBuffer.size - sendBuffer.unowned) return undefined;
    return sendBuffer.peek(offset, length);
  }

  /** Writes this connection's pending batched payload now: before the send queue adopts the writer's bytes. */
  fillPendingBatch(): void {
    this.batcher?.fill(this);
  }

  // ─── Any segment ─────────────────────────────────────────────────────────────────────────────────

  /** Ends the super-segment being gathered, if any: the next segment starts another one. */
  endSuperSegment(): void {
    this.batcher?.flush();
  }

  /**
   * Writes one segment into a fresh datagram and sends it: header and options by positional writes,
   * `dataLength` bytes from the send queue at `dataOffset`, the checksum. `now` is the clock's time when the
   * caller has just read it (its TSval), so that a segment costs one clock reading.
   */
  emit(flags: number, seqNum: Seq, dataOffset: number, dataLength: number, now = -1): void {
    const tcb = this.tcb;
    const receiver = this.receiver;
    let optionsLength = 0;
    let timestamps = false;
    let shift = -1;
    let sackPermitted = false;
    let sackBlocks = 0;
    const syn = (flags & SYN) !== 0;
    const hasAck = (flags & ACK) !== 0;
    if (syn) {
      timestamps = hasAck ? tcb.tsEnabled : this.config.timestamps;
      sackPermitted = hasAck ? tcb.sackEnabled : this.config.sack;
      if (hasAck) shift = tcb.wsEnabled ? tcb.rcvShift : -1;
      else shift = this.config.windowScaling ? tcb.ourShift : -1;
      optionsLength = synOptionsLength(timestamps, shift, sackPermitted);
    } else if ((flags & RST) === 0) {
      if (tcb.tsEnabled) {
        timestamps = true;
        optionsLength = TIMESTAMP_OPTION_LENGTH;
      }
      if (tcb.sackEnabled && hasAck && receiver.wantsSackOption()) {
        // Options and payload stay within the MSS: a full data segment carries no blocks (the pure ACKs do).
        let max = timestamps ? MAX_SACK_BLOCKS_WITH_TIMESTAMPS : MAX_SACK_BLOCKS;
        const room =
          (tcb.sendMss + (timestamps ? TIMESTAMP_OPTION_LENGTH : 0) - optionsLength - dataLength - 4) >> 3;
        if (room < max) max = room;
        sackBlocks = receiver.prepareSack(max);
        if (sackBlocks > 0) optionsLength += 4 + 8 * sackBlocks;
      }
    }
    const tcpLength = 20 + optionsLength + dataLength;
    let window = 0;
    if (flags & RST) window = 0;
    else if (syn) window = receiver.synWindow();
    else window = receiver.advertiseWindow();
    const tsVal = timestamps ? tcb.tsValue(now >= 0 ? now : this.clock.now()) : 0;
    const o = IPV4_MIN_HEADER;
    let d: Uint8Array | undefined;
    const batcher = this.batcher;
    if (batcher !== undefined) {
      // A data segment may join (or begin) the pending super-segment; anything else goes after it.
      if (dataLength > 0 && (flags & ~(PSH | FIN)) === ACK && sackBlocks === 0) {
        const tsEcr = timestamps ? tcb.tsRecent : 0;
        const sendBuffer = this.sendBuffer;
        // Where the link writes a payload where it lies, the writer's bytes are taken over first (the copy
        // they cost anyway, into the queue's ring, which ACKs recycle) and go out from there: no slab.
        if (batcher.takesParts && dataOffset + dataLength > sendBuffer.size - sendBuffer.unowned) {
          this.fillPendingBatch();
          sendBuffer.adopt();
        }
        const at = batcher.append(
          this,
          seqNum,
          flags,
          tcb.rcvNxt,
          window,
          tsVal,
          tsEcr,
          20 + optionsLength,
          dataLength,
          this.superSegmentLimit,
        );
        if (at >= 0) {
          // Its payload is written with the rest of the run's (fillBatchedPayload).
          this.counts.segmentsSent++;
          receiver.ackSent();
          return;
        }
        d = batcher.start(
          this,
          tcb.localAddress,
          tcb.remoteAddress,
          seqNum,
          flags,
          tcb.rcvNxt,
          window,
          tsVal,
          tsEcr,
          20 + optionsLength,
          dataLength,
          dataOffset + dataLength > this.sendBuffer.size - this.sendBuffer.unowned,
        );
      } else {
        batcher.flush();
      }
    }
    const batched = d !== undefined;
    if (d === undefined) d = this.network.allocateDatagram(tcpLength);
    writeTcpHeader(
      d,
      o,
      tcb.localPort,
      tcb.remotePort,
      seqNum,
      hasAck ? tcb.rcvNxt : 0,
      flags,
      window,
      optionsLength,
    );
    if (syn) {
      const echo = hasAck ? tcb.tsRecent : 0;
      writeSynOptions(d, o + 20, tcb.ourMss, timestamps, tsVal, echo, shift, sackPermitted);
    } else if (optionsLength > 0) {
      writeTcpOptions(
        d,
        o + 20,
        -1,
        false,
        timestamps,
        tsVal,
        tcb.tsRecent,
        -1,
        receiver.sackEdges,
        sackBlocks,
      );
    }
    if (dataLength > 0 && !batched) this.sendBuffer.copyTo(dataOffset, dataLength, d, o + 20 + optionsLength);
    this.counts.segmentsSent++;
    if (hasAck) receiver.ackSent();
    // The batcher sends it (checksum included) when the run ends.
    if (batched) return;
    finishTcpChecksum(d, o, tcpLength, tcb.localAddress, tcb.remoteAddress);
    // Last: a synchronous link may deliver the answer (and re-enter this connection) inside the send.
    this.network.sendDatagram(tcb.remoteAddress, TCP_PROTOCOL, d, PATH_MTU_DISCOVERY);
  }
}
