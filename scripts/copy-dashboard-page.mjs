// The build's second step: tsc compiles src/ to dist/ but copies nothing else; the dashboard's page (HTML,
// CSS, browser JS) goes beside the compiled server, where it looks for it in an installed package too.
import { cpSync } from 'node:fs';

cpSync(
  new URL('../src/app/dashboard/page/', import.meta.url),
  new URL('../dist/app/dashboard/page/', import.meta.url),
  {
    recursive: true,
  },
);
