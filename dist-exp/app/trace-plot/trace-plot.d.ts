/**
 * `pilha plot`: a trace drawn as cwnd, ssthresh and bytes in flight over time, the loss events marked,
 * one panel per connection. The chart is a vega-lite spec compiled to vega and rendered headless by
 * vega's SVG renderer (no canvas, no native code); the data are thinned first (series-downsampler.ts)
 * so that a long transfer still gives a small file.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ConnectionTrace } from './trace-reader.js';
/** The three series, as their legend names them. */
export declare const SERIES_NAMES: readonly ["cwnd", "ssthresh", "bytes in flight"];
export interface TracePlotOptions {
    readonly title?: string;
    /** Time buckets per series and panel for downsampling (up to four points each); default by panel count. */
    readonly buckets?: number;
    /** Event marks per panel; beyond it they are thinned evenly (the count goes in the panel title). */
    readonly maxEvents?: number;
    readonly width?: number;
    readonly height?: number;
}
/** The vega-lite spec for these connections (each becomes a panel, in the order given). */
export declare function tracePlotSpec(connections: readonly ConnectionTrace[], options?: TracePlotOptions): TopLevelSpec;
/** Renders the connections' chart to an SVG document (vega-lite → vega → vega's headless SVG renderer). */
export declare function renderTracePlot(connections: readonly ConnectionTrace[], options?: TracePlotOptions): Promise<string>;
