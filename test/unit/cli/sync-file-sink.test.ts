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

  /** A SyncFileSink on a new file in a directory of its own (removed after the test). */
  function sinkToNewFile(): { path: string; fd: number; sink: SyncFileSink } {
    const dir = mkdtempSync(join(tmpdir(), 'pilha-sink-'));
    dirs.push(dir);
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    return { path, fd, sink: new SyncFileSink(fd) };
  }

  it('has written each chunk when write() returns, and never asks the writer to wait', () => {
    const { path, fd, sink } = sinkToNewFile();
    const chunk = Buffer.alloc(65_536, 7);
    for (let i = 0; i < 8; i++) {
      expect(sink.write(chunk)).toBe(true);
      expect(readFileSync(path).length).toBe((i + 1) * chunk.length);
    }
    closeSync(fd);
  });

  it('gathers short chunks (segments) into one write by the end of the task, in order, byte-exact', async () => {
    const { path, fd, sink } = sinkToNewFile();
    const expected: Buffer[] = [];
    const view = Buffer.alloc(1448);
    // 100 segments' worth, each a view the caller reuses at once (a ring's): the sink must copy.
    for (let i = 0; i < 100; i++) {
      view.fill(i);
      expect(sink.write(view)).toBe(true);
      expected.push(Buffer.from(view));
    }
    // Within the task, at most the whole 64 KiB buffers have been written (45 segments each).
    expect(readFileSync(path).length).toBe(2 * 45 * 1448);
    await Promise.resolve();
    expect(readFileSync(path).equals(Buffer.concat(expected))).toBe(true);
    // A long chunk after short ones: the short ones first.
    sink.write(Buffer.from('tail'));
    const long = Buffer.alloc(20_000, 9);
    sink.write(long);
    expect(readFileSync(path).equals(Buffer.concat([...expected, Buffer.from('tail'), long]))).toBe(true);
    // end() writes what is gathered.
    sink.write(Buffer.from('end'));
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(readFileSync(path).subarray(-3).toString()).toBe('end');
    closeSync(fd);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'fails the stream with the write error (a full disk), of a gathered chunk and of a long one',
    async () => {
      for (const size of [100, 16_384]) {
        const fd = openSync('/dev/full', 'w');
        const sink = new SyncFileSink(fd);
        const error = new Promise<Error>((resolve) => sink.once('error', resolve));
        sink.write(Buffer.alloc(size));
        expect((await error).message).toMatch(/ENOSPC/);
        closeSync(fd);
      }
    },
  );

  it.skipIf(!existsSync('/dev/full'))(
    'writeNow throws the write error of a long chunk at once, and fails the stream with a gathered one',
    async () => {
      const fd = openSync('/dev/full', 'w');
      const sink = new SyncFileSink(fd);
      expect(() => sink.writeNow(Buffer.alloc(16_384))).toThrow(/ENOSPC/);
      const error = new Promise<Error>((resolve) => sink.once('error', resolve));
      sink.writeNow(Buffer.alloc(100));
      expect((await error).message).toMatch(/ENOSPC/);
      closeSync(fd);
    },
  );

  it('writeNow takes chunks as write() does, without the stream: in order, byte-exact, none left queued', async () => {
    const { path, fd, sink } = sinkToNewFile();
    const expected: Buffer[] = [];
    const view = Buffer.alloc(1448);
    for (let i = 0; i < 50; i++) {
      view.fill(i);
      sink.writeNow(view);
      expected.push(Buffer.from(view));
      if (i % 10 === 0) {
        const long = Buffer.alloc(65_536, i);
        sink.writeNow(long);
        expected.push(long);
      }
    }
    expect(sink.writableLength).toBe(0);
    sink.write(Buffer.from('last'));
    expected.push(Buffer.from('last'));
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(readFileSync(path).equals(Buffer.concat(expected))).toBe(true);
    closeSync(fd);
  });
});
