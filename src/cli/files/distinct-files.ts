import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PilhaError } from '../../core/errors.js';

/**
 * Refuses two options naming the same file (`-o F --pcap F`, `plot T -o T`): each would overwrite the
 * other's bytes, and the command would report success over a corrupt file. The same path once resolved, or
 * the same file by device and inode when it exists (a link, `./F` against `F`); /dev/null and other devices
 * may be shared. `files` holds [option, path] pairs; an absent path is skipped.
 */
export function checkDistinctFiles(files: ReadonlyArray<readonly [string, string | undefined]>): void {
  const seen: Array<{ option: string; path: string; key: string }> = [];
  for (const [option, path] of files) {
    if (path === undefined || path === '-') continue;
    const key = fileKey(path);
    if (key === undefined) continue;
    const earlier = seen.find((s) => s.key === key);
    if (earlier !== undefined) {
      throw new PilhaError(
        'EBADOPTION',
        `${earlier.option} and ${option} name the same file ('${earlier.path}'${path === earlier.path ? '' : ` and '${path}'`}): each needs its own`,
      );
    }
    seen.push({ option, path, key });
  }
}

/** A regular file's identity (device and inode), a new one's resolved path; undefined for a device or FIFO. */
function fileKey(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return undefined;
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return `path:${resolve(path)}`;
  }
}
