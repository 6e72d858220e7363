/**
 * What the dashboard page receives, as JSON over server-sent events: one `hello` when it connects (the
 * bounded history the hub kept), then one `frame` per tick (at most ten a second) with the counters, the
 * connections, and what happened since the last frame. Times are ms since the hub started.
 */
import type { TcpConnectionStats } from '../../transport/tcp/connection/tcp-connection-types.js';
import type { TcpTraceEvent } from '../../transport/tcp/trace/tcp-tracer.js';

/** One layer's box: its counters now, and per-second rates of those that moved over the last second. */
export interface LayerFrame {
  readonly name: string;
  readonly counters: Readonly<Record<string, number>>;
  readonly rates: Readonly<Record<string, number>>;
  /** Drop counters (names with `drop`/`Drop`) that grew since the last frame. */
  readonly dropsMoved: readonly string[];
}

/** A row of the connections table: `ss -ti` for one connection; `closedAt` once it has left the stack. */
export interface ConnectionFrame extends TcpConnectionStats {
  /** `local:port>remote:port`, as the tracer names it. */
  readonly id: string;
  readonly closedAt?: number;
}

/** [t, cwnd, ssthresh, bytes in flight, srtt or null, rto]: one point of a connection's congestion chart. */
export type TracePoint = readonly [number, number, number, number, number | null, number];

export interface TraceEventFrame {
  readonly t: number;
  readonly conn: string;
  readonly event: TcpTraceEvent;
}

/** A reassembled datagram, as stage 3 shows it. */
export interface ReassemblyFrame {
  readonly t: number;
  readonly src: string;
  readonly dst: string;
  readonly id: number;
  readonly protocol: number;
  readonly fragments: number;
  readonly totalLength: number;
  readonly arrivalOrder: readonly number[];
  readonly elapsedMs: number;
}

export interface ArpFrame {
  readonly ip: string;
  readonly mac?: string;
  readonly state: string;
  readonly ageMs: number;
  readonly queued: number;
}

export interface DashboardFrame {
  readonly type: 'frame';
  readonly t: number;
  readonly layers: readonly LayerFrame[];
  readonly connections: readonly ConnectionFrame[];
  /** Live connections in the stack; the table lists at most MAX_TABLE_CONNECTIONS of them. */
  readonly connectionCount: number;
  /** New chart points since the last frame, by connection id. */
  readonly trace: Readonly<Record<string, readonly TracePoint[]>>;
  readonly events: readonly TraceEventFrame[];
  readonly reassembled: readonly ReassemblyFrame[];
  /** Present on an Ethernet link. */
  readonly arp?: readonly ArpFrame[];
}

export interface DashboardHello {
  readonly type: 'hello';
  readonly title: string;
  readonly tickMs: number;
  readonly trace: Readonly<Record<string, readonly TracePoint[]>>;
  readonly events: readonly TraceEventFrame[];
  readonly reassembled: readonly ReassemblyFrame[];
}
