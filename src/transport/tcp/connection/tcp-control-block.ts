/**
 * The transmission control block of one connection (RFC 9293 §3.3.1): its identity, its building blocks
 * (send and receive buffers, RTO estimator, congestion controller, timers, state machine), the send and
 * receive sequence variables, and what the SYNs negotiated (MSS; RFC 7323 window scale and timestamps).
 * Also the receive window: what the acceptability test uses and what every segment advertises.
 *
 * The layers of a connection, bottom up: TcpControlBlock (state) → TcpSender (tcp-sender.ts: what goes
 * out, retransmission) → TcpConnection (tcp-connection.ts: what comes in, user calls, timers).
 */

import type { Clock } from '../../../core/clock.js';
import type { PilhaError } from '../../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../../core/ipv4-address.js';
import type { Logger } from '../../../core/logger.js';
import type {
  CongestionController,
  CongestionControllerFactory,
} from '../../congestion/congestion-controller.js';
import { SackBlockGenerator } from '../sack/sack-block-generator.js';
import { type TcpConfig, windowShiftFor } from '../tcp-config.js';
import type { TcpTraceChannel, TcpTraceEvent } from '../trace/tcp-tracer.js';
import { type Seq, seq, seqAdd, seqDiff, seqLe } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { TIMESTAMP_OPTION_LENGTH } from '../wire/tcp-segment-writer.js';
import { ReceiveBuffer } from './receive-buffer.js';
import { RtoEstimator } from './rto-estimator.js';
import { SendBuffer } from './send-buffer.js';
import {
  CONNECTION_COUNTERS,
  type ConnectionCounterName,
  type TcpConnectionDeps,
  type TcpConnectionParams,
  type TcpConnectionStats,
  type TcpNetwork,
} from './tcp-connection-types.js';
import { TCP_STATE_NAMES, type TcpState, TcpStateMachine, tcpStateName } from './tcp-state.js';
import { TcpTimers, type TimerKind, type TimerTarget } from './tcp-timers.js';

/** RFC 9293 §3.7.1: the MSS assumed when the peer announces none. */
export const DEFAULT_PEER_MSS = 536;
/** Linux's tcp_min_snd_mss: a peer cannot make us send smaller segments than this. */
const MIN_PEER_MSS = 48;
/** RFC 7323 §2.3: a shift above 14 is used as 14. */
const MAX_WINDOW_SHIFT = 14;

/** The MSS we announce on a link of this MTU: MTU − 40 (IPv4 and TCP headers without options). */
export function mssForMtu(mtu: number): number {
  return Math.max(MIN_PEER_MSS, Math.min(mtu, 65_535) - 40);
}

export abstract class TcpControlBlock implements TimerTarget {
  readonly localAddress: Ipv4Address;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  /** The demultiplexing key within the local port: remoteAddress · 65536 + remotePort. */
  readonly key: number;

  protected readonly clock: Clock;
  protected readonly config: TcpConfig;
  protected readonly log: Logger;
  protected readonly network: TcpNetwork;
  protected readonly congestion: CongestionControllerFactory;
  protected readonly sm: TcpStateMachine;
  protected readonly timers: TcpTimers;
  protected readonly sendBuffer: SendBuffer;
  protected readonly receiveBuffer: ReceiveBuffer;
  protected rto: RtoEstimator;
  protected cc: CongestionController | undefined;
  protected readonly counts: Record<ConnectionCounterName, number>;
  /** `--trace`: this connection's channel, or undefined when tracing is off (then every hook is one check). */
  protected readonly trace: TcpTraceChannel | undefined;

  // Send sequence variables (RFC 9293 §3.3.1). SND.MAX is the highest sequence number sent: after a
  // timeout SND.NXT goes back to SND.UNA and climbs again towards it.
  protected readonly iss: Seq;
  protected sndUna: Seq;
  protected sndNxt: Seq;
  protected sndMax: Seq;
  protected sndWnd = 0;
  protected sndWl1: Seq = seq(0);
  protected sndWl2: Seq = seq(0);
  /** The largest window the peer has offered (RFC 9293 MAX.SNDWND). */
  protected maxSndWnd = 0;
  // Receive sequence variables. RCV.WND is kept as the right edge last advertised, which never moves left.
  protected irs: Seq = seq(0);
  protected rcvNxt: Seq = seq(0);
  protected rcvAdvEdge: Seq = seq(0);
  protected lastAckSent: Seq = seq(0);

  // Options (RFC 7323): shifts, timestamps.
  protected wsEnabled = false;
  protected sndShift = 0;
  protected rcvShift = 0;
  protected readonly ourShift: number;
  protected tsEnabled = false;
  protected tsRecent = 0;
  /** Clock time TS.Recent was last set: PAWS trusts it for 24 days only (RFC 7323 §5.5). */
  protected tsRecentAt = 0;
  protected readonly tsOffset: number;
  /** RFC 2018: both SYNs carried SACK-permitted, so our ACKs carry SACK blocks (the peer's are ignored for now). */
  protected sackEnabled = false;
  /**
   * The SACK and D-SACK blocks our ACKs report; made at the first hole or duplicate, so that the many
   * connections that never see one (idle ones, clean paths) do not carry it.
   */
  protected sack: SackBlockGenerator | undefined;

  /** MSS we announce: link MTU − 40. */
  protected readonly ourMss: number;

  /** The SACK block generator, made when first needed. */
  protected sackGenerator(): SackBlockGenerator {
    if (this.sack === undefined) this.sack = new SackBlockGenerator();
    return this.sack;
  }
  /** Payload bytes per full-sized segment we send: min(peer MSS, our MSS) less the timestamp option. */
  protected sendMss = DEFAULT_PEER_MSS;
  /** The largest payload seen from the peer: "full-sized" for delayed ACKs. */
  protected rcvMss: number;

  /** Our SYN has been acknowledged (SND.UNA passed ISS); never inferred from SND.UNA = ISS, which recurs every 4 GiB. */
  protected synAcked = false;
  /** The socket is gone (closed gracefully): data that still arrives is answered with RST. */
  protected orphaned = false;
  protected finQueued = false;
  protected finSeq: Seq = seq(0);
  protected ackNow = false;
  protected ackPendingBytes = 0;
  protected noDelay = false;
  /** Consecutive expirations of the retransmission timer without progress. */
  protected retries = 0;
  protected synRetransmitted = false;
  protected persistBackoff = 0;
  protected dupAcks = 0;
  protected inRecovery = false;
  /** RFC 6582 `recover`: SND.MAX when loss recovery (or the last timeout) began. */
  protected recover: Seq;
  /** SND.UNA has not reached `recover` yet (it is only meaningful until then). */
  protected recoverPending = false;
  /** A partial ACK has come in this recovery (RFC 6582 §3.2 step 5: only the first resets the timer). */
  protected partialAckSeen = false;
  /** Clock time of the last rate-limited ACK (challenge or answer to a dropped segment), or -∞. */
  protected lastInvalidAckAt = Number.NEGATIVE_INFINITY;
  // Karn's algorithm (RFC 6298 §3): one segment timed at a time, never a retransmitted one.
  protected rttTiming = false;
  /** Clock time of the last segment that carried data, or -1 before any (for RFC 5681 §4.1). */
  protected lastDataSentAt = -1;
  protected rttSeq: Seq = seq(0);
  protected rttStart = 0;
  protected inInput = false;
  /** Opened by connect() (active open), not by a listener. */
  protected activeOpen = false;
  protected keepAlive = false;
  protected keepaliveProbesSent = 0;
  protected lastReceivedAt = 0;
  /** Zero-window probes sent without an ACK in between. */
  protected persistUnanswered = 0;
  /** The peer's FIN has been processed. */
  protected finReceived = false;
  /** Why the connection closed, when it was not a clean close. */
  protected closeError: PilhaError | undefined;
  protected keepaliveIdleMs: number;

  constructor(params: TcpConnectionParams, deps: TcpConnectionDeps) {
    this.localAddress = params.localAddress;
    this.localPort = params.localPort;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    this.key = params.remoteAddress * 65536 + params.remotePort;
    this.clock = deps.clock;
    this.config = deps.config;
    this.log = deps.log;
    this.network = deps.network;
    this.congestion = deps.congestion;
    this.iss = params.iss;
    this.sndUna = params.iss;
    this.sndNxt = params.iss;
    this.sndMax = params.iss;
    this.recover = params.iss;
    this.tsOffset = params.tsOffset >>> 0;
    this.ourMss = mssForMtu(params.mtu);
    this.rcvMss = Math.min(DEFAULT_PEER_MSS, this.ourMss);
    this.ourShift = windowShiftFor(deps.config.receiveBufferSize);
    this.keepaliveIdleMs = deps.config.keepaliveIdleMs;
    const config = deps.config;
    this.sendBuffer = new SendBuffer(config.sendBufferSize, deps.memory, config.sendBufferMin);
    this.receiveBuffer = new ReceiveBuffer(
      config.receiveBufferSize,
      config.maxOutOfOrderRanges,
      config.receiveBufferSize,
      deps.memory,
      config.receiveBufferMin,
    );
    this.rto = new RtoEstimator({
      initialRtoMs: deps.config.initialRtoMs,
      minRtoMs: deps.config.minRtoMs,
      maxRtoMs: deps.config.maxRtoMs,
    });
    const counts = {} as Record<ConnectionCounterName, number>;
    for (const name of CONNECTION_COUNTERS) counts[name] = 0;
    this.counts = counts;
    this.timers = new TcpTimers(deps.clock, this);
    this.sm = new TcpStateMachine(deps.log, () => this.describe());
    this.lastReceivedAt = deps.clock.now();
    this.trace = deps.tracer.enabled
      ? deps.tracer.channel(
          `${formatIpv4(this.localAddress)}:${this.localPort}>${formatIpv4(this.remoteAddress)}:${this.remotePort}`,
        )
      : undefined;
  }

  /** Tells the trace (if any) cwnd, ssthresh, bytes in flight, srtt and rto; it records them if they changed. */
  protected traceState(event?: TcpTraceEvent): void {
    const trace = this.trace;
    const cc = this.cc;
    if (trace === undefined || cc === undefined) return;
    const inflight = this.synAcked ? seqDiff(this.sndNxt, this.sndUna) : 0;
    trace.record(cc.cwnd, cc.ssthresh, inflight, this.rto.srtt, this.rto.rto, event);
  }

  get state(): TcpState {
    return this.sm.state;
  }

  abstract onTimer(kind: TimerKind, now: number): void;

  protected peerName(): string {
    return `${formatIpv4(this.remoteAddress)}:${this.remotePort}`;
  }

  /** For log lines. */
  describe(): Record<string, unknown> {
    return {
      local: this.localPort,
      remote: `${formatIpv4(this.remoteAddress)}:${this.remotePort}`,
      state: TCP_STATE_NAMES[this.sm.state],
    };
  }

  /** Takes the peer's SYN: IRS, RCV.NXT, and the options it offered (RFC 9293 §3.7.1, RFC 7323). */
  protected takeSyn(syn: TcpSegment): void {
    this.irs = syn.seq;
    this.rcvNxt = seqAdd(syn.seq, 1);
    this.rcvAdvEdge = this.rcvNxt;
    this.lastAckSent = this.rcvNxt;
    this.sndWl1 = syn.seq;
    this.sndWnd = syn.window; // never scaled in a SYN (RFC 7323 §2.2)
    this.maxSndWnd = syn.window;
    const o = syn.options;
    const peerMss = Math.max(MIN_PEER_MSS, o.mss ?? DEFAULT_PEER_MSS);
    // Window scaling holds only if both SYNs carry the option (RFC 7323 §2.2); ours is in our SYN
    // whenever configured, and in our SYN-ACK only when the peer's SYN had it.
    this.wsEnabled = this.config.windowScaling && o.windowScale !== undefined;
    if (this.wsEnabled && o.windowScale !== undefined) {
      this.sndShift = Math.min(o.windowScale, MAX_WINDOW_SHIFT);
      this.rcvShift = this.ourShift;
      if (o.windowScale > MAX_WINDOW_SHIFT && this.log.isLevelEnabled('debug')) {
        this.log.debug({ ...this.describe(), shift: o.windowScale }, 'peer window scale clamped to 14');
      }
    } else {
      this.sndShift = 0;
      this.rcvShift = 0;
    }
    // RFC 2018 §2: SACK-permitted in our SYN whenever configured, in our SYN-ACK only if the SYN had it.
    this.sackEnabled = this.config.sack && o.sackPermitted === true;
    if (this.config.timestamps && o.timestamp !== undefined) {
      this.tsEnabled = true;
      this.tsRecent = o.timestamp.value;
      this.tsRecentAt = this.clock.now();
    } else {
      this.tsEnabled = false;
    }
    this.sendMss = Math.min(peerMss, this.ourMss) - (this.tsEnabled ? TIMESTAMP_OPTION_LENGTH : 0);
    this.cc = this.congestion.create(this.sendMss);
  }

  /** RFC 7323 §4.3: TS.Recent follows the TSval of segments that cover Last.ACK.sent. */
  protected updateTsRecent(seg: TcpSegment): void {
    const ts = seg.options.timestamp;
    if (
      this.tsEnabled &&
      ts !== undefined &&
      seqLe(seg.seq, this.lastAckSent) &&
      ((ts.value - this.tsRecent) | 0) >= 0
    ) {
      this.tsRecent = ts.value;
      this.tsRecentAt = this.clock.now();
    }
  }

  /** RCV.WND for the acceptability test: what we advertised, or more if the application has read since. */
  protected receiveWindow(): number {
    const advertised = seqDiff(this.rcvAdvEdge, this.rcvNxt);
    const free = this.receiveBuffer.free;
    return Math.max(advertised, free);
  }

  /**
   * The window field for a non-SYN segment, and the new right edge. Receiver SWS avoidance: free space
   * below min(buffer/2, MSS) is advertised as none; the right edge never moves left (§3.8.6.2.2).
   */
  protected advertiseWindow(): number {
    const shift = this.rcvShift;
    let free = this.receiveBuffer.windowSpace();
    const capacity = this.receiveBuffer.capacity;
    if (free < Math.min(capacity >>> 1, this.rcvMss)) free = 0;
    let field = free >>> shift;
    const remaining = seqDiff(this.rcvAdvEdge, this.rcvNxt);
    if (remaining > 0) {
      const keep = (remaining + (1 << shift) - 1) >>> shift;
      if (keep > field) field = keep;
    }
    if (field > 65_535) field = 65_535;
    this.rcvAdvEdge = seqAdd(this.rcvNxt, field * (1 << shift));
    return field;
  }

  protected tsNow(): number {
    return (Math.floor(this.clock.now()) + this.tsOffset) >>> 0;
  }

  // ─── What the application side reads ─────────────────────────────────────────────────────────────

  /** The next in-order chunk for the application (a Buffer it may keep), or undefined. Call readDone() after. */
  read(): Uint8Array | undefined {
    return this.receiveBuffer.read();
  }

  /** True once the peer's FIN was received and every byte before it has been read. */
  get readEnded(): boolean {
    return this.finReceived && this.receiveBuffer.queued === 0;
  }

  get readableBytes(): number {
    return this.receiveBuffer.queued;
  }

  /** Whether the send queue is at capacity (a writer should wait for onWritable). */
  get sendBufferFull(): boolean {
    return this.sendBuffer.full;
  }

  /**
   * After a write: whether the writer must wait for onWritable (the send queue is at its limit, which
   * memory pressure may have lowered). onWritable follows once ACKs make room, whatever the limit is then.
   */
  writerMustWait(): boolean {
    return this.sendBuffer.mustWait();
  }

  get writeQueued(): number {
    return this.sendBuffer.size;
  }

  /** RCV.NXT (for TIME_WAIT reuse by a new SYN). */
  get receiveNext(): Seq {
    return this.rcvNxt;
  }

  /** Whether this connection was opened actively (connect) rather than by a listener. */
  get isActiveOpen(): boolean {
    return this.activeOpen;
  }

  /** The error the connection closed with, if it did. */
  get error(): PilhaError | undefined {
    return this.closeError;
  }

  /** What `ss -ti` shows for this connection. */
  stats(): TcpConnectionStats {
    const cc = this.cc;
    const c = this.counts;
    return {
      state: tcpStateName(this.sm.state),
      localAddress: formatIpv4(this.localAddress),
      localPort: this.localPort,
      remoteAddress: formatIpv4(this.remoteAddress),
      remotePort: this.remotePort,
      mss: this.sendMss,
      rcvMss: this.rcvMss,
      congestionControl: cc?.name ?? '',
      cwnd: cc?.cwnd ?? 0,
      ssthresh: cc?.ssthresh ?? 0,
      srtt: this.rto.srtt,
      rttvar: this.rto.rttvar,
      rto: this.rto.rto,
      backoff: this.rto.backoffs,
      sndWnd: this.sndWnd,
      rcvWnd: Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt)),
      sndWscale: this.sndShift,
      rcvWscale: this.rcvShift,
      timestamps: this.tsEnabled,
      sack: this.sackEnabled,
      bytesInFlight: this.synAcked ? seqDiff(this.sndNxt, this.sndUna) : 0,
      sendQueue: this.sendBuffer.size,
      receiveQueue: this.receiveBuffer.queued,
      segmentsSent: c.segmentsSent,
      segmentsReceived: c.segmentsReceived,
      retransmitted: c.retransmitted,
      outOfOrderReceived: c.outOfOrderReceived,
      outOfOrderDropped: c.outOfOrderDropped,
      bytesSent: c.bytesSent,
      bytesAcked: c.bytesAcked,
      bytesReceived: c.bytesReceived,
      dupAcks: c.dupAcks,
      fastRetransmits: c.fastRetransmits,
      timeouts: c.timeouts,
      idleRestarts: c.idleRestarts,
    };
  }

  /** The counters the layer adds to its totals when the connection ends. */
  counters(): Readonly<Record<ConnectionCounterName, number>> {
    return this.counts;
  }
}
