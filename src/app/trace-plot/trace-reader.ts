/**
 * Reads a `--trace` file (JSON lines, json-lines-tcp-tracer.ts) into one column set per connection, in
 * file order. Lines that are not trace records (blank, truncated by a killed process, edited) are skipped
 * and counted, never thrown: a trace cut short still plots.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { PilhaError } from '../../core/errors.js';

/** One connection's records as columns (times in ms since the trace began; srtt NaN before a sample). */
export interface ConnectionTrace {
  readonly conn: string;
  readonly t: number[];
  readonly cwnd: number[];
  readonly ssthresh: number[];
  readonly inflight: number[];
  readonly srtt: number[];
  readonly rto: number[];
  /** The records that name an event, as indices into the columns. */
  readonly events: { readonly index: number; readonly event: string }[];
}

export interface TraceFile {
  /** Connections in the order their first record appears. */
  readonly connections: ConnectionTrace[];
  readonly records: number;
  readonly skippedLines: number;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Reads `path` line by line (a trace of a long transfer need not fit in one string). */
export async function readTraceFile(path: string): Promise<TraceFile> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  const unreadable = (err: unknown): PilhaError =>
    new PilhaError('EBADOPTION', `cannot read trace file '${path}': ${(err as Error).message}`);
  try {
    await opened;
  } catch (err) {
    throw unreadable(err);
  }
  const byConn = new Map<string, ConnectionTrace>();
  let records = 0;
  let skippedLines = 0;
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.length === 0) continue;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        skippedLines++;
        continue;
      }
      if (
        r === null ||
        typeof r !== 'object' ||
        typeof r.conn !== 'string' ||
        !isNumber(r.t) ||
        !isNumber(r.cwnd) ||
        !isNumber(r.ssthresh) ||
        !isNumber(r.inflight) ||
        !isNumber(r.rto)
      ) {
        skippedLines++;
        continue;
      }
      let c = byConn.get(r.conn);
      if (c === undefined) {
        c = { conn: r.conn, t: [], cwnd: [], ssthresh: [], inflight: [], srtt: [], rto: [], events: [] };
        byConn.set(r.conn, c);
      }
      if (typeof r.event === 'string') c.events.push({ index: c.t.length, event: r.event });
      c.t.push(r.t);
      c.cwnd.push(r.cwnd);
      c.ssthresh.push(r.ssthresh);
      c.inflight.push(r.inflight);
      c.srtt.push(isNumber(r.srtt) ? r.srtt : Number.NaN);
      c.rto.push(r.rto);
      records++;
    }
  } catch (err) {
    // A directory opens and fails on its first read (EISDIR).
    throw unreadable(err);
  }
  return { connections: [...byConn.values()], records, skippedLines };
}
