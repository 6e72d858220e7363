/**
 * The command line as the build leaves it (scripts/bundle-cli.mjs; npm test builds first): dist/cli/main.js
 * and its chunks load nothing of dist/ module by module, only each other, Node's modules and the packages
 * kept outside the bundle; and the files found beside modules (the reader's worker, the dashboard's page)
 * are found from the bundle's directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/cli');
const EXTERNAL = new Set(['koffi', 'pino', 'pino-pretty', 'reflect-metadata', 'vega', 'vega-lite']);

/** Every module specifier a bundle file imports, statically or on demand. */
function specifiers(file: string): string[] {
  const code = readFileSync(join(CLI, file), 'utf8');
  const found: string[] = [];
  for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/g))
    found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*["']([^"']+)["']/g)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

describe('the bundled command line', () => {
  const files = ['main.js', ...readdirSync(CLI).filter((name) => /^chunk-.*\.js$/.test(name))];

  it('imports only its chunks, node: modules and the packages kept outside it', () => {
    expect(files.length).toBeGreaterThan(1);
    const strays: string[] = [];
    let chunkImports = 0;
    for (const file of files) {
      for (const spec of specifiers(file)) {
        if (/^\.\/chunk-[A-Z0-9]+\.js$/.test(spec)) {
          chunkImports++;
          expect(existsSync(join(CLI, spec))).toBe(true);
        } else if (!spec.startsWith('node:') && !EXTERNAL.has(spec.replace(/\/.*$/, ''))) {
          strays.push(`${file}: ${spec}`);
        }
      }
    }
    expect(strays).toEqual([]);
    expect(chunkImports).toBeGreaterThan(0);
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
