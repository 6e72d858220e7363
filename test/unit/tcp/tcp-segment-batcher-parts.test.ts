import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { PcapLink } from '../../../src/layers/link/decorators/pcap-link.js';
import { PcapWriter } from '../../../src/layers/link/decorators/pcap-writer.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { tcpChecksumValid } from '../../../src/layers/link/offload/tcp-super-segment.js';
import {
  type TcpBatchOwner,
  TcpSegmentBatcher,
} from '../../../src/transport/tcp/batching/tcp-segment-batcher.js';
import type { Seq } from '../../../src/transport/tcp/wire/seq.js';
import { writeTcpHeader } from '../../../src/transport/tcp/wire/tcp-segment-writer.js';
import { SegmentingLink } from '../../helpers/segmenting-link.js';

const A = parseIpv4('10.9.0.1');
const B = parseIpv4('10.9.0.2');
const ACK = 0x10;
const MSS = 1448;

/**
 * An owner whose bytes at sequence numbers [0, bytes.length) are `bytes`, held in chunks of `chunk` bytes:
 * a view is handed out when the range lies in one chunk (as the send queue's own bytes), or never (`views`).
 */
function queueOwner(bytes: Uint8Array, chunk: number, views = true) {
  return {
    fills: 0,
    viewsGiven: 0,
    fillBatchedPayload(d: Uint8Array, at: number, seq: Seq, length: number): boolean {
      this.fills++;
      d.set(bytes.subarray(seq, seq + length), at);
      return true;
    },
    batchedPayloadView(seq: Seq, length: number): Uint8Array | undefined {
      if (!views || Math.floor(seq / chunk) !== Math.floor((seq + length - 1) / chunk)) return undefined;
      this.viewsGiven++;
      return bytes.subarray(seq, seq + length);
    },
  } satisfies TcpBatchOwner & { fills: number; viewsGiven: number };
}

function setup(parts = true, mtu = 1500) {
  const [link, peer] = MemoryLink.pair(mtu);
  const segmenting = new SegmentingLink(link, 65535, parts);
  const ip = new Ipv4Layer(segmenting, new VirtualClock(), silentLoggers().for('ip'), { address: A });
  const seen: Uint8Array[] = [];
  peer.onReceive((d) => seen.push(d.slice()));
  const batcher = new TcpSegmentBatcher(ip);
  const emit = (who: TcpBatchOwner, seq: number, length: number) => {
    if (batcher.append(who, seq as Seq, ACK, 77, 500, 0, 0, 20, length) >= 0) return;
    const d = batcher.start(who, A, B, seq as Seq, ACK, 77, 500, 0, 0, 20, length);
    writeTcpHeader(d, 20, 80, 4000, seq, 77, ACK, 500, 0);
  };
  /** The payload the peer got, in order, after checking every segment's checksum. */
  const received = () => {
    expect(seen.every((s) => tcpChecksumValid(s))).toBe(true);
    const out: number[] = [];
    for (const s of seen) out.push(...s.subarray(40));
    return Uint8Array.from(out);
  };
  return { ip, seen, batcher, segmenting, emit, received };
}

const BYTES = Uint8Array.from({ length: 40 * MSS }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

describe('TcpSegmentBatcher: payload handed to the link apart from the headers', () => {
  it('sends the queue’s own bytes lying in one piece as they lie: no copy, the same segments and bytes', () => {
    const { batcher, segmenting, emit, received, ip } = setup();
    const owner = queueOwner(BYTES, BYTES.length);
    for (let i = 0; i < 10; i++) emit(owner, i * MSS, MSS);
    batcher.flush();
    expect(segmenting.partsWrites).toBe(1);
    expect(owner.fills).toBe(0);
    expect(segmenting.segmentsCut).toBe(10);
    expect(received()).toEqual(BYTES.subarray(0, 10 * MSS));
    expect(ip.stats()).toMatchObject({ txSegmented: 1, txPackets: 10, txBytes: 40 + 10 * MSS });
  });

  it('copies bytes split across two chunks, and bytes the owner gives no view of', () => {
    for (const views of [true, false]) {
      const { batcher, segmenting, emit, received } = setup();
      const owner = queueOwner(BYTES, 4 * MSS + 100, views);
      for (let i = 0; i < 8; i++) emit(owner, i * MSS, MSS);
      batcher.flush();
      expect(segmenting.partsWrites).toBe(0);
      expect(owner.fills).toBe(1);
      expect(received()).toEqual(BYTES.subarray(0, 8 * MSS));
    }
  });

  it('a run filled early and grown after keeps its bytes: a view again if it still lies in one piece, else copied', () => {
    for (const chunk of [BYTES.length, 6 * MSS]) {
      const { batcher, segmenting, emit, received } = setup();
      const owner = queueOwner(BYTES, chunk);
      for (let i = 0; i < 4; i++) emit(owner, i * MSS, MSS);
      expect(batcher.fill(owner)).toBe(true);
      for (let i = 4; i < 9; i++) emit(owner, i * MSS, MSS);
      batcher.flush();
      expect(segmenting.partsWrites).toBe(chunk === BYTES.length ? 1 : 0);
      expect(received()).toEqual(BYTES.subarray(0, 9 * MSS));
    }
  });

  it('a lone small segment is gathered into one datagram with its checksum finished', () => {
    const { batcher, segmenting, emit, received, seen } = setup();
    const owner = queueOwner(BYTES, BYTES.length);
    emit(owner, 0, 1000);
    batcher.flush();
    expect(segmenting.superSegments).toBe(0);
    expect(seen).toHaveLength(1);
    expect(received()).toEqual(BYTES.subarray(0, 1000));
  });

  it('gathers for a link that takes super-segments only whole (a capture around it)', () => {
    const [link, peer] = MemoryLink.pair(1500);
    const pcap = new PcapLink(new SegmentingLink(link), new PcapWriter('/dev/null'));
    const ip = new Ipv4Layer(pcap, new VirtualClock(), silentLoggers().for('ip'), { address: A });
    expect(ip.segmentationTakesParts).toBe(false);
    expect(() => ip.sendSegmentedParts(B, 6, ip.allocateDatagram(20), new Uint8Array(3000), MSS, 3)).toThrow(
      /cannot segment/,
    );
    const seen: Uint8Array[] = [];
    peer.onReceive((d) => seen.push(d.slice()));
    const batcher = new TcpSegmentBatcher(ip);
    const owner = queueOwner(BYTES, BYTES.length);
    for (let i = 0; i < 3; i++) {
      if (batcher.append(owner, (i * MSS) as Seq, ACK, 77, 500, 0, 0, 20, MSS) >= 0) continue;
      const d = batcher.start(owner, A, B, (i * MSS) as Seq, ACK, 77, 500, 0, 0, 20, MSS);
      writeTcpHeader(d, 20, 80, 4000, i * MSS, 77, ACK, 500, 0);
    }
    batcher.flush();
    expect(owner.viewsGiven).toBe(0);
    expect(owner.fills).toBe(1);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => tcpChecksumValid(s))).toBe(true);
  });
});
