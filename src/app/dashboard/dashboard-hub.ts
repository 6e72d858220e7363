/**
 * The dashboard's data side: while at least one page is subscribed, a tick every `tickMs` (100 ms: ten
 * updates a second at most, however fast the stack moves) reads every layer's counters and the connections'
 * `ss -ti`, computes per-second rates over the last second, and hands subscribers one DashboardFrame with
 * what the tracer and the IP layer reported since the last tick. With no subscriber there is no timer, the
 * counters are never read, and the tracer's and reassembly hooks return after one field check.
 *
 * Every history is bounded (DashboardLimits): chart points per connection, connections charted, loss events,
 * reassemblies, closed connections kept while they fade out, rows in the table, points buffered per tick.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { formatIpv4 } from '../../core/ipv4-address.js';
import type { ReassemblyInfo } from '../../layers/ip/reassembler.js';
import type { TcpConnectionStats } from '../../transport/tcp/connection/tcp-connection-types.js';
import type { TcpTraceEvent } from '../../transport/tcp/trace/tcp-tracer.js';
import type {
  ArpFrame,
  ConnectionFrame,
  DashboardFrame,
  DashboardHello,
  LayerFrame,
  ReassemblyFrame,
  TraceEventFrame,
  TracePoint,
} from './dashboard-frame.js';
import type { DashboardTraceSink } from './dashboard-tcp-tracer.js';
import { RingBuffer } from './ring-buffer.js';

/** What the hub reads from a stack; the CLI builds it from whatever layers the command has. */
export interface DashboardSources {
  /** Shown as the page's title (the command and where it listens). */
  readonly title: string;
  /** Bottom up: link, Ethernet/ARP when present, IP, ICMP, TCP, app. Called once per tick. */
  layers(): readonly { readonly name: string; readonly counters: Readonly<Record<string, number>> }[];
  /** `ss -ti` for every connection; none without TCP. */
  connections(): readonly TcpConnectionStats[];
  /** The ARP cache, on an Ethernet link. */
  readonly arpCache?: () => readonly ArpFrame[];
}

/** Before a stack is attached: nothing to show yet. */
const NO_SOURCES: DashboardSources = { title: 'pilha', layers: () => [], connections: () => [] };

export interface DashboardLimits {
  /** Time between frames: 100 ms, ten updates a second. */
  readonly tickMs: number;
  /** Rates are taken over this window. */
  readonly rateWindowMs: number;
  /** A chart point is kept at most this often per connection (events always). */
  readonly sampleMs: number;
  readonly pointsPerConnection: number;
  readonly chartedConnections: number;
  readonly pendingPointsPerConnection: number;
  readonly events: number;
  readonly reassemblies: number;
  /** How long a closed connection stays in the table (fading) before it leaves. */
  readonly fadeMs: number;
  readonly closedKept: number;
  readonly tableConnections: number;
}

export const DEFAULT_DASHBOARD_LIMITS: DashboardLimits = {
  tickMs: 100,
  rateWindowMs: 1000,
  sampleMs: 10,
  pointsPerConnection: 3000,
  chartedConnections: 64,
  pendingPointsPerConnection: 256,
  events: 500,
  reassemblies: 100,
  fadeMs: 3000,
  closedKept: 64,
  tableConnections: 200,
};

/** One charted connection: its bounded history and the points not yet sent. */
interface ChartedConnection {
  readonly history: RingBuffer<TracePoint>;
  pending: TracePoint[];
  lastPointAt: number;
  lastSeenAt: number;
}

interface CounterSnapshot {
  readonly t: number;
  readonly counters: readonly Readonly<Record<string, number>>[];
}

export type DashboardListener = (frame: DashboardFrame) => void;

const DROP_NAME = /^drop|Drop/;

export function connectionId(
  c: Pick<TcpConnectionStats, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>,
): string {
  return `${c.localAddress}:${c.localPort}>${c.remoteAddress}:${c.remotePort}`;
}

export class DashboardHub implements DashboardTraceSink {
  readonly limits: DashboardLimits;
  private readonly start: number;
  private readonly listeners = new Set<DashboardListener>();
  private timer: Timer | undefined;
  private closed = false;
  /** True while a page is subscribed: the hooks' one field check. */
  live = false;

  private readonly charted = new Map<string, ChartedConnection>();
  private readonly events: RingBuffer<TraceEventFrame>;
  private pendingEvents: TraceEventFrame[] = [];
  private readonly reassembled: RingBuffer<ReassemblyFrame>;
  private pendingReassembled: ReassemblyFrame[] = [];
  /** Counter snapshots of the last rate window, oldest first. */
  private readonly snapshots: RingBuffer<CounterSnapshot>;
  /** Live connections at the last tick, and closed ones still fading out. */
  private known = new Map<string, ConnectionFrame>();
  private readonly closedConnections = new Map<string, ConnectionFrame>();

  private sources: DashboardSources = NO_SOURCES;

  /** The hub exists before the stack (its tracer is bound when the stack is built); attach() gives it the stack. */
  constructor(
    private readonly clock: Clock,
    limits: Partial<DashboardLimits> = {},
  ) {
    this.limits = { ...DEFAULT_DASHBOARD_LIMITS, ...limits };
    this.start = clock.now();
    this.events = new RingBuffer(this.limits.events);
    this.reassembled = new RingBuffer(this.limits.reassemblies);
    this.snapshots = new RingBuffer(
      Math.max(2, Math.ceil(this.limits.rateWindowMs / this.limits.tickMs) + 1),
    );
  }

  attach(sources: DashboardSources): void {
    this.sources = sources;
  }

  /** Ms since the hub started: the time axis of every frame. */
  now(): number {
    return Math.round((this.clock.now() - this.start) * 1000) / 1000;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Starts the ticks with the first subscriber; returns the way to leave (the last one stops them). */
  subscribe(listener: DashboardListener): () => void {
    if (this.closed) return () => {};
    this.listeners.add(listener);
    if (!this.live) {
      this.live = true;
      // Rates and closed-connection fading start afresh: what happened while nobody looked is not known.
      this.snapshots.clear();
      this.known = new Map();
      this.closedConnections.clear();
      this.schedule();
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.stop();
    };
  }

  /** What a page gets first: the bounded history kept while pages were open. */
  hello(): DashboardHello {
    const trace: Record<string, TracePoint[]> = {};
    for (const [id, c] of this.charted) trace[id] = [...c.history.toArray(), ...c.pending];
    return {
      type: 'hello',
      title: this.sources.title,
      tickMs: this.limits.tickMs,
      trace,
      // The rings already hold what is pending for the next frame.
      events: this.events.toArray(),
      reassembled: this.reassembled.toArray(),
    };
  }

  /** Called by the tracer's channels only while live. */
  recordTrace(
    conn: string,
    cwnd: number,
    ssthresh: number,
    inflight: number,
    srtt: number | undefined,
    rto: number,
    event?: TcpTraceEvent,
  ): void {
    if (!this.live) return;
    const t = this.now();
    let c = this.charted.get(conn);
    if (c === undefined) c = this.chart(conn);
    c.lastSeenAt = t;
    if (event !== undefined) {
      const frame = { t, conn, event };
      this.events.push(frame);
      if (this.pendingEvents.length < this.limits.events) this.pendingEvents.push(frame);
    } else if (t - c.lastPointAt < this.limits.sampleMs) {
      return;
    }
    if (c.pending.length >= this.limits.pendingPointsPerConnection) return;
    c.lastPointAt = t;
    c.pending.push([
      t,
      Math.round(cwnd),
      Math.round(ssthresh),
      Math.round(inflight),
      srtt === undefined ? null : Math.round(srtt * 1000) / 1000,
      Math.round(rto * 1000) / 1000,
    ]);
  }

  /** Ends the ticks and lets every subscriber go. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.stop();
  }

  /** Charted connections (for tests of the bounds). */
  get chartedConnections(): number {
    return this.charted.size;
  }

  private stop(): void {
    this.live = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.limits.tickMs, () => {
      this.timer = undefined;
      if (!this.live) return;
      const frame = this.frame();
      for (const listener of [...this.listeners]) listener(frame);
      if (this.live) this.schedule();
    });
  }

  private chart(conn: string): ChartedConnection {
    if (this.charted.size >= this.limits.chartedConnections) {
      // Forget the connection heard from least recently.
      let oldest: string | undefined;
      let oldestAt = Number.POSITIVE_INFINITY;
      for (const [id, c] of this.charted) {
        if (c.lastSeenAt < oldestAt) {
          oldestAt = c.lastSeenAt;
          oldest = id;
        }
      }
      if (oldest !== undefined) this.charted.delete(oldest);
    }
    const c: ChartedConnection = {
      history: new RingBuffer(this.limits.pointsPerConnection),
      pending: [],
      lastPointAt: Number.NEGATIVE_INFINITY,
      lastSeenAt: this.now(),
    };
    this.charted.set(conn, c);
    return c;
  }

  /** The IP layer's reassembly listener: kept only while live. */
  reassembledDatagram(info: ReassemblyInfo): void {
    if (!this.live) return;
    const frame: ReassemblyFrame = {
      t: this.now(),
      src: formatIpv4(info.src),
      dst: formatIpv4(info.dst),
      id: info.id,
      protocol: info.protocol,
      fragments: info.fragments,
      totalLength: info.totalLength,
      arrivalOrder: [...info.arrivalOrder],
      elapsedMs: Math.round(info.elapsedMs * 1000) / 1000,
    };
    this.reassembled.push(frame);
    if (this.pendingReassembled.length < this.limits.reassemblies) this.pendingReassembled.push(frame);
  }

  /** One tick's frame: counters read now, and what was recorded since the last tick. */
  private frame(): DashboardFrame {
    const t = this.now();
    const trace: Record<string, TracePoint[]> = {};
    for (const [id, c] of this.charted) {
      if (c.pending.length === 0) continue;
      trace[id] = c.pending;
      for (const p of c.pending) c.history.push(p);
      c.pending = [];
    }
    const events = this.pendingEvents;
    this.pendingEvents = [];
    const reassembled = this.pendingReassembled;
    this.pendingReassembled = [];
    const { connections, count } = this.connectionRows(t);
    const arp = this.sources.arpCache?.();
    return {
      type: 'frame',
      t,
      layers: this.layerFrames(t),
      connections,
      connectionCount: count,
      trace,
      events,
      reassembled,
      ...(arp !== undefined ? { arp } : {}),
    };
  }

  private layerFrames(t: number): LayerFrame[] {
    const layers = this.sources.layers();
    const counters = layers.map((l) => l.counters);
    const window = this.snapshots.toArray();
    const oldest = window[0];
    const previous = window[window.length - 1];
    this.snapshots.push({ t, counters });
    return layers.map((layer, i) => {
      const rates: Record<string, number> = {};
      const dropsMoved: string[] = [];
      const before = oldest?.counters[i];
      const last = previous?.counters[i];
      const dt = oldest === undefined ? 0 : t - oldest.t;
      for (const [name, value] of Object.entries(layer.counters)) {
        if (before !== undefined && dt > 0) {
          const delta = value - (before[name] ?? 0);
          if (delta !== 0) rates[name] = Math.round((delta * 1000 * 100) / dt) / 100;
        }
        if (last !== undefined && DROP_NAME.test(name) && value > (last[name] ?? 0)) dropsMoved.push(name);
      }
      return { name: layer.name, counters: layer.counters, rates, dropsMoved };
    });
  }

  private connectionRows(t: number): { connections: ConnectionFrame[]; count: number } {
    const stats = this.sources.connections();
    const live = new Map<string, ConnectionFrame>();
    for (const s of stats) {
      const id = connectionId(s);
      live.set(id, { ...s, id });
      this.closedConnections.delete(id);
    }
    for (const [id, last] of this.known) {
      if (!live.has(id)) this.closedConnections.set(id, { ...last, state: 'CLOSED', closedAt: t });
    }
    this.known = live;
    for (const [id, c] of this.closedConnections) {
      if (t - c.closedAt! >= this.limits.fadeMs) this.closedConnections.delete(id);
    }
    while (this.closedConnections.size > this.limits.closedKept) {
      this.closedConnections.delete(this.closedConnections.keys().next().value!);
    }
    const rows = [...live.values()].slice(0, this.limits.tableConnections);
    rows.push(...this.closedConnections.values());
    return { connections: rows, count: live.size };
  }
}
