/**
 * The build bundles inversify into dist/di/inversify.js (scripts/bundle-inversify.mjs): the compiled stack
 * loads no file of the inversify packages, and the bundle's Container and ContainerModule work, also as a stack container's child. Runs on the
 * compiled output (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '../../../dist');
const BUNDLE = join(DIST, 'di/inversify.js');
const dir = mkdtempSync(join(tmpdir(), 'pilha-inversify-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the inversify bundle', () => {
  it('imports nothing but reflect-metadata', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const imports = [...text.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm)].map(
      (m) => m[1],
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^reflect-metadata(\/|$)/);
    expect(text).toMatch(/export\s*\{[^}]*\bContainer\b[^}]*\bContainerModule\b/);
  });

  it('is what the compiled stack loads: no module of the inversify packages, and a composition builds', () => {
    // A resolve hook records every module the child loads; the child builds a stack on a MemoryLink.
    const log = join(dir, 'resolved.txt');
    const hook = join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
    );
    // pilha's Container (the bundle's) may be a stack container's child, as a caller's own would be.
    const script = `
      const { buildTcpStack, Container, createStackContainer, MemoryLink, stackConfig, TOKENS } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)});
      const [a, b] = MemoryLink.pair(1500, (run) => setImmediate(run));
      const stack = await buildTcpStack(stackConfig({ address: '10.9.0.2' }), { baseLink: a });
      await stack.close();
      const config = stackConfig({ address: '10.9.0.3' });
      const child = new Container({ parent: createStackContainer(config, { baseLink: b }) });
      if (child.get(TOKENS.StackConfig) !== config) throw new Error('the child container did not see its parent');
      console.log('built');
    `;
    const r = spawnSync(process.execPath, ['--import', register, '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('built');
    const loaded = readFileSync(log, 'utf8').split('\n');
    expect(loaded).toContain(pathToFileURL(BUNDLE).href);
    expect(loaded.filter((url) => /\/node_modules\/(inversify|@inversifyjs)\//.test(url))).toEqual([]);
  });
});
