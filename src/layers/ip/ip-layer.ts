import type { Ipv4Address } from '../../core/ipv4-address.js';
import type { ReceiveBacklog } from '../link/raw-link.js';
import type { Ipv4Datagram } from './ipv4-header.js';
import type { MartianSource } from './martian-source.js';
import type { ReassemblyInfo } from './reassembler.js';

export interface SendOptions {
  readonly ttl?: number;
  readonly tos?: number;
  /** Set DF; a datagram that then does not fit the MTU is refused with EMSGSIZE. */
  readonly dontFragment?: boolean;
  /**
   * Set DF for path MTU discovery (RFC 1191), as Linux's IP_PMTUDISC_WANT: unless the destination's path MTU
   * was reported below the floor (path-mtu-cache.ts), when routers are left to fragment.
   */
  readonly pathMtuDiscovery?: boolean;
  /** Raw IP options (a multiple of 4 bytes). */
  readonly options?: Uint8Array;
}

/** The link's receive flag for a transport checksum it vouches for, passed up to the protocol handlers. */
export { RX_CHECKSUM_VOUCHED, RX_LINK_BROADCAST } from '../link/raw-link.js';

/** What receives one protocol's datagrams: the datagram and the link's receive flags (RX_*, raw-link.ts). */
export type ProtocolHandler = (datagram: Ipv4Datagram, flags: number) => void;

/** Options of `sendDatagram`: the header is fixed at 20 bytes, so no IP options. */
export type DatagramSendOptions = Omit<SendOptions, 'options'>;

/** TCP's options for every datagram: DF for path MTU discovery (RFC 1191), as Linux sends TCP by default. */
export const PATH_MTU_DISCOVERY: DatagramSendOptions = { pathMtuDiscovery: true };

/** What the network layer offers the layers above it. */
export interface IPLayer {
  readonly address: Ipv4Address;
  /**
   * Why `dst` is not a unicast peer reachable over this link (the reasons a source would be dropped: this
   * network, a broadcast, multicast, class E, loopback or pilha's own address off a loopback link), or
   * undefined when it is one. An active open checks it (RFC 1122 §4.2.3.10).
   */
  unicastProblem(dst: Ipv4Address): MartianSource | undefined;
  /** The link MTU: the largest datagram sent without fragmenting. */
  readonly mtu: number;
  /** The path MTU to `dst` (RFC 1191): what a validated "fragmentation needed" error taught, or the link MTU. */
  pathMtu(dst: Ipv4Address): number;
  /**
   * A "fragmentation needed" error reporting `reported` bytes on the path to `dst`, which the transport
   * validated (it quotes a segment in flight, RFC 5927 §4.1): lowers the path MTU (never below 552; below that
   * the path is sent to without DF). Returns the path MTU now in force.
   */
  lowerPathMtu(dst: Ipv4Address, reported: number): number;
  /**
   * Adds a listener called when what was learned about the path to a destination expires (by default ten
   * minutes after the last fall, RFC 1191 §6.3) or is replaced by a newer one: the path MTU to `dst` is `mtu`
   * (the link MTU) again, and connections to it may send full-sized segments again. Called from a timer or
   * while an ICMP error is taken, never from a look-up or a send's own path MTU decision.
   */
  onPathMtuRaised?(listener: (dst: Ipv4Address, mtu: number) => void): void;
  /** Sends a payload to `dst`, fragmenting it when it exceeds the MTU. The payload is copied. */
  send(dst: Ipv4Address, protocol: number, payload: Uint8Array, opts?: SendOptions): void;
  /**
   * A buffer for a datagram that carries `payloadLength` bytes, for a sender that writes its payload in place
   * (at offset `IPV4_MIN_HEADER`, 20) rather than handing over a payload to be copied. The first 20 bytes are
   * reserved for the header; pass it to `sendDatagram`. It is not zeroed and is valid only until that send
   * returns (the layer reuses it). Allocating again before then (a send inside a send, as a synchronous link
   * makes happen) is safe: that call gets a buffer of its own.
   */
  allocateDatagram(payloadLength: number): Uint8Array;
  /**
   * Writes the 20-byte IPv4 header into a buffer from `allocateDatagram` (payload already in place) and sends
   * it, fragmenting it when it exceeds the MTU. Options are not supported on this path. The buffer is the
   * layer's once passed in.
   */
  sendDatagram(dst: Ipv4Address, protocol: number, datagram: Uint8Array, opts?: DatagramSendOptions): void;
  /**
   * The longest datagram `sendSegmented` takes (IP header included), or 0 when the link cannot cut
   * super-segments itself (RawLink.segmentation) and every segment must be sent on its own.
   */
  readonly segmentationMaxBytes: number;
  /**
   * Writes the 20-byte IPv4 header into a TCP super-segment from `allocateDatagram` (total length: the whole
   * datagram) and hands it to the link, which cuts it into `segmentCount` segments of `segmentSize` payload
   * bytes; each segment takes its own identification number, and DF as `pathMtuDiscovery` sets it (the link
   * copies the header into each). The TCP checksum field must hold the folded
   * pseudo-header sum over the whole TCP length (RawLink.segmentation). Throws EMSGSIZE when the link cannot
   * segment or the datagram is longer than it takes.
   */
  sendSegmented(
    dst: Ipv4Address,
    protocol: number,
    datagram: Uint8Array,
    segmentSize: number,
    segmentCount: number,
  ): void;
  /** Whether the link takes a super-segment's headers and payload apart (sendSegmentedParts). */
  readonly segmentationTakesParts: boolean;
  /**
   * sendSegmented with the payload apart: `headers` (from `allocateDatagram`, the IP header's 20 bytes
   * reserved, then the TCP header) and `payload`, which the link writes after them in the same call; the IP
   * total length covers both. Throws EMSGSIZE when the link cannot take the parts or the datagram is too long.
   */
  sendSegmentedParts(
    dst: Ipv4Address,
    protocol: number,
    headers: Uint8Array,
    payload: Uint8Array,
    segmentSize: number,
    segmentCount: number,
  ): void;
  /**
   * Sets the handler for one protocol number; datagrams arrive whole (reassembled), views valid during the
   * call, with the link's RX_* flags (raw-link.ts; none for a reassembled datagram).
   */
  registerProtocol(protocol: number, handler: ProtocolHandler): void;
  /**
   * Adds a listener called after each batch of datagrams the link delivered one after the other (RawLink's
   * onBatchEnd). Returns whether the link signals batch ends; when it does not, the listener is never called.
   */
  onBatchEnd?(listener: () => void): boolean;
  /**
   * The link's datagrams read and not yet handed up (RawLink.receiveBacklog), when it keeps a backlog and
   * signals batch ends; undefined otherwise.
   */
  receiveBacklog?(): ReceiveBacklog | undefined;
  /** Called for every datagram reassembled from fragments. */
  onReassembled(listener: (info: ReassemblyInfo) => void): void;
  /** Where the IP layer reports the errors that ICMP (the layer above) turns into messages. */
  setErrorReporter(reporter: IpErrorReporter): void;
  stats(): Record<string, number>;
  close(): Promise<void>;
}

/** Errors the IP layer detects and that the peer should hear about through ICMP. */
export interface IpErrorReporter {
  /** No handler for the datagram's protocol (ICMP Destination Unreachable, code 2). */
  protocolUnreachable(datagram: Ipv4Datagram): void;
  /** Reassembly timed out with the first fragment present (ICMP Time Exceeded, code 1). */
  reassemblyTimeExceeded(src: Ipv4Address, quote: Uint8Array): void;
  /** A header field in error, at byte `pointer` of the header (ICMP Parameter Problem, code 0). */
  parameterProblem(datagram: Ipv4Datagram, pointer: number): void;
}
