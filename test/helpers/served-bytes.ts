import { createHash } from 'node:crypto';
import { deterministicChunks } from '../../src/app/deterministic-bytes.js';

/** The SHA-256 of what `pilha http` serves at /bytes/N, to hold a real peer's download against. */
export function sha256OfServedBytes(length: number): string {
  const hash = createHash('sha256');
  for (const chunk of deterministicChunks(0, length)) hash.update(chunk);
  return hash.digest('hex');
}
