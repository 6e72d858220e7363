export interface ProgressBar {
    /** The bytes done so far (a running total, not an increment). */
    update(bytes: number): void;
    /** Draws the last state and leaves the bar's line; safe to call twice. */
    stop(): void;
}
/** What a progress bar is drawn on: a stream that may be a terminal. */
export interface ProgressStream extends NodeJS.WritableStream {
    readonly isTTY?: boolean;
}
/**
 * A bar for `totalBytes` (a percentage and an ETA), or for an unknown total (bytes and rate only), drawn on
 * `stream` (stderr by default) only when it is a terminal; otherwise every call does nothing.
 */
export declare function createProgressBar(totalBytes: number | undefined, label: string, stream?: ProgressStream, now?: () => number): ProgressBar;
/** Bytes for people: `16385 B`, `15.6 MiB`, `1.50 GiB`. */
export declare function formatBytes(bytes: number): string;
/** A throughput for people, `12.3 MiB/s` (bytes per second, binary units); `-` before any time has passed. */
export declare function formatRate(bytes: number, durationMs: number): string;
