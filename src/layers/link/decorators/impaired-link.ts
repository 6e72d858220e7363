import type { Clock, Timer } from '../../../core/clock.js';
import { Counters } from '../../../core/counters.js';
import type { PilhaError } from '../../../core/errors.js';
import type { MacAddress } from '../../../core/mac-address.js';
import { SeededRandom } from '../../../core/seeded-random.js';
import {
  cutSegment,
  superSegmentCount,
  superSegmentHeadersLength,
  superSegmentRange,
} from '../offload/tcp-super-segment.js';
import {
  decoratorStats,
  ignoreDatagram,
  type LinkMedium,
  type RawLink,
  type ReceiveBacklog,
  type SegmentationOffload,
} from '../raw-link.js';
import { DEFAULT_REORDER_HOLD_MS, type Impairment, validateImpairment } from './impairment.js';

/** Which way an ImpairedLink impairs: datagrams sent, datagrams received, or both (each with its own state). */
export type ImpairedDirection = 'both' | 'tx' | 'rx';

const COUNTERS = [
  // At this link's upper boundary: datagrams the layer above sent, and datagrams handed to it.
  'txPackets',
  'txBytes',
  'rxPackets',
  'rxBytes',
  // Impairments, summed over the impaired directions.
  'dropLoss',
  'dropQueue',
  'dropClosed',
  'duplicated',
  'corrupted',
  'reordered',
  'reorderTimeout',
  'delayed',
] as const;

type CounterName = (typeof COUNTERS)[number];

/** Offset added to the seed for the receive direction, so the two directions draw independent sequences. */
const RX_SEED_OFFSET = 0x6a09e667;

interface InFlight {
  readonly at: number;
  readonly data: Uint8Array;
  readonly reorder: boolean;
  /** 0 for a datagram; else `data` is a super-segment of `segments` segments of this payload size. */
  readonly segmentSize: number;
  readonly segments: number;
}

/** Where a path delivers: datagrams, and (on the send path over a link with offload) super-segments. */
interface PathOutput {
  datagram(datagram: Uint8Array): void;
  segmented(datagram: Uint8Array, segmentSize: number): void;
}

/**
 * One impaired direction. Every random decision about a datagram is drawn when it enters (loss, duplicate,
 * then per copy: corrupt and its bit, reorder, jitter), so the sequence of draws depends only on the sequence
 * of datagrams, never on timer order. The stages, in order:
 *
 *   loss → duplicate → corrupt → bottleneck (rate, queue) → delay + jitter → reorder → out
 *
 * Arrival times never decrease (a FIFO pipe: jitter varies delay but cannot reorder), so in-flight datagrams
 * sit in one queue with one timer for its head.
 *
 * A super-segment (pushSegmented) is impaired segment by segment, in wire order, with the very draws and
 * bottleneck decisions its segments would get if pushed one by one. Runs of consecutive segments that nothing
 * touched (not lost, duplicated, corrupted or picked for reordering, not tail-dropped) leave together as one
 * smaller super-segment, at the arrival time of the run's last segment (earlier ones arrive that much later
 * than one by one would: at most the run's serialization time at the bottleneck plus jitter); the others
 * leave one by one, as finished segments, exactly as pushed datagrams do.
 */
class ImpairedPath {
  private readonly rng: SeededRandom;
  private readonly rate: number;
  private readonly queueLimit: number;
  private readonly holdMs: number;
  /** Whether anything can make delivery later than the send (otherwise delivery is synchronous). */
  private readonly synchronous: boolean;

  // Bottleneck: when the last accepted byte finishes serialization, and what is still in it (lazily drained).
  private busyUntil = Number.NEGATIVE_INFINITY;
  private backlogBytes = 0;
  private readonly backlog: { doneAt: number; bytes: number }[] = [];
  private backlogHead = 0;

  // Propagation: datagrams in flight, ordered by arrival time, and the timer for the head.
  private readonly inflight: (InFlight | undefined)[] = [];
  private inflightHead = 0;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private timer: Timer | undefined;
  private timerAt = 0;

  // Reordering: at most one datagram held back, waiting to be overtaken.
  private held: Uint8Array | undefined;
  private heldTimer: Timer | undefined;

  private closed = false;

  constructor(
    private readonly imp: Impairment,
    seed: number,
    private readonly clock: Clock,
    private readonly counters: Counters<CounterName>,
    private readonly out: PathOutput,
  ) {
    this.rng = new SeededRandom(seed);
    this.rate = imp.rateBytesPerSec ?? 0;
    this.queueLimit = imp.queueBytes ?? 0;
    this.holdMs = imp.reorderHoldMs ?? DEFAULT_REORDER_HOLD_MS;
    this.synchronous = this.rate === 0 && imp.delayMs === 0 && imp.jitterMs === 0;
  }

  /** Takes a datagram that is valid only during the call; copies it if it must outlive the call. */
  push(datagram: Uint8Array): void {
    if (this.closed) {
      this.counters.inc('dropClosed');
      return;
    }
    const rng = this.rng;
    if (rng.chance(this.imp.loss)) {
      this.counters.inc('dropLoss');
      return;
    }
    const twice = rng.chance(this.imp.duplicate);
    this.one(datagram);
    if (twice) {
      this.counters.inc('duplicated');
      this.one(datagram);
    }
  }

  private one(datagram: Uint8Array): void {
    this.afterCorruptDraw(datagram, datagram.length > 0 && this.rng.chance(this.imp.corrupt));
  }

  /** One copy of a datagram whose corruption is drawn: the rest of its draws, then into the pipe. */
  private afterCorruptDraw(datagram: Uint8Array, corrupt: boolean): void {
    const imp = this.imp;
    const rng = this.rng;
    let data = datagram;
    let owned = false;
    if (corrupt) {
      // Never touch the caller's buffer: flip the bit in a copy.
      data = datagram.slice();
      owned = true;
      const bit = rng.int(data.length * 8);
      data[bit >>> 3] ^= 0x80 >>> (bit & 7);
      this.counters.inc('corrupted');
    }
    const reorder = rng.chance(imp.reorder);
    const jitter = imp.jitterMs > 0 ? (rng.next() * 2 - 1) * imp.jitterMs : 0;

    if (this.synchronous && this.inflightHead === this.inflight.length) {
      this.arrive(data, reorder, owned, 0, 1);
      return;
    }
    const at = this.arrivalOf(data.length, jitter);
    if (at !== undefined) this.enterPipe(at, data, owned, reorder, 0, 1);
  }

  /**
   * Takes a super-segment (valid only during the call) of segments of `segmentSize` payload bytes and impairs
   * each of its segments as push() would, in order (see the class comment).
   */
  pushSegmented(datagram: Uint8Array, segmentSize: number): void {
    const segments = superSegmentCount(datagram, segmentSize);
    if (segments === 0) {
      // Not a super-segment: the link below counts it as malformed.
      this.out.segmented(datagram, segmentSize);
      return;
    }
    if (this.closed) {
      this.counters.inc('dropClosed', segments);
      return;
    }
    const imp = this.imp;
    const rng = this.rng;
    const headersLength = superSegmentHeadersLength(datagram);
    const payloadLength = datagram.length - headersLength;
    // The run of untouched segments: its first segment, length and arrival (locals: out may re-enter).
    let runFirst = 0;
    let runCount = 0;
    let runAt = 0;
    for (let i = 0; i < segments; i++) {
      if (rng.chance(imp.loss)) {
        this.counters.inc('dropLoss');
        this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
        runCount = 0;
        continue;
      }
      if (rng.chance(imp.duplicate)) {
        this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
        runCount = 0;
        const segment = cutSegment(datagram, segmentSize, i);
        this.one(segment);
        this.counters.inc('duplicated');
        this.one(segment);
        continue;
      }
      if (rng.chance(imp.corrupt)) {
        this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
        runCount = 0;
        this.afterCorruptDraw(cutSegment(datagram, segmentSize, i), true);
        continue;
      }
      const reorder = rng.chance(imp.reorder);
      const jitter = imp.jitterMs > 0 ? (rng.next() * 2 - 1) * imp.jitterMs : 0;
      if (reorder) {
        this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
        runCount = 0;
        const segment = cutSegment(datagram, segmentSize, i);
        if (this.synchronous && this.inflightHead === this.inflight.length) {
          this.arrive(segment, true, true, 0, 1);
        } else {
          const at = this.arrivalOf(segment.length, jitter);
          if (at !== undefined) this.enterPipe(at, segment, true, true, 0, 1);
        }
        continue;
      }
      // Untouched: it joins the run, entering the bottleneck by itself.
      let at = this.clock.now();
      if (!this.synchronous || this.inflightHead !== this.inflight.length) {
        const bytes = headersLength + Math.min(segmentSize, payloadLength - i * segmentSize);
        const arrival = this.arrivalOf(bytes, jitter);
        if (arrival === undefined) {
          this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
          runCount = 0;
          continue;
        }
        at = arrival;
      }
      if (runCount === 0) runFirst = i;
      runCount++;
      runAt = at;
    }
    this.flushRun(datagram, segmentSize, segments, runFirst, runCount, runAt);
  }

  /** Sends the run of untouched segments on as one super-segment (the whole one when nothing was touched). */
  private flushRun(
    datagram: Uint8Array,
    segmentSize: number,
    segments: number,
    first: number,
    count: number,
    at: number,
  ): void {
    if (count === 0) return;
    const whole = count === segments;
    const data = whole ? datagram : superSegmentRange(datagram, segmentSize, first, count);
    this.enterPipe(at, data, !whole, false, segmentSize, count);
  }

  /**
   * When `bytes` arrive at the far end, through the bottleneck and the delay with `jitter`, never before what
   * entered earlier; undefined (and counted) when the bottleneck's queue is full.
   */
  private arrivalOf(bytes: number, jitter: number): number | undefined {
    let at = this.clock.now();
    if (this.rate > 0) {
      const doneAt = this.enterBottleneck(bytes, at);
      if (doneAt === undefined) {
        this.counters.inc('dropQueue');
        return undefined;
      }
      at = doneAt;
    }
    at += Math.max(0, this.imp.delayMs + jitter);
    if (at < this.lastArrival) at = this.lastArrival;
    this.lastArrival = at;
    return at;
  }

  /** Delivers now what is due now with nothing ahead of it, else queues it (a copy) until `at`. */
  private enterPipe(
    at: number,
    data: Uint8Array,
    owned: boolean,
    reorder: boolean,
    segmentSize: number,
    segments: number,
  ): void {
    if (at <= this.clock.now() && this.inflightHead === this.inflight.length) {
      this.arrive(data, reorder, owned, segmentSize, segments);
      return;
    }
    this.counters.inc('delayed', segments);
    this.inflight.push({ at, data: owned ? data : data.slice(), reorder, segmentSize, segments });
    if (this.timer === undefined) this.arm();
  }

  /** Accepts `bytes` into the bottleneck and returns when they finish serialization, or undefined if full. */
  private enterBottleneck(bytes: number, now: number): number | undefined {
    const backlog = this.backlog;
    while (this.backlogHead < backlog.length && backlog[this.backlogHead]!.doneAt <= now) {
      this.backlogBytes -= backlog[this.backlogHead]!.bytes;
      this.backlogHead++;
    }
    if (this.backlogHead === backlog.length) {
      backlog.length = 0;
      this.backlogHead = 0;
    } else if (this.backlogHead > 1024 && this.backlogHead * 2 > backlog.length) {
      backlog.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
    if (this.queueLimit > 0 && this.backlogBytes + bytes > this.queueLimit) return undefined;
    const doneAt = Math.max(now, this.busyUntil) + (bytes * 1000) / this.rate;
    this.busyUntil = doneAt;
    this.backlogBytes += bytes;
    backlog.push({ doneAt, bytes });
    return doneAt;
  }

  private arm(): void {
    const head = this.inflight[this.inflightHead]!;
    this.timerAt = head.at;
    this.timer = this.clock.setTimer(head.at - this.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    // Everything due by the deadline this timer was set for is due now (guards against float rounding).
    const due = Math.max(this.clock.now(), this.timerAt);
    const inflight = this.inflight;
    while (!this.closed && this.inflightHead < inflight.length) {
      const item = inflight[this.inflightHead]!;
      if (item.at > due) break;
      inflight[this.inflightHead++] = undefined;
      this.arrive(item.data, item.reorder, true, item.segmentSize, item.segments);
    }
    if (this.inflightHead === inflight.length) {
      inflight.length = 0;
      this.inflightHead = 0;
    } else if (this.inflightHead > 1024 && this.inflightHead * 2 > inflight.length) {
      inflight.splice(0, this.inflightHead);
      this.inflightHead = 0;
    }
    if (!this.closed && this.inflightHead < inflight.length && this.timer === undefined) this.arm();
  };

  /**
   * The reorder stage, at the far end of the pipe. `owned` means `data` is already a private copy; a
   * super-segment (segmentSize > 0) is never picked for reordering, and only its first segment overtakes a
   * held datagram, as one by one.
   */
  private arrive(
    data: Uint8Array,
    reorder: boolean,
    owned: boolean,
    segmentSize: number,
    segments: number,
  ): void {
    const held = this.held;
    if (held !== undefined) {
      // The held datagram is overtaken by this one. Clear the slot first: out may re-enter push().
      this.held = undefined;
      this.heldTimer?.cancel();
      this.heldTimer = undefined;
      this.counters.inc('reordered');
      if (segments > 1) {
        this.out.segmented(superSegmentRange(data, segmentSize, 0, 1), segmentSize);
        if (!this.closed) this.out.datagram(held);
        if (!this.closed)
          this.out.segmented(superSegmentRange(data, segmentSize, 1, segments - 1), segmentSize);
        return;
      }
      this.emit(data, segmentSize);
      if (!this.closed) this.out.datagram(held);
      return;
    }
    if (reorder) {
      this.held = owned ? data : data.slice();
      this.heldTimer = this.clock.setTimer(this.holdMs, this.onHoldExpired);
      return;
    }
    this.emit(data, segmentSize);
  }

  private emit(data: Uint8Array, segmentSize: number): void {
    if (segmentSize === 0) this.out.datagram(data);
    else this.out.segmented(data, segmentSize);
  }

  private readonly onHoldExpired = (): void => {
    const held = this.held;
    this.heldTimer = undefined;
    if (held === undefined || this.closed) return;
    this.held = undefined;
    this.counters.inc('reorderTimeout');
    this.out.datagram(held);
  };

  /** Cancels the timers and drops (and counts) whatever is still in flight or held. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.heldTimer?.cancel();
    this.heldTimer = undefined;
    let pending = this.held === undefined ? 0 : 1;
    for (let i = this.inflightHead; i < this.inflight.length; i++) pending += this.inflight[i]!.segments;
    if (pending > 0) this.counters.inc('dropClosed', pending);
    this.inflight.length = 0;
    this.inflightHead = 0;
    this.held = undefined;
  }
}

/**
 * A fault injector with the same interface as the link it wraps: seeded loss, duplication, reordering,
 * single-bit corruption, delay with jitter, and a bottleneck rate with a tail-drop queue, all timed by the
 * injected Clock (so a VirtualClock makes it exact and instant). Deterministic for a given seed and traffic.
 *
 * `direction` picks what is impaired: 'tx' (datagrams sent through this link), 'rx' (datagrams received from
 * the inner link) or 'both', each direction with its own queue, timers and random sequence (the rx sequence
 * is seeded with `seed + 0x6a09e667`). With no delay, jitter or rate, delivery is synchronous (except for a
 * datagram held for reordering).
 *
 * Over a link with segmentation offload it offers segmentation too: a super-segment is impaired segment by
 * segment with the draws one by one would make (ImpairedPath), and counted as its segments throughout.
 *
 * stats(): this link's own counters, unprefixed — txPackets/txBytes as sent by the layer above,
 * rxPackets/rxBytes as handed to it, and the impairments (dropLoss, dropQueue, dropClosed, duplicated,
 * corrupted, reordered, reorderTimeout, delayed) summed over both directions — followed by the inner link's
 * counters under an `inner.` prefix (so `inner.txPackets` is what really went out).
 */
export class ImpairedLink implements RawLink {
  readonly mtu: number;
  /** The inner link's: a decorator moves whatever its link moves (datagrams or frames). */
  readonly medium: LinkMedium | undefined;
  readonly mac: MacAddress | undefined;
  /**
   * Offered when the inner link offers it: super-segments are impaired segment by segment (ImpairedPath), and
   * what survives untouched in a row goes to the inner link as one super-segment.
   */
  readonly segmentation: SegmentationOffload | undefined;
  private handler: (datagram: Uint8Array) => void = ignoreDatagram;
  private readonly counters = new Counters(COUNTERS);
  private readonly txPath: ImpairedPath | undefined;
  private readonly rxPath: ImpairedPath | undefined;
  private closed = false;

  constructor(
    private readonly inner: RawLink,
    impairment: Impairment,
    clock: Clock,
    readonly direction: ImpairedDirection = 'both',
  ) {
    validateImpairment(impairment);
    this.mtu = inner.mtu;
    this.medium = inner.medium;
    this.mac = inner.mac;
    const seed = impairment.seed >>> 0;
    // Super-segments are impaired and captured as the IPv4 datagrams they are; as frames (a TAP device's,
    // under an EthernetLayer) they are not offered: each segment comes as its own frame.
    const innerSegmentation = inner.medium === 'ethernet' ? undefined : inner.segmentation;
    this.segmentation =
      innerSegmentation === undefined
        ? undefined
        : {
            maxDatagramBytes: innerSegmentation.maxDatagramBytes,
            sendSegmented: (datagram, segmentSize) => this.sendSegmented(datagram, segmentSize),
          };
    if (direction !== 'rx') {
      this.txPath = new ImpairedPath(impairment, seed, clock, this.counters, {
        datagram: (d) => this.inner.send(d),
        segmented: (d, segmentSize) => this.inner.segmentation?.sendSegmented(d, segmentSize),
      });
    }
    if (direction !== 'tx') {
      this.rxPath = new ImpairedPath(impairment, (seed + RX_SEED_OFFSET) >>> 0, clock, this.counters, {
        datagram: (d) => this.deliverUp(d),
        // Nothing received is a super-segment.
        segmented: (d) => this.deliverUp(d),
      });
    }
    const rx = this.rxPath;
    inner.onReceive(rx === undefined ? (d) => this.deliverUp(d) : (d) => rx.push(d));
  }

  send(datagram: Uint8Array): void {
    if (this.closed) {
      this.counters.inc('dropClosed');
      return;
    }
    this.counters.inc('txPackets');
    this.counters.inc('txBytes', datagram.length);
    if (this.txPath === undefined) this.inner.send(datagram);
    else this.txPath.push(datagram);
  }

  /** A super-segment: counted as its segments (as they would be on the wire), impaired segment by segment. */
  private sendSegmented(datagram: Uint8Array, segmentSize: number): void {
    const segments = superSegmentCount(datagram, segmentSize);
    if (this.closed) {
      this.counters.inc('dropClosed', Math.max(1, segments));
      return;
    }
    this.counters.inc('txPackets', Math.max(1, segments));
    const extraHeaders = segments > 1 ? (segments - 1) * superSegmentHeadersLength(datagram) : 0;
    this.counters.inc('txBytes', datagram.length + extraHeaders);
    if (this.txPath === undefined) this.inner.segmentation?.sendSegmented(datagram, segmentSize);
    else this.txPath.pushSegmented(datagram, segmentSize);
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  /** The inner link's batches, unless received datagrams are impaired (delayed ones arrive outside any batch). */
  onBatchEnd(handler: () => void): boolean {
    return this.rxPath === undefined && (this.inner.onBatchEnd?.(handler) ?? false);
  }

  /** The inner link's backlog, unless received datagrams are impaired (a delayed one waits outside it). */
  receiveBacklog(): ReceiveBacklog | undefined {
    return this.rxPath === undefined ? this.inner.receiveBacklog?.() : undefined;
  }

  onFailure(handler: (error: PilhaError) => void): void {
    this.inner.onFailure?.(handler);
  }

  private deliverUp(datagram: Uint8Array): void {
    if (this.closed) return;
    this.counters.inc('rxPackets');
    this.counters.inc('rxBytes', datagram.length);
    this.handler(datagram);
  }

  stats(): Record<string, number> {
    return decoratorStats(this.counters.values, this.inner);
  }

  /** Drops what is still in flight (counted as dropClosed), then closes the inner link. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.txPath?.close();
    this.rxPath?.close();
    await this.inner.close();
  }
}
