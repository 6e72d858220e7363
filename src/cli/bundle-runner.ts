import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { ESM_IMPORT } from '../core/esm-import.js';
import { undoV8FlagsForRun } from './v8-flags-for-run.js';

/**
 * What V8's code cache did for this run: `used` (its functions' bytecode taken from the cache), `rejected`
 * (a cache made under other flags or another V8), `absent` (none yet: this run makes it if it succeeds), `off`
 * (PILHA_CODE_CACHE=0, or no command named).
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
 * Runs the command line's bundle (a CommonJS script: scripts/bundle-cli.mjs) with V8's code cache, as Node 22
 * does with module.enableCompileCache() and Node 20 cannot for ES modules. The first successful run of each
 * command writes, at its exit, the bytecode of every function it compiled into `code-cache/` beside the
 * bundle; the runs after take it instead of compiling, which is most of what a cold start costs: V8 compiles
 * a function on its first call, and a download's first segments call most of the stack for the first time.
 * `pilha get` of 100 MiB from a kernel server, interleaved: 91.5 and 89.5 ms against 96 and 99.5 (medians of
 * ten, two rounds) for the transfer, 426 and 409 ms against 503 and 508 start to exit.
 *
 * A cache is one file per command, build (`buildId`, the bundle's hash), Node and node options, since V8
 * rejects a cache made under other flags; the flags a run changes itself are set back before it is made
 * (v8-flags-for-run.ts). A run that fails writes none, so a usage mistake leaves nothing.
 */
export function runBundle(bundle: URL, buildId: string): void {
  const file = fileURLToPath(bundle);
  const source = readFileSync(file, 'utf8');
  const command = process.argv[2];
  const cacheFile =
    process.env.PILHA_CODE_CACHE === '0' || command === undefined || !/^[a-z]+$/.test(command)
      ? undefined
      : join(dirname(file), 'code-cache', `${command}-${cacheKey(buildId)}.bin`);
  const cachedData = cacheFile === undefined ? undefined : readIfThere(cacheFile);
  // CommonJS's wrapper, and the bundle's import.meta.url; it keeps the bundle's line numbers (its first line
  // carries the source's first) and its "use strict" first in the function.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, pilhaBundleUrl) {${source}\n})`,
    { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) },
  );
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
      if (code === 0) writeCodeCache(script, cacheFile);
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as CommonJsWrapper;
  run(module.exports, createRequire(file), module, file, dirname(file), bundle.href);
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

/** Written whole or not at all (a rename), so that runs starting meanwhile read no half of it. */
function writeCodeCache(script: Script, path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    undoV8FlagsForRun();
    const data = script.createCachedData();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch {
    // An install this user cannot write to: its runs compile as without a cache.
    rmSync(temporary, { force: true });
  }
}
