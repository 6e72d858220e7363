import type { Ipv4Address } from '../../core/ipv4-address.js';

/** Why a source address is one a host must not accept (RFC 1122 §3.2.1.3), each a drop counter of the IP layer. */
export type MartianSource =
  | 'dropSourceOurs'
  | 'dropSourceZero'
  | 'dropSourceBroadcast'
  | 'dropSourceMulticast'
  | 'dropSourceReserved'
  | 'dropSourceLoopback';

export const MARTIAN_SOURCES: readonly MartianSource[] = [
  'dropSourceOurs',
  'dropSourceZero',
  'dropSourceBroadcast',
  'dropSourceMulticast',
  'dropSourceReserved',
  'dropSourceLoopback',
];

/** Each reason in words, for an error that names the address (an active open refused: tcp-layer.ts). */
export const MARTIAN_DESCRIPTIONS: Readonly<Record<MartianSource, string>> = {
  dropSourceOurs: "pilha's own address",
  dropSourceZero: 'an address of "this network" (0.0.0.0/8)',
  dropSourceBroadcast: 'a broadcast address',
  dropSourceMulticast: 'a multicast address',
  dropSourceReserved: 'a reserved (class E) address',
  dropSourceLoopback: 'a loopback address',
};

const LIMITED_BROADCAST = 0xffffffff;

/** Where pilha sits: its own address and its subnet's directed broadcast (-1 when it has none). */
export interface HostAddressing {
  readonly address: Ipv4Address;
  readonly directedBroadcast: number;
  /**
   * The link is the host's loopback: pilha shares an address the host has (a raw socket), and its peers are
   * programs on the same host, whose datagrams come from 127/8 or from that very address.
   */
  readonly loopback?: boolean;
}

/**
 * Whether a datagram from `src` must be dropped, and why; undefined when the source is acceptable. A host
 * must not accept (RFC 1122 §3.2.1.3) a source of {0, *} (0.0.0.0 is used as a source only by a host
 * learning its address, which pilha never answers), a broadcast (limited or directed), a class D (multicast)
 * or class E (reserved) address, or {127, *} arriving from a link that is not loopback. Its own address as a
 * source is a spoof (or a loop): answering it would make pilha talk to itself, a SYN-ACK to its own SYN. On a
 * loopback link both are how local programs reach it, and are accepted.
 */
export function martianSource(src: Ipv4Address, host: HostAddressing): MartianSource | undefined {
  const first = src >>> 24;
  if (first === 0) return 'dropSourceZero';
  if (first === 127 && host.loopback !== true) return 'dropSourceLoopback';
  if (first >= 224) {
    if (src === LIMITED_BROADCAST) return 'dropSourceBroadcast';
    return first < 240 ? 'dropSourceMulticast' : 'dropSourceReserved';
  }
  if (src === host.address && host.loopback !== true) return 'dropSourceOurs';
  if (src === host.directedBroadcast) return 'dropSourceBroadcast';
  return undefined;
}
