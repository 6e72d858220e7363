/**
 * Batches the emission of TCP segments into super-segments for a link that cuts them itself (a TUN device
 * with segmentation offload): a run of consecutive data segments of one connection, each decided, numbered,
 * counted and timed by TCP as before, is written into one datagram behind one header and handed to the link
 * in one call, which saves a system call (and the kernel's per-packet work) per segment.
 *
 * One batcher per stack, shared by every connection: one super-segment is pending at a time. Segments join it
 * while each continues the last (next sequence number, same ACK, window, timestamps and header length, the
 * ones before it exactly `segmentSize` long, no PSH or FIN yet, within the link's limit); any other segment
 * from anyone flushes it first, so a connection's segments leave in the order TCP emitted them. What is still
 * pending when the current task ends is flushed from a microtask: a super-segment never waits for I/O.
 *
 * A batch of one is sent as the ordinary segment it is (unless its payload is large: see
 * OFFLOADED_CHECKSUM_MIN_PAYLOAD); a longer one carries the checksum field the link asks for (the folded
 * pseudo-header sum over the whole TCP length) and PSH/FIN of its last segment.
 *
 * A super-segment that begins with bytes still in the writer's memory (start's `keep`) is written into a slab
 * the batcher carves in turn and never writes again once sent (not into the IP layer's reused transmit buffer):
 * the send queue keeps views of its payload in place of the writer's chunks (SendBuffer.retain), as Linux
 * keeps the skb it copied a write into. A slab is garbage once every view of it is acknowledged. Others
 * (retransmissions, bytes the queue already owns) use the IP layer's transmit buffer, which stays hot in cache.
 */
import { foldSum } from '../../../core/checksum.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type IPLayer, PATH_MTU_DISCOVERY } from '../../../layers/ip/ip-layer.js';
import { IPV4_MIN_HEADER } from '../../../layers/ip/ipv4-header.js';
import { settleFields } from '../../settled-fields.js';
import { type Seq, seqAdd } from '../wire/seq.js';
import { TCP_PROTOCOL, TcpFlags, tcpPseudoHeaderSum } from '../wire/tcp-header.js';
import { finishTcpChecksum } from '../wire/tcp-segment-writer.js';

/** What the batcher needs of the network layer. */
export type TcpBatchNetwork = Pick<
  IPLayer,
  'allocateDatagram' | 'sendDatagram' | 'sendSegmented' | 'segmentationMaxBytes'
> &
  Partial<Pick<IPLayer, 'segmentationTakesParts' | 'sendSegmentedParts'>>;

/**
 * Whose segments a super-segment carries: it writes their payload when the batcher asks, all of it at once
 * (one copy per writer's chunk crossed, rather than one per segment).
 */
export interface TcpBatchOwner {
  /**
   * Copies `length` payload bytes, the ones at sequence number `seq` on, to `d[at]` (and, when `kept`, lets
   * the send queue keep views of them). False when they are no longer queued (the connection was reset).
   */
  fillBatchedPayload(d: Uint8Array, at: number, seq: Seq, length: number, kept: boolean): boolean;
  /**
   * The `length` payload bytes at sequence number `seq` as a view of memory the stack keeps unchanged until
   * they are acknowledged (the send queue's own bytes, in one piece); undefined otherwise (then they are copied).
   */
  batchedPayloadView?(seq: Seq, length: number): Uint8Array | undefined;
}

/** Segments per super-segment at most (Linux's TSO autosizing stays well below its 64 KB for small MSS too). */
export const MAX_BATCH_SEGMENTS = 64;

/** Super-segments per slab (each reserves the link's maximum until it is sent, then only its length). */
const SUPER_SEGMENTS_PER_SLAB = 4;

/**
 * Payload bytes from which a lone data segment, too, leaves its checksum to the link (the kernel finishes it,
 * or trusts it on local delivery): at MTU 65000 summing each 64 KB segment in JS was 5% of the sender's time.
 */
const OFFLOADED_CHECKSUM_MIN_PAYLOAD = 4096;

const EMPTY = new Uint8Array(0);
const PSH_OR_FIN = TcpFlags.PSH | TcpFlags.FIN;

export class TcpSegmentBatcher {
  /** The pending super-segment's buffer (header at 0): a continuing segment's payload is copied into it. */
  datagram: Uint8Array = EMPTY;
  /** Whether `datagram` is kept as sent (a slab's), so that the send queue may keep views of it. */
  datagramKept = false;
  /** Super-segments of two segments or more handed to the link, and the segments they carried. */
  superSegments = 0;
  batchedSegments = 0;
  private readonly maxBytes: number;
  private owner: TcpBatchOwner | undefined;
  private src: Ipv4Address = 0 as Ipv4Address;
  private dst: Ipv4Address = 0 as Ipv4Address;
  private headersEnd = 0;
  private length = 0;
  private nextSeq = 0 as Seq;
  private segmentSize = 0;
  private lastLength = 0;
  private count = 0;
  private flags = 0;
  private ack = 0;
  private window = 0;
  private tsVal = 0;
  private tsEcr = 0;
  /** Where in `datagram` the payload not yet written begins, and its sequence number. */
  private fillAt = 0;
  private fillSeq = 0 as Seq;
  /**
   * Super-segments dropped unsent because their payload was no longer queued, and the segments in them: an ACK
   * that came before the flush freed the first bytes (retransmissions that reordered originals made needless;
   * RACK sends again what was not acknowledged), or the connection was reset. TCP had counted them sent.
   */
  abandoned = 0;
  abandonedSegments = 0;
  private scheduled = false;
  /** Where the link takes headers and payload apart (sendSegmentedParts). */
  readonly takesParts: boolean;
  /** The payload, when held as a view of the send queue's own bytes instead of copied into `datagram`. */
  private payload: Uint8Array = EMPTY;
  /** The first payload byte's sequence number. */
  private firstSeq = 0 as Seq;
  private slab: Uint8Array = EMPTY;
  /** Where the next super-segment goes in `slab` (the pending one, if any, starts here). */
  private slabUsed = 0;
  private readonly flushTask = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly network: TcpBatchNetwork) {
    this.maxBytes = network.segmentationMaxBytes;
    this.takesParts = network.segmentationTakesParts === true && network.sendSegmentedParts !== undefined;
    // One batcher per stack: a field it first changes late (a kept datagram, an abandoned batch) would throw
    // away optimised code then, however many downloads in.
    settleFields(
      this,
      ['tsVal', 'tsEcr'],
      [
        'datagram',
        'datagramKept',
        'superSegments',
        'batchedSegments',
        'owner',
        'src',
        'dst',
        'headersEnd',
        'length',
        'segmentSize',
        'lastLength',
        'count',
        'flags',
        'window',
        'fillAt',
        'abandoned',
        'abandonedSegments',
        'scheduled',
        'payload',
        'slab',
        'slabUsed',
        'nextSeq',
        'ack',
        'fillSeq',
        'firstSeq',
      ],
    );
  }

  /**
   * Adds a data segment of `owner` to the pending super-segment if it continues it and the super-segment has
   * fewer than `maxSegments` (the owner's limit, at most MAX_BATCH_SEGMENTS), and returns the offset in
   * `datagram` where its `dataLength` payload bytes go (the owner writes them when asked: fillBatchedPayload);
   * -1 when it does not continue it (the caller then flushes and starts a new one).
   */
  append(
    owner: TcpBatchOwner,
    seq: Seq,
    flags: number,
    ack: number,
    window: number,
    tsVal: number,
    tsEcr: number,
    tcpHeaderLength: number,
    dataLength: number,
    maxSegments = MAX_BATCH_SEGMENTS,
  ): number {
    if (
      owner !== this.owner ||
      this.count === 0 ||
      seq !== this.nextSeq ||
      this.lastLength !== this.segmentSize ||
      dataLength > this.segmentSize ||
      (this.flags & PSH_OR_FIN) !== 0 ||
      flags !== (this.flags | (flags & PSH_OR_FIN)) ||
      ack !== this.ack ||
      window !== this.window ||
      tsVal !== this.tsVal ||
      tsEcr !== this.tsEcr ||
      IPV4_MIN_HEADER + tcpHeaderLength !== this.headersEnd ||
      this.length + dataLength > this.maxBytes ||
      this.count >= MAX_BATCH_SEGMENTS ||
      this.count >= maxSegments
    ) {
      return -1;
    }
    const at = this.length;
    this.length += dataLength;
    this.nextSeq = seqAdd(seq, dataLength);
    this.lastLength = dataLength;
    this.count++;
    this.flags = flags;
    return at;
  }

  /**
   * Begins a super-segment with this first segment (after a flush): returns the buffer, into which the caller
   * writes the TCP header at offset 20 and its options, then no payload (the owner writes it when asked:
   * fillBatchedPayload), no checksum and no send. With `keep`, the buffer is one that is never reused
   * (datagramKept).
   */
  start(
    owner: TcpBatchOwner,
    src: Ipv4Address,
    dst: Ipv4Address,
    seq: Seq,
    flags: number,
    ack: number,
    window: number,
    tsVal: number,
    tsEcr: number,
    tcpHeaderLength: number,
    dataLength: number,
    keep = false,
  ): Uint8Array {
    this.flush();
    const maxBytes = this.maxBytes;
    let d: Uint8Array;
    if (keep) {
      if (this.slab.length - this.slabUsed < maxBytes) {
        this.slab = new Uint8Array(Buffer.allocUnsafeSlow(maxBytes * SUPER_SEGMENTS_PER_SLAB).buffer);
        this.slabUsed = 0;
      }
      d = this.slab.subarray(this.slabUsed, this.slabUsed + maxBytes);
    } else {
      d = this.network.allocateDatagram(maxBytes - IPV4_MIN_HEADER);
    }
    this.datagramKept = keep;
    this.datagram = d;
    this.owner = owner;
    this.src = src;
    this.dst = dst;
    this.headersEnd = IPV4_MIN_HEADER + tcpHeaderLength;
    this.length = this.headersEnd + dataLength;
    this.fillAt = this.headersEnd;
    this.fillSeq = seq;
    this.firstSeq = seq;
    this.payload = EMPTY;
    this.nextSeq = seqAdd(seq, dataLength);
    this.segmentSize = dataLength;
    this.lastLength = dataLength;
    this.count = 1;
    this.flags = flags;
    this.ack = ack;
    this.window = window;
    this.tsVal = tsVal;
    this.tsEcr = tsEcr;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushTask);
    }
    return d;
  }

  /**
   * Has `owner`'s payload in the pending super-segment written now (before its writer's bytes are taken over
   * by the send queue, which then need not copy them a second time). False when it was no longer queued: the
   * super-segment is then dropped.
   */
  fill(owner: TcpBatchOwner): boolean {
    if (this.count === 0 || owner !== this.owner || this.fillAt === this.length) return true;
    if (this.takesParts && !this.datagramKept && this.payload.length === this.fillAt - this.headersEnd) {
      // Bytes the queue keeps as they are go to the link as they lie (sendSegmentedParts), uncopied.
      const view = owner.batchedPayloadView?.(this.firstSeq, this.length - this.headersEnd);
      if (view !== undefined) {
        this.payload = view;
        this.fillAt = this.length;
        this.fillSeq = this.nextSeq;
        return true;
      }
    }
    if (this.payload.length > 0) this.gather();
    const length = this.length - this.fillAt;
    if (!owner.fillBatchedPayload(this.datagram, this.fillAt, this.fillSeq, length, this.datagramKept)) {
      this.abandon();
      return false;
    }
    this.fillAt = this.length;
    this.fillSeq = this.nextSeq;
    return true;
  }

  /** Sends the pending super-segment, if any: alone as an ordinary segment, or for the link to cut. */
  flush(): void {
    const count = this.count;
    if (count === 0) return;
    if (!this.fill(this.owner!)) return;
    this.count = 0;
    this.owner = undefined;
    const d = this.datagram.subarray(0, this.length);
    this.datagram = EMPTY;
    // The next one starts 8-byte aligned after this one, which stays as it is sent.
    if (this.datagramKept) this.slabUsed += (this.length + 7) & ~7;
    this.datagramKept = false;
    const o = IPV4_MIN_HEADER;
    const tcpLength = this.length - o;
    const payload = this.payload;
    this.payload = EMPTY;
    if (count === 1 && this.length - this.headersEnd < OFFLOADED_CHECKSUM_MIN_PAYLOAD) {
      if (payload.length > 0) d.set(payload, this.headersEnd);
      finishTcpChecksum(d, o, tcpLength, this.src, this.dst);
      this.network.sendDatagram(this.dst, TCP_PROTOCOL, d, PATH_MTU_DISCOVERY);
      return;
    }
    // A large lone segment (MTU 9000 or 65000) goes the same way, its checksum left to the kernel as well.
    d[o + 13] = this.flags;
    const sum = foldSum(tcpPseudoHeaderSum(this.src, this.dst, tcpLength));
    d[o + 16] = sum >>> 8;
    d[o + 17] = sum & 0xff;
    if (count > 1) {
      this.superSegments++;
      this.batchedSegments += count;
    }
    if (payload.length > 0) {
      const headers = d.subarray(0, this.headersEnd);
      this.network.sendSegmentedParts!(this.dst, TCP_PROTOCOL, headers, payload, this.segmentSize, count);
    } else {
      this.network.sendSegmented(this.dst, TCP_PROTOCOL, d, this.segmentSize, count);
    }
  }

  /** Copies the payload held as a view into `datagram`, where the rest of the payload follows it. */
  private gather(): void {
    this.datagram.set(this.payload, this.headersEnd);
    this.payload = EMPTY;
  }

  /** Forgets the pending super-segment unsent (counted). A kept buffer's room is reused by the next one. */
  private abandon(): void {
    this.abandonedSegments += this.count;
    this.count = 0;
    this.owner = undefined;
    this.datagram = EMPTY;
    this.datagramKept = false;
    this.payload = EMPTY;
    this.abandoned++;
  }
}
