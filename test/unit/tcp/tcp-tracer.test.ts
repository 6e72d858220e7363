/**
 * `--trace`: the JSON-lines tracer (line format, records only on change, events always, buffered writes),
 * the no-op tracer a stack gets by default, and the connection's hooks (a fast retransmit, a recovery
 * exit and a timeout each leave an event record with the values after the change).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { buildTcpStack } from '../../../src/di/compositions.js';
import { TOKENS } from '../../../src/di/tokens.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import {
  JsonLinesTcpTracer,
  type TraceSink,
} from '../../../src/transport/tcp/trace/json-lines-tcp-tracer.js';
import {
  NO_TCP_TRACER,
  TCP_TRACE_EVENTS,
  type TcpTraceChannel,
  type TcpTraceEvent,
  type TcpTracer,
} from '../../../src/transport/tcp/trace/tcp-tracer.js';
import { ADDRESS_A, memoryConfig } from '../../helpers/memory-stacks.js';
import { ACK, bytes, IRS, ISS, TcpHarness } from './tcp-harness.js';

const CONN = '10.77.0.2:7000>10.77.0.1:45678';
const INFINITE = 0x7fffffff;
const MSS = 1460;

/** A sink that keeps each write (so a test sees how the text was batched). */
function arraySink(): TraceSink & { writes: string[]; closed: boolean } {
  const sink = {
    writes: [] as string[],
    closed: false,
    write(text: string) {
      sink.writes.push(text);
    },
    close() {
      sink.closed = true;
    },
  };
  return sink;
}

function lines(sink: { writes: string[] }): Record<string, unknown>[] {
  return sink.writes
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('JsonLinesTcpTracer', () => {
  it('writes one JSON line per record: t since start, conn, the five values, srtt null before a sample', () => {
    const clock = new VirtualClock(1000);
    const sink = arraySink();
    const tracer = new JsonLinesTcpTracer(clock, sink);
    const channel = tracer.channel(CONN);
    clock.advance(12.5);
    channel.record(14_480, INFINITE, 2896, undefined, 1000);
    clock.advance(0.0004);
    channel.record(14_480, 7240, 2896, 0.4123456, 200, 'fast_retransmit');
    tracer.flush();
    expect(sink.writes.join('')).toBe(
      `{"t":12.5,"conn":"${CONN}","cwnd":14480,"ssthresh":2147483647,"inflight":2896,"srtt":null,"rto":1000}\n` +
        `{"t":12.5,"conn":"${CONN}","cwnd":14480,"ssthresh":7240,"inflight":2896,"srtt":0.412,"rto":200,"event":"fast_retransmit"}\n`,
    );
  });

  it('records only when a value changes (to the byte, to the microsecond); an event is always recorded', () => {
    const clock = new VirtualClock();
    const sink = arraySink();
    const tracer = new JsonLinesTcpTracer(clock, sink);
    const channel = tracer.channel(CONN);
    channel.record(4380, INFINITE, 0, undefined, 1000);
    channel.record(4380, INFINITE, 0, undefined, 1000); // same
    channel.record(4380.2, INFINITE, 0, undefined, 1000.0001); // below the resolution: same
    channel.record(4380, INFINITE, 1460, undefined, 1000); // in flight
    channel.record(4380, INFINITE, 1460, 0.5, 1000); // srtt
    channel.record(4380, INFINITE, 1460, 0.5, 1000, 'timeout'); // nothing changed, but an event
    channel.record(4380, INFINITE, 1460, 0.5, 1000); // same as the event record
    channel.record(5840, INFINITE, 1460, 0.5, 1000); // cwnd
    channel.record(5840, 2920, 1460, 0.5, 1000); // ssthresh
    channel.record(5840, 2920, 1460, 0.5, 400); // rto
    tracer.close();
    const recorded = lines(sink).map((l) => [l.cwnd, l.ssthresh, l.inflight, l.srtt, l.rto, l.event]);
    expect(recorded).toEqual([
      [4380, INFINITE, 0, null, 1000, undefined],
      [4380, INFINITE, 1460, null, 1000, undefined],
      [4380, INFINITE, 1460, 0.5, 1000, undefined],
      [4380, INFINITE, 1460, 0.5, 1000, 'timeout'],
      [5840, INFINITE, 1460, 0.5, 1000, undefined],
      [5840, 2920, 1460, 0.5, 1000, undefined],
      [5840, 2920, 1460, 0.5, 400, undefined],
    ]);
  });

  it('keeps each connection apart: the same values on another channel are a first record there', () => {
    const sink = arraySink();
    const tracer = new JsonLinesTcpTracer(new VirtualClock(), sink);
    const a = tracer.channel('a');
    const b = tracer.channel('b');
    a.record(1, 2, 3, 4, 5);
    b.record(1, 2, 3, 4, 5);
    a.record(1, 2, 3, 4, 5);
    tracer.close();
    expect(lines(sink).map((l) => l.conn)).toEqual(['a', 'b']);
  });

  it('buffers: one write when the buffer fills, when a record comes an interval later, and on close', () => {
    const clock = new VirtualClock();
    const sink = arraySink();
    const tracer = new JsonLinesTcpTracer(clock, sink, { bufferChars: 1000, flushIntervalMs: 500 });
    const channel = tracer.channel(CONN);
    for (let i = 0; i < 5; i++) channel.record(1000 + i, INFINITE, 0, undefined, 200);
    expect(sink.writes).toEqual([]); // ~600 characters: still buffered
    for (let i = 5; i < 10; i++) channel.record(1000 + i, INFINITE, 0, undefined, 200);
    expect(sink.writes.length).toBe(1); // the buffer filled: one write of several lines
    expect(sink.writes[0]!.split('\n').length - 1).toBeGreaterThan(5);
    clock.advance(500);
    channel.record(2000, INFINITE, 0, undefined, 200);
    expect(sink.writes.length).toBe(2); // an interval since the last write
    channel.record(2001, INFINITE, 0, undefined, 200);
    tracer.close();
    expect(sink.closed).toBe(true);
    expect(lines(sink).length).toBe(12);
    channel.record(3000, INFINITE, 0, undefined, 200); // after close: dropped
    tracer.flush();
    expect(lines(sink).length).toBe(12);
  });
});

describe('the tracer a stack gets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pilha-tracer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function stackTracer(traceFile?: string): Promise<TcpTracer> {
    const [link] = MemoryLink.pair(1500);
    const stack = await buildTcpStack(memoryConfig(ADDRESS_A, traceFile === undefined ? {} : { traceFile }), {
      baseLink: link,
      clock: new VirtualClock(),
      loggers: silentLoggers(),
    });
    const tracer = stack.container.get<TcpTracer>(TOKENS.TcpTracer);
    await stack.close();
    return tracer;
  }

  it('is the no-op tracer by default', async () => {
    const tracer = await stackTracer();
    expect(tracer).toBe(NO_TCP_TRACER);
    expect(tracer.enabled).toBe(false);
  });

  it('writes StackConfig.traceFile when it is set (the file is there once the stack is closed)', async () => {
    const file = join(dir, 'stack.jsonl');
    const tracer = await stackTracer(file);
    expect(tracer).toBeInstanceOf(JsonLinesTcpTracer);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(''); // no connection, no record
  });

  it('names every event the plot knows, in snake case', () => {
    expect(TCP_TRACE_EVENTS).toEqual(
      expect.arrayContaining([
        'fast_retransmit',
        'timeout',
        'tlp',
        'undo',
        'sack_recovery_enter',
        'sack_recovery_exit',
      ]),
    );
    for (const e of TCP_TRACE_EVENTS) expect(e).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});

/** A tracer that keeps every call, to see what the connection's hooks report. */
class RecordingTracer implements TcpTracer {
  readonly channels: string[] = [];
  readonly records: { cwnd: number; ssthresh: number; inflight: number; event?: TcpTraceEvent }[] = [];
  constructor(readonly enabled: boolean) {}
  channel(conn: string): TcpTraceChannel {
    this.channels.push(conn);
    return {
      record: (cwnd, ssthresh, inflight, _srtt, _rto, event) => {
        this.records.push({ cwnd, ssthresh, inflight, ...(event !== undefined ? { event } : {}) });
      },
    };
  }
  flush(): void {}
  close(): void {}
}

describe("the connection's trace hooks", () => {
  it('a disabled tracer opens no channel (the hooks are one field check)', () => {
    const tracer = new RecordingTracer(false);
    const h = new TcpHarness({ tracer });
    const rec = h.established();
    rec.conn.write(bytes(3 * MSS));
    h.recvAll();
    h.advance(1000);
    expect(tracer.channels).toEqual([]);
    expect(tracer.records).toEqual([]);
  });

  it('fast retransmit and the end of recovery: event records with the window after the change', () => {
    const tracer = new RecordingTracer(true);
    const h = new TcpHarness({ tracer, tcp: { congestionControl: 'newreno' } }); // NewReno's numbers, as tcp-retransmission.test.ts
    const rec = h.established();
    expect(tracer.channels).toEqual(['10.0.0.2:80>10.0.0.1:40000']);
    rec.conn.write(bytes(20 * MSS));
    const seg = (i: number) => ISS + 1 + i * MSS;
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    h.recvAll();
    for (let i = 0; i < 3; i++) h.send({ flags: ACK, seq: IRS + 1, ack: seg(1) });
    h.recvAll();
    h.send({ flags: ACK, seq: IRS + 1, ack: seg(7) });
    const events = tracer.records.filter((r) => r.event !== undefined);
    // As tcp-retransmission.test.ts: ssthresh 2·MSS, cwnd 5·MSS inflated; then cwnd = ssthresh.
    expect(events).toEqual([
      // Segments 1–6 out: 1–4, and 5 and 6 from limited transmit (the retransmission of 1 does not add).
      { cwnd: 5 * MSS, ssthresh: 2 * MSS, inflight: 6 * MSS, event: 'fast_retransmit' },
      expect.objectContaining({ cwnd: 2 * MSS, ssthresh: 2 * MSS, event: 'recovery_exit' }),
    ]);
    // Plain records follow what moved: the first is the initial window before any loss.
    expect(tracer.records[0]).toMatchObject({ ssthresh: INFINITE });
  });

  it('a timeout: an event record with the loss window (one MSS) and one segment in flight', () => {
    const tracer = new RecordingTracer(true);
    const h = new TcpHarness({ tracer, tcp: { congestionControl: 'newreno' } }); // NewReno's numbers, as tcp-retransmission.test.ts
    const rec = h.established();
    rec.conn.write(bytes(3 * MSS));
    h.recvAll();
    h.advance(200);
    expect(tracer.records.filter((r) => r.event !== undefined)).toEqual([
      { cwnd: MSS, ssthresh: 2 * MSS, inflight: MSS, event: 'timeout' },
    ]);
  });
});
