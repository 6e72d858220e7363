import type { MacAddress } from '../../core/mac-address.js';

/**
 * What a link moves: whole IPv4 datagrams ('ip': TUN, raw IP socket), or whole Ethernet frames without the
 * FCS ('ethernet': TAP, AF_PACKET), which an EthernetLayer with ARP turns into an 'ip' link for the IP layer.
 */
export type LinkMedium = 'ip' | 'ethernet';

/**
 * Moves whole packets of its medium between pilha and a network; the bottom of the stack. Without `medium`, a
 * link moves IPv4 datagrams.
 */
export interface RawLink {
  /** Largest IP datagram the link carries, in bytes (for Ethernet: the frame's payload, 1500 by default). */
  readonly mtu: number;
  /** 'ethernet' for a link of frames; absent or 'ip' for one of IPv4 datagrams. */
  readonly medium?: LinkMedium;
  /** pilha's own MAC address on an Ethernet link. */
  readonly mac?: MacAddress;
  /**
   * Sends one datagram (or frame). Never blocks and never throws for a full device: the datagram is dropped and counted.
   * The link may not keep a reference to `datagram` after returning unless it copies it.
   */
  send(datagram: Uint8Array): void;
  /** Sets the one handler that receives datagrams; the view is valid only during the call. */
  onReceive(handler: (datagram: Uint8Array) => void): void;
  /** Link-level counters (packets and bytes each way, drops by reason). */
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** A handler that drops everything: what a link delivers to before the layer above registers. */
export function ignoreDatagram(_datagram: Uint8Array): void {}

/** A decorator's stats: its own counters unprefixed, then the wrapped link's under `inner.`. */
export function decoratorStats(own: Record<string, number>, inner: RawLink): Record<string, number> {
  const out: Record<string, number> = { ...own };
  const innerStats = inner.stats();
  for (const k of Object.keys(innerStats)) out[`inner.${k}`] = innerStats[k]!;
  return out;
}
