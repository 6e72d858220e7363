import { Counters } from '../../../core/counters.js';
import type { PilhaError } from '../../../core/errors.js';
import { type Logger, silentLoggers } from '../../../core/logger.js';
import type { MacAddress } from '../../../core/mac-address.js';
import {
  splitSuperSegment,
  superSegmentCount,
  superSegmentHeadersLength,
} from '../offload/tcp-super-segment.js';
import {
  decoratorStats,
  ignoreDatagram,
  type LinkMedium,
  type RawLink,
  type ReceiveBacklog,
  type SegmentationOffload,
} from '../raw-link.js';
import type { PcapWriter } from './pcap-writer.js';

const COUNTERS = ['txPackets', 'txBytes', 'rxPackets', 'rxBytes', 'captured', 'captureErrors'] as const;

/**
 * A tap with the same interface as the link it wraps: every datagram sent and every datagram received is
 * written to a PcapWriter, then passed on unchanged (no copy beyond the writer's own).
 *
 * Over a link with segmentation offload it offers segmentation too: a super-segment goes to the inner link
 * as it is, and the capture records the segments the kernel cuts from it (splitSuperSegment), as on the wire,
 * each with its finished checksums; txPackets/txBytes count those segments.
 *
 * A capture that fails (disk full, say) never breaks the link: the error is counted in `captureErrors` and
 * capturing stops; traffic goes on. stats() follows ImpairedLink: this link's own counters unprefixed
 * (txPackets/rxPackets as seen at its upper boundary, captured, captureErrors), the inner link's under `inner.`.
 */
export class PcapLink implements RawLink {
  readonly mtu: number;
  /** The inner link's: a decorator moves whatever its link moves (datagrams or frames). */
  readonly medium: LinkMedium | undefined;
  readonly mac: MacAddress | undefined;
  readonly segmentation: SegmentationOffload | undefined;
  private handler: (datagram: Uint8Array) => void = ignoreDatagram;
  private readonly counters = new Counters(COUNTERS);
  private capturing = true;
  private closed = false;

  constructor(
    private readonly inner: RawLink,
    private readonly writer: PcapWriter,
    /** Where a failing capture is said, once (the link's logger); silent when absent. */
    private readonly logger: Logger = silentLoggers().for('link'),
  ) {
    this.mtu = inner.mtu;
    this.medium = inner.medium;
    this.mac = inner.mac;
    // Super-segments are impaired and captured as the IPv4 datagrams they are; as frames (a TAP device's,
    // under an EthernetLayer) they are not offered: each segment comes as its own frame.
    const innerSegmentation = inner.medium === 'ethernet' ? undefined : inner.segmentation;
    this.segmentation =
      innerSegmentation === undefined
        ? undefined
        : {
            maxDatagramBytes: innerSegmentation.maxDatagramBytes,
            sendSegmented: (datagram, segmentSize) => {
              this.captureSegmented(datagram, segmentSize);
              innerSegmentation.sendSegmented(datagram, segmentSize);
            },
          };
    inner.onReceive((datagram) => {
      this.counters.inc('rxPackets');
      this.counters.inc('rxBytes', datagram.length);
      this.capture(datagram);
      this.handler(datagram);
    });
  }

  send(datagram: Uint8Array): void {
    this.counters.inc('txPackets');
    this.counters.inc('txBytes', datagram.length);
    this.capture(datagram);
    this.inner.send(datagram);
  }

  /** Counts and records a super-segment's segments as the kernel will cut them. */
  private captureSegmented(datagram: Uint8Array, segmentSize: number): void {
    const segments = superSegmentCount(datagram, segmentSize);
    if (segments === 0) {
      // Not a super-segment (the inner link drops and counts it): recorded as it is.
      this.counters.inc('txPackets');
      this.counters.inc('txBytes', datagram.length);
      this.capture(datagram);
      return;
    }
    this.counters.inc('txPackets', segments);
    this.counters.inc('txBytes', datagram.length + (segments - 1) * superSegmentHeadersLength(datagram));
    if (!this.capturing) return;
    for (const segment of splitSuperSegment(datagram, segmentSize)!) this.capture(segment);
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  onBatchEnd(handler: () => void): boolean {
    return this.inner.onBatchEnd?.(handler) ?? false;
  }

  receiveBacklog(): ReceiveBacklog | undefined {
    return this.inner.receiveBacklog?.();
  }

  onFailure(handler: (error: PilhaError) => void): void {
    this.inner.onFailure?.(handler);
  }

  private capture(datagram: Uint8Array): void {
    if (!this.capturing) return;
    try {
      this.writer.write(datagram);
      this.counters.inc('captured');
    } catch (err) {
      this.capturing = false;
      this.counters.inc('captureErrors');
      this.captureFailed(err);
    }
  }

  /** Said once, when it happens: a full disk used to go unnoticed until the end of the run. */
  private captureFailed(err: unknown): void {
    this.logger.warn(
      { file: this.writer.path },
      `writing the capture file '${this.writer.path}' failed (${(err as Error).message}): capture stopped, traffic goes on (captureErrors)`,
    );
  }

  stats(): Record<string, number> {
    return decoratorStats(this.counters.values, this.inner);
  }

  /** Closes the inner link, then flushes and closes the capture file (also if the inner close fails). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.inner.close();
    } finally {
      const capturing = this.capturing;
      this.capturing = false;
      try {
        this.writer.close();
      } catch (err) {
        // The last records did not fit (a full disk): said, as a failure mid-run is, not the run's failure.
        this.counters.inc('captureErrors');
        if (capturing) this.captureFailed(err);
      }
    }
  }
}
