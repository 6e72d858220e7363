import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { ESM_IMPORT } from '../../core/esm-import.js';
import { undoV8FlagsForRun } from './v8-flags-for-run.js';

/**
 * What V8's code cache did for this run: `used` (its functions' bytecode taken from the cache), `rejected`
 * (a cache made under other flags or another V8, or damaged), `absent` (none yet: this run makes it if it
 * succeeds), `off` (PILHA_CODE_CACHE=0).
 */
export type CodeCacheStatus = 'used' | 'rejected' | 'absent' | 'off';

/** Where the runner leaves the status for the bundle to report (a symbol of the global registry). */
const CODE_CACHE_STATUS = Symbol.for('pilha.codeCacheStatus');

type RunnerGlobals = {
  [CODE_CACHE_STATUS]?: CodeCacheStatus;
  [ESM_IMPORT]?: (specifier: string) => Promise<unknown>;
};

/** The code cache's status for this run; undefined when the command line is not run from its bundle. */
export function codeCacheStatus(): CodeCacheStatus | undefined {
  return (globalThis as RunnerGlobals)[CODE_CACHE_STATUS];
}

type CommonJsWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
  bundleUrl: string,
) => void;

/**
 * Runs the command line's bundle (a CommonJS script: scripts/bundle-cli.mjs) with V8's code cache, as newer
 * Node releases do with module.enableCompileCache() and the ones pilha supports cannot for ES modules. The
 * first run that succeeds compiles the whole bundle, every function in it, and writes the bytecode at its exit
 * into `code-cache/` beside the bundle (once, about 0.1 s); every run after takes it instead of compiling each
 * function on its first call, which is most of what a cold start costs (`pilha get` of 1 byte, interleaved:
 * 8 ms against 13.5 from connecting to the last byte, 321 against 397 from start to exit). A cache of only what
 * one run compiled would serve the next only as far as it did the same: `pilha get --transport kernel` once
 * made one that held none of pilha's TCP.
 *
 * A cache is one file per build (`buildId`, the bundle's hash), Node and node options, since V8 rejects a
 * cache made under other flags; the flags a run changed itself are set back before it is made
 * (v8-flags-for-run.ts). A run that fails writes none, so a usage mistake leaves nothing.
 */
export function runBundle(bundle: URL, buildId: string): void {
  const file = fileURLToPath(bundle);
  const source = readFileSync(file, 'utf8');
  const cacheFile =
    process.env.PILHA_CODE_CACHE === '0'
      ? undefined
      : join(dirname(file), 'code-cache', `${cacheKey(buildId)}.bin`);
  const cachedData = cacheFile === undefined ? undefined : readIfThere(cacheFile);
  const wrapped = wrapper(source);
  const script = new Script(wrapped, { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) });
  const status: CodeCacheStatus =
    cacheFile === undefined
      ? 'off'
      : cachedData === undefined
        ? 'absent'
        : script.cachedDataRejected === true
          ? 'rejected'
          : 'used';
  const globals = globalThis as RunnerGlobals;
  globals[CODE_CACHE_STATUS] = status;
  globals[ESM_IMPORT] = (specifier) => import(specifier);
  if (cacheFile !== undefined && status !== 'used') {
    process.once('exit', (code) => {
      if (code === 0) writeCodeCache(wrapped, file, cacheFile);
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as CommonJsWrapper;
  run(module.exports, createRequire(file), module, file, dirname(file), bundle.href);
}

/**
 * CommonJS's wrapper, with the bundle's import.meta.url as a parameter; it keeps the bundle's line numbers (its
 * first line carries the source's first) and its "use strict" first in the function.
 */
function wrapper(source: string): string {
  return `(function (exports, require, module, __filename, __dirname, pilhaBundleUrl) {${source}\n})`;
}

function cacheKey(buildId: string): string {
  const under = [buildId, process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''];
  return createHash('sha256').update(under.join('\0')).digest('hex').slice(0, 16);
}

function readIfThere(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Compiles the bundle again, every function eagerly (V8's --no-lazy, for this compile only), and writes its
 * cache whole or not at all (a rename), so that runs starting meanwhile read no half of it.
 */
function writeCodeCache(wrapped: string, filename: string, path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    undoV8FlagsForRun();
    // Where node's options chose, they stand: the cache must be made under the flags the next start has.
    const eager = !/(^|\s)--(no-)?lazy(\s|=|$)/.test(
      [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '),
    );
    // Past the isolate's compilation cache, which would hand back this run's script, lazily compiled as it is.
    setFlagsFromString('--no-compilation-cache');
    if (eager) setFlagsFromString('--no-lazy');
    let script: Script;
    try {
      script = new Script(wrapped, { filename });
    } finally {
      if (eager) setFlagsFromString('--lazy');
      setFlagsFromString('--compilation-cache');
    }
    const data = script.createCachedData();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch {
    // An install this user cannot write to: its runs compile as without a cache.
    rmSync(temporary, { force: true });
  }
}
