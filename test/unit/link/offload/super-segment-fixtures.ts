import { parseIpv4 } from '../../../../src/core/ipv4-address.js';
import { finishIpv4Checksum, writeIpv4Header } from '../../../../src/layers/ip/ipv4-header.js';
import {
  splitSuperSegment,
  writeSuperSegmentChecksum,
} from '../../../../src/layers/link/offload/tcp-super-segment.js';
import type { RawLink, SegmentationOffload } from '../../../../src/layers/link/raw-link.js';
import {
  writeTcpHeader,
  writeTimestampOption,
} from '../../../../src/transport/tcp/wire/tcp-segment-writer.js';

export const MSS = 1448;
const SRC = parseIpv4('10.0.0.2');
const DST = parseIpv4('10.0.0.1');
export const ACK = 0x10;
export const PSH = 0x08;

/**
 * Super-segment number `n` of a flow: `payloadLength` bytes of a pattern of `n` at seq n * 2^20 (IP id n * 64),
 * IP, TCP and timestamp headers, checksum field per the field rule.
 */
export function superSegment(n: number, payloadLength: number, flags = ACK | PSH): Uint8Array {
  const headers = 20 + 20 + 12;
  const d = new Uint8Array(headers + payloadLength);
  writeIpv4Header(d, 0, 20, 0, d.length, (n * 64) & 0xffff, 0x4000, 64, 6, SRC, DST);
  finishIpv4Checksum(d, 0, 20);
  writeTcpHeader(d, 20, 80, 40000, (n * 2 ** 20) >>> 0, 12345, flags, 502, 12);
  writeTimestampOption(d, 40, 1000 + n, 2000);
  for (let i = 0; i < payloadLength; i++) d[headers + i] = (n * 13 + i * 7 + (i >> 8)) & 0xff;
  writeSuperSegmentChecksum(d);
  return d;
}

/**
 * A link that records what it puts on the wire: datagrams as sent, super-segments as the kernel cuts them
 * (when `segmentation` is true). `superSegments` counts the super-segments of more than one segment.
 */
export class WireRecorder implements RawLink {
  readonly mtu = 1500;
  readonly wire: Uint8Array[] = [];
  readonly segmentation: SegmentationOffload | undefined;
  superSegments = 0;
  /** The super-segments as handed over (not cut). */
  readonly handed: Uint8Array[] = [];

  constructor(segmentation: boolean) {
    this.segmentation = segmentation
      ? {
          maxDatagramBytes: 65535,
          sendSegmented: (d, segmentSize) => {
            this.handed.push(d.slice());
            const segments = splitSuperSegment(d, segmentSize) ?? [d.slice()];
            if (segments.length > 1) this.superSegments++;
            this.wire.push(...segments);
          },
        }
      : undefined;
  }

  send(datagram: Uint8Array): void {
    this.wire.push(datagram.slice());
  }
  onReceive(): void {}
  stats(): Record<string, number> {
    return { recorded: this.wire.length };
  }
  async close(): Promise<void> {}
}
