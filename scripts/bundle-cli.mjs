// The build's last step: the command line (dist/cli/main.js and the modules it imports, statically or on
// demand) becomes a few files, so that Node's ES module loader, which reads, compiles and links each module
// on its own, does not take its per-module toll on every start: about 190 of pilha's modules and commander's
// and cli-progress's. Each dynamic import stays one (a chunk next to main.js), so a command still loads
// only what it runs. The rest of dist/ (the library's modules, the reader's worker, the dashboard's page)
// stays as tsc made it. Bundled from tsc's output, whose decorators already carry their metadata.
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url));

// An earlier build's chunks (their names are hashes of what they hold).
for (const name of readdirSync(path('../dist/cli'))) {
  if (/^chunk-.*\.js(\.map)?$/.test(name)) rmSync(path(`../dist/cli/${name}`));
}

await build({
  entryPoints: [path('../dist/cli/main.js')],
  outdir: path('../dist/cli'),
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native code (koffi), pino's transports (resolved at run time, in worker threads), the registry inversify
  // shares with the entry points (reflect-metadata), and what only `pilha plot` loads (vega).
  external: ['koffi', 'pino', 'pino-pretty', 'reflect-metadata', 'vega', 'vega-lite'],
  // The CommonJS packages bundled (commander, cli-progress) require Node's modules.
  banner: {
    js: "import { createRequire as pilhaCreateRequire } from 'node:module';\nconst require = pilhaCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  sourcemap: true,
  logLevel: 'warning',
});
