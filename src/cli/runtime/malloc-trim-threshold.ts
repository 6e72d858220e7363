import koffi from 'koffi';

/** <malloc.h>: mallopt's parameter for the free memory at the top of a heap that malloc keeps. */
const M_TRIM_THRESHOLD = -1;

/**
 * Sets how much freed memory at the top of each of glibc malloc's heaps it keeps instead of handing it back to
 * the kernel (mallopt M_TRIM_THRESHOLD). glibc starts at 128 KiB but raises it as it goes, to twice the
 * largest block it has given back through munmap (a 1.5 MB block given back makes it 3 MB), and setting
 * it fixes it. It decides for every thread's arena, and for the arenas of threads other than the main one it is
 * all there is: malloc_trim() hands back free pages inside a heap but leaves its top alone. Best effort:
 * returns false where there is no glibc (musl has no mallopt) or the call fails.
 */
export function setMallocTrimThreshold(bytes: number): boolean {
  try {
    const mallopt: (param: number, value: number) => number = koffi
      .load('libc.so.6')
      .func('int mallopt(int param, int value)');
    return mallopt(M_TRIM_THRESHOLD, bytes) === 1;
  } catch {
    return false;
  }
}
