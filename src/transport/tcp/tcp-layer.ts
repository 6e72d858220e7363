/**
 * The TCP layer of a host: registered with the IP layer for protocol 6, it parses every segment
 * (checksum verified; anything malformed dropped and counted by reason, never thrown), finds its
 * connection by the 4-tuple, and otherwise hands a SYN to a listener or answers with RST (RFC 9293
 * §3.10.7.1). It owns the tables: connections per local port keyed by a number (remote address ·
 * 65536 + remote port, no string per packet), listeners with their SYN and accept queues, the bounded
 * TIME_WAIT set, and ephemeral ports for active opens.
 *
 * Call order: IPLayer → onDatagram → (a pure ACK for an established connection: PureAckParser, no object
 * made → TcpConnection.receive) or parseTcpSegment → demultiplex → TcpConnection.receive, or
 * listenInput (SYN: a new connection from the factory, or a SYN cookie when the SYN queue is full; ACK:
 * a connection rebuilt from its cookie, or RST), or closedInput (RST). On a link that delivers read batches,
 * the end of each batch (IPLayer.onBatchEnd) sends the ACKs that waited for it (TcpAckBatch).
 */

import type { Clock } from '../../core/clock.js';
import { Counters } from '../../core/counters.js';
import { PilhaError } from '../../core/errors.js';
import { formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { type RandomWords, randomWords } from '../../core/random-words.js';
import type { IcmpErrorReport } from '../../layers/icmp/icmp-layer.js';
import { PATH_MTU_DISCOVERY, RX_CHECKSUM_VOUCHED, RX_LINK_BROADCAST } from '../../layers/ip/ip-layer.js';
import { IPV4_MIN_HEADER, type Ipv4Datagram } from '../../layers/ip/ipv4-header.js';
import { MARTIAN_DESCRIPTIONS } from '../../layers/ip/martian-source.js';
import { ConnectionCounterTotals } from './connection/connection-counter-totals.js';
import type { TcpConnection } from './connection/tcp-connection.js';
import type { TcpConnectionFactory } from './connection/tcp-connection-factory.js';
import {
  addConnectionCounters,
  type TcpConnectionObserver,
  type TcpConnectionStats,
  type TimeWaitState,
} from './connection/tcp-connection-types.js';
import { TcpState } from './connection/tcp-state.js';
import type { IsnChoice, IsnSource } from './isn-generator.js';
import { SynCookieResponder } from './listen/syn-cookie-responder.js';
import { TcpListener } from './listen/tcp-listener.js';
import type { TcpAckBatch } from './receive/tcp-ack-batch.js';
import type { TcpConfig } from './tcp-config.js';
import { TcpConnectionTable } from './tcp-connection-table.js';
import { TcpIcmpErrors } from './tcp-icmp-errors.js';
import { TCP_LAYER_COUNTERS, type TcpLayerCounterName } from './tcp-layer-counters.js';
import type { ConnectOptions, ListenOptions, TcpIp } from './tcp-layer-types.js';
import { TcpReadBatches } from './tcp-read-batches.js';
import { type TimeWaitHost, TimeWaitRecord, TimeWaitTable } from './tcp-time-wait.js';
import { PureAckParser } from './wire/pure-ack-parser.js';
import { type Seq, seq } from './wire/seq.js';
import {
  parseTcpSegment,
  TCP_PROTOCOL,
  TcpFlags,
  type TcpParseError,
  type TcpSegment,
  tcpSeqLength,
} from './wire/tcp-header.js';
import { finishTcpChecksum, writeTcpHeader } from './wire/tcp-segment-writer.js';

export type { ConnectOptions, ListenOptions, TcpIp } from './tcp-layer-types.js';

const PARSE_DROPS: Record<TcpParseError, TcpLayerCounterName> = {
  truncated: 'dropTruncated',
  'bad-data-offset': 'dropBadDataOffset',
  'bad-checksum': 'dropBadChecksum',
};

interface PortEntry {
  listener: TcpListener | undefined;
  readonly connections: TcpConnectionTable;
  /** Connections in TIME_WAIT as compact records (tcp-time-wait.ts), made on first use. */
  timeWaits: Map<number, TimeWaitRecord> | undefined;
}

export class TcpLayer implements TcpConnectionObserver<TcpConnection>, TimeWaitHost {
  readonly address: Ipv4Address;
  private readonly ports = new Map<number, PortEntry>();
  private readonly counters = new Counters(TCP_LAYER_COUNTERS);
  private readonly closedTotals: ConnectionCounterTotals;
  /** TIME_WAIT connections and records, oldest first (a Set keeps insertion order). */
  private readonly timeWait = new Set<TcpConnection | TimeWaitRecord>();
  private readonly timeWaitRecords: TimeWaitTable;
  private portCursor: number;
  private closed = false;
  private readonly cookies: SynCookieResponder;
  /** What the end of each of the link's read batches does (the ACKs that waited for it, held timers). */
  private readonly readBatches: TcpReadBatches;
  /** The connections' ACKs that wait for the end of the link's read batch; undefined without batches. */
  private readonly ackBatch: TcpAckBatch | undefined;
  private readonly pureAcks = new PureAckParser();
  private readonly icmpErrors: TcpIcmpErrors;

  constructor(
    private readonly ip: TcpIp,
    readonly clock: Clock,
    private readonly log: Logger,
    readonly config: TcpConfig,
    private readonly factory: TcpConnectionFactory,
    private readonly isn: IsnSource,
    /** Random words: SYN cookie keys, and where the ephemeral port search starts (RFC 6056). */
    random: RandomWords = randomWords,
  ) {
    this.address = ip.address;
    const totals = new ConnectionCounterTotals();
    this.closedTotals = totals;
    this.timeWaitRecords = new TimeWaitTable(ip, clock, config, this.counters.values, totals, this);
    this.cookies = new SynCookieResponder(ip, clock, config, random);
    this.icmpErrors = new TcpIcmpErrors(ip.address, ip, this.ports, this.counters.values);
    ip.onPathMtuRaised?.((dst, mtu) => this.icmpErrors.pathMtuRaised(dst, mtu));
    // RFC 6056: start the ephemeral port search at a random point of the range.
    const word = new Uint32Array(1);
    random(word);
    this.portCursor = word[0]! % (config.ephemeralPortMax - config.ephemeralPortMin + 1);
    ip.registerProtocol(TCP_PROTOCOL, this.onDatagram);
    this.readBatches = new TcpReadBatches(ip, factory, this.batchEndFailed);
    this.ackBatch = this.readBatches.ackBatch;
  }

  private readonly batchEndFailed = (error: unknown, what: string): void => {
    this.counters.values.internalErrors++;
    this.log.error({ err: error }, `tcp connection failed on ${what}`);
  };

  // ─── API ─────────────────────────────────────────────────────────────────────────────────────────

  /** Listens on `port` (0: an ephemeral port). Throws EADDRINUSE if it already has a listener. */
  listen(port: number, options: ListenOptions): TcpListener {
    this.checkOpen();
    let p = port;
    if (p === 0) p = this.ephemeralPort();
    checkPort(p);
    const entry = this.entry(p);
    if (entry.listener !== undefined) throw new PilhaError('EADDRINUSE', `port ${p} is already in use`);
    const backlog = options.backlog ?? this.config.backlog;
    if (!Number.isInteger(backlog) || backlog <= 0) {
      throw new PilhaError('EBADOPTION', `backlog must be a positive integer, got ${backlog}`);
    }
    const listener = new TcpListener(p, backlog, this.config.synBacklog, options.onAcceptable, this.unbind);
    entry.listener = listener;
    return listener;
  }

  /** Active open to `remote:remotePort`; the connection is in SYN_SENT when this returns. */
  connect(remote: Ipv4Address, remotePort: number, options: ConnectOptions = {}): TcpConnection {
    this.checkOpen();
    checkPort(remotePort);
    const notPeer = this.ip.unicastProblem(remote);
    const why = notPeer !== undefined ? `${MARTIAN_DESCRIPTIONS[notPeer]}, not a peer on this link` : '';
    if (why !== '') throw new PilhaError('EBADADDR', `${formatIpv4(remote)} is ${why}`);
    const key = remote * 65536 + remotePort;
    let localPort = options.localPort;
    if (localPort === undefined) localPort = this.ephemeralPort(key);
    else {
      checkPort(localPort);
      const entry = this.ports.get(localPort);
      if (entry?.connections.has(key) || entry?.timeWaits?.has(key)) {
        throw new PilhaError(
          'EADDRINUSE',
          `a connection from port ${localPort} to ${formatIpv4(remote)}:${remotePort} exists`,
        );
      }
    }
    const connection = this.create(localPort, remote, remotePort);
    connection.setHandler(options.handler);
    this.entry(localPort).connections.set(key, connection);
    this.counters.values.activeOpens++;
    connection.openActive();
    return connection;
  }

  /** Every connection, listeners' pending ones included. */
  connections(): TcpConnection[] {
    const out: TcpConnection[] = [];
    for (const entry of this.ports.values()) for (const c of entry.connections.values()) out.push(c);
    return out;
  }

  /** `ss -ti` for every connection. */
  connectionStats(): TcpConnectionStats[] {
    return this.connections().map((c) => c.stats());
  }

  /** Layer counters, plus the per-connection counters summed over live and closed connections. */
  stats(): Record<string, number> {
    const out: Record<string, number> = { ...this.counters.snapshot() };
    // By assign: a spread copy may share a connection's counters' map (see connection-counter-totals.ts).
    const totals = Object.assign(new ConnectionCounterTotals(), this.closedTotals);
    let live = 0;
    let established = 0;
    for (const entry of this.ports.values()) {
      for (const c of entry.connections.values()) {
        live++;
        if (c.state === TcpState.ESTABLISHED || c.state === TcpState.CLOSE_WAIT) established++;
        addConnectionCounters(totals, c.counters());
      }
    }
    Object.assign(out, totals);
    out.connections = live;
    out.established = established;
    out.timeWait = this.timeWait.size;
    this.addSharedStats(out);
    return out;
  }

  /**
   * The stack-wide parts' figures: the memory budget's (bytes charged to buffers, pressure, writes held,
   * windows clamped), the read batches' (ACKs batched, timers held), and the segments the batcher dropped unsent.
   */
  private addSharedStats(out: Record<string, number>): void {
    Object.assign(out, this.factory.memory.stats());
    this.readBatches.addStats(out);
    // Counted in segmentsSent (and retransmitted) but never written: see TcpSegmentBatcher.abandoned.
    const batcher = this.factory.batcher;
    if (batcher !== undefined) out.segmentsAbandoned = batcher.abandonedSegments;
  }

  /** An ICMP error quoting one of our segments (RFC 5927): tcp-icmp-errors.ts. */
  handleIcmpError(report: IcmpErrorReport): void {
    this.icmpErrors.handle(report);
  }

  /** Aborts every connection (RST) and closes every listener. */
  close(): void {
    if (this.closed) return;
    for (const entry of [...this.ports.values()]) {
      entry.listener?.close();
      for (const c of entry.connections.values()) c.abort();
    }
    this.timeWaitRecords.clear();
    this.closed = true;
  }

  // ─── Receive path ────────────────────────────────────────────────────────────────────────────────

  private readonly onDatagram = (d: Ipv4Datagram, flags: number): void => {
    const c = this.counters.values;
    c.rxSegments++;
    if ((flags & RX_LINK_BROADCAST) !== 0) {
      // Not to our MAC: not answered (a RST to a broadcast frame), as Linux's tcp_v4_rcv drops it.
      c.dropLinkBroadcast++;
      return;
    }
    this.ackBatch?.begin();
    // A checksum the link vouches for (the kernel made it, or checked it) is not checked again.
    const verify = (flags & RX_CHECKSUM_VOUCHED) === 0;
    if (!verify) c.rxChecksumsVouched++;
    if (this.pureAck(d, verify)) return;
    const seg = parseTcpSegment(d.payload, d.src, d.dst, verify);
    if (typeof seg === 'string') {
      c[PARSE_DROPS[seg]]++;
      if (this.log.isLevelEnabled('debug'))
        this.log.debug({ reason: seg, src: formatIpv4(d.src) }, 'segment dropped');
      return;
    }
    if (seg.options.malformed === true) c.rxBadOptions++;
    const entry = this.ports.get(seg.dstPort);
    if (entry !== undefined) {
      const connection = entry.connections.get(d.src * 65536 + seg.srcPort);
      if (connection !== undefined) {
        this.deliver(entry, connection, d.src, seg);
        return;
      }
      const record = entry.timeWaits?.get(d.src * 65536 + seg.srcPort);
      if (record !== undefined) {
        this.timeWaitInput(entry, record, d.src, seg);
        return;
      }
      if (entry.listener !== undefined) {
        this.listenInput(entry, entry.listener, d.src, seg);
        return;
      }
    }
    this.closedInput(d.src, seg);
  };

  /**
   * The fast path: a pure ACK for an established connection, parsed into the layer's one reusable segment.
   * False when the datagram is anything else (parseTcpSegment takes it, and counts it if it is malformed).
   */
  private pureAck(d: Ipv4Datagram, verifyChecksum: boolean): boolean {
    const parser = this.pureAcks;
    if (!parser.parse(d.payload, d.src, d.dst, verifyChecksum)) return false;
    const seg = parser.segment;
    const entry = this.ports.get(seg.dstPort);
    if (entry === undefined) return false;
    const connection = entry.connections.get(d.src * 65536 + seg.srcPort);
    if (connection === undefined || connection.state !== TcpState.ESTABLISHED) return false;
    this.counters.values.rxPureAcksFast++;
    this.deliver(entry, connection, d.src, seg);
    return true;
  }

  private deliver(entry: PortEntry, connection: TcpConnection, src: Ipv4Address, seg: TcpSegment): void {
    const state = connection.state;
    if (state === TcpState.SYN_RECEIVED) {
      const listener = connection.listener;
      if (
        listener?.acceptQueueFull &&
        (seg.flags & (TcpFlags.ACK | TcpFlags.SYN | TcpFlags.RST)) === TcpFlags.ACK
      ) {
        // Linux (tcp_abort_on_overflow = 0): drop the ACK; the SYN-ACK retransmission will ask again.
        this.counters.values.listenOverflows++;
        return;
      }
    } else if (
      state === TcpState.TIME_WAIT &&
      entry.listener !== undefined &&
      (seg.flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) === TcpFlags.SYN &&
      connection.reopenedBy(seg)
    ) {
      // RFC 1122 §4.2.2.13: a new SYN above the old sequence space may reopen a connection in TIME_WAIT.
      this.counters.values.timeWaitReused++;
      connection.expireTimeWait();
      this.listenInput(entry, entry.listener, src, seg);
      return;
    }
    try {
      connection.receive(seg);
    } catch (error) {
      this.counters.values.internalErrors++;
      this.log.error({ err: error, ...connection.describe() }, 'tcp connection failed on a segment');
    }
  }

  /** A segment for a TIME_WAIT record: a SYN that may reopen it (as in deliver), or the record's answer. */
  private timeWaitInput(entry: PortEntry, record: TimeWaitRecord, src: Ipv4Address, seg: TcpSegment): void {
    if (
      entry.listener !== undefined &&
      (seg.flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) === TcpFlags.SYN &&
      record.reopenedBy(seg)
    ) {
      this.counters.values.timeWaitReused++;
      this.timeWaitRecords.remove(record);
      this.listenInput(entry, entry.listener, src, seg);
      return;
    }
    this.timeWaitRecords.input(record, seg);
  }

  /** RFC 9293 §3.10.7.2, LISTEN. */
  private listenInput(entry: PortEntry, listener: TcpListener, src: Ipv4Address, seg: TcpSegment): void {
    const c = this.counters.values;
    const flags = seg.flags;
    if (flags & TcpFlags.RST) return;
    if (flags & TcpFlags.ACK) {
      // Linux: cookies are checked only while the queue has overflowed recently, so none can be guessed otherwise.
      if (
        !(flags & TcpFlags.SYN) &&
        this.clock.now() - listener.lastCookieAt < 2 * this.config.synCookiePeriodMs &&
        this.cookieAck(entry, listener, src, seg)
      ) {
        return;
      }
      c.dropListenNotSyn++;
      this.sendReset(src, seg.dstPort, seg.srcPort, seg.ack, seq(0), TcpFlags.RST);
      return;
    }
    // SYN+FIN, a scanner's probe and no connection request: dropped, as Linux does (tcp_rcv_state_process).
    if (!(flags & TcpFlags.SYN) || flags & TcpFlags.FIN) {
      c.dropListenNotSyn++;
      return;
    }
    // Linux's order (tcp_conn_request): a full accept queue drops the SYN even when a cookie could answer it.
    if (listener.acceptQueueFull) {
      c.listenOverflows++;
      return;
    }
    if (listener.synQueueFull) {
      if (this.config.synCookies) {
        this.cookies.sendSynAck(src, seg);
        listener.lastCookieAt = this.clock.now();
        c.syncookiesSent++;
      } else {
        c.listenSynQueueFull++;
      }
      return;
    }
    const connection = this.create(seg.dstPort, src, seg.srcPort);
    connection.listener = listener;
    listener.synQueued++;
    entry.connections.set(connection.key, connection);
    c.passiveOpens++;
    connection.openPassive(seg);
  }

  /**
   * An ACK to a listener with no connection for it, while cookies are in use: if it acknowledges a cookie
   * of ours, the connection that SYN would have made is rebuilt, joins the accept queue and takes the
   * segment. Returns false when it is no cookie (the caller resets it); true when the segment was taken,
   * or dropped because the accept queue is full.
   */
  private cookieAck(entry: PortEntry, listener: TcpListener, src: Ipv4Address, seg: TcpSegment): boolean {
    const c = this.counters.values;
    const made = this.cookies.synFor(src, seg);
    if (made === undefined) {
      c.syncookiesFailed++;
      return false;
    }
    c.syncookiesValid++;
    if (listener.acceptQueueFull) {
      // As Linux: the client believes it is connected and will send again; by then there may be room.
      c.listenOverflows++;
      return true;
    }
    const connection = this.create(seg.dstPort, src, seg.srcPort, { isn: made.iss, tsOffset: made.tsOffset });
    connection.listener = listener;
    listener.synQueued++; // for the instant until the ACK below makes it ESTABLISHED
    entry.connections.set(connection.key, connection);
    c.passiveOpens++;
    connection.openFromCookie(made.syn, made.window);
    this.deliver(entry, connection, src, seg);
    // Cannot happen (the ACK was checked above), but a half-open entry without a timer would never leave.
    if (connection.state === TcpState.SYN_RECEIVED) connection.abort();
    return true;
  }

  /** RFC 9293 §3.10.7.1, CLOSED: RST for anything but a RST. */
  private closedInput(src: Ipv4Address, seg: TcpSegment): void {
    this.counters.values.noConnection++;
    if (seg.flags & TcpFlags.RST) return;
    if (seg.flags & TcpFlags.ACK)
      this.sendReset(src, seg.dstPort, seg.srcPort, seg.ack, seq(0), TcpFlags.RST);
    else {
      const ack = seq(seg.seq + tcpSeqLength(seg));
      this.sendReset(src, seg.dstPort, seg.srcPort, seq(0), ack, TcpFlags.RST | TcpFlags.ACK);
    }
  }

  private sendReset(
    dst: Ipv4Address,
    localPort: number,
    remotePort: number,
    seqNum: Seq,
    ackNum: Seq,
    flags: number,
  ): void {
    const d = this.ip.allocateDatagram(20);
    writeTcpHeader(d, IPV4_MIN_HEADER, localPort, remotePort, seqNum, ackNum, flags, 0, 0);
    finishTcpChecksum(d, IPV4_MIN_HEADER, 20, this.address, dst);
    this.ip.sendDatagram(dst, TCP_PROTOCOL, d, PATH_MTU_DISCOVERY);
    this.counters.values.txResets++;
  }

  // ─── Tables ──────────────────────────────────────────────────────────────────────────────────────

  onStateChange(connection: TcpConnection, from: TcpState, to: TcpState, orphaned: boolean): void {
    const c = this.counters.values;
    if (from === TcpState.TIME_WAIT) this.timeWait.delete(connection);
    const listener = connection.listener;
    if (from === TcpState.SYN_RECEIVED && listener !== undefined) {
      listener.synQueued--;
      if (to === TcpState.ESTABLISHED) listener.enqueue(connection);
    }
    if (to === TcpState.TIME_WAIT) {
      const max = this.config.maxTimeWait;
      // An orphaned connection hands over to a record at once (takeTimeWait): only the record joins the Set.
      const handsOver = max > 0 && orphaned;
      if (!handsOver) this.timeWait.add(connection);
      // Bounded: past the limit the oldest entry ends early (as FreeBSD recycles them), or makes room for a record.
      while (this.timeWait.size > (handsOver ? max - 1 : max)) {
        const oldest = this.timeWait.values().next().value!;
        if (oldest === connection) {
          // Only with a limit of 0: the connection leaves TIME_WAIT at once by itself (enterTimeWait).
          c.timeWaitRecycled++;
          break;
        }
        c.timeWaitRecycled++;
        if (oldest instanceof TimeWaitRecord) this.timeWaitRecords.remove(oldest);
        else oldest.expireTimeWait();
      }
      return;
    }
    if (to !== TcpState.CLOSED) return;
    if (from === TcpState.SYN_SENT || from === TcpState.SYN_RECEIVED) c.attemptFails++;
    // A connection reset in the accept queue with data it had received stays there, as Linux's does: the
    // application accepts it, reads the data, then the error.
    if (listener !== undefined && from !== TcpState.SYN_RECEIVED && connection.readableBytes === 0)
      listener.remove(connection);
    c.connectionsClosed++;
    const entry = this.ports.get(connection.localPort);
    if (entry !== undefined && entry.connections.get(connection.key) === connection) {
      entry.connections.delete(connection.key);
      this.dropIfUnused(connection.localPort, entry);
    }
    addConnectionCounters(this.closedTotals, connection.counters());
  }

  /**
   * A connection entering TIME_WAIT without a socket: a compact record takes its place in the tables, and the
   * connection closes (tcp-time-wait.ts). False with a TIME_WAIT limit of 0 (no table to take it).
   */
  takeTimeWait(connection: TcpConnection, state: TimeWaitState): boolean {
    const entry = this.ports.get(connection.localPort);
    if (entry === undefined || this.config.maxTimeWait === 0) return false;
    this.timeWait.delete(connection); // there only if it entered TIME_WAIT with its socket and lost it since
    const record = this.timeWaitRecords.add(state);
    this.timeWait.add(record);
    entry.timeWaits ??= new Map();
    entry.timeWaits.set(record.key, record);
    return true;
  }

  /** A record left TIME_WAIT (TimeWaitHost). */
  forget(record: TimeWaitRecord): void {
    this.timeWait.delete(record);
    const entry = this.ports.get(record.localPort);
    if (entry?.timeWaits?.get(record.key) !== record) return;
    entry.timeWaits.delete(record.key);
    this.dropIfUnused(record.localPort, entry);
  }

  /** Forgets a port that has nothing on it any more. */
  private dropIfUnused(port: number, entry: PortEntry): void {
    if (entry.connections.size === 0 && entry.listener === undefined && (entry.timeWaits?.size ?? 0) === 0)
      this.ports.delete(port);
  }

  private readonly unbind = (listener: TcpListener): void => {
    const entry = this.ports.get(listener.port);
    if (entry === undefined || entry.listener !== listener) return;
    entry.listener = undefined;
    const halfOpen: TcpConnection[] = [];
    for (const c of entry.connections.values()) {
      if (c.listener === listener && c.state === TcpState.SYN_RECEIVED) halfOpen.push(c);
    }
    for (const c of halfOpen) c.abort();
    this.dropIfUnused(listener.port, entry);
  };

  private create(
    localPort: number,
    remote: Ipv4Address,
    remotePort: number,
    choice: IsnChoice = this.isn.next(this.address, localPort, remote, remotePort),
  ): TcpConnection {
    const { isn, tsOffset } = choice;
    return this.factory.create(
      {
        localAddress: this.address,
        localPort,
        remoteAddress: remote,
        remotePort,
        iss: isn,
        tsOffset,
        mtu: this.ip.mtu,
        pathMtu: this.ip.pathMtu?.(remote),
      },
      this,
    );
  }

  private entry(port: number): PortEntry {
    let entry = this.ports.get(port);
    if (entry === undefined) {
      entry = { listener: undefined, connections: new TcpConnectionTable(), timeWaits: undefined };
      this.ports.set(port, entry);
    }
    return entry;
  }

  /**
   * An ephemeral port: one with nothing on it if any is left; else, for a connection to `key`, one
   * shared with connections to other peers.
   */
  private ephemeralPort(key?: number): number {
    const min = this.config.ephemeralPortMin;
    const span = this.config.ephemeralPortMax - min + 1;
    for (let i = 0; i < span; i++) {
      const port = min + ((this.portCursor + i) % span);
      const entry = this.ports.get(port);
      if (entry === undefined) {
        this.portCursor = (this.portCursor + i + 1) % span;
        return port;
      }
    }
    if (key !== undefined) {
      for (let i = 0; i < span; i++) {
        const port = min + ((this.portCursor + i) % span);
        const entry = this.ports.get(port)!;
        if (entry.listener === undefined && !entry.connections.has(key) && !entry.timeWaits?.has(key))
          return port;
      }
    }
    throw new PilhaError('EADDRINUSE', 'no ephemeral port is free');
  }

  private checkOpen(): void {
    if (this.closed) throw new PilhaError('ECLOSED', 'the TCP layer is closed');
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new PilhaError('EBADOPTION', `not a TCP port: ${port}`);
  }
}
