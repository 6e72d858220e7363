/**
 * TcpReadCoalescer, driven as MainThreadFdReader drives it: each read placed where readAt() says (as the kernel
 * would write it), then take(); what it hands up is copied as it goes.
 */
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../../../src/core/checksum.js';
import { parseIpv4 } from '../../../../src/layers/ip/ipv4-header.js';
import { TcpReadCoalescer } from '../../../../src/layers/link/offload/tcp-read-coalescer.js';
import {
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_SIZE,
} from '../../../../src/layers/link/offload/virtio-net-header.js';
import { checksumVouched } from '../../../../src/layers/link/offload/virtio-net-receive.js';
import { RX_CHECKSUM_VOUCHED, RX_COALESCED } from '../../../../src/layers/link/raw-link.js';
import { ACK, FIN, type KernelTcpRead, kernelTcpRead, PSH, streamByte } from './kernel-tcp-read.js';

const PASS = 1 << 20;
/** A read that fails (EAGAIN, or a packet the reader drops): bytes written over the run's tail, then cancelRead(). */
const FAILED = 'failed';

interface Delivered {
  readonly datagram: Uint8Array;
  readonly flags: number;
  /** Where it was in the reader's buffer. */
  readonly at: number;
}

/** One pass over `reads`, as the reader makes it (reads 4-byte aligned after a 2-byte pad); ends with flush(). */
function pass(reads: readonly (Uint8Array | typeof FAILED)[], maxRunBytes = PASS) {
  const scratchAt = PASS + 2 + 65536 + 4;
  const bytes = new Uint8Array(scratchAt + TcpReadCoalescer.scratchBytes(VIRTIO_NET_HDR_SIZE));
  const delivered: Delivered[] = [];
  const coalescer = new TcpReadCoalescer(bytes, VIRTIO_NET_HDR_SIZE, scratchAt, maxRunBytes, (s, n, flags) =>
    delivered.push({ datagram: bytes.slice(s, s + n), flags, at: s }),
  );
  let at = 0;
  for (const read of reads) {
    const readAt = coalescer.readAt(at + 2);
    if (read === FAILED) {
      bytes.fill(0xee, readAt, readAt + 200);
      coalescer.cancelRead();
      continue;
    }
    bytes.set(read, readAt);
    const vouched = checksumVouched(bytes, readAt, read.length) ? RX_CHECKSUM_VOUCHED : 0;
    const start = readAt + VIRTIO_NET_HDR_SIZE;
    const n = read.length - VIRTIO_NET_HDR_SIZE;
    coalescer.take(start, n, vouched);
    at = (coalescer.end(start + n) + 3) & ~3;
  }
  coalescer.flush();
  return { delivered, merged: coalescer.merged };
}

/** Consecutive reads of one stream from `seq`, `lengths` bytes of payload each. */
function stream(seq: number, lengths: readonly number[], o: Partial<KernelTcpRead> = {}): Uint8Array[] {
  const reads: Uint8Array[] = [];
  for (const payloadLength of lengths) {
    reads.push(kernelTcpRead({ ...o, seq, payloadLength }));
    seq += payloadLength;
  }
  return reads;
}

/** The datagram a read carries, as the kernel wrote it. */
const datagramOf = (read: Uint8Array): Uint8Array => read.subarray(VIRTIO_NET_HDR_SIZE);

/** Checks a run handed up: its IP header (total length, checksum), its first read's TCP header, its payload. */
function expectRun(d: Delivered, seq: number, payloadLength: number, flags: number): void {
  const ip = parseIpv4(d.datagram, (d.flags & RX_COALESCED) !== 0);
  if (typeof ip === 'string') throw new Error(ip);
  expect(internetChecksum(d.datagram, 0, 20)).toBe(0);
  expect(ip.payload.length).toBe(32 + payloadLength);
  const tcp = new DataView(ip.payload.buffer, ip.payload.byteOffset, ip.payload.byteLength);
  expect(tcp.getUint32(4)).toBe(seq);
  expect(ip.payload[13]).toBe(flags);
  for (let i = 0; i < payloadLength; i++) {
    if (ip.payload[32 + i] !== streamByte(seq + i)) throw new Error(`payload byte ${i} corrupt`);
  }
}

describe('TcpReadCoalescer', () => {
  it('hands up consecutive reads of one stream as one segment: total length and checksum remade, PSH kept', () => {
    const reads = stream(1000, [5000, 5000, 3000], {});
    reads[2] = kernelTcpRead({ seq: 11_000, payloadLength: 3000, flags: ACK | PSH });
    const { delivered, merged } = pass(reads);
    expect(merged).toBe(2);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.flags).toBe(RX_CHECKSUM_VOUCHED | RX_COALESCED);
    expect((delivered[0]!.datagram[2]! << 8) | delivered[0]!.datagram[3]!).toBe(52 + 13_000);
    expectRun(delivered[0]!, 1000, 13_000, ACK | PSH);
  });

  it('a run past 65,535 bytes goes up with total length 0, which only RX_COALESCED makes whole', () => {
    const { delivered } = pass(stream(7, [60_000, 60_000, 60_000]));
    expect(delivered).toHaveLength(1);
    const d = delivered[0]!;
    expect(d.datagram.length).toBe(52 + 180_000);
    expect(d.datagram[2]).toBe(0);
    expect(d.datagram[3]).toBe(0);
    expectRun(d, 7, 180_000, ACK);
    expect(parseIpv4(d.datagram)).toBe('bad-total-length');
  });

  it('a lone read goes up as it came, byte for byte, its flags untouched', () => {
    const read = kernelTcpRead({ seq: 5, payloadLength: 3000, flags: ACK | PSH });
    const { delivered, merged } = pass([read]);
    expect(merged).toBe(0);
    expect(delivered).toEqual([{ datagram: datagramOf(read), flags: RX_CHECKSUM_VOUCHED, at: 12 }]);
  });

  it.each([
    ['a gap in the sequence', { seq: 20_001 }],
    ['another flow', { srcPort: 7001 }],
    ['another ACK', { ack: 2 }],
    ['another window', { window: 501 }],
    ['another timestamp', { tsVal: 101 }],
    ['an ECN mark', { tos: 3 }],
    ['another TTL', { ttl: 63 }],
    ['IP options', { ipOptions: true }],
    ['a FIN', { flags: ACK | FIN }],
    ['no ACK', { flags: PSH }],
    ['a checksum nobody vouched for', { vnetFlags: 0 }],
  ] as const)('a read that does not continue the run (%s) goes up after it, both byte-exact', (_, change) => {
    const run = stream(10_000, [4000, 6000]);
    const other = kernelTcpRead({ seq: 20_000, payloadLength: 2000, ...change });
    const { delivered } = pass([...run, other]);
    expect(delivered).toHaveLength(2);
    expectRun(delivered[0]!, 10_000, 10_000, ACK);
    expect(delivered[1]!.datagram).toEqual(datagramOf(other));
  });

  it('one whose checksum is still to be verified, read where a run ended, moves to a 4-byte boundary', () => {
    // Runs of 4001 and 4002 bytes end off a boundary; the read after each starts where its run ended.
    for (const length of [4001, 4002, 4003]) {
      const other = kernelTcpRead({ seq: 1, payloadLength: 1000, vnetFlags: 0 });
      const { delivered } = pass([...stream(1, [length]), other]);
      expect(delivered).toHaveLength(2);
      expect(delivered[1]!.flags).toBe(0);
      expect(delivered[1]!.at % 4).toBe(0);
      expect(delivered[1]!.datagram).toEqual(datagramOf(other));
    }
  });

  it('a read made over a run of little payload lands on the run headers: it is compared with a copy of them', () => {
    // 61 bytes of payload: the next read's 62 bytes of headers begin inside the run's TCP header.
    const a = kernelTcpRead({ seq: 1, payloadLength: 61 });
    const b = kernelTcpRead({ seq: 62, payloadLength: 1000 });
    // b's timestamp echo differs from a's (7) only where the overwritten header would have shown b's own
    // virtio_net_hdr flags (DATA_VALID): compared with the overwritten bytes, the two looked alike.
    b[VIRTIO_NET_HDR_SIZE + 51] = b[0]!;
    const { delivered, merged } = pass([a, b]);
    expect(merged).toBe(0);
    expect(delivered.map((d) => d.datagram)).toEqual([datagramOf(a), datagramOf(b)]);
  });

  it('a pure ACK between two runs: run, ACK, run, in order', () => {
    const ack = kernelTcpRead({ seq: 9000, payloadLength: 0 });
    const { delivered, merged } = pass([...stream(1000, [4000, 4000]), ack, ...stream(9000, [3000, 3000])]);
    expect(merged).toBe(2);
    expect(delivered).toHaveLength(3);
    expectRun(delivered[0]!, 1000, 8000, ACK);
    expect(delivered[1]!.datagram).toEqual(datagramOf(ack));
    expectRun(delivered[2]!, 9000, 6000, ACK);
  });

  it('a read made over the run that gives nothing leaves the run whole, and the next read continues it', () => {
    const [a, b] = stream(1, [4000, 4000]);
    const { delivered, merged } = pass([a!, FAILED, FAILED, b!]);
    expect(merged).toBe(1);
    expect(delivered).toHaveLength(1);
    expectRun(delivered[0]!, 1, 8000, ACK);
  });

  it('a run stops at its longest: the read past it opens the next run', () => {
    const { delivered } = pass(stream(1, [4000, 4000, 4000, 4000]), 52 + 8000);
    expect(delivered).toHaveLength(2);
    expectRun(delivered[0]!, 1, 8000, ACK);
    expectRun(delivered[1]!, 8001, 8000, ACK);
  });

  it('takes the kernel word for NEEDS_CSUM reads too (vouched by their header)', () => {
    const reads = stream(3, [2000, 2000], { vnetFlags: VIRTIO_NET_HDR_F_NEEDS_CSUM });
    const { delivered, merged } = pass(reads);
    expect(merged).toBe(1);
    expectRun(delivered[0]!, 3, 4000, ACK);
  });
});
