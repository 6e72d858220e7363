import { halfSipHash24 } from '../../core/half-sip-hash.js';
import { type RandomWords, randomWords } from '../../core/random-words.js';

/** Counters, as Linux's ip_idents has (IP_IDENTS_SZ is 2,048 there too). A power of two. */
export const IPV4_ID_BUCKETS = 2048;

/**
 * Identification numbers as Linux's ip_idents (RFC 7739 §5.3 and RFC 6864): IPV4_ID_BUCKETS counters, each
 * starting at a random value, and each datagram takes the next number of the counter that a keyed hash of
 * its destination and protocol picks. A host that reads the IDs of what pilha sends it learns nothing of
 * pilha's traffic to anyone else: with one global counter (pilha's until now), the next ID to any host was
 * the last one it saw plus everything sent since, which an idle scan counts, and which tells a forger of
 * fragments the ID of a datagram pilha is about to send elsewhere.
 *
 * The key and counters are random per stack (node:crypto); `initialId` makes them fixed for tests that
 * replay a run (every counter starts there, the key follows from it).
 */
export class Ipv4IdGenerator {
  private readonly counters = new Uint16Array(IPV4_ID_BUCKETS);
  private readonly k0: number;
  private readonly k1: number;
  /** The hash's input and output, written in place: a datagram allocates nothing here. */
  private readonly words = new Uint32Array(2);
  private readonly digest = new Uint32Array(1);

  constructor(initialId?: number, random: RandomWords = randomWords) {
    if (initialId !== undefined) {
      this.k0 = initialId;
      this.k1 = 0;
      this.counters.fill(initialId & 0xffff);
      return;
    }
    const seed = new Uint32Array(2 + IPV4_ID_BUCKETS / 2);
    random(seed);
    this.k0 = seed[0]!;
    this.k1 = seed[1]!;
    this.counters.set(new Uint16Array(seed.buffer, 8, IPV4_ID_BUCKETS));
  }

  /** The first of `count` consecutive identification numbers for datagrams to `dst` of `protocol`. */
  take(dst: number, protocol: number, count: number): number {
    const words = this.words;
    words[0] = dst;
    words[1] = protocol;
    halfSipHash24(this.k0, this.k1, words, 2, this.digest, 0, false);
    const bucket = this.digest[0]! & (IPV4_ID_BUCKETS - 1);
    const id = this.counters[bucket]!;
    this.counters[bucket] = id + count; // a Uint16Array wraps at 65,536
    return id;
  }
}
