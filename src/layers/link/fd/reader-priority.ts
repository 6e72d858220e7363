import { readFileSync } from 'node:fs';

/**
 * The reader thread's priority: as started while it keeps up, raised (a negative nice) only while the fd's
 * kernel queue is under pressure, as a flood puts it.
 *
 * Why not raised all the time: woken for each datagram, a reader that runs ahead of ordinary processes
 * preempts the main thread (or the local client) at every arrival, where one at the ordinary priority waits
 * its turn and then reads several in one pass. On a 2-CPU AMD EPYC, ab (20 concurrent connections, a new one
 * per request) against `pilha http` read 11,400–12,100 requests/s with the reader at nice 0 against
 * 8,400–9,400 at −10 (five interleaved pairs), the server using 105–115 µs of CPU a request against 152–170,
 * and the reader woke half as often (4,600 polls and 5,600 context switches per 10,000 requests against
 * 11,700 and 12,600). Single and 64 parallel downloads read the same either way. But at the ordinary
 * priority, a reader sharing a CPU with a flood's sender and the main thread fell behind a 190,000 SYN/s
 * flood: the TUN device's queue dropped 23,000–40,000 datagrams, silently, against 0–1,400 at −10.
 *
 * So: a drain pass that reads `pressureReads` datagrams without emptying the queue is pressure (ab's passes
 * held at most 128, 64 parallel downloads' at most 256, a flood's tens of thousands); the thread then takes
 * the asked (negative) nice value until no pass has been that long for `calmMs`, and goes back to the one it
 * started with: the process's, which `nice -n -10 pilha http` may have lowered already.
 */
export class ReaderPriority {
  /** The nice value the thread has now. */
  current: number;
  /** The nice value at rest: the asked one when above 0, else the one the thread started with. */
  private readonly rest: number;
  /** The nice value under pressure: the asked one when below 0 and below the rest, else the rest. */
  private readonly raised: number;
  private lastPressureAt = Number.NEGATIVE_INFINITY;

  /**
   * `setNice` sets the calling thread's nice value and says whether it could (raising needs CAP_SYS_NICE);
   * `base` is the thread's nice value as it starts (threadNice()). `nice` above 0 is kept all the time, 0
   * leaves the thread at its base, and below 0 is taken only under pressure.
   */
  constructor(
    private readonly setNice: (nice: number) => boolean,
    base: number,
    nice: number,
    readonly pressureReads: number,
    private readonly calmMs: number,
  ) {
    checkPressureReads(pressureReads);
    this.current = base;
    this.rest = nice > 0 ? nice : base;
    this.raised = nice < 0 ? Math.min(this.rest, nice) : this.rest;
  }

  /** Takes the resting nice value (when the asked one is above 0). */
  start(): void {
    if (this.current !== this.rest && this.setNice(this.rest)) this.current = this.rest;
  }

  /** A drain pass has read pressureReads datagrams or more (called when it reaches them, and when it ends). */
  pressure(now: number): void {
    this.lastPressureAt = now;
    if (this.current !== this.raised && this.setNice(this.raised)) this.current = this.raised;
  }

  /** Called before each wait: back to the resting value once no pass has been under pressure for calmMs. */
  settle(now: number): void {
    if (this.current !== this.rest && now - this.lastPressureAt >= this.calmMs && this.setNice(this.rest)) {
      this.current = this.rest;
    }
  }
}

/** Throws RangeError for a pass length below 1 (every pass, an empty one too, would be pressure). */
export function checkPressureReads(pressureReads: number): void {
  if (!Number.isInteger(pressureReads) || pressureReads < 1) {
    throw new RangeError(`pressureReads must be a positive integer, not ${pressureReads}`);
  }
}

/**
 * The calling thread's nice value (/proc/thread-self/stat's 19th field; a thread inherits its creator's), or
 * 0 where it cannot be read.
 */
export function threadNice(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // The command name (field 2) is in parentheses and may hold spaces: count from after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[16]);
    return Number.isInteger(nice) ? nice : 0;
  } catch {
    return 0;
  }
}
