/**
 * The command line as the build leaves it (scripts/bundle-cli.mjs; npm test builds first): dist/cli/main.js is
 * a loader that imports only the bundle runner, which imports only Node's modules and two small helpers;
 * dist/cli/pilha.cjs, the bundle, requires nothing of dist/ module by module, only Node's modules and the
 * packages kept outside it, and imports nothing itself (vega comes through the loader's import()); and the
 * files found beside modules (the reader's worker, the dashboard's page) are found from the bundle's
 * directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/cli');
const EXTERNAL = new Set(['koffi', 'pino', 'pino-pretty', 'reflect-metadata', 'vega', 'vega-lite']);

function read(file: string): string {
  return readFileSync(join(CLI, file), 'utf8');
}

/** Every module specifier an ES module file imports statically. */
function imports(file: string): string[] {
  const code = read(file);
  return [...code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );
}

function builtin(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec);
}

describe('the bundled command line', () => {
  it('main.js loads the runner, and the runner only Node and its helpers', () => {
    expect(imports('main.js')).toEqual(['./runtime/bundle-runner.js']);
    expect(read('main.js')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(read('main.js')).toMatch(
      /runBundle\(new URL\('\.\/pilha\.cjs', import\.meta\.url\), '[0-9a-f]{16}'\)/,
    );
    const strays = imports('runtime/bundle-runner.js').filter(
      (spec) => !builtin(spec) && spec !== '../../core/esm-import.js' && spec !== './v8-flags-for-run.js',
    );
    expect(strays).toEqual([]);
  });

  it('the bundle requires only Node modules and the packages kept outside it, and imports nothing', () => {
    const code = read('pilha.cjs');
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(10);
    const strays = required.filter((spec) => !builtin(spec) && !EXTERNAL.has(spec.replace(/\/.*$/, '')));
    expect(strays).toEqual([]);
    // No import() with a name: a vm script's import() fails in Node 20 (src/core/esm-import.ts).
    expect([...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual([]);
    expect(code.startsWith('"use strict";')).toBe(true);
  });

  it('runs, and finds the reader worker from its directory', () => {
    const r = spawnSync(process.execPath, [join(CLI, 'main.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // worker-reader.ts and dashboard-server.ts look here when they run from dist/cli/.
    expect(existsSync(join(CLI, '../layers/link/fd/fd-reader-worker.js'))).toBe(true);
    expect(existsSync(join(CLI, '../app/dashboard/page/index.html'))).toBe(true);
  });
});
