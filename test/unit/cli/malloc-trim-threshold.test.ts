import { describe, expect, it } from 'vitest';
import { raiseMallocTrimThreshold } from '../../../src/cli/get/malloc-trim-threshold.js';

/** glibc's dynamic loader: where it is missing (musl, macOS) the call is a no-op that says so. */
const GLIBC =
  process.platform === 'linux' &&
  (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime !== undefined;

describe('raiseMallocTrimThreshold', () => {
  it.skipIf(!GLIBC)('sets glibc malloc M_TRIM_THRESHOLD (mallopt says 1)', () => {
    expect(raiseMallocTrimThreshold(256 * 1024 * 1024)).toBe(true);
  });

  it.skipIf(GLIBC)('says false where there is no glibc, without throwing', () => {
    expect(raiseMallocTrimThreshold(256 * 1024 * 1024)).toBe(false);
  });
});
