/**
 * The seams around one TCP connection: what it sends through (the IP layer's in-place datagram API),
 * whom it tells about state changes (its TCP layer), whom it tells about data and errors (its socket),
 * and what it reports (the fields of `ss -ti`).
 */

import type { Clock } from '../../../core/clock.js';
import type { PilhaError } from '../../../core/errors.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import type { Logger } from '../../../core/logger.js';
import type { IPLayer } from '../../../layers/ip/ip-layer.js';
import type { CongestionControllerFactory } from '../../congestion/congestion-controller.js';
import type { TcpSegmentBatcher } from '../batching/tcp-segment-batcher.js';
import type { TcpAckBatch } from '../receive/tcp-ack-batch.js';
import type { SendRingPool } from '../send/send-ring-pool.js';
import type { TcpConfig } from '../tcp-config.js';
import type { TcpMemoryBudget } from '../tcp-memory-budget.js';
import type { TcpTracer } from '../trace/tcp-tracer.js';
import type { Seq } from '../wire/seq.js';
import type { TcpOutputScheduler } from './tcp-output-scheduler.js';
import type { TcpState, TcpStateName } from './tcp-state.js';
import type { TcpTimerGate } from './tcp-timer-gate.js';

/**
 * What a connection needs of the network layer: a datagram to write a segment into, and a way to send it; and,
 * where the link can cut TCP super-segments itself, the way to hand it one (TcpSegmentBatcher).
 */
export type TcpNetwork = Pick<IPLayer, 'allocateDatagram' | 'sendDatagram'> &
  Partial<
    Pick<IPLayer, 'segmentationMaxBytes' | 'sendSegmented' | 'segmentationTakesParts' | 'sendSegmentedParts'>
  >;

/** The application side of a connection (a TcpSocket). Calls may come from the packet path or a timer. */
export interface TcpConnectionHandler {
  /** An active open completed (SYN_SENT → ESTABLISHED, or simultaneous open). */
  onConnect(): void;
  /** In-order data, or the peer's FIN, is waiting to be read. */
  onReadable(): void;
  /** The send queue went from full to having room. */
  onWritable(): void;
  /** The connection reached CLOSED; `error` says why when it was not a clean close. */
  onClose(error: PilhaError | undefined): void;
}

/** Told about every state transition, in order; the TCP layer keeps its tables with it. */
export interface TcpConnectionObserver<C> {
  /** `orphaned`: the socket is gone (entering TIME_WAIT, the connection then offers it to takeTimeWait). */
  onStateChange(connection: C, from: TcpState, to: TcpState, orphaned: boolean): void;
  /**
   * A connection without a socket entering TIME_WAIT: the observer may keep `state` instead of the connection
   * for 2·MSL (true), and the connection then closes (the TCP layer's compact records, tcp-time-wait.ts).
   */
  takeTimeWait?(connection: C, state: TimeWaitState): boolean;
}

/** What TIME_WAIT needs of a connection once the connection itself is gone (tcp-time-wait.ts). */
export interface TimeWaitState {
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  readonly sndNxt: Seq;
  /** SND.UNA less the largest window the peer offered: an ACK below it is too old (RFC 5961 §5.2). */
  readonly oldestAckable: Seq;
  readonly rcvNxt: Seq;
  /** The receive window last advertised, bytes, and the window field that said so. */
  readonly rcvWnd: number;
  readonly windowField: number;
  readonly tsEnabled: boolean;
  readonly tsRecent: number;
  readonly tsRecentAt: number;
  readonly tsOffset: number;
}

export interface TcpConnectionParams {
  readonly localAddress: Ipv4Address;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;
  /** Our initial send sequence number. */
  readonly iss: Seq;
  /** Added to the millisecond clock to give this connection's TSval. */
  readonly tsOffset: number;
  /** The link MTU; our MSS is MTU − 40. */
  readonly mtu: number;
  /** The path MTU to the peer when a smaller one was learned (RFC 1191); caps the MSS we send. */
  readonly pathMtu?: number;
}

/** Everything a connection gets from its stack, shared by all connections of a TCP layer. */
export interface TcpConnectionDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: TcpConfig;
  readonly congestion: CongestionControllerFactory;
  readonly network: TcpNetwork;
  /** The stack-wide budget every send and receive buffer is charged to. */
  readonly memory: TcpMemoryBudget;
  /** `--trace`: the no-op tracer unless a trace file is configured. */
  readonly tracer: TcpTracer;
  /** Present when the link cuts TCP super-segments: the stack's one batcher of consecutive segments. */
  readonly batcher?: TcpSegmentBatcher | undefined;
  /** The stack's one batch of ACKs that wait for the end of the link's read batch (tcp-ack-batch.ts). */
  readonly ackBatch?: TcpAckBatch | undefined;
  /** The stack's hold on timers that expire while read datagrams wait to be handed up (tcp-timer-gate.ts). */
  readonly timerGate?: TcpTimerGate | undefined;
  /** The stack's output deferred to the end of the task (small writes; absent: every write goes out at once). */
  readonly outputScheduler?: TcpOutputScheduler | undefined;
  /** The stack's rings of emptied send queues, for the next bulk writer (absent: each queue allocates its own). */
  readonly sendRings?: SendRingPool | undefined;
}

/** What `ss -ti` shows for a socket, for one connection. Sizes in bytes, times in ms. */
export interface TcpConnectionStats {
  readonly state: TcpStateName;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Payload bytes per full-sized segment we send (peer's MSS, less our options). */
  readonly mss: number;
  /** Largest segment payload seen from the peer. */
  readonly rcvMss: number;
  readonly congestionControl: string;
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly srtt: number | undefined;
  readonly rttvar: number | undefined;
  readonly rto: number;
  readonly backoff: number;
  readonly sndWnd: number;
  readonly rcvWnd: number;
  readonly sndWscale: number;
  readonly rcvWscale: number;
  readonly timestamps: boolean;
  /** SACK (RFC 2018) negotiated: both SYNs carried SACK-permitted. */
  readonly sack: boolean;
  readonly bytesInFlight: number;
  /** Bytes queued to send (unsent and unacknowledged). */
  readonly sendQueue: number;
  /**
   * Written bytes the send queue took over without a copy (sent at once in a kept super-segment), and those it
   * copied because they still waited when the write's callback was due (SendBuffer.retain, adopt).
   */
  readonly sendZeroCopyBytes: number;
  readonly sendCopiedBytes: number;
  /** In-order bytes waiting for the application. */
  readonly receiveQueue: number;
  readonly segmentsSent: number;
  readonly segmentsReceived: number;
  readonly retransmitted: number;
  readonly outOfOrderReceived: number;
  /** Out-of-order segments dropped because the out-of-order queue was full (bytes or ranges). */
  readonly outOfOrderDropped: number;
  readonly bytesSent: number;
  readonly bytesAcked: number;
  readonly bytesReceived: number;
  readonly dupAcks: number;
  readonly fastRetransmits: number;
  readonly timeouts: number;
  /** Times cwnd was cut to the restart window after an idle period (RFC 5681 §4.1). */
  readonly idleRestarts: number;
  /** D-SACK blocks received (the peer got a segment twice). */
  readonly dsacksReceived: number;
  /** SACK blocks ignored: reversed, not above the cumulative ACK, or past what was sent. */
  readonly sackBlocksIgnored: number;
  /** Tail loss probes sent (RFC 8985 §7). */
  readonly tlpProbes: number;
  /** Silence probes sent (the first unacknowledged segment again after a PTO without an ACK). */
  readonly silenceProbes: number;
  /** Losses repaired by a tail loss probe. */
  readonly tlpLossRepairs: number;
  /** Window reductions undone after a spurious retransmission. */
  readonly undos: number;
}

/** The per-connection counters the TCP layer sums into its own when a connection ends. */
export const CONNECTION_COUNTERS = [
  'segmentsSent',
  'segmentsReceived',
  'retransmitted',
  'outOfOrderReceived',
  'outOfOrderDropped',
  'bytesSent',
  'bytesAcked',
  'bytesReceived',
  'dupAcks',
  'fastRetransmits',
  'timeouts',
  'idleRestarts',
  /** Segments that failed the acceptability test (RFC 9293 §3.10.7.4, first check): out of the window. */
  'dropOutOfWindow',
  /** RSTs outside the receive window, dropped silently (RFC 5961 §3.2). */
  'dropRstOutOfWindow',
  /** Segments acknowledging data never sent (SEG.ACK > SND.MAX). */
  'dropAckUnsent',
  /** Segments acknowledging data older than the peer's largest window (RFC 5961 §5.2). */
  'dropAckTooOld',
  /** Segments whose timestamp is older than TS.Recent (PAWS, RFC 7323 §5.3 R1; Linux PAWSEstab). */
  'dropPaws',
  /** Segment bytes dropped because the stack's TCP memory was past its hard limit (Linux TCPRcvQDrop). */
  'dropNoMemory',
  /** Challenge ACKs sent (RFC 5961: to an in-window RST, a SYN, or an unacceptable ACK value). */
  'challengeAcks',
  /** Challenge ACKs and ACKs to dropped segments held back by the rate limit (Linux TCPACKSkipped*). */
  'acksRateLimited',
  /** ACKs sent with a SACK option (RFC 2018). */
  'sackAcksSent',
  /** D-SACK blocks sent (RFC 2883; Linux TCPDSACKOldSent + TCPDSACKOfoSent). */
  'dsacksSent',
  /** D-SACK blocks received: the peer got something twice (Linux TCPDSACKRecv). */
  'dsacksReceived',
  /** SACK blocks ignored: reversed, at or below the cumulative ACK, or past SND.MAX (Linux TCPSACKDiscard). */
  'sackBlocksIgnored',
  /** Tail loss probes sent (RFC 8985 §7; Linux TCPLossProbes). */
  'tlpProbes',
  /** Losses a tail loss probe repaired (Linux TCPLossProbeRecovery). */
  'tlpLossRepairs',
  /** Silence probes: the first unacknowledged segment sent again after a PTO without an ACK where no tail
   * loss probe may run (in recovery, after a timeout, after an unanswered tail loss probe). */
  'silenceProbes',
  /** Window reductions undone because the retransmissions proved spurious (Linux TCP*Undo). */
  'undos',
] as const;

export type ConnectionCounterName = (typeof CONNECTION_COUNTERS)[number];

/**
 * A connection's counters at zero, as one object literal: every field in the object itself (a fast, fixed
 * shape). Built with a loop of keyed stores instead, V8 turns an object of this many properties into a
 * dictionary, about 1.6 KB per connection and slower to update.
 */
export function newConnectionCounters(): Record<ConnectionCounterName, number> {
  return {
    segmentsSent: 0,
    segmentsReceived: 0,
    retransmitted: 0,
    outOfOrderReceived: 0,
    outOfOrderDropped: 0,
    bytesSent: 0,
    bytesAcked: 0,
    bytesReceived: 0,
    dupAcks: 0,
    fastRetransmits: 0,
    timeouts: 0,
    idleRestarts: 0,
    dropOutOfWindow: 0,
    dropRstOutOfWindow: 0,
    dropAckUnsent: 0,
    dropAckTooOld: 0,
    dropPaws: 0,
    dropNoMemory: 0,
    challengeAcks: 0,
    acksRateLimited: 0,
    sackAcksSent: 0,
    dsacksSent: 0,
    dsacksReceived: 0,
    sackBlocksIgnored: 0,
    tlpProbes: 0,
    tlpLossRepairs: 0,
    silenceProbes: 0,
    undos: 0,
  } satisfies Record<ConnectionCounterName, number>;
}

/**
 * Adds a connection's counters into `totals` (the layer's sums over closed connections), written out
 * field by field: a loop over CONNECTION_COUNTERS with keyed loads and stores cost about 1 µs per closed
 * connection (every name a different key: megamorphic), this about 20 ns.
 */
export function addConnectionCounters(
  totals: Record<ConnectionCounterName, number>,
  counts: Readonly<Record<ConnectionCounterName, number>>,
): void {
  totals.segmentsSent += counts.segmentsSent;
  totals.segmentsReceived += counts.segmentsReceived;
  totals.retransmitted += counts.retransmitted;
  totals.outOfOrderReceived += counts.outOfOrderReceived;
  totals.outOfOrderDropped += counts.outOfOrderDropped;
  totals.bytesSent += counts.bytesSent;
  totals.bytesAcked += counts.bytesAcked;
  totals.bytesReceived += counts.bytesReceived;
  totals.dupAcks += counts.dupAcks;
  totals.fastRetransmits += counts.fastRetransmits;
  totals.timeouts += counts.timeouts;
  totals.idleRestarts += counts.idleRestarts;
  totals.dropOutOfWindow += counts.dropOutOfWindow;
  totals.dropRstOutOfWindow += counts.dropRstOutOfWindow;
  totals.dropAckUnsent += counts.dropAckUnsent;
  totals.dropAckTooOld += counts.dropAckTooOld;
  totals.dropPaws += counts.dropPaws;
  totals.dropNoMemory += counts.dropNoMemory;
  totals.challengeAcks += counts.challengeAcks;
  totals.acksRateLimited += counts.acksRateLimited;
  totals.sackAcksSent += counts.sackAcksSent;
  totals.dsacksSent += counts.dsacksSent;
  totals.dsacksReceived += counts.dsacksReceived;
  totals.sackBlocksIgnored += counts.sackBlocksIgnored;
  totals.tlpProbes += counts.tlpProbes;
  totals.tlpLossRepairs += counts.tlpLossRepairs;
  totals.silenceProbes += counts.silenceProbes;
  totals.undos += counts.undos;
}
