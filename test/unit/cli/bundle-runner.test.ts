/**
 * runBundle, the command line's loader (built code, dist/cli/runtime/bundle-runner.js, as npm test builds first), on a
 * bundle of this test's own in a temporary directory: V8's code cache made by the first successful run, of
 * the whole bundle, and taken by the runs after; none made by a failed run or with PILHA_CODE_CACHE=0; one
 * per node options; a cache made under flags the run changed and did not set back rejected (and made again),
 * one whose flags were set back taken; a damaged one rejected and made again; the bundle's CommonJS wrapper,
 * its URL and the loader's import().
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';

const DIST_CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/cli');
const RUNNER = join(DIST_CLI, 'runtime', 'bundle-runner.js');
const FLAGS = join(DIST_CLI, 'runtime', 'v8-flags-for-run.js');

const dir = mkdtempSync(join(tmpdir(), 'pilha-bundle-runner-'));
const UNUSED_STATEMENTS = 300;
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
// Never called: only an eager compile gives it bytecode (${UNUSED_STATEMENTS} statements of it).
function unused(a) { ${Array.from({ length: UNUSED_STATEMENTS }, (_, i) => `a = a * ${i + 3} + ${i};`).join(' ')} return a; }
function report(path) {
  const status = globalThis[Symbol.for('pilha.codeCacheStatus')];
  const stack = String(new Error().stack);
  process.stdout.write([status, pilhaBundleUrl, typeof exports, module.exports === exports, __filename, square(3), path.sep, stack.includes('pilha.cjs:') && !stack.includes('?')].join(' ') + '\\n');
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

function caches(): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.bin')) : [];
}

/** Runs the bundle as `node [nodeArgs] main.mjs args`: the status it printed (its exit code checked). */
function run(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): string {
  const r = spawnSync(process.execPath, [...nodeArgs, join(dir, 'main.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PILHA_CODE_CACHE: '', ...env },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(Number(env.EXIT_CODE ?? 0));
  return r.stdout.trim().split(' ')[0]!;
}

/** Each case starts without a cache. */
function clear(): void {
  rmSync(cacheDir, { recursive: true, force: true });
}

describe.skipIf(!existsSync(RUNNER))('runBundle', () => {
  it('runs the bundle as CommonJS, with its URL and the loader import()', () => {
    clear();
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), 'get'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const file = join(dir, 'pilha.cjs');
    expect(r.stdout).toBe(`absent ${pathToFileURL(file).href} object true ${file} 9 / true\n`);
    // Its stack traces name the bundle's file when its code came from the cache too.
    expect(run(['get'])).toBe('used');
    const again = spawnSync(process.execPath, [join(dir, 'main.mjs'), 'get'], { encoding: 'utf8' });
    expect(again.stdout).toBe(`used ${pathToFileURL(file).href} object true ${file} 9 / true\n`);
  });

  it('makes the cache on the first successful run, whatever the command, and the runs after take it', () => {
    clear();
    expect(run(['get'])).toBe('absent');
    expect(caches()).toHaveLength(1);
    expect(run(['get'])).toBe('used');
    expect(run(['http', '--port', '7'])).toBe('used');
    expect(run([])).toBe('used');
    expect(caches()).toHaveLength(1);
  });

  it('holds every function of the bundle, not only those the first run called', () => {
    clear();
    expect(run(['get'])).toBe('absent');
    // The function no run calls is in it: the cache is larger than a lazy compile's by about its bytecode
    // (several bytes a statement), far more than what the run's own calls add (a few hundred bytes).
    const code = readFileSync(join(dir, 'pilha.cjs'), 'utf8');
    const lazy = new Script(
      `(function (exports, require, module, __filename, __dirname, pilhaBundleUrl) {${code}\n})`,
    );
    expect(statSync(join(cacheDir, caches()[0]!)).size).toBeGreaterThan(
      lazy.createCachedData().length + 3 * UNUSED_STATEMENTS,
    );
  });

  it('makes none for a failed run, or with PILHA_CODE_CACHE=0', () => {
    clear();
    expect(run(['ping'], { EXIT_CODE: '1' })).toBe('absent');
    expect(run(['ping'], { EXIT_CODE: '2' })).toBe('absent');
    expect(caches()).toEqual([]);
    expect(run(['plot'], { PILHA_CODE_CACHE: '0' })).toBe('off');
    expect(caches()).toEqual([]);
  });

  it('keeps one per node options, since V8 rejects a cache made under other flags', () => {
    clear();
    expect(run(['framed'])).toBe('absent');
    expect(run(['framed'], {}, ['--stack-size=2000'])).toBe('absent');
    expect(run(['framed'], {}, ['--stack-size=2000'])).toBe('used');
    expect(run(['framed'])).toBe('used');
    // Options that decide lazy compilation themselves stand.
    expect(run(['framed'], {}, ['--no-lazy'])).toBe('absent');
    expect(run(['framed'], {}, ['--no-lazy'])).toBe('used');
    expect(caches()).toHaveLength(3);
  });

  it('sets back the flags a run changed before making the cache, or V8 rejects it', () => {
    clear();
    // Set back: the next run, under the flags it starts with, takes the cache.
    expect(run(['up'], { FLAG_UNDO: '--turbofan' })).toBe('absent');
    expect(run(['up'])).toBe('used');
    clear();
    // Not set back ("undone" to the value it was set to): the next run rejects it, and makes it again.
    expect(run(['up'], { FLAG_UNDO: '--no-turbofan' })).toBe('absent');
    expect(run(['up'])).toBe('rejected');
    expect(run(['up'])).toBe('used');
  });

  it('rejects a damaged cache and makes it again', () => {
    clear();
    expect(run(['serve'])).toBe('absent');
    writeFileSync(join(cacheDir, caches()[0]!), Buffer.alloc(4096, 7));
    expect(run(['serve'])).toBe('rejected');
    expect(run(['serve'])).toBe('used');
  });
});
