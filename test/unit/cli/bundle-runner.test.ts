/**
 * runBundle, the command line's loader (built code, dist/cli/bundle-runner.js, as npm test builds first), on a
 * bundle of this test's own in a temporary directory: V8's code cache made by a command's first successful
 * run and taken by the next; none made by a failed run, without a command or with PILHA_CODE_CACHE=0; one per
 * command and per node options; a cache made under flags the run changed and did not set back rejected (and
 * made again), one whose flags were set back taken; a damaged one rejected and made again; the bundle's
 * CommonJS wrapper, its URL and the loader's import().
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const DIST_CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/cli');
const RUNNER = join(DIST_CLI, 'bundle-runner.js');
const FLAGS = join(DIST_CLI, 'v8-flags-for-run.js');

const dir = mkdtempSync(join(tmpdir(), 'pilha-bundle-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The bundle: prints the cache's status, its URL and whether the loader's import() works; with FLAG_UNDO set,
 * turns TurboFan off for the run, recording FLAG_UNDO as what sets it back; exits with EXIT_CODE.
 */
writeFileSync(
  join(dir, 'pilha.cjs'),
  `"use strict";
const { setV8FlagForRun } = require(${JSON.stringify(FLAGS)});
function square(x) { return x * x; }
function report(path) {
  const status = globalThis[Symbol.for('pilha.codeCacheStatus')];
  process.stdout.write([status, pilhaBundleUrl, typeof exports, module.exports === exports, __filename, square(3), path.sep].join(' ') + '\\n');
}
globalThis[Symbol.for('pilha.import')]('node:path').then((path) => {
  report(path);
  if (process.env.FLAG_UNDO) setV8FlagForRun('--no-turbofan', process.env.FLAG_UNDO);
  process.exitCode = Number(process.env.EXIT_CODE ?? 0);
});
`,
);
writeFileSync(
  join(dir, 'main.mjs'),
  `import { runBundle } from ${JSON.stringify(pathToFileURL(RUNNER).href)};
runBundle(new URL('./pilha.cjs', import.meta.url), 'test-build');
`,
);

const cacheDir = join(dir, 'code-cache');

function caches(command: string): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith(`${command}-`)) : [];
}

/** Runs the bundle as `node [nodeArgs] main.mjs args`: the status it printed, and its exit code. */
function run(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): string {
  const r = spawnSync(process.execPath, [...nodeArgs, join(dir, 'main.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PILHA_CODE_CACHE: '', ...env },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(Number(env.EXIT_CODE ?? 0));
  return r.stdout.trim().split(' ')[0]!;
}

describe.skipIf(!existsSync(RUNNER))('runBundle', () => {
  it('runs the bundle as CommonJS, with its URL and the loader import()', () => {
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), 'wrapper'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const file = join(dir, 'pilha.cjs');
    expect(r.stdout).toBe(`absent ${pathToFileURL(file).href} object true ${file} 9 /\n`);
  });

  it("makes a command's cache on its first successful run, and the next run takes it", () => {
    expect(run(['get'])).toBe('absent');
    expect(caches('get')).toHaveLength(1);
    expect(run(['get'])).toBe('used');
    expect(run(['get', '--stats'])).toBe('used');
    // Another command has a cache of its own.
    expect(run(['http'])).toBe('absent');
    expect(run(['http'])).toBe('used');
    expect(caches('get')).toHaveLength(1);
  });

  it('makes none for a failed run, without a command, or with PILHA_CODE_CACHE=0', () => {
    expect(run(['ping'], { EXIT_CODE: '1' })).toBe('absent');
    expect(run(['ping'], { EXIT_CODE: '2' })).toBe('absent');
    expect(caches('ping')).toEqual([]);
    expect(run([])).toBe('off');
    expect(run(['--version'])).toBe('off');
    expect(run(['plot'], { PILHA_CODE_CACHE: '0' })).toBe('off');
    expect(caches('plot')).toEqual([]);
  });

  it('keeps one per node options, since V8 rejects a cache made under other flags', () => {
    expect(run(['framed'])).toBe('absent');
    expect(run(['framed'], {}, ['--stack-size=2000'])).toBe('absent');
    expect(run(['framed'], {}, ['--stack-size=2000'])).toBe('used');
    expect(run(['framed'])).toBe('used');
    expect(caches('framed')).toHaveLength(2);
  });

  it('sets back the flags a run changed before making the cache, or V8 rejects it', () => {
    // Set back: the next run, under the flags it starts with, takes the cache.
    expect(run(['up'], { FLAG_UNDO: '--turbofan' })).toBe('absent');
    expect(run(['up'], { FLAG_UNDO: '--turbofan' })).toBe('used');
    // Not set back ("undone" to the value it was set to): the next run rejects it, and makes it again.
    expect(run(['dash'], { FLAG_UNDO: '--no-turbofan' })).toBe('absent');
    expect(run(['dash'])).toBe('rejected');
    expect(run(['dash'])).toBe('used');
  });

  it('rejects a damaged cache and makes it again', () => {
    expect(run(['serve'])).toBe('absent');
    const [file] = caches('serve');
    writeFileSync(join(cacheDir, file!), Buffer.alloc(4096, 7));
    expect(run(['serve'])).toBe('rejected');
    expect(run(['serve'])).toBe('used');
  });
});
