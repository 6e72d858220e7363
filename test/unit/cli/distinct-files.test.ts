/**
 * Options that name files (-o, --pcap, --trace, --ready-file, plot's trace) must name different ones: the same
 * path, the same file by another name (a hard link, ./F), but not a device such as /dev/null. And --ready-file
 * replaces a stale ready file, never another file given by mistake.
 */
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDistinctFiles } from '../../../src/cli/files/distinct-files.js';
import { ReadyFile } from '../../../src/cli/files/ready-file.js';

const dir = mkdtempSync(join(tmpdir(), 'pilha-distinct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkDistinctFiles', () => {
  it('refuses one file under two options: the same path, another spelling of it, a hard link', () => {
    const file = join(dir, 'out');
    writeFileSync(file, 'x');
    linkSync(file, join(dir, 'link'));
    expect(() =>
      checkDistinctFiles([
        ['-o', file],
        ['--pcap', file],
      ]),
    ).toThrow(`-o and --pcap name the same file ('${file}'): each needs its own`);
    expect(() =>
      checkDistinctFiles([
        ['-o', file],
        ['--trace', `${dir}/./out`],
      ]),
    ).toThrow(/-o and --trace/);
    expect(() =>
      checkDistinctFiles([
        ['--pcap', file],
        ['--trace', join(dir, 'link')],
      ]),
    ).toThrow(/--pcap and --trace name the same file/);
    // Not yet created: the same path all the same.
    expect(() =>
      checkDistinctFiles([
        ['-o', join(dir, 'new')],
        ['--pcap', `${dir}/new`],
      ]),
    ).toThrow();
  });

  it('lets different files, absent options, standard output and devices pass', () => {
    expect(() =>
      checkDistinctFiles([
        ['-o', join(dir, 'a')],
        ['--pcap', join(dir, 'b')],
        ['--trace', undefined],
      ]),
    ).not.toThrow();
    expect(() =>
      checkDistinctFiles([
        ['-o', '/dev/null'],
        ['--pcap', '/dev/null'],
      ]),
    ).not.toThrow();
    expect(() =>
      checkDistinctFiles([
        ['-o', '-'],
        ['--pcap', '-'],
      ]),
    ).not.toThrow();
  });
});

describe('ReadyFile.prepare', () => {
  it('replaces a stale ready file or an empty one, and refuses any other file, leaving it as it was', async () => {
    const stale = join(dir, 'stale.ready');
    writeFileSync(stale, 'pilha up: 10.77.0.2\n');
    await ReadyFile.prepare(stale);
    expect(existsSync(stale)).toBe(false);
    const empty = join(dir, 'empty.ready');
    writeFileSync(empty, '');
    await ReadyFile.prepare(empty);
    expect(existsSync(empty)).toBe(false);
    const precious = join(dir, 'notes.txt');
    writeFileSync(precious, 'my notes\n');
    await expect(ReadyFile.prepare(precious)).rejects.toThrow(
      `--ready-file ${precious}: it exists and is not a ready file (remove it, or choose another path)`,
    );
    expect(readFileSync(precious, 'utf8')).toBe('my notes\n');
  });
});
