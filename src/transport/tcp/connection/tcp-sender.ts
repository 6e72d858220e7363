/**
 * The sending half of a connection: segmentation at the effective MSS under the peer's window and the
 * congestion window, Nagle (RFC 896) and sender-side silly window avoidance (RFC 9293 §3.8.6.2.1),
 * RTT sampling with Karn's rule and the RTO (RFC 6298), retransmission on timeout (go-back-N from
 * SND.UNA, RFC 5681 §3.1) and on duplicate ACKs (RFC 5681 §3.2, partial ACKs as RFC 6582), zero-window
 * and keepalive probes, and the window updates a reading application causes.
 *
 * Every segment is written straight into the datagram the IP layer allocates: header and options by
 * positional writes, the payload copied once out of the send queue, then the checksum.
 */

import { PilhaError } from '../../../core/errors.js';
import { IPV4_MIN_HEADER } from '../../../layers/ip/ipv4-header.js';
import { type Seq, seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';
import { TCP_PROTOCOL, TcpFlags, type TcpSegment } from '../wire/tcp-header.js';
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
import { TcpControlBlock } from './tcp-control-block.js';
import { TcpState } from './tcp-state.js';
import { TimerKind } from './tcp-timers.js';

export const FIN = TcpFlags.FIN;
export const SYN = TcpFlags.SYN;
export const RST = TcpFlags.RST;
export const PSH = TcpFlags.PSH;
export const ACK = TcpFlags.ACK;

export abstract class TcpSender extends TcpControlBlock {
  // ─── Handshake ───────────────────────────────────────────────────────────────────────────────────

  /** SYN (active open) or SYN-ACK (passive or simultaneous open), first time or again. */
  protected sendSyn(withAck: boolean, retransmission: boolean): void {
    const now = this.clock.now();
    if (retransmission) {
      this.synRetransmitted = true;
      this.rttTiming = false;
    } else {
      this.rttTiming = true;
      this.rttSeq = seqAdd(this.iss, 1);
      this.rttStart = now;
    }
    // Bookkeeping first, then the send: a synchronous link may bring the answer back inside emit().
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
    this.timers.set(TimerKind.RETRANSMIT, this.rto.rto);
    this.emit(withAck ? SYN | ACK : SYN, this.iss, 0, 0);
  }

  // ─── Segments out ────────────────────────────────────────────────────────────────────────────────

  protected sendAck(): void {
    this.emit(ACK, this.sndNxt, 0, 0);
  }

  /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), throttled as §7 asks. */
  protected sendChallengeAck(): void {
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
  protected sendAckForDropped(occupiesSequence: boolean): void {
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
  protected sendReset(seqNum: Seq, withAck: boolean): void {
    this.emit(withAck ? RST | ACK : RST, seqNum, 0, 0);
  }

  /** <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK of something we never sent. */
  protected sendResetTo(ack: Seq): void {
    this.emit(RST, ack, 0, 0);
  }

  /** A zero-window or keepalive probe: SEQ = SND.UNA − 1, no data; the peer must ACK it. */
  protected sendProbe(): void {
    this.emit(ACK, seqAdd(this.sndUna, -1), 0, 0);
  }

  /** Queues our FIN after everything written so far. */
  protected queueFin(): void {
    this.finQueued = true;
    // The first data byte is ISS + 1; before our SYN is acknowledged SND.UNA is still ISS.
    this.finSeq = seqAdd(this.sndUna, this.sendBuffer.size + (this.synAcked ? 0 : 1));
  }

  /** Unsent data, or a FIN not yet sent. */
  protected hasUnsent(): boolean {
    return (
      this.sendBuffer.size > seqDiff(this.sndNxt, this.sndUna) ||
      (this.finQueued && seqLe(this.sndNxt, this.finSeq))
    );
  }

  /**
   * Sends what the windows allow (RFC 9293 §3.8.6, RFC 5681): segments of up to sendMss from SND.NXT,
   * within min(SND.WND, cwnd) of SND.UNA; a short tail waits for Nagle unless noDelay or a FIN is
   * queued; a short window-limited segment waits for sender SWS avoidance unless `force` (the
   * persist timer's override). Then the FIN, then an ACK if one is due and nothing carried it.
   */
  protected output(force = false): void {
    const state = this.sm.state;
    if (state === TcpState.CLOSED) return;
    if (state !== TcpState.TIME_WAIT && this.cc !== undefined) {
      const cc = this.cc;
      const mss = this.sendMss;
      // RFC 5681 §4.1: after more than one RTO without sending data, restart from the restart window.
      if (
        this.lastDataSentAt >= 0 &&
        this.sndNxt === this.sndUna &&
        this.sendBuffer.size > 0 &&
        this.clock.now() - this.lastDataSentAt > this.rto.rto
      ) {
        cc.onIdleRestart();
        this.counts.idleRestarts++;
        if (this.trace !== undefined) this.traceState('idle_restart');
      }
      for (;;) {
        const inFlight = seqDiff(this.sndNxt, this.sndUna);
        const avail = this.sendBuffer.size - inFlight;
        let wnd = this.sndWnd;
        const cwnd = cc.cwnd;
        if (cwnd < wnd) wnd = cwnd;
        const usable = wnd - inFlight;
        if (avail > 0) {
          let len = Math.min(avail, mss);
          if (usable < len) len = usable;
          if (len <= 0) break;
          if (len < mss) {
            if (len < avail) {
              // Window-limited and short: wait for a bigger window (sender SWS avoidance).
              if (!force && len < this.maxSndWnd / 2) break;
            } else if (!this.noDelay && inFlight > 0 && !this.finQueued && !force) {
              break; // Nagle: a short tail waits while data is unacknowledged.
            }
          }
          const seqNum = this.sndNxt;
          let flags = ACK;
          let seqLen = len;
          if (len === avail) {
            flags |= PSH;
            if (this.finQueued && seqDiff(seqAdd(this.sndUna, this.sndWnd), seqAdd(seqNum, len)) >= 1) {
              flags |= FIN;
              seqLen++;
            }
          }
          this.afterSend(seqNum, seqLen, len);
          this.emit(flags, seqNum, inFlight, len);
          continue;
        }
        if (this.finQueued && seqLe(this.sndNxt, this.finSeq)) {
          // A FIN alone needs a byte of the peer's window but, as in Linux, not of cwnd.
          if (seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt) >= 1) {
            const seqNum = this.sndNxt;
            this.afterSend(seqNum, 1, 0);
            this.emit(ACK | FIN, seqNum, 0, 0);
          }
        }
        break;
      }
      // Nothing in flight, something to send, and the window will not let it go: persist.
      if (this.sndNxt === this.sndUna && this.hasUnsent() && state >= TcpState.ESTABLISHED) {
        this.timers.ensure(TimerKind.PERSIST, this.persistDelay());
      }
    }
    if (this.ackNow) this.sendAck();
  }

  private afterSend(seqNum: Seq, seqLen: number, dataLength: number): void {
    const end = seqAdd(seqNum, seqLen);
    this.sndNxt = end;
    if (dataLength > 0) this.lastDataSentAt = this.clock.now();
    if (seqGt(end, this.sndMax)) {
      if (seqGe(seqNum, this.sndMax)) {
        this.counts.bytesSent += dataLength;
        // RFC 6298 §3 / Karn: time this segment if none is being timed (it is new data).
        if (!this.rttTiming) {
          this.rttTiming = true;
          this.rttSeq = end;
          this.rttStart = this.clock.now();
        }
      } else {
        this.counts.retransmitted++;
        this.counts.bytesSent += seqDiff(end, this.sndMax);
      }
      this.sndMax = end;
    } else {
      this.counts.retransmitted++;
    }
    // RFC 6298 (5.1): start the timer when sending data if it is not running.
    if (!this.timers.isSet(TimerKind.RETRANSMIT)) this.timers.set(TimerKind.RETRANSMIT, this.rto.rto);
    this.timers.clear(TimerKind.PERSIST);
  }

  /**
   * Sends the first unacknowledged segment again (fast retransmit, partial ACK, timeout): at most an MSS of
   * what was sent before (SND.UNA to SND.MAX), never data queued since, which the windows have not
   * cleared and which SND.MAX does not cover (an ACK of it would then look like an ACK of unsent data).
   */
  protected retransmitFirst(): void {
    const queued = this.sendBuffer.size;
    let sent = seqDiff(this.sndMax, this.sndUna);
    if (this.finQueued && seqGt(this.sndMax, this.finSeq)) sent--;
    const len = Math.min(queued, this.sendMss, sent);
    let flags = ACK;
    let seqLen = len;
    if (len === queued) {
      if (len > 0) flags |= PSH;
      if (this.finQueued && seqDiff(this.finSeq, this.sndUna) === len && seqGt(this.sndMax, this.finSeq)) {
        flags |= FIN;
        seqLen++;
      }
    }
    if (seqLen === 0) return;
    const start = this.sndUna;
    this.counts.retransmitted++;
    this.rttTiming = false; // Karn: no RTT sample from a retransmitted segment
    const end = seqAdd(start, seqLen);
    if (seqLt(this.sndNxt, end)) this.sndNxt = end;
    this.emit(flags, start, 0, len);
  }

  /** RFC 6298 (5.4)–(5.6) and RFC 5681 §3.1: the retransmission timer expired with data outstanding. */
  protected retransmissionTimeout(): void {
    this.counts.timeouts++;
    this.cc?.onRetransmissionTimeout(seqDiff(this.sndMax, this.sndUna));
    this.rto.backoff();
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = this.sndMax; // RFC 6582 §3.2 step 1: no fast retransmit for what was sent before
    this.recoverPending = true;
    this.rttTiming = false;
    this.sndNxt = this.sndUna; // go back: everything past SND.UNA is sent again as cwnd allows
    this.timers.set(TimerKind.RETRANSMIT, this.rto.rto);
    this.retransmitFirst();
    if (this.trace !== undefined) this.traceState('timeout');
  }

  /**
   * An ACK of new data (SND.UNA < SEG.ACK ≤ SND.MAX): frees the send queue, samples the RTT, drives
   * the congestion controller and loss recovery, restarts or stops the retransmission timer.
   * Returns true when it acknowledges our FIN.
   */
  protected newAck(seg: TcpSegment, now: number): boolean {
    const ack = seg.ack;
    const flightBefore = seqDiff(this.sndNxt, this.sndUna);
    let dataAcked = seqDiff(ack, this.sndUna);
    if (!this.synAcked) {
      dataAcked--; // our SYN
      this.synAcked = true;
    }
    let finAcked = false;
    if (this.finQueued && seqGt(ack, this.finSeq)) {
      finAcked = true;
      dataAcked--;
    }
    if (dataAcked > 0) this.sendBuffer.acknowledge(dataAcked);
    else dataAcked = 0;
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    this.counts.bytesAcked += dataAcked;
    const rtt = this.sampleRtt(seg, now);
    this.retries = 0;
    const cc = this.cc;
    let partialAck = false;
    if (cc !== undefined) {
      const inFlight = seqDiff(this.sndNxt, ack);
      if (this.inRecovery) {
        cc.onAck(dataAcked, now, inFlight, rtt);
        const fullAck = seqGe(ack, this.recover);
        if (fullAck || cc.exitsRecoveryOnPartialAck) {
          cc.onRecoveryExit();
          this.inRecovery = false;
          // Plain Reno (RFC 5681) keeps no `recover`: three more duplicate ACKs may start recovery again.
          if (!fullAck) this.recoverPending = false;
          if (this.trace !== undefined) this.traceState('recovery_exit');
        } else {
          // RFC 6582 §3.2 step 3: a partial ACK — the next hole is lost too; it is sent below, and cwnd
          // deflates by what was acknowledged (plus one SMSS back).
          cc.onPartialAck(dataAcked);
          partialAck = true;
        }
      } else if (dataAcked > 0 && 2 * flightBefore >= cc.cwnd) {
        // Only a window that was in use may grow (RFC 7661 §4.2, as Linux's tcp_is_cwnd_limited): an
        // application- or receiver-limited sender would otherwise inflate cwnd without bound.
        cc.onAck(dataAcked, now, inFlight, rtt);
      }
    }
    // SND.UNA has caught up with `recover`: it no longer holds fast retransmit back (and is not compared
    // again, so it cannot flip sign once SND.UNA is 2^31 past it, after 2 GiB without loss).
    if (this.recoverPending && seqGe(ack, this.recover)) this.recoverPending = false;
    this.dupAcks = 0;
    // RFC 6298 (5.2)/(5.3); in recovery only the first partial ACK restarts the timer (RFC 6582 §3.2
    // step 5, the "Impatient" variant of §4), so many holes end in a timeout rather than one RTT each.
    if (ack === this.sndMax) this.timers.clear(TimerKind.RETRANSMIT);
    else if (!partialAck || !this.partialAckSeen) this.timers.set(TimerKind.RETRANSMIT, this.rto.rto);
    if (partialAck) this.partialAckSeen = true;
    // Last: a synchronous link may bring the answer back inside the send.
    if (partialAck) this.retransmitFirst();
    return finAcked;
  }

  /** RFC 5681 §3.2: count duplicate ACKs; the third starts fast retransmit and recovery. */
  protected duplicateAck(): void {
    this.dupAcks++;
    this.counts.dupAcks++;
    const cc = this.cc;
    if (cc === undefined) return;
    cc.onDuplicateAck();
    if (this.inRecovery || this.dupAcks !== 3) return;
    // RFC 6582 §3.2 step 2: not for duplicates of what a timeout already resent.
    if (this.recoverPending && !seqGe(this.sndUna, this.recover)) return;
    this.counts.fastRetransmits++;
    cc.onFastRetransmit(seqDiff(this.sndMax, this.sndUna));
    this.inRecovery = true;
    this.partialAckSeen = false;
    this.recover = this.sndMax;
    this.recoverPending = true;
    this.retransmitFirst();
    if (this.trace !== undefined) this.traceState('fast_retransmit');
  }

  /**
   * An RTT sample from this ACK, if it gives one: the timestamp echo when timestamps are in use
   * (RFC 7323 §4.1, valid even for retransmissions), otherwise the timed segment if it is covered and
   * was not retransmitted (Karn). Feeds the RTO estimator.
   */
  protected sampleRtt(seg: TcpSegment, now: number): number | undefined {
    let rtt: number | undefined;
    const ts = seg.options.timestamp;
    if (this.tsEnabled && ts !== undefined && ts.echo !== 0) {
      const elapsed = (this.tsNow() - ts.echo) | 0;
      if (elapsed >= 0) rtt = elapsed;
      this.rttTiming = false;
    } else if (this.rttTiming && seqGe(seg.ack, this.rttSeq)) {
      rtt = now - this.rttStart;
      this.rttTiming = false;
    }
    if (rtt !== undefined) this.rto.sample(rtt);
    return rtt;
  }

  /** After the application reads: advertise a window that has grown a lot (at least doubled, by an MSS). */
  protected maybeWindowUpdate(): void {
    const s = this.sm.state;
    if (s !== TcpState.ESTABLISHED && s !== TcpState.FIN_WAIT_1 && s !== TcpState.FIN_WAIT_2) return;
    const current = seqDiff(this.rcvAdvEdge, this.rcvNxt);
    // What could be advertised: the free space, up to what the window field can say.
    const free = Math.min(this.receiveBuffer.free, 65_535 * (1 << this.rcvShift));
    if (free - current >= this.rcvMss && free >= 2 * current) this.sendAck();
  }

  protected persistDelay(): number {
    const base = Math.max(this.rto.rto, this.config.minRtoMs);
    return Math.min(base * 2 ** Math.min(this.persistBackoff, 30), this.config.maxRtoMs);
  }

  /**
   * Writes one segment into a fresh datagram and sends it: header and options by positional writes,
   * `dataLength` bytes from the send queue at `dataOffset`, the checksum. Every segment but a bare RST
   * carries our window (SYNs unscaled) and, with timestamps, TSval/TSecr; with SACK, an ACK carries the
   * SACK and D-SACK blocks (RFC 2018 §4, RFC 2883) that fit beside its data. One with ACK settles any
   * pending (delayed) ACK.
   */
  private emit(flags: number, seqNum: Seq, dataOffset: number, dataLength: number): void {
    let optionsLength = 0;
    let timestamps = false;
    let shift = -1;
    let sackPermitted = false;
    let sackBlocks = 0;
    const syn = (flags & SYN) !== 0;
    const hasAck = (flags & ACK) !== 0;
    if (syn) {
      timestamps = hasAck ? this.tsEnabled : this.config.timestamps;
      sackPermitted = hasAck ? this.sackEnabled : this.config.sack;
      if (hasAck) shift = this.wsEnabled ? this.rcvShift : -1;
      else shift = this.config.windowScaling ? this.ourShift : -1;
      optionsLength = synOptionsLength(timestamps, shift, sackPermitted);
    } else if ((flags & RST) === 0) {
      if (this.tsEnabled) {
        timestamps = true;
        optionsLength = TIMESTAMP_OPTION_LENGTH;
      }
      const sack = this.sack;
      if (this.sackEnabled && hasAck && sack?.wantsOption(this.receiveBuffer)) {
        // Options and payload stay within the MSS: a full data segment carries no blocks (the pure ACKs do).
        let max = timestamps ? MAX_SACK_BLOCKS_WITH_TIMESTAMPS : MAX_SACK_BLOCKS;
        const room =
          (this.sendMss + (timestamps ? TIMESTAMP_OPTION_LENGTH : 0) - optionsLength - dataLength - 4) >> 3;
        if (room < max) max = room;
        sackBlocks = sack.prepare(this.receiveBuffer, this.rcvNxt, max);
        if (sackBlocks > 0) {
          optionsLength += 4 + 8 * sackBlocks;
          this.counts.sackAcksSent++;
          if (sack.lastHadDuplicate) this.counts.dsacksSent++;
        }
      }
    }
    const tcpLength = 20 + optionsLength + dataLength;
    const d = this.network.allocateDatagram(tcpLength);
    const o = IPV4_MIN_HEADER;
    let window = 0;
    if (flags & RST) window = 0;
    else if (syn) {
      const free = this.receiveBuffer.free;
      window = Math.min(free, 65_535);
      this.rcvAdvEdge = seqAdd(this.rcvNxt, window);
    } else {
      window = this.advertiseWindow();
    }
    writeTcpHeader(
      d,
      o,
      this.localPort,
      this.remotePort,
      seqNum,
      hasAck ? this.rcvNxt : 0,
      flags,
      window,
      optionsLength,
    );
    if (syn) {
      const echo = hasAck ? this.tsRecent : 0;
      writeSynOptions(d, o + 20, this.ourMss, timestamps, this.tsNow(), echo, shift, sackPermitted);
    } else if (optionsLength > 0) {
      const edges = this.sack?.edges ?? NO_SACK_EDGES;
      writeTcpOptions(d, o + 20, -1, false, timestamps, this.tsNow(), this.tsRecent, -1, edges, sackBlocks);
    }
    if (dataLength > 0) this.sendBuffer.copyTo(dataOffset, dataLength, d, o + 20 + optionsLength);
    finishTcpChecksum(d, o, tcpLength, this.localAddress, this.remoteAddress);
    this.counts.segmentsSent++;
    if (hasAck) {
      this.lastAckSent = this.rcvNxt;
      this.ackNow = false;
      this.ackPendingBytes = 0;
      this.timers.clear(TimerKind.DELAYED_ACK);
    }
    // Last: a synchronous link may deliver the answer (and re-enter this connection) inside the send.
    this.network.sendDatagram(this.remoteAddress, TCP_PROTOCOL, d);
  }

  // ─── Timers of the sending side ──────────────────────────────────────────────────────────────────

  /** Ends the connection with `error` (ETIMEDOUT here). */
  protected abstract fail(error: PilhaError | undefined): void;

  protected onRetransmitTimer(): void {
    const s = this.state;
    if (s === TcpState.SYN_SENT || s === TcpState.SYN_RECEIVED) {
      this.retries++;
      const limit =
        s === TcpState.SYN_SENT || this.activeOpen ? this.config.synRetries : this.synAckRetryLimit();
      if (this.retries > limit) {
        if (this.activeOpen) {
          this.fail(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out`));
        } else {
          this.fail(undefined);
        }
        return;
      }
      this.counts.timeouts++;
      this.rto.backoff();
      this.sendSyn(s === TcpState.SYN_RECEIVED, true);
      return;
    }
    if (this.sndUna === this.sndMax || s === TcpState.CLOSED || s === TcpState.TIME_WAIT) return;
    this.retries++;
    if (this.retries > this.config.maxRetransmits) {
      this.fail(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out`));
      return;
    }
    this.retransmissionTimeout();
  }

  /** SYN-ACK retransmissions allowed now to a passive open (asked at each timeout; a listener may lower it). */
  protected synAckRetryLimit(): number {
    return this.config.synAckRetries;
  }

  protected onPersistTimer(): void {
    if (this.state < TcpState.ESTABLISHED || this.state === TcpState.TIME_WAIT) return;
    if (!this.hasUnsent() || this.sndNxt !== this.sndUna) return;
    if (this.sndWnd > 0) {
      // The window is open but too small for the sender's silly-window avoidance: send anyway.
      this.output(true);
      return;
    }
    // RFC 9293 §3.8.6.1: probe the zero window. Like Linux, with an old sequence number and no data,
    // which any receiver must answer with an ACK carrying its current window.
    this.persistUnanswered++;
    // An orphaned connection (the socket is gone) may not probe a closed window for ever, even if every
    // probe is answered: as Linux's tcp_orphan_retries, it gives up after maxRetransmits probes.
    if (
      this.persistUnanswered > this.config.maxRetransmits ||
      (this.orphaned && this.persistBackoff >= this.config.maxRetransmits)
    ) {
      this.fail(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out (zero window)`));
      return;
    }
    this.sendProbe();
    this.persistBackoff++;
    this.timers.set(TimerKind.PERSIST, this.persistDelay());
  }

  protected onKeepaliveTimer(now: number): void {
    const s = this.state;
    if (!this.keepAlive || (s !== TcpState.ESTABLISHED && s !== TcpState.CLOSE_WAIT)) return;
    const idle = now - this.lastReceivedAt;
    if (this.keepaliveProbesSent === 0 && idle < this.keepaliveIdleMs) {
      this.timers.set(TimerKind.KEEPALIVE, this.keepaliveIdleMs - idle);
      return;
    }
    if (this.keepaliveProbesSent >= this.config.keepaliveProbes) {
      this.fail(new PilhaError('ETIMEDOUT', `connection to ${this.peerName()} timed out (keepalive)`));
      return;
    }
    this.keepaliveProbesSent++;
    this.sendProbe();
    this.timers.set(TimerKind.KEEPALIVE, this.config.keepaliveIntervalMs);
  }
}

/** The option writer's edges when no SACK block was ever needed (it reads none: zero blocks). */
const NO_SACK_EDGES = new Uint32Array(0);
