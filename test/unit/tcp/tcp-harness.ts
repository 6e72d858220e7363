/**
 * Segment-by-segment testing of pilha's TCP, in the manner of smoltcp's socket tests: a TcpLayer over a
 * real Ipv4Layer whose link is a synchronous MemoryLink, the test holding the other end. `send` injects
 * a segment from the peer (checksummed, in an IPv4 datagram); `recv` takes the next segment the stack
 * sent (parsed back, checksum verified); `recvNothing` asserts silence; time moves only by `advance`.
 * Fixtures put a connection in each of the eleven states with known sequence numbers.
 */
import { expect } from 'vitest';
import { PilhaError } from '../../../src/core/errors.js';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import {
  encodeIpv4,
  IP_PROTOCOL_TCP,
  parseIpv4 as parseIpv4Datagram,
} from '../../../src/layers/ip/ipv4-header.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import type { RawLink, ReceiveBacklog, ReceiveHandler } from '../../../src/layers/link/raw-link.js';
import { congestionControllerFactoryFor } from '../../../src/transport/congestion/congestion-control-by-name.js';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import { DefaultTcpConnectionFactory } from '../../../src/transport/tcp/connection/tcp-connection-factory.js';
import type { IsnChoice, IsnSource } from '../../../src/transport/tcp/isn-generator.js';
import type { TcpListener } from '../../../src/transport/tcp/listen/tcp-listener.js';
import { resolveTcpConfig, type TcpConfig } from '../../../src/transport/tcp/tcp-config.js';
import { TcpLayer } from '../../../src/transport/tcp/tcp-layer.js';
import type { TcpTracer } from '../../../src/transport/tcp/trace/tcp-tracer.js';
import { type Seq, seq, seqToUnsigned } from '../../../src/transport/tcp/wire/seq.js';
import {
  encodeTcpSegment,
  formatTcpFlags,
  isTcpParseError,
  NO_TCP_OPTIONS,
  parseTcpSegment,
  TcpFlags,
  type TcpOptions,
  type TcpSegment,
} from '../../../src/transport/tcp/wire/tcp-header.js';
import { SegmentingLink } from '../../helpers/segmenting-link.js';

export const LOCAL = parseIpv4('10.0.0.2');
export const REMOTE = parseIpv4('10.0.0.1');
export const LOCAL_PORT = 80;
export const REMOTE_PORT = 40_000;
/** Our initial sequence number in every fixture (unless a test picks another). */
export const ISS = 1000;
/** The peer's initial sequence number. */
export const IRS = 5000;

export const { FIN, SYN, RST, PSH, ACK } = TcpFlags;

/** The peer's SYN options in the fixtures: an MSS only (no timestamps, no window scaling). */
export const PLAIN_SYN: TcpOptions = { mss: 1460 };

/** Byte i is a function of i. */
export function bytes(length: number, offset = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) * 7 + 3;
  return out;
}

export interface SegmentSpec {
  readonly flags: number;
  readonly seq: number;
  readonly ack?: number;
  readonly window?: number;
  readonly options?: TcpOptions;
  readonly payload?: Uint8Array;
  readonly srcPort?: number;
  readonly dstPort?: number;
}

export interface ExpectedSegment {
  readonly flags: string;
  readonly seq?: number;
  readonly ack?: number;
  readonly window?: number;
  readonly options?: TcpOptions;
  /** Payload length, or the exact bytes. */
  readonly payload?: number | Uint8Array;
}

/** Asserts the fields given (flags always). */
export function expectSegment(seg: TcpSegment, e: ExpectedSegment): void {
  expect(formatTcpFlags(seg.flags), 'flags').toBe(e.flags);
  if (e.seq !== undefined) expect(seg.seq, 'seq').toBe(seq(e.seq));
  if (e.ack !== undefined) expect(seg.ack, 'ack').toBe(seq(e.ack));
  if (e.window !== undefined) expect(seg.window, 'window').toBe(e.window);
  if (e.options !== undefined) expect(seg.options, 'options').toEqual(e.options);
  if (typeof e.payload === 'number') expect(seg.payload.length, 'payload length').toBe(e.payload);
  else if (e.payload !== undefined) expect(Array.from(seg.payload), 'payload').toEqual(Array.from(e.payload));
}

class FixedIsn implements IsnSource {
  constructor(public iss: number) {}
  next(): IsnChoice {
    return { isn: seq(this.iss), tsOffset: 0 };
  }
}

/** What the application side of a connection saw. */
export class Recorder {
  readonly events: string[] = [];
  readonly chunks: Uint8Array[] = [];
  error: PilhaError | undefined;
  closed = false;
  /** When false, data is left in the connection (an application that does not read). */
  autoRead = true;

  constructor(readonly conn: TcpConnection) {
    conn.setHandler({
      onConnect: () => this.events.push('connect'),
      onReadable: () => {
        this.events.push('readable');
        if (this.autoRead) this.drain();
      },
      onWritable: () => this.events.push('writable'),
      onClose: (error) => {
        this.events.push(error === undefined ? 'close' : `close:${error.code}`);
        this.error = error;
        this.closed = true;
      },
    });
  }

  /** Reads everything the connection holds. */
  drain(): void {
    for (let c = this.conn.read(); c !== undefined; c = this.conn.read()) this.chunks.push(c);
    this.conn.readDone();
  }

  get received(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

export interface HarnessOptions {
  readonly tcp?: Partial<TcpConfig>;
  readonly mtu?: number;
  readonly iss?: number;
  /** The connections' tracer (`--trace`); the no-op one by default. */
  readonly tracer?: TcpTracer;
  /** The stack's link signals batch ends (as an fd link's read batches): the test ends each with endBatch(). */
  readonly batches?: boolean;
  /**
   * With `batches`: the link keeps a backlog, as a worker reader's ring (RawLink.receiveBacklog): while
   * `holdInput` is set, what the peer sends waits in it until deliverHeld().
   */
  readonly backlog?: boolean;
  /** The stack's link offers segmentation offload (a SegmentingLink): TCP batches super-segments. */
  readonly segmenting?: boolean;
  /** The prefix length of LOCAL's subnet (its directed broadcast); unknown by default. */
  readonly prefixLength?: number;
}

/**
 * A link that delivers what its inner link does and whose batches end when the test says so; with a backlog,
 * what it receives while `holding` waits (counted as read, not yet handed up) until deliverHeld().
 */
class BatchingLink implements RawLink {
  private batchEndHandler: () => void = () => {};
  private handler: ReceiveHandler = () => {};
  holding = false;
  private readonly held: Array<[Uint8Array, number | undefined]> = [];
  private readCount = 0;
  private handedUp = 0;
  private readonly backlog: ReceiveBacklog = {
    received: () => this.readCount,
    delivered: () => this.handedUp,
  };
  constructor(
    private readonly inner: RawLink,
    private readonly withBacklog: boolean,
  ) {
    inner.onReceive((datagram, flags) => {
      this.readCount = (this.readCount + 1) | 0;
      if (this.holding) this.held.push([datagram.slice(), flags]);
      else this.handUp(datagram, flags);
    });
  }
  private handUp(datagram: Uint8Array, flags: number | undefined): void {
    this.handedUp = (this.handedUp + 1) | 0;
    this.handler(datagram, flags);
  }
  /** Hands up the first `count` held datagrams (all by default), then ends the batch. */
  deliverHeld(count = this.held.length): void {
    for (const [datagram, flags] of this.held.splice(0, count)) this.handUp(datagram, flags);
    this.endBatch();
  }
  /** Starts the running counts near 2^32, to cross the wrap. */
  startCountsAt(count: number): void {
    this.readCount = count | 0;
    this.handedUp = count | 0;
  }
  receiveBacklog(): ReceiveBacklog | undefined {
    return this.withBacklog ? this.backlog : undefined;
  }
  get mtu(): number {
    return this.inner.mtu;
  }
  send(datagram: Uint8Array): void {
    this.inner.send(datagram);
  }
  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }
  onBatchEnd(handler: () => void): boolean {
    this.batchEndHandler = handler;
    return true;
  }
  endBatch(): void {
    this.batchEndHandler();
  }
  stats(): Record<string, number> {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export class TcpHarness {
  readonly clock = new VirtualClock();
  readonly config: TcpConfig;
  readonly ip: Ipv4Layer;
  readonly tcp: TcpLayer;
  readonly accepted: TcpConnection[] = [];
  readonly isn: FixedIsn;
  listener: TcpListener | undefined;
  private readonly peer: MemoryLink;
  private readonly batching: BatchingLink | undefined;
  /** The SegmentingLink under IP, with `segmenting`. */
  readonly segmenting: SegmentingLink | undefined;
  private readonly out: TcpSegment[] = [];
  private ipId = 1;

  constructor(options: HarnessOptions = {}) {
    const [stackLink, peerLink] = MemoryLink.pair(options.mtu ?? 1500);
    this.peer = peerLink;
    const log = silentLoggers();
    this.config = resolveTcpConfig(options.tcp);
    this.segmenting = options.segmenting === true ? new SegmentingLink(stackLink) : undefined;
    this.batching =
      options.batches === true || options.backlog === true
        ? new BatchingLink(this.segmenting ?? stackLink, options.backlog === true)
        : undefined;
    this.ip = new Ipv4Layer(this.batching ?? this.segmenting ?? stackLink, this.clock, log.for('ip'), {
      address: LOCAL,
      initialId: 1,
      ...(options.prefixLength !== undefined ? { prefixLength: options.prefixLength } : {}),
    });
    this.isn = new FixedIsn(options.iss ?? ISS);
    const factory = new DefaultTcpConnectionFactory(
      this.clock,
      log.for('tcp'),
      this.config,
      congestionControllerFactoryFor(this.config.congestionControl),
      this.ip,
      undefined,
      options.tracer,
    );
    this.tcp = new TcpLayer(this.ip, this.clock, log.for('tcp'), this.config, factory, this.isn);
    peerLink.onReceive((datagram) => {
      const d = parseIpv4Datagram(datagram);
      if (typeof d === 'string') throw new Error(`the stack sent a bad datagram: ${d}`);
      expect(d.protocol).toBe(IP_PROTOCOL_TCP);
      const seg = parseTcpSegment(d.payload, d.src, d.dst);
      if (isTcpParseError(seg)) throw new Error(`the stack sent a bad segment: ${seg}`);
      this.out.push(seg);
    });
  }

  /** Injects a segment from the peer (REMOTE:REMOTE_PORT → LOCAL:LOCAL_PORT unless ports are given). */
  send(spec: SegmentSpec): void {
    const seg: TcpSegment = {
      srcPort: spec.srcPort ?? REMOTE_PORT,
      dstPort: spec.dstPort ?? LOCAL_PORT,
      seq: seq(spec.seq),
      ack: seq(spec.ack ?? 0),
      flags: spec.flags,
      window: spec.window ?? 65_535,
      urgentPointer: 0,
      options: spec.options ?? NO_TCP_OPTIONS,
      payload: spec.payload ?? new Uint8Array(0),
    };
    this.sendRaw(encodeTcpSegment(seg, REMOTE, LOCAL));
  }

  /**
   * Injects the bytes of a TCP segment as the payload of a datagram from the peer; with `rxFlags`, straight
   * into the IP layer with those link receive flags (raw-link.ts RX_*), as a link that sets them hands it up.
   */
  sendRaw(tcpBytes: Uint8Array, rxFlags?: number): void {
    const datagram = encodeIpv4(
      { id: this.ipId++, ttl: 64, protocol: IP_PROTOCOL_TCP, src: REMOTE, dst: LOCAL },
      tcpBytes,
    );
    if (rxFlags === undefined) this.peer.send(datagram);
    else this.ip.receive(datagram, rxFlags);
  }

  /** Ends the link's current batch (a harness made with `batches`). */
  endBatch(): void {
    this.batchingLink().endBatch();
  }

  /** While true (a harness made with `backlog`), what the peer sends waits in the link's backlog. */
  set holdInput(hold: boolean) {
    this.batchingLink().holding = hold;
  }

  /** Hands up the first `count` datagrams waiting in the backlog (all by default) and ends the batch. */
  deliverHeld(count?: number): void {
    this.batchingLink().deliverHeld(count);
  }

  /** Starts the backlog's running counts at `count` (near 2^32: the wrap). */
  startBacklogCountsAt(count: number): void {
    this.batchingLink().startCountsAt(count);
  }

  private batchingLink(): BatchingLink {
    if (this.batching === undefined) throw new Error('the harness was made without batches');
    return this.batching;
  }

  /** The next segment the stack sent; fails if there is none. */
  recv(): TcpSegment {
    const seg = this.out.shift();
    if (seg === undefined) throw new Error('expected a segment from the stack, got none');
    return seg;
  }

  /** Every segment sent since the last recv. */
  recvAll(): TcpSegment[] {
    return this.out.splice(0);
  }

  recvNothing(): void {
    expect(
      this.out.map(
        (s) =>
          `${formatTcpFlags(s.flags)} seq=${seqToUnsigned(s.seq)} ack=${seqToUnsigned(s.ack)} len=${s.payload.length}`,
      ),
    ).toEqual([]);
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  // ─── Fixtures, one per state ─────────────────────────────────────────────────────────────────────

  /** LISTEN: a listener on LOCAL_PORT; established connections land in `accepted`. */
  listen(backlog?: number): TcpListener {
    const listener = this.tcp.listen(LOCAL_PORT, {
      ...(backlog !== undefined ? { backlog } : {}),
      onAcceptable: () => {
        for (let c = listener.accept(); c !== undefined; c = listener.accept()) this.accepted.push(c);
      },
    });
    this.listener = listener;
    return listener;
  }

  /** SYN_RECEIVED (passive): the peer's SYN (seq IRS) answered; returns our SYN-ACK. */
  synReceived(options: TcpOptions = PLAIN_SYN, window = 65_535): TcpSegment {
    if (this.listener === undefined) this.listen();
    this.send({ flags: SYN, seq: IRS, window, options });
    return this.recv();
  }

  /** The connection the layer holds for the peer (in any state). */
  connection(): TcpConnection {
    const all = this.tcp.connections();
    expect(all.length).toBe(1);
    return all[0]!;
  }

  /** ESTABLISHED, passively opened: SYN, SYN-ACK, ACK. */
  established(options: TcpOptions = PLAIN_SYN, window = 65_535, handshakeRttMs = 0): Recorder {
    this.synReceived(options, window);
    // The handshake's round trip is the connection's first RTT sample (0 unless asked).
    if (handshakeRttMs > 0) this.advance(handshakeRttMs);
    this.send({ flags: ACK, seq: IRS + 1, ack: ISS + 1, window });
    this.recvNothing();
    expect(this.accepted.length).toBe(1);
    return new Recorder(this.accepted[0]!);
  }

  /** SYN_SENT: connect() from LOCAL_PORT; returns the recorder and our SYN. */
  synSent(): { rec: Recorder; syn: TcpSegment } {
    const rec = new Recorder(this.tcp.connect(REMOTE, REMOTE_PORT, { localPort: LOCAL_PORT }));
    return { rec, syn: this.recv() };
  }

  /** ESTABLISHED, actively opened: SYN, SYN-ACK (seq IRS), ACK. */
  establishedActive(options: TcpOptions = PLAIN_SYN, window = 65_535): Recorder {
    const { rec } = this.synSent();
    this.send({ flags: SYN | ACK, seq: IRS, ack: ISS + 1, window, options });
    expectSegment(this.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 1 });
    return rec;
  }

  /** FIN_WAIT_1: established, then shutdown(): our FIN (seq ISS+1) is out. */
  finWait1(): Recorder {
    const rec = this.established();
    rec.conn.shutdown();
    expectSegment(this.recv(), { flags: 'FIN|ACK', seq: ISS + 1, ack: IRS + 1 });
    return rec;
  }

  /** FIN_WAIT_2: our FIN acknowledged. */
  finWait2(): Recorder {
    const rec = this.finWait1();
    this.send({ flags: ACK, seq: IRS + 1, ack: ISS + 2 });
    this.recvNothing();
    return rec;
  }

  /** CLOSE_WAIT: the peer's FIN (seq IRS+1) received and acknowledged. */
  closeWait(): Recorder {
    const rec = this.established();
    this.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(this.recv(), { flags: 'ACK', seq: ISS + 1, ack: IRS + 2 });
    return rec;
  }

  /** CLOSING: both FINs crossed; ours is not acknowledged yet. */
  closing(): Recorder {
    const rec = this.finWait1();
    this.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 1 });
    expectSegment(this.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    return rec;
  }

  /** LAST_ACK: CLOSE_WAIT, then shutdown(): our FIN out. */
  lastAck(): Recorder {
    const rec = this.closeWait();
    rec.conn.shutdown();
    expectSegment(this.recv(), { flags: 'FIN|ACK', seq: ISS + 1, ack: IRS + 2 });
    return rec;
  }

  /** TIME_WAIT: FIN_WAIT_2, then the peer's FIN. */
  timeWait(): Recorder {
    const rec = this.finWait2();
    this.send({ flags: FIN | ACK, seq: IRS + 1, ack: ISS + 2 });
    expectSegment(this.recv(), { flags: 'ACK', seq: ISS + 2, ack: IRS + 2 });
    return rec;
  }
}

export function stateOf(conn: TcpConnection): string {
  return conn.stats().state;
}

export function isPilhaError(error: unknown, code: string): boolean {
  return error instanceof PilhaError && error.code === code;
}

export type { Seq };
