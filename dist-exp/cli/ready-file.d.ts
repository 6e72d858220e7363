import type { Command } from 'commander';
/** What commander hands over for `--ready-file`. */
export interface ReadyFileValues {
    readonly readyFile?: string;
}
/** Adds `--ready-file PATH` to a long-running command (up, http). */
export declare function addReadyFileOption(command: Command): Command;
/**
 * A file that says "ready": scripts wait for it to exist instead of guessing how long start-up takes
 * (`while [ ! -e PATH ]; do sleep 0.1; done`). A stale one from an earlier run is removed at start, the
 * file appears whole (written aside, then renamed), and it is removed when the command stops.
 */
export declare class ReadyFile {
    private readonly path;
    private written;
    private constructor();
    /** Removes a stale file at `path` first, so that nobody mistakes it for this run's. */
    static prepare(path: string | undefined): Promise<ReadyFile>;
    /** Creates the file with `text` (one line for people: what is ready, and where). */
    ready(text: string): Promise<void>;
    /** Removes the file if this run wrote it. */
    remove(): Promise<void>;
}
