/**
 * Cuts a datagram into IPv4 fragments for the reassembler, then plays with them: any order, duplicates,
 * overlaps carrying the same bytes or different ones, a missing piece (left to time out), a second "last"
 * fragment, one past 65,535 bytes, a long header (IP options) on the first fragment only, and tiny 8-byte
 * pieces. Reports whether an overlap carried different bytes, since then which copy wins is the
 * reassembler's choice and the stream check of the flow has to stand down.
 */

import type { FuzzRandom } from '../fuzz-random.js';
import { fixIpChecksum, IP_HEADER, ihl, read16, write16 } from '../fuzz-wire.js';

export interface ShuffledFragments {
  readonly fragments: Uint8Array[];
  /**
   * The datagram the fragments make when all arrive (the cut mends a bad total length or IHL, so it may
   * reach the stack where the datagram itself would not): what the stream checks must judge.
   */
  readonly whole: Uint8Array;
  /** Some overlap carried bytes that differ from the original. */
  readonly conflicting: boolean;
}

const MF = 0x2000;

export class FragmentShuffler {
  constructor(private readonly rng: FuzzRandom) {}

  shuffle(d: Uint8Array): ShuffledFragments | undefined {
    const rng = this.rng;
    if (d.length < IP_HEADER) return undefined;
    const h = ihl(d);
    const total = Math.min(read16(d, 2), d.length);
    if (h < IP_HEADER || total <= h) return undefined;
    const header = d.slice(0, h);
    const payload = d.subarray(h, total);
    let size = rng.pick([8, 8, 16, 24, 64, 512, 1480, rng.range(1, 200) * 8]);
    // Mostly no more than 64 pieces: a datagram in 8-byte fragments is a case, not the common one.
    if (payload.length / size > 64 && rng.chance(0.8))
      size = Math.ceil(payload.length / rng.range(2, 64) / 8) * 8;
    const pieces: Array<{ offset: number; data: Uint8Array; more: boolean }> = [];
    for (let offset = 0; offset < payload.length; offset += size) {
      const end = Math.min(payload.length, offset + size);
      pieces.push({ offset, data: payload.subarray(offset, end), more: end < payload.length });
    }
    let conflicting = false;
    // Extras: duplicates, overlaps (same or other bytes), a contradicting last fragment, one too far.
    const extras = rng.chance(0.5) ? 0 : rng.range(1, 4);
    for (let i = 0; i < extras; i++) {
      const kind = rng.int(5);
      if (kind === 0 && pieces.length > 0) {
        pieces.push({ ...rng.pick(pieces) });
      } else if (kind <= 2) {
        const from = rng.int(Math.ceil(payload.length / 8)) * 8;
        const to = Math.min(payload.length, from + rng.range(1, 64) * 8);
        if (to <= from) continue;
        let data = payload.subarray(from, to);
        if (kind === 2) {
          data = data.slice();
          data[rng.int(data.length)] ^= 0xff;
          conflicting = true;
        }
        pieces.push({ offset: from, data, more: to < payload.length || rng.chance(0.3) });
      } else if (kind === 3) {
        const offset = rng.int(Math.ceil(payload.length / 8) + 4) * 8;
        pieces.push({ offset, data: rng.bytes(rng.range(1, 40)), more: false });
        conflicting = true;
      } else {
        pieces.push({ offset: 8191 * 8, data: rng.bytes(rng.range(8, 600)), more: rng.chance(0.5) });
      }
    }
    if (pieces.length > 1 && rng.chance(0.15)) pieces.splice(rng.int(pieces.length), 1);
    // Order: as cut, reversed, or shuffled.
    const order = rng.int(3);
    if (order === 1) pieces.reverse();
    else if (order === 2) {
      for (let i = pieces.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
      }
    }
    const longFirst = rng.chance(0.2);
    const fragments = pieces.map((p) => {
      const optionBytes = longFirst && p.offset === 0 ? 40 : 0;
      const fh = IP_HEADER + optionBytes;
      const f = new Uint8Array(fh + p.data.length);
      f.set(header.subarray(0, IP_HEADER));
      if (optionBytes > 0) f.fill(1, IP_HEADER, fh); // NOPs
      f[0] = 0x40 | (fh >>> 2);
      f.set(p.data, fh);
      write16(f, 2, f.length);
      // The datagram's DF stays on its fragments (as Linux refragments a defragmented DF datagram).
      write16(f, 6, ((header[6]! << 8) & 0x4000) | (p.more ? MF : 0) | ((p.offset >>> 3) & 0x1fff));
      fixIpChecksum(f);
      return f;
    });
    const whole = new Uint8Array(IP_HEADER + payload.length);
    whole.set(header.subarray(0, IP_HEADER));
    whole[0] = 0x45;
    whole.set(payload, IP_HEADER);
    write16(whole, 2, whole.length);
    write16(whole, 6, 0);
    fixIpChecksum(whole);
    return { fragments, whole, conflicting };
  }
}
