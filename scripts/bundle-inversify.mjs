// The build's third step: dist/di/inversify.js, which tsc compiled as a re-export of the inversify package,
// becomes one file holding inversify and its @inversifyjs packages (src/di/inversify.ts says why).
// reflect-metadata stays a package of its own: pilha's entry points load it, and inversify shares its registry.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/di/inversify.ts', import.meta.url).pathname],
  outfile: new URL('../dist/di/inversify.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['reflect-metadata', 'reflect-metadata/*'],
  legalComments: 'eof',
  logLevel: 'warning',
});
// tsc's source map was of the re-export, not of this.
rmSync(new URL('../dist/di/inversify.js.map', import.meta.url), { force: true });
