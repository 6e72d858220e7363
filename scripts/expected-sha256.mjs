// The SHA-256 of what `pilha http` serves at a path, `/` or `/bytes/N`: imported by scripts/start.mjs, and
// printed when run as a program (`node scripts/expected-sha256.mjs /bytes/1000`).
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { deterministicChunks } from '../dist/app/deterministic-bytes.js';
import { helloPomboPage } from '../dist/app/hello-pombo.js';

export function expectedSha256(path) {
  const hash = createHash('sha256');
  const bytes = /^\/bytes\/(\d+)$/.exec(path);
  if (bytes !== null) for (const chunk of deterministicChunks(0, Number(bytes[1]))) hash.update(chunk);
  else hash.update(helloPomboPage());
  return hash.digest('hex');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(expectedSha256(process.argv[2] ?? '/'));
}
