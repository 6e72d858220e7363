/**
 * `--trace FILE`: each connection's congestion state as JSON lines, one record per change —
 *
 *   {"t":12.5,"conn":"10.77.0.2:7000>10.77.0.1:45678","cwnd":14480,"ssthresh":2147483647,
 *    "inflight":2896,"srtt":0.41,"rto":200,"event":"fast_retransmit"}
 *
 * `t` is Clock milliseconds since the tracer was made (virtual time in simulations); srtt is null before
 * the first RTT sample; `event` is present only on event records (TCP_TRACE_EVENTS). Lines accumulate in
 * a buffer that goes to the sink in one write when it fills, when a record comes a flush interval after
 * the last write, and on flush()/close(), so a busy connection costs a string per change, not a syscall.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PilhaError } from '../../../core/errors.js';
/** Opens (truncates) `path` for a trace; a path that cannot be opened is the user's mistake (EBADOPTION). */
export function fileTraceSink(path) {
    let fd;
    try {
        fd = openSync(path, 'w');
    }
    catch (err) {
        throw new PilhaError('EBADOPTION', `cannot create trace file '${path}': ${err.message}`);
    }
    return {
        write(text) {
            if (fd !== undefined)
                writeSync(fd, text);
        },
        close() {
            if (fd === undefined)
                return;
            closeSync(fd);
            fd = undefined;
        },
    };
}
/** Rounds to microseconds (times) so a line stays short and a change below 1 µs is no change. */
function micro(ms) {
    return Math.round(ms * 1000) / 1000;
}
export class JsonLinesTcpTracer {
    clock;
    sink;
    enabled = true;
    start;
    bufferChars;
    flushIntervalMs;
    pending = '';
    lastFlushAt;
    closed = false;
    constructor(clock, sink, options = {}) {
        this.clock = clock;
        this.sink = sink;
        this.start = clock.now();
        this.lastFlushAt = this.start;
        this.bufferChars = options.bufferChars ?? 64 * 1024;
        this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    }
    channel(conn) {
        return new JsonLinesTraceChannel(this, `,"conn":${JSON.stringify(conn)}`);
    }
    /** Appends one record (called by a channel), the time taken now. */
    append(fields) {
        if (this.closed)
            return;
        const now = this.clock.now();
        this.pending += `{"t":${micro(now - this.start)}${fields}\n`;
        if (this.pending.length >= this.bufferChars || now - this.lastFlushAt >= this.flushIntervalMs) {
            this.lastFlushAt = now;
            this.flush();
        }
    }
    flush() {
        if (this.pending.length === 0 || this.closed)
            return;
        const text = this.pending;
        this.pending = '';
        this.sink.write(text);
    }
    close() {
        if (this.closed)
            return;
        try {
            this.flush();
        }
        finally {
            this.closed = true;
            this.sink.close();
        }
    }
}
/** One connection's channel: the last values recorded, compared at every hook. */
class JsonLinesTraceChannel {
    tracer;
    connField;
    // NaN never equals anything: the first call always records.
    cwnd = Number.NaN;
    ssthresh = Number.NaN;
    inflight = Number.NaN;
    srtt = Number.NaN;
    rto = Number.NaN;
    constructor(tracer, 
    /** `,"conn":"…"`, made once. */
    connField) {
        this.tracer = tracer;
        this.connField = connField;
    }
    record(cwnd, ssthresh, inflight, srtt, rto, event) {
        const c = Math.round(cwnd);
        const s = Math.round(ssthresh);
        const f = Math.round(inflight);
        const r = srtt === undefined ? null : micro(srtt);
        const o = micro(rto);
        if (event === undefined &&
            c === this.cwnd &&
            s === this.ssthresh &&
            f === this.inflight &&
            r === this.srtt &&
            o === this.rto) {
            return;
        }
        this.cwnd = c;
        this.ssthresh = s;
        this.inflight = f;
        this.srtt = r;
        this.rto = o;
        const tail = event === undefined ? '}' : `,"event":"${event}"}`;
        this.tracer.append(`${this.connField},"cwnd":${c},"ssthresh":${s},"inflight":${f},"srtt":${r},"rto":${o}${tail}`);
    }
}
//# sourceMappingURL=json-lines-tcp-tracer.js.map