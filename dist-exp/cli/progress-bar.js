/**
 * A progress bar for long transfers (`pilha framed send`, `pilha get`): cli-progress on a terminal, nothing at
 * all when the stream is not one (a pipe, a file, a test), so scripts see only the final report.
 */
import cliProgress from 'cli-progress';
/**
 * A bar for `totalBytes` (a percentage and an ETA), or for an unknown total (bytes and rate only), drawn on
 * `stream` (stderr by default) only when it is a terminal; otherwise every call does nothing.
 */
export function createProgressBar(totalBytes, label, stream = process.stderr, now = () => performance.now()) {
    if (stream.isTTY !== true)
        return { update: () => { }, stop: () => { } };
    const started = now();
    let done = 0;
    let stopped = false;
    const rate = () => formatRate(done, now() - started);
    const format = (options, params) => {
        if (totalBytes === undefined)
            return `${label} ${formatBytes(done)} ${rate()}`;
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        const percent = `${Math.floor(params.progress * 100)}%`.padStart(4);
        return `${label} [${bar}] ${percent} ${formatBytes(done)}/${formatBytes(totalBytes)} ${rate()}`;
    };
    const bar = new cliProgress.SingleBar({
        stream,
        format,
        barsize: 30,
        hideCursor: true,
        // The command handles SIGINT itself; cli-progress's own handler would keep the process from exiting.
        gracefulExit: false,
        clearOnComplete: false,
        linewrap: false,
    });
    bar.start(Math.max(totalBytes ?? 1, 1), 0);
    return {
        update(bytes) {
            if (stopped)
                return;
            done = bytes;
            bar.update(totalBytes === undefined ? 0 : Math.min(bytes, totalBytes));
        },
        stop() {
            if (stopped)
                return;
            stopped = true;
            if (totalBytes !== undefined && totalBytes === 0)
                bar.update(1);
            bar.stop();
        },
    };
}
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
/** Bytes for people: `16385 B`, `15.6 MiB`, `1.50 GiB`. */
export function formatBytes(bytes) {
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    if (unit === 0)
        return `${bytes} B`;
    return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${UNITS[unit]}`;
}
/** A throughput for people, `12.3 MiB/s` (bytes per second, binary units); `-` before any time has passed. */
export function formatRate(bytes, durationMs) {
    if (!(durationMs > 0))
        return '- B/s';
    return `${formatBytes(Math.round((bytes * 1000) / durationMs))}/s`;
}
//# sourceMappingURL=progress-bar.js.map