/**
 * The dashboard hub on a VirtualClock: nothing runs and nothing is kept without a subscriber; with one, a
 * frame every 100 ms (however fast the tracer records), rates over the last second, drops that moved, closed
 * connections fading out; and every history bounded, also over a long virtual run.
 */
import { describe, expect, it } from 'vitest';
import type { DashboardFrame } from '../../../../src/app/dashboard/dashboard-frame.js';
import { DashboardHub, type DashboardSources } from '../../../../src/app/dashboard/dashboard-hub.js';
import { DashboardTcpTracer } from '../../../../src/app/dashboard/dashboard-tcp-tracer.js';
import { RingBuffer } from '../../../../src/app/dashboard/ring-buffer.js';
import { VirtualClock } from '../../../../src/core/virtual-clock.js';
import type { ReassemblyInfo } from '../../../../src/layers/ip/reassembler.js';
import type { TcpConnectionStats } from '../../../../src/transport/tcp/connection/tcp-connection-types.js';
import { JsonLinesTcpTracer } from '../../../../src/transport/tcp/trace/json-lines-tcp-tracer.js';
import { NO_TCP_TRACER } from '../../../../src/transport/tcp/trace/tcp-tracer.js';

const CONN = '10.77.0.2:7000>10.77.0.1:40000';

function connection(
  remotePort: number,
  state: TcpConnectionStats['state'] = 'ESTABLISHED',
): TcpConnectionStats {
  return {
    state,
    localAddress: '10.77.0.2',
    localPort: 7000,
    remoteAddress: '10.77.0.1',
    remotePort,
    cwnd: 14480,
    ssthresh: 2147483647,
  } as TcpConnectionStats;
}

/** Sources whose counters the test moves, and which count how often they are read. */
function fakeSources() {
  const counters = { rxPackets: 0, txPackets: 0, dropBadChecksum: 0 };
  const state = { reads: 0, connections: [connection(40000)] };
  const sources: DashboardSources = {
    title: 'test',
    layers: () => {
      state.reads++;
      return [{ name: 'ip', counters: { ...counters } }];
    },
    connections: () => state.connections,
  };
  return { sources, counters, state };
}

const REASSEMBLY: ReassemblyInfo = {
  src: 0x0a4d0001,
  dst: 0x0a4d0002,
  id: 7,
  protocol: 1,
  fragments: 3,
  totalLength: 3028,
  arrivalOrder: [2, 0, 1],
  elapsedMs: 0.5,
};

describe('DashboardHub', () => {
  it('does nothing without a subscriber: no timer, no counters read, nothing recorded', () => {
    const clock = new VirtualClock();
    const { sources, state } = fakeSources();
    const hub = new DashboardHub(clock);
    hub.attach(sources);
    expect(hub.live).toBe(false);
    for (let i = 0; i < 100; i++) {
      hub.recordTrace(CONN, 1000 + i, 5000, 100, 1, 200, i % 10 === 0 ? 'fast_retransmit' : undefined);
      hub.reassembledDatagram(REASSEMBLY);
      clock.advance(10);
    }
    expect(clock.pendingTimers).toBe(0);
    expect(state.reads).toBe(0);
    const hello = hub.hello();
    expect(hello.trace).toEqual({});
    expect(hello.events).toEqual([]);
    expect(hello.reassembled).toEqual([]);
    expect(hub.chartedConnections).toBe(0);
  });

  it('sends ten frames a second however often the tracer records, and stops with the last subscriber', () => {
    const clock = new VirtualClock();
    const { sources, counters } = fakeSources();
    const hub = new DashboardHub(clock);
    hub.attach(sources);
    const frames: DashboardFrame[] = [];
    const leave = hub.subscribe((f) => frames.push(f));
    // A record every millisecond (a busy connection), an event every 250 ms.
    for (let ms = 1; ms <= 1000; ms++) {
      counters.rxPackets += 10;
      hub.recordTrace(
        CONN,
        10_000 + ms,
        20_000,
        ms,
        1.5,
        200,
        ms % 250 === 0 ? 'sack_recovery_enter' : undefined,
      );
      clock.advance(1);
    }
    expect(frames).toHaveLength(10);
    expect(frames.map((f) => f.t)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    const points = frames.flatMap((f) => f.trace[CONN] ?? []);
    // A point per 10 ms at most (sampleMs), plus the events' own points.
    expect(points.length).toBeGreaterThanOrEqual(99);
    expect(points.length).toBeLessThanOrEqual(100 + 4);
    for (const f of frames) expect((f.trace[CONN] ?? []).length).toBeLessThanOrEqual(11);
    const events = frames.flatMap((f) => f.events);
    expect(events.map((e) => e.t)).toEqual([250, 500, 750, 1000].map((t) => t - 1));
    expect(events.every((e) => e.event === 'sack_recovery_enter' && e.conn === CONN)).toBe(true);
    // Rates over the last second: 10 packets a ms.
    expect(frames[9]!.layers[0]!.rates.rxPackets).toBe(10_000);

    leave();
    expect(hub.live).toBe(false);
    clock.advance(1000);
    expect(frames).toHaveLength(10);
    expect(clock.pendingTimers).toBe(0);
  });

  it('marks a drop counter as moved in the frame where it grew, and only there', () => {
    const clock = new VirtualClock();
    const { sources, counters } = fakeSources();
    const hub = new DashboardHub(clock);
    hub.attach(sources);
    const frames: DashboardFrame[] = [];
    hub.subscribe((f) => frames.push(f));
    clock.advance(200);
    counters.dropBadChecksum = 3;
    clock.advance(100);
    clock.advance(100);
    expect(frames.map((f) => f.layers[0]!.dropsMoved)).toEqual([[], [], ['dropBadChecksum'], []]);
  });

  it('keeps a closed connection as CLOSED while it fades, then drops it', () => {
    const clock = new VirtualClock();
    const { sources, state } = fakeSources();
    const hub = new DashboardHub(clock, { fadeMs: 1000 });
    hub.attach(sources);
    const frames: DashboardFrame[] = [];
    hub.subscribe((f) => frames.push(f));
    clock.advance(100);
    expect(frames.at(-1)!.connections.map((c) => [c.id, c.state])).toEqual([[CONN, 'ESTABLISHED']]);
    state.connections = [];
    clock.advance(100);
    const closed = frames.at(-1)!.connections;
    expect(closed.map((c) => [c.id, c.state, c.closedAt])).toEqual([[CONN, 'CLOSED', 200]]);
    expect(frames.at(-1)!.connectionCount).toBe(0);
    clock.advance(900); // t = 1100: closed 900 ms ago
    expect(frames.at(-1)!.connections).toHaveLength(1);
    clock.advance(100); // t = 1200: 1000 ms, the fade is over
    expect(frames.at(-1)!.connections).toEqual([]);
  });

  it('sends reassembled datagrams and keeps them for the next page', () => {
    const clock = new VirtualClock();
    const { sources } = fakeSources();
    const hub = new DashboardHub(clock);
    hub.attach(sources);
    const frames: DashboardFrame[] = [];
    hub.subscribe((f) => frames.push(f));
    clock.advance(50);
    hub.reassembledDatagram(REASSEMBLY);
    clock.advance(50);
    expect(frames[0]!.reassembled).toEqual([
      {
        t: 50,
        src: '10.77.0.1',
        dst: '10.77.0.2',
        id: 7,
        protocol: 1,
        fragments: 3,
        totalLength: 3028,
        arrivalOrder: [2, 0, 1],
        elapsedMs: 0.5,
      },
    ]);
    expect(hub.hello().reassembled).toHaveLength(1);
  });

  it('bounds every history, also with a page open for an hour of virtual time', () => {
    const clock = new VirtualClock();
    const { sources, counters, state } = fakeSources();
    const limits = {
      pointsPerConnection: 50,
      chartedConnections: 3,
      events: 20,
      reassemblies: 5,
      closedKept: 4,
    };
    const hub = new DashboardHub(clock, limits);
    hub.attach(sources);
    let frames = 0;
    let largest = 0;
    hub.subscribe((f) => {
      frames++;
      largest = Math.max(largest, JSON.stringify(f).length);
    });
    for (let ms = 0; ms < 3_600_000; ms += 5) {
      const port = 40_000 + Math.floor(ms / 60_000); // a new connection every minute
      if (ms % 60_000 === 0) state.connections = [connection(port)];
      counters.rxPackets++;
      hub.recordTrace(
        `10.77.0.2:7000>10.77.0.1:${port}`,
        ms,
        5000,
        100,
        1,
        200,
        ms % 1000 === 0 ? 'timeout' : undefined,
      );
      if (ms % 10_000 === 0) hub.reassembledDatagram(REASSEMBLY);
      clock.advance(5);
    }
    expect(frames).toBe(36_000);
    const hello = hub.hello();
    expect(Object.keys(hello.trace)).toHaveLength(3);
    for (const points of Object.values(hello.trace)) expect(points.length).toBeLessThanOrEqual(50);
    expect(hello.events).toHaveLength(20);
    expect(hello.reassembled).toHaveLength(5);
    expect(hub.chartedConnections).toBe(3);
    expect(largest).toBeLessThan(8_000);
  }, 60_000);
});

describe('DashboardTcpTracer', () => {
  it('hands every record to the --trace file, and to the hub only while a page is open', () => {
    const clock = new VirtualClock();
    const hub = new DashboardHub(clock);
    hub.attach(fakeSources().sources);
    const written: string[] = [];
    const file = new JsonLinesTcpTracer(clock, { write: (t) => written.push(t), close: () => {} });
    const tracer = new DashboardTcpTracer(hub, file);
    expect(tracer.enabled).toBe(true);
    const channel = tracer.channel(CONN);
    channel.record(1000, 2000, 0, undefined, 1000);
    expect(hub.hello().trace).toEqual({});
    const leave = hub.subscribe(() => {});
    clock.advance(20);
    channel.record(3000, 2000, 1500, 2.5, 300, 'tlp');
    expect(hub.hello().trace[CONN]).toEqual([[20, 3000, 2000, 1500, 2.5, 300]]);
    expect(hub.hello().events).toEqual([{ t: 20, conn: CONN, event: 'tlp' }]);
    leave();
    tracer.close();
    const lines = written.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ conn: CONN, cwnd: 3000, event: 'tlp' });
  });

  it('without --trace, taps the hub alone', () => {
    const clock = new VirtualClock();
    const hub = new DashboardHub(clock);
    const tracer = new DashboardTcpTracer(hub, NO_TCP_TRACER);
    hub.subscribe(() => {});
    tracer.channel(CONN).record(1000, 2000, 0, undefined, 1000, 'undo');
    expect(hub.hello().events).toEqual([{ t: 0, conn: CONN, event: 'undo' }]);
  });
});

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
