import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import { NO_IMPAIRMENT } from '../../../src/layers/link/decorators/impairment.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { tcpChecksumValid } from '../../../src/layers/link/offload/tcp-super-segment.js';
import type { RawLink } from '../../../src/layers/link/raw-link.js';
import {
  MAX_BATCH_SEGMENTS,
  type TcpBatchOwner,
  TcpSegmentBatcher,
} from '../../../src/transport/tcp/batching/tcp-segment-batcher.js';
import type { Seq } from '../../../src/transport/tcp/wire/seq.js';
import { writeTcpHeader } from '../../../src/transport/tcp/wire/tcp-segment-writer.js';
import { SegmentingLink } from '../../helpers/segmenting-link.js';

const A = parseIpv4('10.9.0.1');
const B = parseIpv4('10.9.0.2');
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const MSS = 1448;

function setup(maxDatagramBytes = 65535, mtu = 1500) {
  const [link, peer] = MemoryLink.pair(mtu);
  const segmenting = new SegmentingLink(link, maxDatagramBytes);
  const ip = new Ipv4Layer(segmenting, new VirtualClock(), silentLoggers().for('ip'), {
    address: A,
    initialId: 500,
  });
  const seen: Uint8Array[] = [];
  peer.onReceive((d) => seen.push(d.slice()));
  const batcher = new TcpSegmentBatcher(ip);
  /** An owner whose byte at sequence number x is x & 0xff (so a segment's first byte is its seq's). */
  const makeOwner = (): TcpBatchOwner & { fills: number } => ({
    fills: 0,
    fillBatchedPayload(d, at, seq, length) {
      this.fills++;
      for (let i = 0; i < length; i++) d[at + i] = (seq + i) & 0xff;
      return true;
    },
  });
  const owner = makeOwner();
  /** Emits one data segment of `length` bytes at `seq` as TcpSegmentEmitter does. */
  const emit = (seq: number, length: number, flags = ACK, who: TcpBatchOwner = owner, window = 500) => {
    const at = batcher.append(who, seq as Seq, flags, 77, window, 0, 0, 20, length);
    if (at >= 0) return;
    const d = batcher.start(who, A, B, seq as Seq, flags, 77, window, 0, 0, 20, length);
    writeTcpHeader(d, 20, 80, 4000, seq, 77, flags, window, 0);
  };
  return { ip, seen, batcher, segmenting, emit, owner, makeOwner };
}

const seqOf = (s: Uint8Array) => ((s[24]! << 24) | (s[25]! << 16) | (s[26]! << 8) | s[27]!) >>> 0;

describe('TcpSegmentBatcher', () => {
  it('sends a run of MSS segments as one super-segment, cut into the same segments, checksums right', () => {
    const { seen, batcher, segmenting, emit, ip } = setup();
    for (let i = 0; i < 5; i++) emit(1000 + i * MSS, MSS, i === 4 ? ACK | PSH : ACK);
    expect(seen).toHaveLength(0);
    batcher.flush();
    expect(segmenting.superSegments).toBe(1);
    expect(seen.map(seqOf)).toEqual([0, 1, 2, 3, 4].map((i) => 1000 + i * MSS));
    expect(seen.every((s) => s.length === 40 + MSS && tcpChecksumValid(s))).toBe(true);
    expect(seen.map((s) => s[33])).toEqual([ACK, ACK, ACK, ACK, ACK | PSH]);
    // Each segment's payload is the one emitted at its sequence number.
    expect(seen.map((s) => s[40])).toEqual([0, 1, 2, 3, 4].map((i) => (1000 + i * MSS) & 0xff));
    expect(ip.stats()).toMatchObject({ txSegmented: 1, txPackets: 5 });
    expect((seen[0]![4]! << 8) | seen[0]![5]!).toBe(500);
    expect(batcher.superSegments).toBe(1);
    expect(batcher.batchedSegments).toBe(5);
  });

  it('a lone large segment (MTU 9000) leaves its checksum to the link, which finishes it', () => {
    const { seen, batcher, segmenting, emit, ip } = setup(65535, 9000);
    emit(1, 8960, ACK | PSH);
    batcher.flush();
    expect(segmenting.superSegments).toBe(1);
    expect(batcher.superSegments).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.length).toBe(9000);
    expect(tcpChecksumValid(seen[0]!)).toBe(true);
    expect(ip.stats()).toMatchObject({ txSegmented: 1, txPackets: 1 });
  });

  it('a batch of one goes out as an ordinary segment with a full checksum', () => {
    const { seen, batcher, segmenting, emit } = setup();
    emit(1, 300, ACK | PSH);
    batcher.flush();
    expect(segmenting.superSegments).toBe(0);
    expect(seen).toHaveLength(1);
    expect(tcpChecksumValid(seen[0]!)).toBe(true);
  });

  it('a short segment, PSH or FIN ends the run: what follows starts another', () => {
    const { seen, batcher, segmenting, emit } = setup();
    emit(0, MSS);
    emit(MSS, 100); // short: last of this run
    emit(MSS + 100, MSS);
    emit(2 * MSS + 100, MSS, ACK | FIN);
    emit(3 * MSS + 101, MSS);
    batcher.flush();
    expect(segmenting.superSegments).toBe(2);
    expect(seen.map(seqOf)).toEqual([0, MSS, MSS + 100, 2 * MSS + 100, 3 * MSS + 101]);
    expect(seen.every(tcpChecksumValid)).toBe(true);
  });

  it('a gap in sequence, another owner, or another window ends the run', () => {
    const { seen, batcher, segmenting, emit, makeOwner } = setup();
    emit(0, MSS);
    emit(5 * MSS, MSS); // not contiguous
    emit(6 * MSS, MSS, ACK, makeOwner()); // another connection
    emit(7 * MSS, MSS, ACK, makeOwner(), 600);
    batcher.flush();
    expect(segmenting.superSegments).toBe(0);
    expect(seen).toHaveLength(4);
  });

  it('stays within the link limit and MAX_BATCH_SEGMENTS', () => {
    const { seen, batcher, segmenting, emit } = setup(40 + 3 * MSS);
    for (let i = 0; i < 7; i++) emit(i * MSS, MSS);
    batcher.flush();
    expect(segmenting.segmentSizes).toHaveLength(2);
    expect(seen).toHaveLength(7);
    const big = setup();
    for (let i = 0; i < MAX_BATCH_SEGMENTS + 2; i++) big.emit(i * 500, 500);
    big.batcher.flush();
    expect(big.batcher.batchedSegments).toBe(MAX_BATCH_SEGMENTS + 2);
    expect(big.segmenting.superSegments).toBe(2);
    expect(big.seen).toHaveLength(MAX_BATCH_SEGMENTS + 2);
  });

  it('asks the owner for the payload once per run, and again only for what was added after fill()', () => {
    const { seen, batcher, emit, owner } = setup();
    for (let i = 0; i < 4; i++) emit(i * MSS, MSS);
    expect(batcher.fill(owner)).toBe(true);
    expect(owner.fills).toBe(1);
    emit(4 * MSS, MSS);
    batcher.flush();
    expect(owner.fills).toBe(2);
    expect(seen.map((s) => s[40])).toEqual([0, 1, 2, 3, 4].map((i) => (i * MSS) & 0xff));
    expect(seen.every((s) => s[40 + MSS - 1] === (((seqOf(s) + MSS - 1) & 0xff) as number))).toBe(true);
  });

  it('drops the pending run, counted with its segments, when its payload is no longer queued (acknowledged, reset)', () => {
    const { seen, batcher, emit } = setup();
    const gone: TcpBatchOwner = { fillBatchedPayload: () => false };
    emit(0, MSS, ACK, gone);
    emit(MSS, MSS, ACK, gone);
    batcher.flush();
    expect(seen).toHaveLength(0);
    expect(batcher.abandoned).toBe(1);
    expect(batcher.abandonedSegments).toBe(2);
    emit(2 * MSS, MSS);
    batcher.flush();
    expect(seen).toHaveLength(1);
  });

  it('flushes what is pending once the current task ends (a microtask)', async () => {
    const { seen, emit } = setup();
    emit(0, MSS);
    emit(MSS, MSS);
    expect(seen).toHaveLength(0);
    await Promise.resolve();
    expect(seen).toHaveLength(2);
  });
});

describe('decorators and segmentation offload', () => {
  it('ImpairedLink and PcapLink pass it on from a link that has it, and offer none around one without', () => {
    const [link] = MemoryLink.pair(1500);
    const segmenting = new SegmentingLink(link);
    expect(segmenting.segmentation).toBeDefined();
    const impaired: RawLink = new ImpairedLink(segmenting, NO_IMPAIRMENT, new VirtualClock());
    expect(impaired.segmentation?.maxDatagramBytes).toBe(segmenting.segmentation!.maxDatagramBytes);
    const pcap: RawLink = new PcapLink(impaired, new PcapWriter('/dev/null'));
    expect(pcap.segmentation?.maxDatagramBytes).toBe(segmenting.segmentation!.maxDatagramBytes);
    const ip = new Ipv4Layer(pcap, new VirtualClock(), silentLoggers().for('ip'), { address: A });
    expect(ip.segmentationMaxBytes).toBeGreaterThan(0);

    const plain: RawLink = new PcapLink(
      new ImpairedLink(link, NO_IMPAIRMENT, new VirtualClock()),
      new PcapWriter('/dev/null'),
    );
    expect(plain.segmentation).toBeUndefined();
    const plainIp = new Ipv4Layer(plain, new VirtualClock(), silentLoggers().for('ip'), { address: A });
    expect(plainIp.segmentationMaxBytes).toBe(0);
    expect(() => plainIp.sendSegmented(B, 6, plainIp.allocateDatagram(100), 50, 2)).toThrow(/cannot segment/);
  });
});
