// The build's third step: dist/di/inversify.js, which tsc compiled as a re-export of the inversify package,
// becomes one file holding inversify and its @inversifyjs packages (src/di/inversify.ts says why).
// reflect-metadata stays a package of its own: pilha's entry points load it, and inversify shares its registry.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Paths, not URLs' pathnames, which are percent-encoded (a checkout under a directory with a space).
const path = (relative) => fileURLToPath(new URL(relative, import.meta.url));

await build({
  entryPoints: [path('../src/di/inversify.ts')],
  outfile: path('../dist/di/inversify.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['reflect-metadata', 'reflect-metadata/*'],
  legalComments: 'eof',
  logLevel: 'warning',
});
// tsc's source map was of the re-export, not of this.
rmSync(path('../dist/di/inversify.js.map'), { force: true });
