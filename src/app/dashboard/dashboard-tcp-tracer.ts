/**
 * The tracer a stack gets with `--dashboard`: each connection's channel hands its values to the dashboard
 * hub while a page is open (one field check otherwise), and to the `--trace` file's channel when there is one.
 */
import type { TcpTraceChannel, TcpTraceEvent, TcpTracer } from '../../transport/tcp/trace/tcp-tracer.js';

/** The hub as the channels see it. */
export interface DashboardTraceSink {
  readonly live: boolean;
  recordTrace(
    conn: string,
    cwnd: number,
    ssthresh: number,
    inflight: number,
    srtt: number | undefined,
    rto: number,
    event?: TcpTraceEvent,
  ): void;
}

export class DashboardTcpTracer implements TcpTracer {
  readonly enabled = true;

  constructor(
    private readonly sink: DashboardTraceSink,
    private readonly inner: TcpTracer,
  ) {}

  channel(conn: string): TcpTraceChannel {
    return new DashboardTraceChannel(
      this.sink,
      conn,
      this.inner.enabled ? this.inner.channel(conn) : undefined,
    );
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void {
    this.inner.close();
  }
}

class DashboardTraceChannel implements TcpTraceChannel {
  constructor(
    private readonly sink: DashboardTraceSink,
    private readonly conn: string,
    private readonly inner: TcpTraceChannel | undefined,
  ) {}

  record(
    cwnd: number,
    ssthresh: number,
    inflight: number,
    srtt: number | undefined,
    rto: number,
    event?: TcpTraceEvent,
  ): void {
    this.inner?.record(cwnd, ssthresh, inflight, srtt, rto, event);
    if (this.sink.live) this.sink.recordTrace(this.conn, cwnd, ssthresh, inflight, srtt, rto, event);
  }
}
