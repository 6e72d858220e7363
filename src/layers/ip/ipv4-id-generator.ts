import type { Clock } from '../../core/clock.js';
import { halfSipHash24 } from '../../core/hash/half-sip-hash.js';
import { type RandomWords, randomWords } from '../../core/random-words.js';

/** Counters: 2,048, as Linux's ip_idents had before it grew with memory (it has at least as many). */
export const IPV4_ID_BUCKETS = 2048;

/**
 * Identification numbers as Linux's ip_idents (RFC 7739 §5.3 and RFC 6864): IPV4_ID_BUCKETS counters, each
 * starting at a random value, and each datagram takes the next number of the counter that a keyed hash of
 * its destination and protocol picks. A counter unused for a while moves on by a random amount below the
 * milliseconds it was idle when next used (Linux adds one below the jiffies since), so that even a host
 * whose own hash shares a counter with another destination cannot count what pilha sent there in between.
 * With one global counter (pilha's until now), the next ID to any host was the last one it saw plus
 * everything sent since, which an idle scan counts, and which tells a forger of fragments the ID of a
 * datagram pilha is about to send elsewhere.
 *
 * The key, counters and random steps come from node:crypto; `initialId` makes them fixed for tests that
 * replay a run (every counter starts there, the key and the steps follow from it).
 */
export class Ipv4IdGenerator {
  private readonly counters = new Uint16Array(IPV4_ID_BUCKETS);
  /** Each counter's last use, whole milliseconds of the clock. */
  private readonly lastUsed = new Float64Array(IPV4_ID_BUCKETS);
  private readonly k0: number;
  private readonly k1: number;
  /** xorshift32 state for the idle steps (not the key: guessing a step reveals little, and never the key). */
  private step: number;
  /** The hash's input and output, written in place: a datagram allocates nothing here. */
  private readonly words = new Uint32Array(2);
  private readonly digest = new Uint32Array(1);

  constructor(
    private readonly clock: Clock,
    initialId?: number,
    random: RandomWords = randomWords,
  ) {
    const start = Math.floor(clock.now());
    this.lastUsed.fill(start);
    if (initialId !== undefined) {
      this.k0 = initialId;
      this.k1 = 0;
      this.step = initialId | 0 || 1;
      this.counters.fill(initialId & 0xffff);
      return;
    }
    const seed = new Uint32Array(3 + IPV4_ID_BUCKETS / 2);
    random(seed);
    this.k0 = seed[0]!;
    this.k1 = seed[1]!;
    this.step = seed[2]! | 0 || 1;
    this.counters.set(new Uint16Array(seed.buffer, 12, IPV4_ID_BUCKETS));
  }

  /** The first of `count` consecutive identification numbers for datagrams to `dst` of `protocol`. */
  take(dst: number, protocol: number, count: number): number {
    const words = this.words;
    words[0] = dst;
    words[1] = protocol;
    halfSipHash24(this.k0, this.k1, words, 2, this.digest, 0, false);
    const bucket = this.digest[0]! & (IPV4_ID_BUCKETS - 1);
    let id = this.counters[bucket]!;
    const now = Math.floor(this.clock.now());
    const idle = now - this.lastUsed[bucket]!;
    if (idle > 0) {
      this.lastUsed[bucket] = now;
      let x = this.step;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.step = x;
      id = (id + ((x >>> 0) % idle)) & 0xffff;
    }
    this.counters[bucket] = id + count; // a Uint16Array wraps at 65,536
    return id;
  }
}
