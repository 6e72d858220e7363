/**
 * `pilha plot`: a trace drawn as cwnd, ssthresh and bytes in flight over time, the loss events marked,
 * one panel per connection. The chart is a vega-lite spec compiled to vega and rendered headless by
 * vega's SVG renderer (no canvas, no native code); the data are thinned first (series-downsampler.ts)
 * so that a long transfer still gives a small file.
 */

import type { TopLevelSpec } from 'vega-lite';
import { importEsm } from '../../core/esm-import.js';
import type { TcpTraceEvent } from '../../transport/tcp/trace/tcp-tracer.js';
import { downsampleSeries } from './series-downsampler.js';
import type { ConnectionTrace } from './trace-reader.js';

/** The three series, as their legend names them. */
export const SERIES_NAMES = ['cwnd', 'ssthresh', 'bytes in flight'] as const;
const SERIES_COLORS = ['#1f77b4', '#d62728', '#2ca02c'];
/** One colour per event, the same in every plot; a timeout also gets a dashed rule across its panel. */
const EVENT_COLORS: Record<TcpTraceEvent, string> = {
  fast_retransmit: '#ff7f0e',
  recovery_exit: '#8c564b',
  timeout: '#9467bd',
  sack_recovery_enter: '#e377c2',
  sack_recovery_exit: '#7f7f7f',
  tlp: '#bcbd22',
  tlp_loss: '#dbdb8d',
  silence_probe: '#aec7e8',
  undo: '#17becf',
  idle_restart: '#000000',
};
/** An event name this version does not know (a newer trace): still drawn, in grey. */
const OTHER_EVENT_COLOR = '#aaaaaa';
/** ssthresh before the first loss ("infinite", Linux's TCP_INFINITE_SSTHRESH): not drawn. */
const INFINITE_SSTHRESH = 0x7fffffff;

export interface TracePlotOptions {
  readonly title?: string;
  /** Time buckets per series and panel for downsampling (up to four points each); default by panel count. */
  readonly buckets?: number;
  /** Event marks per panel; beyond it they are thinned evenly (the count goes in the panel title). */
  readonly maxEvents?: number;
  readonly width?: number;
  readonly height?: number;
}

interface Row {
  readonly conn: string;
  /** Seconds since the trace began. */
  readonly t: number;
  readonly value: number;
  readonly series?: string;
  readonly event?: string;
}

function eventColor(event: string): string {
  return (EVENT_COLORS as Record<string, string>)[event] ?? OTHER_EVENT_COLOR;
}

/** The vega-lite spec for these connections (each becomes a panel, in the order given). */
export function tracePlotSpec(
  connections: readonly ConnectionTrace[],
  options: TracePlotOptions = {},
): TopLevelSpec {
  // Fewer points per panel as panels multiply, so the file stays small (600 buckets for one, 250 for eight).
  const buckets = options.buckets ?? Math.max(250, Math.round(600 / Math.sqrt(connections.length)));
  const maxEvents = options.maxEvents ?? 1500;
  const rows: Row[] = [];
  const eventNames = new Set<string>();
  for (const c of connections) {
    const columns = [c.cwnd, c.ssthresh, c.inflight];
    for (let s = 0; s < SERIES_NAMES.length; s++) {
      const ignore = s === 1 ? (v: number) => v >= INFINITE_SSTHRESH : Number.isNaN;
      const thin = downsampleSeries(c.t, columns[s]!, buckets, ignore);
      for (let i = 0; i < thin.t.length; i++) {
        rows.push({ conn: c.conn, t: thin.t[i]! / 1000, value: thin.value[i]!, series: SERIES_NAMES[s]! });
      }
    }
    const step = Math.max(1, c.events.length / maxEvents);
    for (let k = 0; k < c.events.length; k += step) {
      const e = c.events[Math.floor(k)]!;
      eventNames.add(e.event);
      rows.push({ conn: c.conn, t: c.t[e.index]! / 1000, value: c.cwnd[e.index]!, event: e.event });
    }
  }
  const events = [...eventNames];
  const x = { field: 't', type: 'quantitative', title: 'time (s)' } as const;
  const y = { field: 'value', type: 'quantitative', title: 'bytes', axis: { format: '~s' } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'pilha TCP trace',
    data: { values: rows },
    facet: {
      row: {
        field: 'conn',
        type: 'nominal',
        sort: connections.map((c) => c.conn),
        title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontSize: 12 },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: options.width ?? 860,
      height: options.height ?? 220,
      layer: [
        {
          transform: [{ filter: 'isValid(datum.series)' }],
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2, opacity: 0.8 },
          encoding: {
            x,
            y,
            color: {
              field: 'series',
              type: 'nominal',
              scale: { domain: [...SERIES_NAMES], range: SERIES_COLORS },
              legend: { title: 'series', orient: 'right' },
            },
          },
        },
        {
          transform: [{ filter: 'isValid(datum.event)' }],
          mark: { type: 'point', filled: true, size: 30, opacity: 0.8 },
          encoding: {
            x,
            y,
            shape: {
              field: 'event',
              type: 'nominal',
              scale: { domain: [...eventNames] },
              legend: { title: 'event' },
            },
            color: {
              field: 'event',
              type: 'nominal',
              scale: { domain: events, range: events.map(eventColor) },
              legend: { title: 'event' },
            },
          },
        },
        {
          transform: [{ filter: "datum.event === 'timeout'" }],
          mark: {
            type: 'rule',
            strokeDash: [4, 3],
            strokeWidth: 1,
            opacity: 0.7,
            color: EVENT_COLORS.timeout,
          },
          encoding: { x },
        },
      ],
      resolve: { scale: { color: 'independent', shape: 'independent' } },
    },
  } as TopLevelSpec;
}

/** Renders the connections' chart to an SVG document (vega-lite → vega → vega's headless SVG renderer). */
export async function renderTracePlot(
  connections: readonly ConnectionTrace[],
  options: TracePlotOptions = {},
): Promise<string> {
  // Loaded here: vega is large, and only `pilha plot` needs it.
  const [{ compile }, vega] = await Promise.all([
    importEsm<typeof import('vega-lite')>('vega-lite'),
    importEsm<typeof import('vega')>('vega'),
  ]);
  const compiled = compile(tracePlotSpec(connections, options)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
