import { Counters } from '../../core/counters.js';
import type { MacAddress } from '../../core/mac-address.js';
import { ignoreDatagram, type LinkMedium, type RawLink } from './raw-link.js';

const COUNTERS = ['txPackets', 'txBytes', 'rxPackets', 'rxBytes', 'dropClosed', 'dropTooBig'] as const;

/** An Ethernet frame's bytes beyond the IP MTU: the header with room for one 802.1Q tag. */
const ETHERNET_FRAME_OVERHEAD = 18;

/** What a MemoryLink pair moves: IPv4 datagrams by default, or Ethernet frames with a MAC for each end. */
export interface MemoryLinkMedium {
  readonly medium: LinkMedium;
  /** The two ends' MAC addresses (for 'ethernet'). */
  readonly macs?: readonly [MacAddress, MacAddress];
}

/**
 * One end of an in-memory link. Delivery is synchronous by default (deterministic, for tests);
 * with `deliver` set, each datagram is handed to that scheduler instead (e.g. a Clock timer or queueMicrotask).
 */
export class MemoryLink implements RawLink {
  private handler: (datagram: Uint8Array) => void = ignoreDatagram;
  private peer: MemoryLink | undefined;
  private closed = false;
  private readonly counters = new Counters(COUNTERS);

  /**
   * Creates two connected ends. With `as.medium` 'ethernet' they move frames (the MTU stays the IP MTU; a
   * frame may exceed it by its header and one tag) and each end has its MAC from `as.macs`.
   */
  static pair(
    mtu = 1500,
    deliver?: (run: () => void) => void,
    as?: MemoryLinkMedium,
  ): [MemoryLink, MemoryLink] {
    const a = new MemoryLink(mtu, deliver, as?.medium, as?.macs?.[0]);
    const b = new MemoryLink(mtu, deliver, as?.medium, as?.macs?.[1]);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  private readonly maxSend: number;

  private constructor(
    readonly mtu: number,
    private readonly deliver?: (run: () => void) => void,
    readonly medium?: LinkMedium,
    readonly mac?: MacAddress,
  ) {
    this.maxSend = medium === 'ethernet' ? mtu + ETHERNET_FRAME_OVERHEAD : mtu;
  }

  send(datagram: Uint8Array): void {
    const peer = this.peer;
    if (this.closed || peer === undefined || peer.closed) {
      this.counters.inc('dropClosed');
      return;
    }
    if (datagram.length > this.maxSend) {
      this.counters.inc('dropTooBig');
      return;
    }
    this.counters.inc('txPackets');
    this.counters.inc('txBytes', datagram.length);
    // The sender may reuse its buffer once send() returns, so the receiver gets its own copy.
    const copy = datagram.slice();
    if (this.deliver === undefined) peer.receive(copy);
    else this.deliver(() => peer.receive(copy));
  }

  onReceive(handler: (datagram: Uint8Array) => void): void {
    this.handler = handler;
  }

  /** Injects a datagram as if it had arrived from the peer (for tests). */
  receive(datagram: Uint8Array): void {
    if (this.closed) return;
    this.counters.inc('rxPackets');
    this.counters.inc('rxBytes', datagram.length);
    this.handler(datagram);
  }

  stats(): Record<string, number> {
    return this.counters.snapshot();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
