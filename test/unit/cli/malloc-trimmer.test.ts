/**
 * MallocTrimmer: malloc's free memory goes back to the kernel once a server has gone 1–2 s without a
 * garbage collection (and once after it starts), once per quiet spell; nothing after stop().
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MALLOC_TRIM_QUIET_MS, MallocTrimmer } from '../../../src/cli/runtime/malloc-trimmer.js';

/** A collection source the test fires by hand. */
function collections() {
  let listener: (() => void) | undefined;
  return {
    subscribe: (onCollection: () => void) => {
      listener = onCollection;
      return () => {
        listener = undefined;
      };
    },
    collect: () => listener?.(),
  };
}

describe('MallocTrimmer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('trims once quiet after starting and after a collection; collections in between push it back', () => {
    vi.useFakeTimers();
    const gc = collections();
    let trims = 0;
    const trimmer = new MallocTrimmer({ subscribe: gc.subscribe, trim: () => trims++ });
    // Once after starting (what starting freed), then not again without a collection.
    vi.advanceTimersByTime(MALLOC_TRIM_QUIET_MS);
    expect(trims).toBe(1);
    vi.advanceTimersByTime(10 * MALLOC_TRIM_QUIET_MS);
    expect(trims).toBe(1);
    gc.collect();
    vi.advanceTimersByTime(MALLOC_TRIM_QUIET_MS - 1);
    expect(trims).toBe(1);
    vi.advanceTimersByTime(1);
    expect(trims).toBe(2);
    vi.advanceTimersByTime(10 * MALLOC_TRIM_QUIET_MS);
    expect(trims).toBe(2); // once per quiet spell
    // A transfer: a collection every 300 ms for 3 s, then quiet: the trim comes 1–2 quiet times after the last.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(300);
      gc.collect();
    }
    vi.advanceTimersByTime(MALLOC_TRIM_QUIET_MS - 1);
    expect(trims).toBe(2);
    vi.advanceTimersByTime(MALLOC_TRIM_QUIET_MS + 1);
    expect(trims).toBe(3);
    expect(trimmer.trims).toBe(3);
    gc.collect();
    trimmer.stop();
    gc.collect();
    vi.advanceTimersByTime(10 * MALLOC_TRIM_QUIET_MS);
    expect(trims).toBe(3);
  });

  it("hears V8's own collections, and trims with glibc's malloc_trim", async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    let trims = 0;
    const observed = new MallocTrimmer({ quietMs: 20, trim: () => trims++ });
    const real = new MallocTrimmer({ quietMs: 20 });
    try {
      await vi.waitFor(() => expect(trims).toBe(1), { timeout: 2000 });
      await vi.waitFor(() => expect(real.trims).toBe(1), { timeout: 2000 });
      collectGarbage();
      await vi.waitFor(() => expect(trims).toBe(2), { timeout: 2000 });
      await vi.waitFor(() => expect(real.trims).toBe(2), { timeout: 2000 });
    } finally {
      observed.stop();
      real.stop();
    }
  });
});
