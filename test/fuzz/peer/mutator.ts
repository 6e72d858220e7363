/**
 * Mutations of a datagram the fuzzing peer was about to send: bit flips, truncation, random lengths,
 * header fields, IP options, "option soup" in the TCP header, flags, sequence and acknowledgment numbers.
 * A chain of one to three; afterwards the checksums are usually recomputed, so that a mutation gets past
 * the checksum checks and reaches the parsers and the state machine behind them (and sometimes left
 * wrong, or made wrong, to keep the checksum checks honest).
 */

import type { FuzzRandom } from '../fuzz-random.js';
import {
  fixChecksums,
  fixIpChecksum,
  IP_HEADER,
  ihl,
  PROTO_TCP,
  read16,
  read32,
  TCP_HEADER,
  write16,
  write32,
} from '../fuzz-wire.js';

export const MUTATIONS = [
  'bitflip',
  'truncate',
  'extend',
  'lengths',
  'option-soup',
  'flags',
  'seq',
  'ack',
  'window',
  'ip-fields',
  'ip-options',
  'source',
  'bytes',
] as const;
export type MutationName = (typeof MUTATIONS)[number];

const WEIGHTS = [10, 8, 4, 6, 12, 10, 8, 6, 4, 6, 4, 3, 5];
const TOTAL = WEIGHTS.reduce((a, b) => a + b, 0);

export class Mutator {
  /** How often each mutation was applied. */
  readonly counts: Record<MutationName, number>;

  constructor(
    private readonly rng: FuzzRandom,
    /** The stack's own address, a source RFC 1122 §3.2.1.3 forbids (with 0.0.0.0 and broadcasts). */
    private readonly stackAddress: number,
  ) {
    const counts = {} as Record<MutationName, number>;
    for (const m of MUTATIONS) counts[m] = 0;
    this.counts = counts;
  }

  mutate(datagram: Uint8Array): Uint8Array {
    const rng = this.rng;
    let d: Uint8Array = datagram.slice();
    const n = rng.chance(0.7) ? 1 : rng.range(2, 3);
    for (let i = 0; i < n; i++) {
      const m = MUTATIONS[rng.weighted(WEIGHTS, TOTAL)]!;
      this.counts[m]++;
      d = this.apply(m, d);
    }
    const r = rng.next();
    if (r < 0.75) fixChecksums(d);
    else if (r < 0.85) fixIpChecksum(d);
    else if (r < 0.9 && d.length > 0) d[rng.int(d.length)] ^= 1 << rng.int(8);
    return d;
  }

  private apply(m: MutationName, d: Uint8Array): Uint8Array {
    const rng = this.rng;
    switch (m) {
      case 'bitflip': {
        const flips = rng.range(1, 8);
        for (let i = 0; i < flips && d.length > 0; i++) d[rng.int(d.length)] ^= 1 << rng.int(8);
        return d;
      }
      case 'truncate': {
        if (d.length === 0) return d;
        const t = d.subarray(0, rng.int(d.length)).slice();
        // Usually keep the header consistent, so the cut reaches the layer above.
        if (t.length >= IP_HEADER && rng.chance(0.7)) write16(t, 2, t.length);
        return t;
      }
      case 'extend': {
        const extra = rng.bytes(rng.length(rng.chance(0.9) ? 64 : 2000));
        const e = new Uint8Array(Math.min(65_535, d.length + extra.length));
        e.set(d);
        e.set(extra.subarray(0, e.length - d.length), d.length);
        if (e.length >= IP_HEADER && rng.chance(0.5)) write16(e, 2, e.length);
        return e;
      }
      case 'lengths': {
        if (d.length < IP_HEADER) return d;
        switch (rng.int(4)) {
          case 0:
            d[0] = (d[0]! & 0xf0) | rng.int(16);
            break;
          case 1:
            write16(d, 2, rng.chance(0.5) ? rng.int(0x10000) : d.length + rng.range(-24, 24));
            break;
          case 2: {
            const h = ihl(d);
            if (h + 13 <= d.length) d[h + 12] = (rng.int(16) << 4) | (d[h + 12]! & 0x0f);
            break;
          }
          default:
            d[0] = (rng.int(16) << 4) | (d[0]! & 0x0f); // version
        }
        return d;
      }
      case 'option-soup':
        return this.optionSoup(d);
      case 'flags': {
        const at = tcpAt(d, 13);
        if (at >= 0) d[at] = rng.chance(0.5) ? rng.int(256) : d[at]! ^ (1 << rng.int(8));
        return d;
      }
      case 'seq':
      case 'ack': {
        const at = tcpAt(d, m === 'seq' ? 4 : 8);
        if (at >= 0 && at + 4 <= d.length) {
          const spread = rng.pick([1, 8, 1460, 65_535, 1 << 20, 0x7fffffff]);
          write32(d, at, rng.near32(read32(d, at), spread));
        }
        return d;
      }
      case 'window': {
        const at = tcpAt(d, 14);
        if (at >= 0 && at + 2 <= d.length) write16(d, at, rng.pick([0, 1, 0xffff, rng.int(0x10000)]));
        return d;
      }
      case 'ip-fields': {
        if (d.length < IP_HEADER) return d;
        switch (rng.int(5)) {
          case 0:
            d[8] = rng.pick([0, 1, 255, rng.int(256)]); // TTL
            break;
          case 1:
            d[1] = rng.int(256); // TOS/ECN
            break;
          case 2:
            d[6] = (d[6]! & 0x1f) | (rng.int(8) << 5); // reserved, DF, MF
            break;
          case 3:
            write16(d, 6, rng.int(0x10000)); // flags and fragment offset
            break;
          default:
            write16(d, 4, rng.int(0x10000)); // identification
        }
        return d;
      }
      case 'ip-options':
        return this.ipOptions(d);
      case 'source': {
        if (d.length < IP_HEADER) return d;
        const martians = [0, 0xffffffff, this.stackAddress, 0x7f000001, 0xe0000001, this.stackAddress | 0xff];
        if (rng.chance(0.5)) write32(d, 12, rng.pick(martians));
        else write32(d, rng.chance(0.5) ? 12 : 16, rng.nextUint32());
        return d;
      }
      case 'bytes': {
        // A run of bytes set to one value (0x00, 0xff) or random.
        if (d.length === 0) return d;
        const from = rng.int(d.length);
        const to = Math.min(d.length, from + rng.range(1, 16));
        const v = rng.pick([0, 0xff, -1]);
        for (let i = from; i < to; i++) d[i] = v < 0 ? rng.int(256) : v;
        return d;
      }
      default:
        m satisfies never;
        return d;
    }
  }

  /** Replaces the TCP options with a random list: known kinds with right or wrong lengths, unknown kinds, padding. */
  private optionSoup(d: Uint8Array): Uint8Array {
    const rng = this.rng;
    if (d.length < IP_HEADER || d[9] !== PROTO_TCP) return d;
    const h = ihl(d);
    if (h < IP_HEADER || h + TCP_HEADER > d.length) return d;
    const oldTh = (d[h + 12]! >>> 4) * 4;
    const payload = d.subarray(Math.min(d.length, h + Math.max(TCP_HEADER, oldTh)));
    const options: number[] = [];
    const items = rng.range(1, 8);
    for (let i = 0; i < items && options.length < 40; i++) options.push(...this.randomOption());
    let raw = options.slice(0, 40);
    if (rng.chance(0.8)) while (raw.length % 4 !== 0) raw.push(rng.chance(0.5) ? 0 : 1);
    raw = raw.slice(0, 40);
    const th = TCP_HEADER + ((raw.length + 3) & ~3);
    const out = new Uint8Array(h + th + payload.length);
    out.set(d.subarray(0, h + TCP_HEADER));
    out.set(raw, h + TCP_HEADER);
    out.set(payload, h + th);
    out[h + 12] = ((rng.chance(0.9) ? th : rng.range(0, 15) * 4) / 4) << 4;
    write16(out, 2, out.length);
    return out;
  }

  private randomOption(): number[] {
    const rng = this.rng;
    const wrongLength = rng.chance(0.2);
    const len = (right: number): number =>
      wrongLength ? rng.pick([0, 1, right - 1, right + 1, 255]) : right;
    switch (rng.int(9)) {
      case 0:
        return [1];
      case 1:
        return [0];
      case 2: {
        const mss = rng.pick([0, 1, 48, 536, 1460, 65_535, rng.int(0x10000)]);
        return [2, len(4), mss >>> 8, mss & 0xff];
      }
      case 3:
        return [3, len(3), rng.pick([0, 7, 14, 15, 255])];
      case 4:
        return [4, len(2)];
      case 5: {
        const blocks = rng.range(1, 4);
        const out = [5, len(2 + 8 * blocks)];
        for (let i = 0; i < blocks * 8; i++) out.push(rng.int(256));
        return out;
      }
      case 6: {
        const out = [8, len(10)];
        for (let i = 0; i < 8; i++) out.push(rng.int(256));
        return out;
      }
      case 7: {
        // An unknown kind skipped by its length (or a length that lies).
        const l = rng.range(0, 12);
        const out = [rng.range(6, 255), l];
        for (let i = 2; i < l; i++) out.push(rng.int(256));
        return out;
      }
      default:
        return [rng.int(256)];
    }
  }

  /** Inserts IP options (random, or well-formed NOP/EOL/record-route shapes) and fixes IHL and total length. */
  private ipOptions(d: Uint8Array): Uint8Array {
    const rng = this.rng;
    if (d.length < IP_HEADER) return d;
    const h = Math.min(ihl(d), d.length);
    const length = rng.range(1, 10) * 4;
    const options = rng.chance(0.5) ? rng.bytes(length) : new Uint8Array(length).fill(1);
    if (rng.chance(0.3)) {
      options[0] = 7; // record route
      options[1] = Math.min(length, 39);
      options[2] = 4;
    }
    const out = new Uint8Array(Math.min(65_535, d.length + length));
    out.set(d.subarray(0, IP_HEADER));
    out.set(options, IP_HEADER);
    out.set(d.subarray(h).subarray(0, out.length - IP_HEADER - length), IP_HEADER + length);
    out[0] = 0x40 | ((IP_HEADER + length) >>> 2);
    write16(out, 2, out.length);
    return out;
  }
}

/** Offset of byte `field` of the TCP header in `d`, or -1 when there is no TCP header there. */
function tcpAt(d: Uint8Array, field: number): number {
  if (d.length < IP_HEADER || d[9] !== PROTO_TCP) return -1;
  const at = ihl(d) + field;
  return at < d.length && read16(d, 2) > 0 ? at : -1;
}
