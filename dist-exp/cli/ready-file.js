import { constants } from 'node:fs';
import { access, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PilhaError } from '../core/errors.js';
/** Adds `--ready-file PATH` to a long-running command (up, http). */
export function addReadyFileOption(command) {
    return command.option('--ready-file <path>', 'create this file once the stack is up (and listening); removed again on exit');
}
/**
 * A file that says "ready": scripts wait for it to exist instead of guessing how long start-up takes
 * (`while [ ! -e PATH ]; do sleep 0.1; done`). A stale one from an earlier run is removed at start, the
 * file appears whole (written aside, then renamed), and it is removed when the command stops.
 */
export class ReadyFile {
    path;
    written = false;
    constructor(path) {
        this.path = path;
    }
    /** Removes a stale file at `path` first, so that nobody mistakes it for this run's. */
    static async prepare(path) {
        if (path !== undefined) {
            await access(dirname(path), constants.W_OK).catch((err) => {
                throw new PilhaError('EBADOPTION', `--ready-file ${path}: cannot write in its directory (${err.code})`);
            });
            await unlink(path).catch((err) => {
                if (err.code !== 'ENOENT') {
                    throw new PilhaError('EBADOPTION', `--ready-file ${path}: cannot replace it (${err.code})`);
                }
            });
        }
        return new ReadyFile(path);
    }
    /** Creates the file with `text` (one line for people: what is ready, and where). */
    async ready(text) {
        if (this.path === undefined)
            return;
        const aside = `${this.path}.${process.pid}.tmp`;
        try {
            await writeFile(aside, `${text}\n`);
            await rename(aside, this.path);
        }
        catch (err) {
            await unlink(aside).catch(() => { });
            const code = err.code ?? String(err);
            throw new PilhaError('EBADOPTION', `--ready-file ${this.path}: cannot write it (${code})`);
        }
        this.written = true;
    }
    /** Removes the file if this run wrote it. */
    async remove() {
        if (this.path === undefined || !this.written)
            return;
        this.written = false;
        await unlink(this.path).catch(() => { });
    }
}
//# sourceMappingURL=ready-file.js.map