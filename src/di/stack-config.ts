import type { Ipv4Address } from '../core/ipv4-address.js';
import type { LogSpec } from '../core/logger.js';
import type { MacAddress } from '../core/mac-address.js';
import type { ArpConfig } from '../layers/ethernet/arp-config.js';
import type { Impairment } from '../layers/link/decorators/impairment.js';
import type { TcpConfig } from '../transport/tcp/tcp-config.js';

/** A TUN device that pilha creates and configures; the kernel side gets `hostAddress/prefixLength`. */
export interface TunLinkConfig {
  readonly kind: 'tun';
  readonly name: string;
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  /**
   * Segmentation and checksum offload with the kernel (TunLinkOptions.offload): on unless false. Off, too,
   * when the link is captured or impaired, so that the decorators see segments as on the wire both ways.
   */
  readonly offload?: boolean;
  /** The reader thread's nice value (TunLinkOptions.readerNice): a server's when absent. */
  readonly readerNice?: number;
  /** Read on the main thread when reads are GSO packets (TunLinkOptions.readOnMainThread): pilha get's. */
  readonly readOnMainThread?: boolean;
}

/**
 * A raw IPv4 socket on an address the host already has (StackConfig.address, e.g. 127.0.0.1): pilha takes
 * the TCP segments to `ports` on it and keeps the kernel's TCP from resetting them (RawSocketLink). The ports
 * are the ones pilha listens on: the link cannot see the TCP layer, so the command names them here.
 */
export interface RawLinkConfig {
  readonly kind: 'raw';
  readonly ports: readonly number[];
}

/**
 * A TAP device that pilha creates and configures like a TUN device (the kernel side gets
 * `hostAddress/prefixLength`); pilha sits at the far end with its own MAC: `mac`, or a random locally
 * administered one. Frames pass through an EthernetLayer with ARP.
 */
export interface TapLinkConfig {
  readonly kind: 'tap';
  readonly name: string;
  readonly hostAddress: Ipv4Address;
  readonly prefixLength: number;
  readonly mac?: MacAddress;
  /**
   * Segmentation offload with the kernel (TunLinkOptions.offload: super-segments as frames both ways): on
   * unless false. Off, too, when the link is captured or impaired (they take no super-frames).
   */
  readonly offload?: boolean;
  /** The reader thread's nice value (TunLinkOptions.readerNice): a server's when absent. */
  readonly readerNice?: number;
  /** Read on the main thread when reads are GSO packets (TunLinkOptions.readOnMainThread): pilha get's. */
  readonly readOnMainThread?: boolean;
}

/**
 * An AF_PACKET socket bound to an existing Ethernet interface (`device`, pilha's end of a veth pair, with no
 * address of its own); pilha's MAC is `mac` or the interface's. `prefixLength` is the subnet's (for the
 * directed broadcast and for ARP's on-link check). The MTU is StackConfig.mtu, the interface's by default.
 */
export interface PacketLinkConfig {
  readonly kind: 'packet';
  readonly device: string;
  readonly prefixLength: number;
  readonly mac?: MacAddress;
  /**
   * Segmentation offload with the kernel (PacketLinkOptions.offload: PACKET_VNET_HDR, super-frames both ways):
   * on unless false. Off, too, when the link is captured or impaired (they take no super-frames).
   */
  readonly offload?: boolean;
}

/** A link supplied by the caller (a MemoryLink end in tests); bind BaseLink yourself. */
export interface ProvidedLinkConfig {
  readonly kind: 'provided';
  /** Length of the prefix of the subnet pilha's address is on (for its directed broadcast); none if omitted. */
  readonly prefixLength?: number;
}

/** Everything a composition needs to build a stack. */
export interface StackConfig {
  readonly link: TunLinkConfig | TapLinkConfig | PacketLinkConfig | RawLinkConfig | ProvidedLinkConfig;
  readonly mtu: number;
  /** pilha's own address. */
  readonly address: Ipv4Address;
  /**
   * pilha's MAC on a link whose medium is Ethernet (`--mac`), when the link itself has none (a MemoryLink
   * without MACs); a link's own MAC wins. Random, locally administered, when neither gives one.
   */
  readonly mac?: MacAddress;
  /** ARP settings that differ from the defaults (DEFAULT_ARP_CONFIG, Linux-like); Ethernet links only. */
  readonly arp?: Partial<ArpConfig>;
  readonly reassemblyTimeoutMs: number;
  readonly reassemblyMaxBytes: number;
  /**
   * How long a path MTU learned from ICMP "fragmentation needed" lasts after its last fall (`--pmtu-expires`,
   * Linux's net.ipv4.route.mtu_expires); ten minutes when omitted (RFC 1191 §6.3).
   */
  readonly pathMtuExpiryMs?: number;
  readonly impairment?: Impairment;
  readonly pcapFile?: string;
  /** `--trace`: each TCP connection's cwnd, ssthresh, bytes in flight, srtt, rto and events, as JSON lines. */
  readonly traceFile?: string;
  readonly log: LogSpec;
  /** TCP settings that differ from the defaults (DEFAULT_TCP_CONFIG, Linux-like). */
  readonly tcp?: Partial<TcpConfig>;
}

export const DEFAULT_MTU = 1500;
export const DEFAULT_REASSEMBLY_TIMEOUT_MS = 30_000;
export const DEFAULT_REASSEMBLY_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Whether the link asks the kernel for GSO reads (receive offload: up to 64 KB of a TCP stream per read): a TUN
 * or TAP device or a packet socket with offload on, neither captured nor impaired (those see segments as on the
 * wire, so they get wire-sized reads; under them a link of frames takes no super-frames either).
 */
export function receivesGsoReads(config: StackConfig): boolean {
  return (
    (config.link.kind === 'tun' || config.link.kind === 'tap' || config.link.kind === 'packet') &&
    config.link.offload !== false &&
    config.impairment === undefined &&
    config.pcapFile === undefined
  );
}
