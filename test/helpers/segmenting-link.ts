import { splitSuperSegment, tcpChecksumValid } from '../../src/layers/link/offload/tcp-super-segment.js';
import type { RawLink, SegmentationOffload } from '../../src/layers/link/raw-link.js';

/**
 * A link with segmentation offload for tests: it takes TCP super-segments and cuts them as the kernel's TUN
 * driver does (splitSuperSegment), passing each segment to the link it wraps; it counts super-segments, the
 * segments cut, and segments whose TCP checksum came out wrong (a super-segment with a wrong checksum field).
 */
export class SegmentingLink implements RawLink {
  readonly mtu: number;
  readonly segmentation: SegmentationOffload;
  superSegments = 0;
  /** Super-segments handed over as headers and payload apart (sendSegmentedParts). */
  partsWrites = 0;
  segmentsCut = 0;
  badChecksums = 0;
  /** The segment sizes asked for, in order. */
  readonly segmentSizes: number[] = [];
  /** How many segments each super-segment was cut into, in order. */
  readonly segmentCounts: number[] = [];

  constructor(
    private readonly inner: RawLink,
    maxDatagramBytes = 65535,
    /** Whether it takes super-segments in parts too (as TunLink does); the sender then need not gather. */
    parts = true,
  ) {
    this.mtu = inner.mtu;
    this.segmentation = {
      maxDatagramBytes,
      sendSegmented: (datagram, segmentSize) => this.sendSegmented(datagram, segmentSize),
      ...(parts
        ? {
            sendSegmentedParts: (headers: Uint8Array, payload: Uint8Array, segmentSize: number) => {
              this.partsWrites++;
              const datagram = new Uint8Array(headers.length + payload.length);
              datagram.set(headers, 0);
              datagram.set(payload, headers.length);
              this.sendSegmented(datagram, segmentSize);
            },
          }
        : {}),
    };
  }

  send(datagram: Uint8Array): void {
    this.inner.send(datagram);
  }

  private sendSegmented(datagram: Uint8Array, segmentSize: number): void {
    this.superSegments++;
    this.segmentSizes.push(segmentSize);
    const segments = splitSuperSegment(datagram, segmentSize);
    if (segments === undefined) throw new Error('not a TCP super-segment');
    this.segmentCounts.push(segments.length);
    for (const s of segments) {
      if (s.length > this.mtu) throw new Error(`segment of ${s.length} bytes exceeds the MTU`);
      if (!tcpChecksumValid(s)) this.badChecksums++;
      this.segmentsCut++;
      this.inner.send(s);
    }
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.inner.onReceive(handler);
  }

  stats(): Record<string, number> {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
