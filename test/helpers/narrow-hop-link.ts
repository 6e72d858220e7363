/**
 * A router between a stack and its link whose next hop carries at most `hopMtu` bytes, as the sim's stand-in
 * for a path whose narrow link is in the middle (each end's own link, and so the MSS each announces, is wider).
 * What the stack sends that does not fit: with DF, refused with an ICMP "fragmentation needed" (RFC 1191, next-hop
 * MTU in the field, or 0 when `reportsMtu` is false, as an RFC 792 router) sent back to the stack; without DF,
 * fragmented on. It records the length and DF of every datagram the stack sent, and the reports it sent back.
 */
import type { Ipv4Address } from '../../src/core/ipv4-address.js';
import { encodeIcmp } from '../../src/layers/icmp/icmp-message.js';
import { fragmentIpv4 } from '../../src/layers/ip/fragmenter.js';
import { finishIpv4Checksum, IP_FLAG_DF, writeIpv4Header } from '../../src/layers/ip/ipv4-header.js';
import { decoratorStats, type RawLink, type ReceiveHandler } from '../../src/layers/link/raw-link.js';

/** The router's own address, which its ICMP errors come from. */
export const ROUTER_ADDRESS = 0x0a09_00fe as Ipv4Address; // 10.9.0.254

export interface SentDatagram {
  readonly length: number;
  readonly dontFragment: boolean;
}

export class NarrowHopLink implements RawLink {
  readonly mtu: number;
  /** Every datagram the stack sent, in order. */
  readonly sent: SentDatagram[] = [];
  /** The next-hop MTU of each "fragmentation needed" sent back (0 when the field is left zero). */
  readonly reports: number[] = [];
  /** Datagrams without DF cut into fragments for the hop. */
  fragmented = 0;
  /** Called after each report is made (a hop whose MTU keeps falling, say). */
  afterReport: ((hop: NarrowHopLink) => void) | undefined;
  /** When set, the hop narrows to `mtu` once `after` datagrams have been sent (a route change). */
  narrowing: { readonly after: number; readonly mtu: number } | undefined;
  private handler: ReceiveHandler = () => {};

  constructor(
    private readonly inner: RawLink,
    /** What the narrow hop carries; may change mid-run (a route change). */
    public hopMtu: number,
    /** Runs a delivery later (so the report does not arrive inside the send that caused it). */
    private readonly later: (run: () => void) => void,
    private readonly reportsMtu = true,
  ) {
    this.mtu = inner.mtu;
    inner.onReceive((d, flags) => this.handler(d, flags));
  }

  send(datagram: Uint8Array): void {
    const length = (datagram[2]! << 8) | datagram[3]!;
    const flags = (datagram[6]! << 8) | datagram[7]!;
    const dontFragment = (flags & IP_FLAG_DF) !== 0;
    this.sent.push({ length, dontFragment });
    if (this.narrowing !== undefined && this.sent.length > this.narrowing.after) {
      this.hopMtu = this.narrowing.mtu;
      this.narrowing = undefined;
    }
    if (length <= this.hopMtu) {
      this.inner.send(datagram);
      return;
    }
    if (dontFragment) {
      this.refuse(datagram);
      return;
    }
    this.fragmented++;
    const ihl = (datagram[0]! & 0x0f) * 4;
    const fragments = fragmentIpv4(
      {
        tos: datagram[1]!,
        id: (datagram[4]! << 8) | datagram[5]!,
        ttl: datagram[8]! - 1,
        protocol: datagram[9]!,
        src: readAddress(datagram, 12),
        dst: readAddress(datagram, 16),
      },
      datagram.subarray(ihl, length),
      this.hopMtu,
    );
    for (const fragment of fragments) this.inner.send(fragment);
  }

  onReceive(handler: ReceiveHandler): void {
    this.handler = handler;
  }

  stats(): Record<string, number> {
    return decoratorStats({ refused: this.reports.length, fragmented: this.fragmented }, this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Hands the stack a datagram as if it came through the hop (a forged or stray report). */
  inject(datagram: Uint8Array): void {
    this.later(() => this.handler(datagram));
  }

  private refuse(datagram: Uint8Array): void {
    const reported = this.reportsMtu ? this.hopMtu : 0;
    this.reports.push(reported);
    // Made now: the stack reuses the buffer it sent.
    const report = fragmentationNeeded(datagram, reported, this.reports.length);
    this.later(() => this.handler(report));
    this.afterReport?.(this);
  }
}

/**
 * The router's ICMP "fragmentation needed" about `datagram` (RFC 792: quoting its header and the first 8
 * bytes of its payload), reporting `nextHopMtu` (RFC 1191), addressed to the datagram's source.
 */
export function fragmentationNeeded(datagram: Uint8Array, nextHopMtu: number, id = 1): Uint8Array {
  const ihl = (datagram[0]! & 0x0f) * 4;
  const quote = datagram.slice(0, ihl + 8);
  const icmp = encodeIcmp({ type: 3, code: 4, rest: nextHopMtu & 0xffff, body: quote });
  const out = new Uint8Array(20 + icmp.length);
  writeIpv4Header(out, 0, 20, 0, out.length, id, 0, 64, 1, ROUTER_ADDRESS, readAddress(datagram, 12));
  finishIpv4Checksum(out, 0, 20);
  out.set(icmp, 20);
  return out;
}

function readAddress(d: Uint8Array, at: number): Ipv4Address {
  return (((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0) as Ipv4Address;
}
