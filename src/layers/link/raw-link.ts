import type { PilhaError } from '../../core/errors.js';
import type { MacAddress } from '../../core/mac-address.js';

/**
 * What a link moves: whole IPv4 datagrams ('ip': TUN, raw IP socket), or whole Ethernet frames without the
 * FCS ('ethernet': TAP, AF_PACKET), which an EthernetLayer with ARP turns into an 'ip' link for the IP layer.
 */
export type LinkMedium = 'ip' | 'ethernet';

/**
 * What a link that cuts TCP segments itself offers (a TUN device with segmentation offload): TCP may hand it a
 * run of consecutive segments of one flow as one "super-segment" and save a system call per segment. TCP still
 * decides every segment boundary; a link without it gets segments. The decorators (ImpairedLink, PcapLink)
 * offer it when the link they wrap does, and treat a super-segment as the segments it stands for.
 */
export interface SegmentationOffload {
  /** The longest super-segment, IP header included. */
  readonly maxDatagramBytes: number;
  /**
   * Sends an IPv4 TCP super-segment: one IP and TCP header, then the payloads of consecutive segments of
   * `segmentSize` bytes (the last may be shorter). Its IP total length is the whole datagram's; its TCP
   * checksum field holds the folded, not inverted, pseudo-header sum over its whole TCP length
   * (offload/tcp-super-segment.ts); PSH and FIN go on the last segment only. Never throws; drops are counted.
   */
  sendSegmented(datagram: Uint8Array, segmentSize: number): void;
  /**
   * The same super-segment in two parts, its IP and TCP headers and its payload, which the link writes
   * together (writev) instead of the sender gathering them into one buffer: a payload the sender already holds
   * in memory of its own is not copied once more. Absent where a link needs the datagram whole (the
   * decorators); the sender then gathers.
   */
  sendSegmentedParts?(headers: Uint8Array, payload: Uint8Array, segmentSize: number): void;
}

/**
 * A receive flag (the second argument of a RawLink's receive handler): the link vouches for the datagram's TCP
 * checksum. A TUN device with receive offload hands pilha the kernel's own TCP packets with the checksum left
 * unfinished (NEEDS_CSUM: they never crossed a wire) or already verified (DATA_VALID); the reader does not
 * finish it, and TCP does not verify it. A decorator that may change a datagram (ImpairedLink) or record it
 * (PcapLink) never passes the flag on (and the device does not take receive offload under one).
 */
export const RX_CHECKSUM_VOUCHED = 1;

/**
 * A receive flag: the datagram came in a link-layer broadcast frame (to ff:ff:ff:ff:ff:ff), though its IP
 * destination is pilha's own address. Nothing answers it with an ICMP error (RFC 1122 §3.2.2: MUST NOT), and
 * TCP ignores it, as Linux does for a frame that was not to its MAC (pkt_type other than PACKET_HOST).
 */
export const RX_LINK_BROADCAST = 2;

/**
 * A receive flag: the datagram is a run of one TCP flow's consecutive segments that the link merged
 * (TcpReadCoalescer, software GRO), with RX_CHECKSUM_VOUCHED. A run longer than 65,535 bytes has 0 in its IP
 * total length, as Linux's BIG TCP packets do: its length is the datagram's, as the link hands it up.
 */
export const RX_COALESCED = 4;

/** What a link hands up: a datagram (a view valid only during the call) and its RX_* flags. */
export type ReceiveHandler = (datagram: Uint8Array, flags?: number) => void;

/**
 * Datagrams a link has read from its device and not yet handed up, as two running counts (wrapping at 2^32):
 * none wait when they are equal. A mark taken from `received()` is passed once `delivered()` reaches it.
 */
export interface ReceiveBacklog {
  /** Datagrams read so far. */
  received(): number;
  /** Of those, handed up so far (each batch's end follows its datagrams). */
  delivered(): number;
}

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
  /** Present when the link can take TCP super-segments (see SegmentationOffload). */
  readonly segmentation?: SegmentationOffload | undefined;
  /**
   * Sends one datagram (or frame). Never blocks and never throws for a full device: the datagram is dropped and counted.
   * The link may not keep a reference to `datagram` after returning unless it copies it.
   */
  send(datagram: Uint8Array): void;
  /** Sets the one handler that receives datagrams (and their RX_* flags); the view is valid only during the call. */
  onReceive(handler: ReceiveHandler): void;
  /**
   * Sets the one handler called after each batch of datagrams the link delivers one after the other (a read
   * batch of an fd link): what the layers above answer once per batch, such as TCP's ACKs. Returns whether the
   * link signals batch ends; when it does, every datagram is followed by a batch end. Absent, or false: no
   * batches (each datagram stands alone).
   */
  onBatchEnd?(handler: () => void): boolean;
  /**
   * The datagrams read from the device that wait to be handed up (a reader thread's backlog), when the link
   * keeps one: what TCP's timers wait for (tcp-timer-gate.ts). Absent: nothing waits between reads.
   */
  receiveBacklog?(): ReceiveBacklog | undefined;
  /**
   * Sets the one handler told, once, when the link stops delivering for good while open (its device was
   * removed, a read failed): what runs on it should stop and close it. Told at once if that has happened.
   * Absent: a link that cannot fail so (in memory).
   */
  onFailure?(handler: (error: PilhaError) => void): void;
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
