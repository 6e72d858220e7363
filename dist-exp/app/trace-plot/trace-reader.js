/**
 * Reads a `--trace` file (JSON lines, json-lines-tcp-tracer.ts) into one column set per connection, in
 * file order. Lines that are not trace records (blank, truncated by a killed process, edited) are skipped
 * and counted, never thrown: a trace cut short still plots.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PilhaError } from '../../core/errors.js';
function isNumber(value) {
    return typeof value === 'number' && Number.isFinite(value);
}
/** Reads `path` line by line (a trace of a long transfer need not fit in one string). */
export async function readTraceFile(path) {
    const stream = createReadStream(path, { encoding: 'utf8' });
    const opened = new Promise((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
    });
    try {
        await opened;
    }
    catch (err) {
        throw new PilhaError('EBADOPTION', `cannot read trace file '${path}': ${err.message}`);
    }
    const byConn = new Map();
    let records = 0;
    let skippedLines = 0;
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
        if (line.length === 0)
            continue;
        let r;
        try {
            r = JSON.parse(line);
        }
        catch {
            skippedLines++;
            continue;
        }
        if (r === null ||
            typeof r !== 'object' ||
            typeof r.conn !== 'string' ||
            !isNumber(r.t) ||
            !isNumber(r.cwnd) ||
            !isNumber(r.ssthresh) ||
            !isNumber(r.inflight) ||
            !isNumber(r.rto)) {
            skippedLines++;
            continue;
        }
        let c = byConn.get(r.conn);
        if (c === undefined) {
            c = { conn: r.conn, t: [], cwnd: [], ssthresh: [], inflight: [], srtt: [], rto: [], events: [] };
            byConn.set(r.conn, c);
        }
        if (typeof r.event === 'string')
            c.events.push({ index: c.t.length, event: r.event });
        c.t.push(r.t);
        c.cwnd.push(r.cwnd);
        c.ssthresh.push(r.ssthresh);
        c.inflight.push(r.inflight);
        c.srtt.push(isNumber(r.srtt) ? r.srtt : Number.NaN);
        c.rto.push(r.rto);
        records++;
    }
    return { connections: [...byConn.values()], records, skippedLines };
}
//# sourceMappingURL=trace-reader.js.map