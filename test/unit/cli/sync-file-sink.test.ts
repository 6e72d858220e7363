import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncFileSink } from '../../../src/cli/get/sync-file-sink.js';

describe('SyncFileSink', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('has written each chunk when write() returns, and never asks the writer to wait', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pilha-sink-'));
    dirs.push(dir);
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    const sink = new SyncFileSink(fd);
    const chunk = Buffer.alloc(65_536, 7);
    for (let i = 0; i < 8; i++) {
      expect(sink.write(chunk)).toBe(true);
      expect(readFileSync(path).length).toBe((i + 1) * chunk.length);
    }
    closeSync(fd);
  });

  it.skipIf(!existsSync('/dev/full'))('fails the stream with the write error (a full disk)', async () => {
    const fd = openSync('/dev/full', 'w');
    const sink = new SyncFileSink(fd);
    const error = new Promise<Error>((resolve) => sink.once('error', resolve));
    sink.write(Buffer.from('x'));
    expect((await error).message).toMatch(/ENOSPC/);
    closeSync(fd);
  });
});
