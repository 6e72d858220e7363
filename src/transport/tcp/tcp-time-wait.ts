/**
 * TIME_WAIT without the connection (as Linux's inet_timewait_sock): when a connection whose socket is gone
 * enters TIME_WAIT, the layer keeps a compact record of what 2·MSL still needs — the 4-tuple, SND.NXT,
 * RCV.NXT, the window last advertised and the timestamp state — and lets the connection, with its buffers,
 * congestion controller, loss recovery and timers, go. A server that closes first (node:http without
 * keep-alive) holds one TIME_WAIT entry per request for a minute; as whole connections those survived every
 * young-generation collection into the old one (a few KiB each, up to the TIME_WAIT limit).
 *
 * The record answers as the connection in TIME_WAIT did (RFC 9293 §3.10.7.4, RFC 7323 PAWS, RFC 5961):
 * a retransmitted FIN is acknowledged and restarts 2·MSL; a RST at RCV.NXT ends it; a RST elsewhere in the
 * window, a SYN (one the layer does not take to reopen it), or an ACK of data never sent gets a challenge
 * ACK; other unacceptable segments get an ACK (throttled unless they occupy sequence space). Its ACKs carry
 * the timestamp option when the connection used timestamps, and no SACK blocks (as Linux's TIME_WAIT ACKs).
 *
 * Every record lives the same timeWaitMs, so they expire in the order they were last (re)started: one Clock
 * timer for the whole table, armed for the oldest.
 */

import type { Clock, Timer } from '../../core/clock.js';
import type { Ipv4Address } from '../../core/ipv4-address.js';
import { PATH_MTU_DISCOVERY } from '../../layers/ip/ip-layer.js';
import { IPV4_MIN_HEADER } from '../../layers/ip/ipv4-header.js';
import type { TimeWaitState } from './connection/tcp-connection-types.js';
import { ackOnlyAtEdge, segmentAcceptable } from './receive/segment-acceptability.js';
import { PAWS_IDLE_MS } from './receive/tcp-receiver.js';
import type { TcpConfig } from './tcp-config.js';
import type { TcpIp } from './tcp-layer-types.js';
import { type Seq, seqGt, seqLe, seqLt } from './wire/seq.js';
import { TCP_PROTOCOL, TcpFlags, type TcpSegment } from './wire/tcp-header.js';
import { TIMESTAMP_OPTION_LENGTH } from './wire/tcp-options-writer.js';
import { finishTcpChecksum, writeTcpHeader, writeTimestampOption } from './wire/tcp-segment-writer.js';

/**
 * Whether a SYN (no ACK, no RST) may open a new connection in place of one in TIME_WAIT whose RCV.NXT is
 * `rcvNxt` and whose TS.Recent is `tsRecent` (undefined: it did not use timestamps). With a timestamp on both
 * sides: a newer TSval, or the same with a sequence number above RCV.NXT (RFC 6191, as Linux); otherwise a
 * sequence number above RCV.NXT (RFC 1122 §4.2.2.13).
 */
export function synReopensTimeWait(seg: TcpSegment, rcvNxt: Seq, tsRecent: number | undefined): boolean {
  const ts = seg.options.timestamp;
  if (tsRecent === undefined || ts === undefined) return seqGt(seg.seq, rcvNxt);
  const newer = (ts.value - tsRecent) | 0;
  return newer > 0 || (newer === 0 && seqGt(seg.seq, rcvNxt));
}

/** One connection in TIME_WAIT, without the connection. */
export class TimeWaitRecord {
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  /** The demultiplexing key within the local port, as the connection's. */
  readonly key: number;
  readonly sndNxt: Seq;
  readonly oldestAckable: Seq;
  readonly rcvNxt: Seq;
  readonly rcvWnd: number;
  readonly windowField: number;
  readonly tsEnabled: boolean;
  tsRecent: number;
  tsRecentAt: number;
  readonly tsOffset: number;
  expiresAt: number;
  /** Clock time of the last throttled ACK, or -∞ (Linux tcp_invalid_ratelimit, as the connection's). */
  lastInvalidAckAt = Number.NEGATIVE_INFINITY;

  /** Whether a SYN may open a new connection in its place (synReopensTimeWait). */
  reopenedBy(seg: TcpSegment): boolean {
    return synReopensTimeWait(seg, this.rcvNxt, this.tsEnabled ? this.tsRecent : undefined);
  }

  constructor(s: TimeWaitState, expiresAt: number) {
    this.localPort = s.localPort;
    this.remoteAddress = s.remoteAddress;
    this.remotePort = s.remotePort;
    this.key = s.remoteAddress * 65536 + s.remotePort;
    this.sndNxt = s.sndNxt;
    this.oldestAckable = s.oldestAckable;
    this.rcvNxt = s.rcvNxt;
    this.rcvWnd = s.rcvWnd;
    this.windowField = s.windowField;
    this.tsEnabled = s.tsEnabled;
    this.tsRecent = s.tsRecent;
    this.tsRecentAt = s.tsRecentAt;
    this.tsOffset = s.tsOffset;
    this.expiresAt = expiresAt;
  }
}

/** Counters the table adds to the layer's. */
export const TIME_WAIT_COUNTERS = [
  /** Connections that entered TIME_WAIT as a compact record (their socket was gone). */
  'timeWaitRecords',
  /** Segments answered, or dropped, by a TIME_WAIT record. */
  'timeWaitSegments',
] as const;

export type TimeWaitCounterName = (typeof TIME_WAIT_COUNTERS)[number];

/** The layer's side: where a record is found and forgotten. */
export interface TimeWaitHost {
  /** The record left TIME_WAIT (expired, reset, recycled or reopened): drop it from every table. */
  forget(record: TimeWaitRecord): void;
}

export class TimeWaitTable {
  /** Records by last (re)start, hence by expiry: oldest first (a Set keeps insertion order). */
  private readonly byExpiry = new Set<TimeWaitRecord>();
  private timer: Timer | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly ip: Pick<TcpIp, 'address' | 'allocateDatagram' | 'sendDatagram'>,
    private readonly clock: Clock,
    private readonly config: TcpConfig,
    private readonly counters: Record<TimeWaitCounterName, number>,
    /** The connection counters of closed connections (a record's segments and ACKs count there). */
    private readonly totals: Record<
      'segmentsReceived' | 'segmentsSent' | 'challengeAcks' | 'acksRateLimited',
      number
    >,
    private readonly host: TimeWaitHost,
  ) {}

  get size(): number {
    return this.byExpiry.size;
  }

  /** A record for a connection entering TIME_WAIT now. */
  add(state: TimeWaitState): TimeWaitRecord {
    const record = new TimeWaitRecord(state, this.clock.now() + this.config.timeWaitMs);
    this.byExpiry.add(record);
    this.counters.timeWaitRecords++;
    this.arm();
    return record;
  }

  /** Ends `record` now (the layer's limit, a SYN that reopens it, or a RST). */
  remove(record: TimeWaitRecord): void {
    if (!this.byExpiry.delete(record)) return;
    this.host.forget(record);
  }

  /** Ends every record and stops the timer (the layer is closing). */
  clear(): void {
    for (const record of [...this.byExpiry]) this.remove(record);
    this.timer?.cancel();
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  /** A segment for `record` (demultiplexed and checksummed), answered as the connection would have in TIME_WAIT. */
  input(record: TimeWaitRecord, seg: TcpSegment): void {
    const now = this.clock.now();
    this.counters.timeWaitSegments++;
    this.totals.segmentsReceived++;
    const flags = seg.flags;
    const fin = (flags & TcpFlags.FIN) !== 0;
    const segLen = seg.payload.length + (flags & TcpFlags.SYN ? 1 : 0) + (fin ? 1 : 0);
    const occupiesSequence = segLen > 0 && !(flags & TcpFlags.SYN);
    const rcvNxt = record.rcvNxt;
    const ts = seg.options.timestamp;
    // 0. PAWS: an old duplicate, whatever its sequence number (a RST is exempt).
    if (
      record.tsEnabled &&
      ts !== undefined &&
      !(flags & TcpFlags.RST) &&
      ((ts.value - record.tsRecent) | 0) < 0 &&
      now - record.tsRecentAt < PAWS_IDLE_MS
    ) {
      this.ackDropped(record, occupiesSequence, now);
      return;
    }
    // 1. The acceptability test against the window last advertised.
    const rcvWnd = record.rcvWnd;
    if (!segmentAcceptable(seg.seq, segLen, rcvNxt, rcvWnd)) {
      if (flags & TcpFlags.RST) return; // RFC 5961 §3.2: never answered
      if (flags & TcpFlags.ACK && ackOnlyAtEdge(seg.seq, rcvNxt, rcvWnd)) {
        this.sendAck(record, now);
        return;
      }
      if (fin) this.restart(record, now); // the peer's FIN again: our ACK was lost
      this.ackDropped(record, occupiesSequence, now);
      return;
    }
    if (
      ts !== undefined &&
      record.tsEnabled &&
      seqLe(seg.seq, rcvNxt) &&
      ((ts.value - record.tsRecent) | 0) >= 0
    ) {
      record.tsRecent = ts.value;
      record.tsRecentAt = now;
    }
    // 2. RST (RFC 5961 §3.2): exactly RCV.NXT ends TIME_WAIT; elsewhere in the window, a challenge ACK.
    if (flags & TcpFlags.RST) {
      if (seg.seq === rcvNxt) this.remove(record);
      else this.challengeAck(record, now);
      return;
    }
    // 4. SYN (RFC 5961 §4.2).
    if (flags & TcpFlags.SYN) {
      this.challengeAck(record, now);
      return;
    }
    // 5. ACK: of data never sent, or too old (RFC 5961 §5.2), a challenge ACK; anything else needs nothing.
    if (!(flags & TcpFlags.ACK)) return;
    if (seqGt(seg.ack, record.sndNxt) || seqLt(seg.ack, record.oldestAckable)) this.challengeAck(record, now);
  }

  /** The timer of the whole table: ends every record whose 2·MSL has passed, then waits for the next. */
  private readonly expire = (): void => {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (const record of this.byExpiry) {
      if (record.expiresAt > now) break;
      this.remove(record);
    }
    this.arm();
  };

  private arm(): void {
    const oldest = this.byExpiry.values().next();
    if (oldest.done === true) return;
    const at = oldest.value.expiresAt;
    if (at >= this.armedAt) return;
    this.timer?.cancel();
    this.armedAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), this.expire);
  }

  /** 2·MSL again from now: the record moves to the end of the expiry order. */
  private restart(record: TimeWaitRecord, now: number): void {
    record.expiresAt = now + this.config.timeWaitMs;
    this.byExpiry.delete(record);
    this.byExpiry.add(record);
    // The timer stays armed for the (earlier) oldest; it re-arms when it fires.
    this.arm();
  }

  private ackDropped(record: TimeWaitRecord, occupiesSequence: boolean, now: number): void {
    if (occupiesSequence || this.invalidAckAllowed(record, now)) this.sendAck(record, now);
  }

  private challengeAck(record: TimeWaitRecord, now: number): void {
    if (!this.invalidAckAllowed(record, now)) return;
    this.totals.challengeAcks++;
    this.sendAck(record, now);
  }

  private invalidAckAllowed(record: TimeWaitRecord, now: number): boolean {
    if (now - record.lastInvalidAckAt < this.config.invalidAckIntervalMs) {
      this.totals.acksRateLimited++;
      return false;
    }
    record.lastInvalidAckAt = now;
    return true;
  }

  /** <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, with TSval and TSecr when the connection used timestamps. */
  private sendAck(record: TimeWaitRecord, now: number): void {
    const optionsLength = record.tsEnabled ? TIMESTAMP_OPTION_LENGTH : 0;
    const tcpLength = 20 + optionsLength;
    const d = this.ip.allocateDatagram(tcpLength);
    const o = IPV4_MIN_HEADER;
    writeTcpHeader(
      d,
      o,
      record.localPort,
      record.remotePort,
      record.sndNxt,
      record.rcvNxt,
      TcpFlags.ACK,
      record.windowField,
      optionsLength,
    );
    if (record.tsEnabled) {
      writeTimestampOption(d, o + 20, (Math.floor(now) + record.tsOffset) >>> 0, record.tsRecent);
    }
    finishTcpChecksum(d, o, tcpLength, this.ip.address, record.remoteAddress);
    this.totals.segmentsSent++;
    this.ip.sendDatagram(record.remoteAddress, TCP_PROTOCOL, d, PATH_MTU_DISCOVERY);
  }
}
