import { PerformanceObserver } from 'node:perf_hooks';
import koffi from 'koffi';

/** How long a server must have gone without a garbage collection before malloc's free memory is returned. */
export const MALLOC_TRIM_QUIET_MS = 1000;

export interface MallocTrimmerOptions {
  /** Quiet time after the last collection, ms. */
  readonly quietMs?: number;
  /** Returns malloc's free memory to the kernel (default: glibc's malloc_trim(0); absent without glibc). */
  readonly trim?: () => void;
  /** Calls `onCollection` after each garbage collection; returns the unsubscriber (default: a 'gc' observer). */
  readonly subscribe?: (onCollection: () => void) => () => void;
}

/**
 * Gives malloc's free memory back to the kernel once a server has been quiet for a second after a garbage
 * collection. V8's collector threads build their work lists with malloc, and the arena of each thread keeps
 * what they free: after 1,000 connections were accepted, 2.7–4 MB of a `pilha http` server's RSS was such
 * free memory (about 2.7 KiB a connection), the same for the kernel's transport. glibc's malloc_trim(0) hands
 * the free pages of every arena back; one took 1.4–3 ms here. It runs at most once per quiet spell, so never
 * in the middle of a transfer, whose collections keep pushing it back (1–2 s after the last one). Where there
 * is no glibc it does nothing.
 */
export class MallocTrimmer {
  private trimsDone = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void) | undefined;
  /** When the last collection was heard of (ms, performance.now()). */
  private lastCollection = 0;
  /** The timer runs: a trim is due once the process has been quiet for quietMs. */
  private armed = true;

  constructor(options: MallocTrimmerOptions = {}) {
    const trim = options.trim ?? glibcMallocTrim();
    if (trim === undefined) return;
    const quietMs = options.quietMs ?? MALLOC_TRIM_QUIET_MS;
    this.lastCollection = performance.now();
    // Armed now (what starting the server freed goes back once it is quiet) and by the first collection after
    // a trim. A collection only notes its time (a transfer has many: no timer work for each); the timer looks
    // again while one came within the last quietMs, so the trim comes quietMs to 2·quietMs after the last.
    const timer = setTimeout(() => {
      if (performance.now() - this.lastCollection < quietMs) {
        timer.refresh();
        return;
      }
      this.armed = false;
      this.trimsDone++;
      trim();
    }, quietMs).unref();
    this.timer = timer;
    this.unsubscribe = (options.subscribe ?? onGarbageCollection)(() => {
      this.lastCollection = performance.now();
      if (this.armed) return;
      this.armed = true;
      timer.refresh();
    });
  }

  /** Trims done so far. */
  get trims(): number {
    return this.trimsDone;
  }

  stop(): void {
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }
}

/** glibc's malloc_trim(0), or undefined where it cannot be loaded (musl, no libc.so.6). */
function glibcMallocTrim(): (() => void) | undefined {
  try {
    const mallocTrim: (pad: number) => number = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => {
      mallocTrim(0);
    };
  } catch {
    return undefined;
  }
}

/** Calls `onCollection` after V8's garbage collections (a batch of them at a time); returns the unsubscriber. */
function onGarbageCollection(onCollection: () => void): () => void {
  const observer = new PerformanceObserver(onCollection);
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
