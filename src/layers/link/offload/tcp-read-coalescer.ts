import { internetChecksum } from '../../../core/checksum.js';
import { RX_CHECKSUM_VOUCHED, RX_COALESCED } from '../raw-link.js';

const TCP_ACK = 0x10;
const TCP_PSH = 0x08;
/** The longest IP and TCP headers together (60 each). */
const MAX_HEADER_BYTES = 120;
/** The IP header of a datagram a run takes: IPv4 without options. */
const IP_HEADER_BYTES = 20;

/** Takes a datagram (`length` bytes at `start` of the reader's buffer) with its RX_* flags; never throws. */
export type CoalescedDelivery = (start: number, length: number, flags: number) => void;

/**
 * Software GRO for a reader of the kernel's own TCP packets (GSO reads from a TUN device with receive offload,
 * checksums vouched for): consecutive reads that continue one another's TCP stream are handed up as one
 * segment, so that the stack's receive path (IP, TCP, the socket, the application) runs once for a pass's
 * run of reads instead of once per read. Linux's GRO does the same below its stack, up to 64 KB (and to
 * 512 KB with BIG TCP); here a run may fill the reader's pass.
 *
 * Merged, on the fields Linux's inet_gro_receive and tcp_gro_receive compare: IPv4 without options, TCP with a
 * payload, ACK set and nothing else but PSH; the same TOS (ECN marks included), DF, TTL and addresses, the
 * same ports, ACK, window, urgent pointer and options (timestamps included), and a sequence number that
 * continues the run. Unlike Linux, a run goes on after a PSH (kept on the run: pilha's TCP hands data over at
 * once anyway) and after a read shorter than the ones before (each read is a GSO packet of several segments,
 * its last often short), and the IP ID is not looked at. Anything else (a FIN, a SYN, a RST, ECE or CWR, a pure ACK, a gap, another flow, a
 * datagram whose checksum the kernel did not vouch for) ends the run and goes up on its own, after it.
 *
 * No byte is copied: a read that may continue the run is made where its headers end just before the run's
 * last byte, so that its payload lands right after the run's. The run's last bytes that those headers
 * overwrite (a virtio_net_hdr, IP and TCP headers: 62 bytes for a download's) are set aside first and put
 * back after: where the read continues the run, its headers are no longer needed; where it does not, its
 * headers are set aside in turn, the run is handed up whole, and the headers are put back for the datagram
 * to go up on its own. The side areas are in the reader's buffer, at `scratchAt` (scratchBytes()), with a copy of
 * the run's headers that the reads after are compared with.
 *
 * A run longer than the IP total length can say (65,535) goes up with 0 in that field, as Linux's BIG TCP
 * does, and RX_COALESCED, which tells the IP layer to take the datagram's length from the link; the IP
 * header's checksum is made again for the new length. Its TCP checksum is not (the kernel vouched for each
 * part, and RX_CHECKSUM_VOUCHED goes up with the run).
 */
export class TcpReadCoalescer {
  /** What a reader's buffer needs past its reads for the side areas (`scratchAt`). */
  static scratchBytes(readHeaderBytes: number): number {
    return 2 * (readHeaderBytes + MAX_HEADER_BYTES) + MAX_HEADER_BYTES;
  }

  /** Reads merged into the run before them (a link counter: rxCoalescedReads). */
  merged = 0;
  /** Their IP and TCP header bytes, which went up with no datagram (rxCoalescedHeaderBytes). */
  mergedHeaderBytes = 0;
  /** Where the run's datagram starts in the buffer; -1 when no run is open. */
  private runStart = -1;
  private runLength = 0;
  /** The run's IP and TCP header bytes (every read merged has the same). */
  private runHeaderBytes = 0;
  private runNextSeq = 0;
  private runPush = 0;
  private runReads = 0;
  /** Where the last read was made over the run's tail, and how many of the run's bytes were set aside. */
  private readPos = 0;
  private saved = 0;
  /** The last candidate's TCP header length and sequence number (candidate() sets them). */
  private tcpHeaderBytes = 0;
  private seq = 0;
  private readonly runTailAt: number;
  private readonly readHeadAt: number;
  /**
   * A copy of the run's IP and TCP headers, which continuesRun() compares with: a read made over the end of a
   * run of little payload lands on the run's own headers.
   */
  private readonly runHeadersAt: number;

  constructor(
    private readonly bytes: Uint8Array,
    /** Bytes in front of each read's datagram (the virtio_net_hdr). */
    private readonly readHeaderBytes: number,
    /** Where the side areas are (scratchBytes() in all). */
    scratchAt: number,
    /** The longest run, in bytes from its IP header. */
    private readonly maxRunBytes: number,
    private readonly deliver: CoalescedDelivery,
  ) {
    const area = readHeaderBytes + MAX_HEADER_BYTES;
    this.runTailAt = scratchAt;
    this.readHeadAt = scratchAt + area;
    this.runHeadersAt = scratchAt + 2 * area;
  }

  /** Where the data taken so far ends: the run's end, or `fallback` (the last datagram's end) with none open. */
  end(fallback: number): number {
    return this.runStart < 0 ? fallback : this.runStart + this.runLength;
  }

  /**
   * Where to make the next read: `at` with no run open; with one, where the read's headers end at the run's
   * end (the run's tail set aside until take() or cancelRead()).
   */
  readAt(at: number): number {
    if (this.runStart < 0) return at;
    const pos = this.runStart + this.runLength - this.readHeaderBytes - this.runHeaderBytes;
    this.saved = this.readHeaderBytes + this.runHeaderBytes;
    this.readPos = pos;
    this.bytes.copyWithin(this.runTailAt, pos, pos + this.saved);
    return pos;
  }

  /** The read made at readAt() gave nothing to take (no packet, or one dropped): the run's tail goes back. */
  cancelRead(): void {
    if (this.saved === 0) return;
    this.bytes.copyWithin(this.readPos, this.runTailAt, this.runTailAt + this.saved);
    this.saved = 0;
  }

  /**
   * A datagram read at readAt(), `length` bytes at `start` (after the read's own header), with its RX_* flags:
   * merged into the run, or the run handed up and this datagram either opening a run or going up at once.
   */
  take(start: number, length: number, flags: number): void {
    const candidate = (flags & RX_CHECKSUM_VOUCHED) !== 0 && this.candidate(start, length);
    if (this.saved > 0) {
      const bytes = this.bytes;
      const saved = this.saved;
      this.saved = 0;
      if (candidate && this.continuesRun(start, length)) {
        // Its PSH read before its headers go under the run's tail again.
        this.runPush |= bytes[start + IP_HEADER_BYTES + 13]! & TCP_PSH;
        bytes.copyWithin(this.readPos, this.runTailAt, this.runTailAt + saved);
        const payload = length - this.runHeaderBytes;
        this.runLength += payload;
        this.runNextSeq = (this.runNextSeq + payload) >>> 0;
        this.runReads++;
        this.merged++;
        this.mergedHeaderBytes += this.runHeaderBytes;
        return;
      }
      // This read's first bytes lie over the run's tail: set them aside, hand the run up whole, put them back.
      const overlap = Math.min(saved, start - this.readPos + length);
      bytes.copyWithin(this.readHeadAt, this.readPos, this.readPos + overlap);
      bytes.copyWithin(this.readPos, this.runTailAt, this.runTailAt + saved);
      this.flush();
      bytes.copyWithin(this.readPos, this.readHeadAt, this.readHeadAt + overlap);
    } else if (this.runStart >= 0) {
      this.flush();
    }
    if (candidate && length <= this.maxRunBytes) {
      this.open(start, length);
      return;
    }
    // Read over a run's tail, a datagram starts wherever the run ended. One whose checksum is still to be
    // verified moves to a 4-byte boundary, as every read starts, for the checksum's wide path.
    if ((flags & RX_CHECKSUM_VOUCHED) === 0 && (start & 3) !== 0) {
      const aligned = (start + 3) & ~3;
      this.bytes.copyWithin(aligned, start, start + length);
      this.deliver(aligned, length, flags);
      return;
    }
    this.deliver(start, length, flags);
  }

  /** Hands the open run up (at the end of a pass, or before a datagram that does not continue it). */
  flush(): void {
    const start = this.runStart;
    if (start < 0) return;
    this.runStart = -1;
    const bytes = this.bytes;
    const length = this.runLength;
    bytes[start + IP_HEADER_BYTES + 13]! |= this.runPush;
    if (this.runReads === 1) {
      this.deliver(start, length, RX_CHECKSUM_VOUCHED);
      return;
    }
    const total = length > 0xffff ? 0 : length;
    bytes[start + 2] = total >>> 8;
    bytes[start + 3] = total & 0xff;
    bytes[start + 10] = 0;
    bytes[start + 11] = 0;
    const checksum = internetChecksum(bytes, start, start + IP_HEADER_BYTES);
    bytes[start + 10] = checksum >>> 8;
    bytes[start + 11] = checksum & 0xff;
    this.deliver(start, length, RX_CHECKSUM_VOUCHED | RX_COALESCED);
  }

  /** Forgets an open run without handing it up (the reader is stopping). */
  reset(): void {
    this.runStart = -1;
    this.saved = 0;
  }

  private open(start: number, length: number): void {
    const bytes = this.bytes;
    const flagsAt = start + IP_HEADER_BYTES + 13;
    this.runStart = start;
    this.runLength = length;
    this.runHeaderBytes = IP_HEADER_BYTES + this.tcpHeaderBytes;
    this.runNextSeq = (this.seq + length - this.runHeaderBytes) >>> 0;
    // PSH goes back on when the run is handed up (flush), whichever of its reads had it.
    this.runPush = bytes[flagsAt]! & TCP_PSH;
    bytes[flagsAt] = bytes[flagsAt]! & ~TCP_PSH;
    this.runReads = 1;
    bytes.copyWithin(this.runHeadersAt, start, start + this.runHeaderBytes);
  }

  /** Whether the datagram may be part of a run: IPv4 TCP with a payload, ACK and at most PSH, its length exact. */
  private candidate(start: number, length: number): boolean {
    const bytes = this.bytes;
    // IPv4 without options (0x45), its total length exact.
    if (length < 41 || bytes[start] !== 0x45) return false;
    if (((bytes[start + 2]! << 8) | bytes[start + 3]!) !== length) return false;
    const tcp = start + IP_HEADER_BYTES;
    const offsetByte = bytes[tcp + 12]!;
    const tcpHeaderBytes = (offsetByte >> 4) * 4;
    // Reserved bits (and AccECN's AE) clear, flags ACK or ACK+PSH, and a payload.
    if (tcpHeaderBytes < 20 || (offsetByte & 0x0f) !== 0 || (bytes[tcp + 13]! & ~TCP_PSH) !== TCP_ACK)
      return false;
    if (IP_HEADER_BYTES + tcpHeaderBytes >= length) return false;
    this.tcpHeaderBytes = tcpHeaderBytes;
    this.seq =
      ((bytes[tcp + 4]! << 24) | (bytes[tcp + 5]! << 16) | (bytes[tcp + 6]! << 8) | bytes[tcp + 7]!) >>> 0;
    return true;
  }

  /** Whether the candidate at `start` continues the open run (its fields set by candidate()). */
  private continuesRun(start: number, length: number): boolean {
    const headerBytes = IP_HEADER_BYTES + this.tcpHeaderBytes;
    if (headerBytes !== this.runHeaderBytes || this.seq !== this.runNextSeq) return false;
    if (this.runLength + length - headerBytes > this.maxRunBytes) return false;
    const bytes = this.bytes;
    const run = this.runHeadersAt;
    // IP (both 0x45): TOS; DF (neither is a fragment: the kernel vouched); TTL; source and destination.
    // TCP: ports; ACK; header length and flags (both ACK, PSH aside) and window; checksum skipped; urgent
    // pointer and options.
    if (bytes[run + 1] !== bytes[start + 1] || bytes[run + 6] !== bytes[start + 6]) return false;
    if (bytes[run + 8] !== bytes[start + 8] || !sameBytes(bytes, run + 12, start + 12, 8)) return false;
    const a = run + IP_HEADER_BYTES;
    const b = start + IP_HEADER_BYTES;
    return (
      sameBytes(bytes, a, b, 4) &&
      sameBytes(bytes, a + 8, b + 8, 5) &&
      sameBytes(bytes, a + 14, b + 14, 2) &&
      sameBytes(bytes, a + 18, b + 18, this.tcpHeaderBytes - 18)
    );
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, count: number): boolean {
  for (let i = 0; i < count; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}
