/**
 * SEGMENT ARRIVES (RFC 9293 §3.10.7) for a connection past LISTEN: the steps a segment goes through in
 * SYN-SENT (§3.10.7.3) and in every synchronized state (§3.10.7.4), calling the parts in order and moving
 * the connection through its TcpLifecycle (transitions, ESTABLISHED, TIME_WAIT, CLOSED, notifications).
 * It owns what only arrival learns: whether the peer's FIN has been processed.
 *
 * Call order of a segment (TcpConnection.receive → receive): in SYN_SENT, receiveInSynSent; otherwise
 * receiveSynchronized:
 *   keepalive told (sender.heardFromPeer) →
 *   0. PAWS and 1. acceptability (receiver.checkAcceptable) → TS.Recent (receiver) →
 *   2. RST → 4. SYN (challenge ACKs, emitter) → SYN_RECEIVED's ACK of our SYN (lifecycle) →
 *   5. ACK (TcpAckProcessor.process): unacceptable ACK values dropped → the peer's SACK blocks to loss
 *      recovery → an ACK of new data: the sender frees the queue and moves SND.UNA → RTT sample (sender)
 *      → loss recovery decides (recovery exit, partial ACK) and drives the congestion controller →
 *      retransmission timer (sender) → the next hole retransmitted if loss recovery said so → send
 *      window (sender); or a duplicate ACK: loss recovery counts it, the sender fast-retransmits if it
 *      says so → our FIN acknowledged (lifecycle) →
 *   trim to the window → 7. text (receiver.receiveText) → 8. FIN (checkFin, lifecycle).
 * Output, the trace and the notifications follow in TcpConnection.receive. No closure or object is made
 * per segment.
 */

import { PilhaError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { Acceptance, type TcpReceiver, TextResult } from '../receive/tcp-receiver.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import { AckResult, type TcpAckProcessor } from '../send/tcp-ack-processor.js';
import { ACK, FIN, RST, SYN, type TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import type { TcpSender } from '../send/tcp-sender.js';
import type { TcpConfig } from '../tcp-config.js';
import { seqAdd, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import type { TcpConnectionDeps } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { Notify, type TcpLifecycle } from './tcp-lifecycle.js';
import { type Describable, TcpState } from './tcp-state.js';
import { negotiateSyn } from './tcp-syn-negotiation.js';
import { type TcpTimers, TimerKind } from './tcp-timers.js';

export class TcpSegmentArrival {
  private readonly config: TcpConfig;
  private readonly log: Logger;
  /** The peer's FIN has been processed. */
  private finIn = false;

  constructor(
    private readonly tcb: TcpControlBlock,
    private readonly deps: TcpConnectionDeps,
    private readonly life: TcpLifecycle<unknown>,
    private readonly sender: TcpSender,
    private readonly receiver: TcpReceiver,
    private readonly recovery: LossRecovery,
    private readonly emitter: TcpSegmentEmitter,
    private readonly ackProcessor: TcpAckProcessor,
    private readonly timers: TcpTimers,
    /** The connection, for its log fields (as the state machine's). */
    private readonly subject: Describable,
  ) {
    this.config = deps.config;
    this.log = deps.log;
  }

  /** The peer's FIN has been processed. */
  get finReceived(): boolean {
    return this.finIn;
  }

  /** A segment for a connection in SYN_SENT or a later state (not CLOSED). */
  receive(seg: TcpSegment): void {
    if (this.life.state === TcpState.SYN_SENT) this.receiveInSynSent(seg);
    else this.receiveSynchronized(seg);
  }

  /** Takes the peer's SYN (tcp-syn-negotiation.ts); the congestion controller follows from the MSS. */
  takeSyn(syn: TcpSegment): void {
    const clamped = negotiateSyn(this.tcb, syn, this.config, this.deps.clock.now());
    if (clamped && this.log.isLevelEnabled('debug')) {
      this.log.debug(
        { ...this.subject.describe(), shift: syn.options.windowScale },
        'peer window scale clamped to 14',
      );
    }
    const cc = this.deps.congestion.create(this.tcb.sendMss);
    this.sender.cc = cc;
    this.recovery.useCongestionController(cc);
  }

  /** RFC 9293 §3.10.7.3, SYN-SENT. */
  private receiveInSynSent(seg: TcpSegment): void {
    const flags = seg.flags;
    const life = this.life;
    if (flags & ACK) {
      // An ACK of something we never sent: RST it (unless it is a RST itself).
      if (seqLe(seg.ack, this.tcb.iss) || seqGt(seg.ack, this.tcb.sndMax)) {
        if (!(flags & RST)) this.emitter.sendResetTo(seg.ack);
        return;
      }
    }
    if (flags & RST) {
      // RFC 5961 §3: in SYN-SENT a RST is valid when it acknowledges our SYN. RST+ACK never opens.
      if (flags & ACK)
        life.enterClosed(new PilhaError('ECONNREFUSED', `connection refused by ${life.peerName()}`));
      return;
    }
    if (!(flags & SYN)) return;
    this.takeSyn(seg);
    if (flags & ACK) {
      this.tcb.sndUna = seg.ack;
      this.sender.sampleRtt(seg, this.deps.clock.now());
    }
    if (seqGt(this.tcb.sndUna, this.tcb.iss)) {
      // Our SYN is acknowledged: ESTABLISHED (takeSyn took the SYN-ACK's unscaled window).
      this.tcb.synAcked = true;
      this.tcb.sndWl2 = seg.ack;
      this.timers.clear(TimerKind.RETRANSMIT);
      this.timers.clear(TimerKind.CONNECT);
      life.transition('rcv-syn-ack');
      life.established();
      this.receiver.requestAck();
      // The FIN sits after the SYN-ACK's data: its offset is taken before processText moves RCV.NXT past it.
      const finAt = this.receiver.receiveBuffer.nextOffset + seg.payload.length;
      if (seg.payload.length > 0 && this.receiver.processText(seqAdd(seg.seq, 1), seg.payload))
        life.notify(Notify.READABLE);
      if (seg.flags & FIN) this.receiver.receiveBuffer.markFin(finAt);
      this.checkFin();
    } else {
      // Simultaneous open (RFC 9293 §3.5, Figure 8): SYN-RECEIVED, and our SYN again with an ACK.
      life.transition('rcv-syn');
      this.sender.sendSyn(true, false);
    }
  }

  /** RFC 9293 §3.10.7.4, every state from SYN-RECEIVED on. */
  private receiveSynchronized(seg: TcpSegment): void {
    const flags = seg.flags;
    const now = this.deps.clock.now();
    const life = this.life;
    const state = life.state;
    const tcb = this.tcb;
    const receiver = this.receiver;
    this.sender.heardFromPeer(now);

    // A retransmitted SYN while we wait for the ACK of our SYN-ACK: send the SYN-ACK again.
    if (state === TcpState.SYN_RECEIVED && (flags & (SYN | ACK | RST)) === SYN && seg.seq === tcb.irs) {
      this.sender.sendSyn(true, true);
      return;
    }
    // Simultaneous open (RFC 9293 Figure 8, line 7): the peer's SYN-ACK, its SYN the one we have and its ACK
    // that of our SYN, completes the handshake. Step 1 would refuse it (its SYN lies before RCV.NXT) and step
    // 4 challenge it, leaving us in SYN-RECEIVED until our SYN-ACK's timeout drew a plain ACK; as Linux's
    // tcp_validate_incoming, exactly this segment passes (after PAWS), as the ACK it carries, and is ACKed
    // as the retransmitted SYN it also is, in case our SYN-ACK was lost.
    if (
      state === TcpState.SYN_RECEIVED &&
      life.activeOpen &&
      (flags & (SYN | ACK | RST | FIN)) === (SYN | ACK) &&
      seg.seq === tcb.irs &&
      seg.ack === tcb.sndNxt &&
      seg.payload.length === 0
    ) {
      if (receiver.pawsRejects(seg, 1, now, this.sender.rto.rto)) {
        this.emitter.sendAckForDropped(false);
        return;
      }
      receiver.updateTsRecent(seg, now);
      receiver.requestAck();
      life.transition('rcv-ack-of-syn');
      life.established();
      const acked = this.ackProcessor.process(seg, 0, now);
      if (acked & AckResult.WRITABLE) life.notify(Notify.WRITABLE);
      return;
    }

    let payload = seg.payload;
    let fin = (flags & FIN) !== 0;
    const segLen = payload.length + (flags & SYN ? 1 : 0) + (fin ? 1 : 0);
    const rcvNxt = tcb.rcvNxt;
    const rcvWnd = receiver.receiveWindow();

    // 0. PAWS, 1. the acceptability test (the receiver's window).
    const acceptance = receiver.checkAcceptable(seg, segLen, rcvWnd, now, this.sender.rto.rto);
    if (acceptance !== Acceptance.ACCEPT) {
      if (acceptance === Acceptance.ACK_ONLY) {
        payload = EMPTY;
        fin = false;
      } else {
        if (acceptance === Acceptance.DROP) return;
        if (acceptance === Acceptance.DROP_OUT_OF_WINDOW && state === TcpState.TIME_WAIT && fin)
          this.timers.set(TimerKind.TIME_WAIT, this.config.timeWaitMs);
        this.emitter.sendAckForDropped(segLen > 0 && !(flags & SYN));
        return;
      }
    }
    receiver.updateTsRecent(seg, now);

    // 2. RST (RFC 5961 §3.2): exactly RCV.NXT resets; anywhere else in the window gets a challenge ACK.
    if (flags & RST) {
      if (seg.seq === rcvNxt) this.receiveReset();
      else this.emitter.sendChallengeAck();
      return;
    }
    // 4. SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, whatever its sequence number.
    if (flags & SYN) {
      this.emitter.sendChallengeAck();
      return;
    }
    // 5. ACK.
    if (!(flags & ACK)) return;
    if (state === TcpState.SYN_RECEIVED) {
      if (!(seqLt(tcb.sndUna, seg.ack) && seqLe(seg.ack, tcb.sndMax))) {
        this.emitter.sendResetTo(seg.ack);
        return;
      }
      life.transition('rcv-ack-of-syn');
      life.established();
    }
    const acked = this.ackProcessor.process(seg, payload.length, now);
    if (acked & AckResult.DROP) return;
    if (acked & AckResult.WRITABLE) life.notify(Notify.WRITABLE);
    if (acked & AckResult.FIN_ACKED) this.ourFinAcked();
    if (life.state === TcpState.CLOSED) return;

    // Trim to the window, 7. text, 8. FIN recorded where it sits (receiver).
    const s = life.state;
    const textAllowed = s === TcpState.ESTABLISHED || s === TcpState.FIN_WAIT_1 || s === TcpState.FIN_WAIT_2;
    const text = receiver.receiveText(
      seg.seq,
      payload,
      fin,
      rcvNxt,
      rcvWnd,
      textAllowed,
      life.orphaned,
      this.finIn,
    );
    if (text & TextResult.UNREAD) {
      // Linux's TCPAbortOnData: the socket is gone and nobody will read this.
      this.emitter.sendReset(tcb.sndNxt, true);
      life.enterClosed(undefined);
      return;
    }
    if (text & TextResult.READABLE) life.notify(Notify.READABLE);
    this.checkFin();
  }

  /** RFC 9293 §3.10.7.4 second: the reset of a synchronized connection. */
  private receiveReset(): void {
    const life = this.life;
    const s = life.state;
    if (s === TcpState.SYN_RECEIVED && !life.activeOpen) {
      // Back to LISTEN, which for us means: this half-open connection is gone, its slot free.
      life.enterClosed(undefined);
      return;
    }
    if (s === TcpState.SYN_RECEIVED) {
      life.enterClosed(new PilhaError('ECONNREFUSED', `connection refused by ${life.peerName()}`));
      return;
    }
    if (s === TcpState.CLOSING || s === TcpState.LAST_ACK || s === TcpState.TIME_WAIT) {
      life.enterClosed(undefined);
      return;
    }
    if (s === TcpState.CLOSE_WAIT) {
      // Their FIN came first: as Linux's tcp_reset, EPIPE, which the reader does not meet (it reads up to the
      // FIN), only a writer.
      life.enterClosed(new PilhaError('EPIPE', `connection reset by ${life.peerName()} after its FIN`));
      return;
    }
    life.enterClosed(new PilhaError('ECONNRESET', `connection reset by ${life.peerName()}`));
  }

  /** Our FIN is acknowledged (RFC 9293 §3.10.7.4, FIN-WAIT-1, CLOSING, LAST-ACK). */
  private ourFinAcked(): void {
    const life = this.life;
    switch (life.state) {
      case TcpState.FIN_WAIT_1:
        life.transition('rcv-ack-of-fin');
        if (life.orphaned) this.timers.set(TimerKind.FIN_WAIT_2, this.config.finWait2TimeoutMs);
        return;
      case TcpState.CLOSING:
        life.transition('rcv-ack-of-fin');
        life.enterTimeWait();
        return;
      case TcpState.LAST_ACK:
        life.transition('rcv-ack-of-fin');
        life.enterClosed(undefined);
        return;
      default:
        return;
    }
  }

  /** Eighth, the FIN, once every byte before it is in (RFC 9293 §3.10.7.4). */
  private checkFin(): void {
    if (this.finIn || !this.receiver.receiveBuffer.finReached) return;
    this.finIn = true;
    this.tcb.rcvNxt = seqAdd(this.tcb.rcvNxt, 1);
    this.receiver.requestAck();
    const life = this.life;
    life.notify(Notify.READABLE);
    switch (life.state) {
      case TcpState.SYN_RECEIVED:
      case TcpState.ESTABLISHED:
        life.transition('rcv-fin');
        return;
      case TcpState.FIN_WAIT_1:
        life.transition('rcv-fin');
        return;
      case TcpState.FIN_WAIT_2:
        life.transition('rcv-fin');
        life.enterTimeWait();
        return;
      default:
        return;
    }
  }
}

const EMPTY = new Uint8Array(0);
