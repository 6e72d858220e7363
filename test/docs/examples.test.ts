/**
 * Every program in examples/ runs and exits 0, importing pilha by its package name (the package's `exports`,
 * resolved by self-reference), so that what a user copies from there works. New examples are picked up by
 * the glob. Needs the build (npm test builds first).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/netns.js';
import { runProgram } from '../helpers/run-node.js';

const EXAMPLES = join(ROOT, 'examples');
const programs = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.mjs'))
  .sort();

describe('examples/', () => {
  it('has the examples the README names, and dist/ is built', () => {
    expect(programs).toEqual(
      expect.arrayContaining(['http-over-memory.mjs', 'node-http-client.mjs', 'ping-reassembly.mjs']),
    );
    expect(existsSync(join(ROOT, 'dist/index.js')), 'run npm run build first').toBe(true);
  });

  for (const program of programs) {
    it(`${program} imports only 'pilha' and node: modules, runs, exits 0 and prints`, async () => {
      const source = readFileSync(join(EXAMPLES, program), 'utf8');
      const imports = [...source.matchAll(/(?:\bfrom|^import|\bimport\()\s*'([^']+)'/gm)].map((m) => m[1]);
      expect(imports).toContain('pilha');
      for (const spec of imports) expect(spec === 'pilha' || spec!.startsWith('node:'), spec).toBe(true);
      const r = await runProgram(process.execPath, [join(EXAMPLES, program)], {
        cwd: ROOT,
        timeoutMs: 20_000,
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim().split('\n').length, r.stdout).toBeGreaterThanOrEqual(2);
    }, 30_000);
  }
});
