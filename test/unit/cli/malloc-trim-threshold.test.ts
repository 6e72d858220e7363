import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { setMallocTrimThreshold } from '../../../src/cli/runtime/malloc-trim-threshold.js';
import { GLIBC } from '../../helpers/glibc.js';
import { runProgram } from '../../helpers/run-node.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Frees 4 MiB in a worker thread's arena and says how much stayed resident (it imports the built module). */
const PROBE = fileURLToPath(new URL('../../fixtures/thread-arena-probe.mjs', import.meta.url));

interface ProbeResult {
  readonly set: boolean | null;
  readonly grewKiB: number;
  readonly keptKiB: number;
}

async function probe(mode: 'default' | 'fixed'): Promise<ProbeResult> {
  const run = await runProgram(process.execPath, [PROBE, mode], { cwd: REPO, timeoutMs: 20_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ProbeResult;
}

describe('setMallocTrimThreshold', () => {
  it.skipIf(!GLIBC)('sets glibc malloc M_TRIM_THRESHOLD (mallopt says 1)', () => {
    expect(setMallocTrimThreshold(256 * 1024 * 1024)).toBe(true);
  });

  it.skipIf(GLIBC)('says false where there is no glibc, without throwing', () => {
    expect(setMallocTrimThreshold(256 * 1024 * 1024)).toBe(false);
  });

  // Why servers fix it (serveUntilSignal): V8's compiler threads free their zones at the top of their arenas,
  // where malloc_trim() does not reach, and glibc's raised threshold kept 2-4 MB there after 1,000 accepts.
  it.skipIf(!GLIBC)(
    'fixed at 128 KiB, a thread gives back the freed memory at the top of its arena; left to glibc, it stays',
    async () => {
      const left = await probe('default');
      expect(left.grewKiB).toBeGreaterThanOrEqual(3 * 1024);
      expect(left.keptKiB).toBeGreaterThanOrEqual(left.grewKiB / 2);
      const fixed = await probe('fixed');
      expect(fixed.set).toBe(true);
      expect(fixed.grewKiB).toBeGreaterThanOrEqual(3 * 1024);
      expect(fixed.keptKiB).toBeLessThanOrEqual(512);
    },
  );
});
