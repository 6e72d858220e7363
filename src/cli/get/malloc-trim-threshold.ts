import koffi from 'koffi';

/** <malloc.h>: mallopt's parameter for the free memory at the top of the heap that malloc keeps. */
const M_TRIM_THRESHOLD = -1;

/**
 * Lets glibc's malloc keep up to `bytes` of freed heap instead of handing it back to the kernel (mallopt
 * M_TRIM_THRESHOLD; glibc's default is 128 KiB, raised as it goes). pilha get copies every segment it receives
 * into a fresh 64 KB Buffer and the garbage collector frees them in bulk: with the default, malloc gave the
 * freed memory back and the next Buffers faulted it in again, page by page (512 MiB downloaded: 38,000-117,000
 * minor page faults against 28,000 with a higher threshold, the difference all in the copy). Best effort:
 * returns false where there is no glibc (musl has no mallopt) or the call fails.
 */
export function raiseMallocTrimThreshold(bytes: number): boolean {
  try {
    const mallopt: (param: number, value: number) => number = koffi
      .load('libc.so.6')
      .func('int mallopt(int param, int value)');
    return mallopt(M_TRIM_THRESHOLD, bytes) === 1;
  } catch {
    return false;
  }
}
