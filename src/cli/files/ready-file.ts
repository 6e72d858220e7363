import { constants } from 'node:fs';
import { access, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { PilhaError } from '../../core/errors.js';

/** What commander hands over for `--ready-file`. */
export interface ReadyFileValues {
  readonly readyFile?: string;
}

/** Adds `--ready-file PATH` to a long-running command (up, http). */
export function addReadyFileOption(command: Command): Command {
  return command.option(
    '--ready-file <path>',
    'create this file once the stack is up (and listening); removed again on exit',
  );
}

/**
 * Refuses to take over a file that is not a ready file (one line beginning "pilha ", as every command writes,
 * or empty): a path given by mistake would be replaced, then deleted at exit.
 */
async function refuseOtherFile(path: string): Promise<void> {
  let head: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(64);
      const { bytesRead } = await handle.read(buffer, 0, 64, 0);
      head = buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await handle.close();
    }
  } catch {
    return; // absent (or unreadable: unlink says why)
  }
  if (head !== '' && !head.startsWith('pilha ')) {
    throw new PilhaError(
      'EBADOPTION',
      `--ready-file ${path}: it exists and is not a ready file (remove it, or choose another path)`,
    );
  }
}

/**
 * A file that says "ready": scripts wait for it to exist instead of guessing how long start-up takes
 * (`while [ ! -e PATH ]; do sleep 0.1; done`). A stale one from an earlier run is removed at start, the
 * file appears whole (written aside, then renamed), and it is removed when the command stops.
 */
export class ReadyFile {
  private written = false;

  private constructor(private readonly path: string | undefined) {}

  /** Removes a stale file at `path` first, so that nobody mistakes it for this run's. */
  static async prepare(path: string | undefined): Promise<ReadyFile> {
    if (path !== undefined) {
      await access(dirname(path), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
        throw new PilhaError(
          'EBADOPTION',
          `--ready-file ${path}: cannot write in its directory (${err.code})`,
        );
      });
      await refuseOtherFile(path);
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') {
          throw new PilhaError('EBADOPTION', `--ready-file ${path}: cannot replace it (${err.code})`);
        }
      });
    }
    return new ReadyFile(path);
  }

  /** Creates the file with `text` (one line for people: what is ready, and where). */
  async ready(text: string): Promise<void> {
    if (this.path === undefined) return;
    const aside = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(aside, `${text}\n`);
      await rename(aside, this.path);
    } catch (err) {
      await unlink(aside).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new PilhaError('EBADOPTION', `--ready-file ${this.path}: cannot write it (${code})`);
    }
    this.written = true;
  }

  /** Removes the file if this run wrote it. */
  async remove(): Promise<void> {
    if (this.path === undefined || !this.written) return;
    this.written = false;
    await unlink(this.path).catch(() => {});
  }
}
