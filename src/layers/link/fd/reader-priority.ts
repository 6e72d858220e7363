/**
 * The reader thread's priority: ordinary while it keeps up, raised (a negative nice) only while the fd's
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
 * the asked (negative) nice value until no pass has been that long for `calmMs`.
 */
export class ReaderPriority {
  /** The nice value the thread has now. */
  current = 0;
  private lastPressureAt = Number.NEGATIVE_INFINITY;

  /**
   * `setNice` sets the calling thread's nice value and says whether it could (raising needs CAP_SYS_NICE).
   * A `nice` of 0 or more is kept all the time; a negative one only under pressure, 0 otherwise.
   */
  constructor(
    private readonly setNice: (nice: number) => boolean,
    private readonly nice: number,
    readonly pressureReads: number,
    private readonly calmMs: number,
  ) {}

  /** Takes the resting nice value (the asked one when it is not negative). */
  start(): void {
    if (this.nice > 0 && this.setNice(this.nice)) this.current = this.nice;
  }

  /** A drain pass has read pressureReads datagrams or more (called when it reaches them, and when it ends). */
  pressure(now: number): void {
    this.lastPressureAt = now;
    if (this.nice < 0 && this.current !== this.nice && this.setNice(this.nice)) this.current = this.nice;
  }

  /** Called before each wait: back to the ordinary priority once no pass has been under pressure for calmMs. */
  settle(now: number): void {
    if (this.current < 0 && now - this.lastPressureAt >= this.calmMs && this.setNice(0)) this.current = 0;
  }
}
