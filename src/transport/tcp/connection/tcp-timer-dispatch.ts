/**
 * What each of a connection's timers does when TcpTimers finds it due: the SYN or data retransmission with
 * their limits (RFC 6298 (5.4)–(5.6)), the delayed ACK, the persist and keepalive probes, 2·MSL, the
 * connect and FIN_WAIT_2 limits, the tail loss probe and RACK's reorder timer. It calls the parts and the
 * lifecycle; the one thing only the connection does (its output, forced past silly window avoidance) comes
 * back as the return value, as the other parts' results do.
 */

import type { TcpListener } from '../listen/tcp-listener.js';
import type { TcpReceiver } from '../receive/tcp-receiver.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import type { TcpSackOutput } from '../send/tcp-sack-output.js';
import type { TcpSegmentEmitter } from '../send/tcp-segment-emitter.js';
import { ProbeResult, type TcpSender } from '../send/tcp-sender.js';
import type { TcpConfig } from '../tcp-config.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import type { TcpLifecycle } from './tcp-lifecycle.js';
import { TcpState } from './tcp-state.js';
import { TimerKind } from './tcp-timers.js';

/** The connection, for the listener that accepted it (read when a SYN-ACK times out). */
export interface ListenerHolder {
  readonly listener: TcpListener | undefined;
}

export class TcpTimerDispatch<C> {
  constructor(
    private readonly owner: ListenerHolder,
    private readonly tcb: TcpControlBlock,
    private readonly config: TcpConfig,
    private readonly life: TcpLifecycle<C>,
    private readonly sender: TcpSender,
    private readonly receiver: TcpReceiver,
    private readonly emitter: TcpSegmentEmitter,
    private readonly sackOutput: TcpSackOutput,
    private readonly recovery: LossRecovery,
  ) {}

  /**
   * Runs what `kind` coming due at `now` means. Returns true when the connection must send what the window
   * allows now, overriding silly window avoidance (a persist timer that found the window open but small).
   */
  fire(kind: TimerKind, now: number): boolean {
    const life = this.life;
    const state = life.state;
    switch (kind) {
      case TimerKind.RETRANSMIT:
        this.onRetransmitTimer(state);
        return false;
      case TimerKind.DELAYED_ACK:
        if (this.receiver.ackPending) this.emitter.sendAck();
        return false;
      case TimerKind.PERSIST:
        return this.onProbeResult(this.sender.onPersistTimer(state, life.orphaned), 'zero window');
      case TimerKind.KEEPALIVE:
        return this.onProbeResult(this.sender.onKeepaliveTimer(state, now), 'keepalive');
      case TimerKind.TIME_WAIT:
        life.expireTimeWait();
        return false;
      case TimerKind.CONNECT:
        if (state === TcpState.SYN_SENT || (life.activeOpen && state === TcpState.SYN_RECEIVED))
          life.timedOut();
        return false;
      case TimerKind.FIN_WAIT_2:
        if (state === TcpState.FIN_WAIT_2) life.enterClosed(undefined);
        return false;
      case TimerKind.LOSS_PROBE:
        this.sackOutput.onLossProbeTimer(state, now);
        return false;
      case TimerKind.REORDER:
        if (state >= TcpState.ESTABLISHED) this.sackOutput.onReorderTimer(state, now);
        return false;
      default:
        kind satisfies never;
        return false;
    }
  }

  /** The retransmission timer: the SYN again (with its own limits), or RFC 6298 (5.4)–(5.6) for data. */
  private onRetransmitTimer(s: TcpState): void {
    const sender = this.sender;
    const life = this.life;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
      sender.retries++;
      const limit =
        s === TcpState.SYN_SENT || life.activeOpen ? this.config.synRetries : this.synAckRetryLimit();
      if (sender.retries > limit) {
        if (life.activeOpen) life.timedOut();
        else life.enterClosed(undefined);
        return;
      }
      sender.retransmitSyn(s === TcpState.SYN_RECEIVED);
      return;
    }
    if (this.tcb.sndUna === this.tcb.sndMax || s === TcpState.CLOSED || s === TcpState.TIME_WAIT) return;
    sender.retries++;
    if (sender.retries > this.config.maxRetransmits) {
      life.timedOut();
      return;
    }
    // Loss recovery first (it reads SND.MAX and the flight), then the sender goes back to SND.UNA.
    this.recovery.onTimeout();
    sender.retransmissionTimeout();
  }

  private onProbeResult(result: ProbeResult, what: string): boolean {
    if (result === ProbeResult.GIVE_UP) this.life.timedOut(what);
    return result === ProbeResult.FORCE_OUTPUT;
  }

  /** A half-open connection's SYN-ACK timed out: its listener says how many more tries it gets. */
  private synAckRetryLimit(): number {
    const { synAckRetries, synAckRetriesUnderPressure } = this.config;
    return this.owner.listener?.synAckRetryLimit(synAckRetries, synAckRetriesUnderPressure) ?? synAckRetries;
  }
}
