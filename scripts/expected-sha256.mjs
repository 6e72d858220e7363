// Prints the SHA-256 of what `pilha http` serves at a path: `/` or `/bytes/N` (for the demo's check).
import { createHash } from 'node:crypto';
import { deterministicChunks } from '../dist/app/deterministic-bytes.js';
import { helloPomboPage } from '../dist/app/hello-pombo.js';

const path = process.argv[2] ?? '/';
const hash = createHash('sha256');
const bytes = /^\/bytes\/(\d+)$/.exec(path);
if (bytes !== null) for (const chunk of deterministicChunks(0, Number(bytes[1]))) hash.update(chunk);
else hash.update(helloPomboPage());
console.log(hash.digest('hex'));
