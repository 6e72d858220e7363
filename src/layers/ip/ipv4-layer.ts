import type { Clock } from '../../core/clock.js';
import { Counters } from '../../core/counters.js';
import { PilhaError } from '../../core/errors.js';
import { directedBroadcast, formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import {
  type RawLink,
  type ReceiveBacklog,
  RX_CHECKSUM_VOUCHED,
  RX_COALESCED,
  RX_LINK_BROADCAST,
} from '../link/raw-link.js';
import { fragmentIpv4 } from './fragmenter.js';
import type {
  DatagramSendOptions,
  IPLayer,
  IpErrorReporter,
  ProtocolHandler,
  SendOptions,
} from './ip-layer.js';
import {
  finishIpv4Checksum,
  IP_FLAG_DF,
  IPV4_MAX_DATAGRAM,
  IPV4_MIN_HEADER,
  type Ipv4Datagram,
  parseIpv4,
  writeIpv4Header,
} from './ipv4-header.js';
import { Ipv4IdGenerator } from './ipv4-id-generator.js';
import { hasSourceRoute, ipv4OptionsProblem } from './ipv4-options-check.js';
import { type HostAddressing, MARTIAN_SOURCES, type MartianSource, martianSource } from './martian-source.js';
import { PathMtuCache } from './path-mtu-cache.js';
import {
  DEFAULT_REASSEMBLER_LIMITS,
  describeReassembly,
  Reassembler,
  type ReassemblerLimits,
  type ReassemblyInfo,
} from './reassembler.js';

const COUNTERS = [
  'rxPackets',
  'rxBytes',
  'rxFragments',
  'reassembled',
  'delivered',
  'txPackets',
  'txBytes',
  'txFragmented',
  'txFragments',
  'txReentrantAllocations',
  /** TCP super-segments handed to the link to cut (each counted in txPackets once per segment). */
  'txSegmented',
  /** Datagrams that arrived while another was being processed (a synchronous link), processed after it. */
  'rxReentrantDeferred',
  'dropTruncated',
  'dropIpv6',
  'dropBadVersion',
  'dropBadIhl',
  'dropBadTotalLength',
  'dropBadChecksum',
  'dropReservedFlag',
  'dropBadFragment',
  'dropNotForUs',
  /** Datagrams with a loose or strict source route option (as Linux's accept_source_route 0). */
  'dropSourceRouted',
  /** Datagrams with malformed options, a first fragment's answered with a Parameter Problem (ipv4-options-check.ts). */
  'dropBadOptions',
  ...MARTIAN_SOURCES,
  'dropUnknownProtocol',
  'dropReassemblyDuplicate',
  'dropReassemblyOverlap',
  'dropReassemblyTooBig',
  'dropReassemblyInconsistent',
  'dropReassemblyTimeout',
  'dropReassemblyEvicted',
  /** Re-entrant arrivals past the deferral limit (a synchronous link delivering a storm). */
  'dropReentrantBacklog',
  /** Falls of a destination's path MTU, each on a validated "fragmentation needed" error (RFC 1191). */
  'pathMtuLowered',
] as const;
type CounterName = (typeof COUNTERS)[number];

/** Re-entrant arrivals waiting at most (each a copy): one window of segments is far below it. */
const MAX_DEFERRED_DATAGRAMS = 4096;

/** sendSegmented's payload: none apart from the datagram. */
const EMPTY_PAYLOAD = new Uint8Array(0);

const PARSE_DROPS: Record<string, CounterName> = {
  truncated: 'dropTruncated',
  'bad-version': 'dropBadVersion',
  'bad-ihl': 'dropBadIhl',
  'bad-total-length': 'dropBadTotalLength',
  'bad-checksum': 'dropBadChecksum',
  'reserved-flag': 'dropReservedFlag',
  'bad-fragment': 'dropBadFragment',
};

const REASSEMBLY_DROPS: Record<string, CounterName> = {
  duplicate: 'dropReassemblyDuplicate',
  overlap: 'dropReassemblyOverlap',
  'too-big': 'dropReassemblyTooBig',
  inconsistent: 'dropReassemblyInconsistent',
  timeout: 'dropReassemblyTimeout',
  evicted: 'dropReassemblyEvicted',
};

export interface Ipv4LayerConfig {
  readonly address: Ipv4Address;
  /** Prefix length of the subnet `address` is on, for its directed broadcast; unknown when omitted. */
  readonly prefixLength?: number;
  /** The link is the host's loopback (a raw socket on the host's address): see HostAddressing.loopback. */
  readonly loopback?: boolean;
  readonly defaultTtl?: number;
  readonly reassembly?: Partial<ReassemblerLimits>;
  /** Where every identification counter starts, for tests; random per destination when omitted (Ipv4IdGenerator). */
  readonly initialId?: number;
  /** How long a path MTU learned from ICMP lasts after its last fall; ten minutes when omitted (RFC 1191 §6.3). */
  readonly pathMtuExpiryMs?: number;
}

function ignore(_d: Ipv4Datagram): void {}

/**
 * IPv4 for a host (RFC 791, RFC 1122 §3.2): validates and counts what arrives, reassembles fragments,
 * dispatches by protocol; numbers, fragments and sends what the layers above hand down.
 */
export class Ipv4Layer implements IPLayer {
  readonly address: Ipv4Address;
  private readonly handlers: Array<ProtocolHandler> = new Array(256).fill(ignore);
  private readonly registered: boolean[] = new Array(256).fill(false);
  private readonly reassembledListeners: Array<(info: ReassemblyInfo) => void> = [];
  private readonly pathMtuRaisedListeners: Array<(dst: Ipv4Address, mtu: number) => void> = [];
  private readonly batchEndListeners: Array<() => void> = [];
  /** Whether the link signals the end of each batch of datagrams. */
  private readonly batched: boolean;
  private readonly counters = new Counters(COUNTERS);
  private readonly reassembler: Reassembler;
  private readonly defaultTtl: number;
  private readonly addressing: HostAddressing;
  private errorReporter: IpErrorReporter | undefined;
  private txScratch: Uint8Array | undefined;
  /** The scratch buffer is lent out: allocated, and its sendDatagram has not returned yet. */
  private txScratchLent = false;
  private readonly ids: Ipv4IdGenerator;
  private readonly pathMtus: PathMtuCache;
  /** A datagram is being processed: one that arrives now (re-entrantly) waits in `deferred`. */
  private receiving = false;
  private readonly deferred: Array<Uint8Array | undefined> = [];
  /** The RX_LINK_BROADCAST flag of each deferred datagram (a copy keeps no other: its checksums are verified). */
  private readonly deferredFlags: number[] = [];
  private deferredHead = 0;

  constructor(
    private readonly link: RawLink,
    clock: Clock,
    private readonly log: Logger,
    config: Ipv4LayerConfig,
  ) {
    this.address = config.address;
    this.addressing = {
      address: config.address,
      directedBroadcast: directedBroadcast(config.address, config.prefixLength),
      loopback: config.loopback === true,
    };
    this.defaultTtl = config.defaultTtl ?? 64;
    this.ids = new Ipv4IdGenerator(clock, config.initialId);
    this.pathMtus = new PathMtuCache(clock, (dst) => this.pathMtuForgotten(dst), config.pathMtuExpiryMs);
    this.reassembler = new Reassembler(
      clock,
      {
        dropped: (reason, src) => {
          this.counters.inc(REASSEMBLY_DROPS[reason]!);
          if (this.log.isLevelEnabled('debug'))
            this.log.debug({ reason, src: formatIpv4(src) }, 'fragment dropped');
        },
        timedOut: (src, quote, firstFlags) => {
          // RFC 1122 §3.2.2: no ICMP error about a datagram whose first fragment came in a link broadcast.
          const report = quote !== undefined && (firstFlags & RX_LINK_BROADCAST) === 0;
          if (this.log.isLevelEnabled('info')) {
            this.log.info({ src: formatIpv4(src), icmp: report }, 'reassembly timed out');
          }
          if (report) this.errorReporter?.reassemblyTimeExceeded(src, quote);
        },
      },
      { ...DEFAULT_REASSEMBLER_LIMITS, ...config.reassembly },
    );
    link.onReceive((datagram, flags) => this.receive(datagram, flags));
    this.batched = link.onBatchEnd?.(() => this.batchEnd()) ?? false;
  }

  get mtu(): number {
    return this.link.mtu;
  }

  pathMtu(dst: Ipv4Address): number {
    return this.pathMtus.mtu(dst, this.link.mtu);
  }

  lowerPathMtu(dst: Ipv4Address, reported: number): number {
    const before = this.pathMtus.mtu(dst, this.link.mtu);
    const mtu = this.pathMtus.lower(dst, reported, this.link.mtu);
    if (mtu < before) {
      this.counters.values.pathMtuLowered++;
      if (this.log.isLevelEnabled('info'))
        this.log.info({ dst: formatIpv4(dst), reported, pathMtu: mtu }, 'path MTU lowered');
    }
    return mtu;
  }

  onPathMtuRaised(listener: (dst: Ipv4Address, mtu: number) => void): void {
    this.pathMtuRaisedListeners.push(listener);
  }

  /** What was learned about `dst` expired (or was replaced): its path MTU is the link MTU again. */
  private pathMtuForgotten(dst: Ipv4Address): void {
    const mtu = this.link.mtu;
    if (this.log.isLevelEnabled('info'))
      this.log.info({ dst: formatIpv4(dst), pathMtu: mtu }, 'path MTU back to the link MTU');
    for (const listener of this.pathMtuRaisedListeners) listener(dst, mtu);
  }

  /** DF for a datagram to `dst` sent with `opts` (0x4000 or 0). */
  private dontFragmentFlag(dst: Ipv4Address, opts: DatagramSendOptions | undefined): number {
    if (opts === undefined) return 0;
    if (opts.dontFragment === true) return IP_FLAG_DF;
    return opts.pathMtuDiscovery === true && !this.pathMtus.locked(dst) ? IP_FLAG_DF : 0;
  }

  get segmentationMaxBytes(): number {
    return this.link.segmentation?.maxDatagramBytes ?? 0;
  }

  get segmentationTakesParts(): boolean {
    return this.link.segmentation?.sendSegmentedParts !== undefined;
  }

  unicastProblem(dst: Ipv4Address): MartianSource | undefined {
    return martianSource(dst, this.addressing);
  }

  registerProtocol(protocol: number, handler: ProtocolHandler): void {
    this.handlers[protocol] = handler;
    this.registered[protocol] = true;
  }

  onBatchEnd(listener: () => void): boolean {
    this.batchEndListeners.push(listener);
    return this.batched;
  }

  receiveBacklog(): ReceiveBacklog | undefined {
    return this.batched ? this.link.receiveBacklog?.() : undefined;
  }

  private batchEnd(): void {
    const listeners = this.batchEndListeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!();
  }

  onReassembled(listener: (info: ReassemblyInfo) => void): void {
    this.reassembledListeners.push(listener);
  }

  setErrorReporter(reporter: IpErrorReporter): void {
    this.errorReporter = reporter;
  }

  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      reassemblyPending: this.reassembler.pending,
      reassemblyBytes: this.reassembler.bytesHeld,
      pathMtuEntries: this.pathMtus.size,
      pathMtuLimited: this.pathMtus.limited,
      pathMtuExpired: this.pathMtus.forgotten,
    };
  }

  /**
   * The receive path: never throws; everything dropped is counted by reason.
   *
   * Over a link that delivers synchronously (a MemoryLink pair in tests, or any link whose peer answers
   * inside send()), our answer to one datagram can bring the peer's answer back before we are done with the
   * first. Processing it there would nest one more call chain per round trip, until the stack overflows in
   * the middle of some segment; so it is copied and processed once the current datagram is finished, in
   * arrival order. Real links deliver from the event loop and never take this path.
   */
  receive(bytes: Uint8Array, flags = 0): void {
    if (this.receiving) {
      this.defer(bytes, flags);
      return;
    }
    this.receiving = true;
    try {
      this.process(bytes, flags);
      // Processing a deferred datagram may defer more: the loop runs until none is left.
      while (this.deferredHead < this.deferred.length) {
        const next = this.deferred[this.deferredHead]!;
        const nextFlags = this.deferredFlags[this.deferredHead]!;
        this.deferred[this.deferredHead++] = undefined;
        this.process(next, nextFlags);
      }
    } finally {
      if (this.deferred.length > 0) {
        this.deferred.length = 0;
        this.deferredFlags.length = 0;
      }
      this.deferredHead = 0;
      this.receiving = false;
    }
  }

  private defer(bytes: Uint8Array, flags: number): void {
    if (this.deferred.length - this.deferredHead >= MAX_DEFERRED_DATAGRAMS) {
      this.drop('dropReentrantBacklog', 'reentrant-backlog');
      return;
    }
    this.counters.values.rxReentrantDeferred++;
    // The sender may reuse its buffer once its send returns, before this copy is processed.
    this.deferred.push(bytes.slice());
    // A run the link merged keeps what makes it whole (its length from the link, its checksum vouched for).
    const kept =
      flags & RX_COALESCED ? RX_LINK_BROADCAST | RX_COALESCED | RX_CHECKSUM_VOUCHED : RX_LINK_BROADCAST;
    this.deferredFlags.push(flags & kept);
  }

  /** One datagram, with the link's RX_* flags (passed up with it; a reassembled one keeps only its first fragment's RX_LINK_BROADCAST). */
  private process(bytes: Uint8Array, flags: number): void {
    const c = this.counters.values;
    c.rxPackets++;
    c.rxBytes += bytes.length;
    const parsed = parseIpv4(bytes, (flags & RX_COALESCED) !== 0);
    if (typeof parsed === 'string') {
      // The kernel sends IPv6 housekeeping (router solicitations, MLD) to any interface; pilha speaks IPv4 only.
      if (parsed === 'bad-version' && bytes[0]! >> 4 === 6) {
        this.drop('dropIpv6', 'ipv6');
        return;
      }
      this.drop(PARSE_DROPS[parsed]!, parsed);
      return;
    }
    if (parsed.dst !== this.address) {
      this.drop('dropNotForUs', 'not-for-us');
      return;
    }
    // No TTL check: a host must not discard a datagram addressed to it for its TTL, 0 and 1 included
    // (RFC 1122 §3.2.1.7); TTL limits forwarding, which pilha does not do.
    const martian = martianSource(parsed.src, this.addressing);
    if (martian !== undefined) {
      this.drop(martian, 'martian-source', parsed.src);
      return;
    }
    if (parsed.options.length > 0 && !this.optionsAccepted(parsed, flags)) return;
    let datagram = parsed;
    if (parsed.moreFragments || parsed.fragmentOffset !== 0) {
      c.rxFragments++;
      const whole = this.reassembler.add(parsed, flags);
      if (whole === undefined) return;
      datagram = whole.datagram;
      // Checksums are verified once reassembled: only the first fragment's link broadcast stays.
      flags = whole.firstFlags & RX_LINK_BROADCAST;
      c.reassembled++;
      if (this.log.isLevelEnabled('debug')) this.log.debug(describeReassembly(whole.info), 'reassembled');
      for (const listener of this.reassembledListeners) listener(whole.info);
    }
    if (!this.registered[datagram.protocol]) {
      this.drop('dropUnknownProtocol', 'unknown-protocol');
      if ((flags & RX_LINK_BROADCAST) === 0) this.errorReporter?.protocolUnreachable(datagram);
      return;
    }
    c.delivered++;
    this.handlers[datagram.protocol]!(datagram, flags);
  }

  /**
   * Malformed options draw a Parameter Problem pointing at the bad byte (RFC 1122 §3.2.2.5) and the datagram
   * is dropped, as Linux's ip_options_compile. Source-routed datagrams are dropped, as Linux does by default
   * (accept_source_route 0) and RFC 7126 §4.3 and §4.4 advise, though RFC 1122 §3.2.1.8 has a host accept
   * them: a reply along the route the sender chose lets it pose as a host it is not.
   */
  private optionsAccepted(datagram: Ipv4Datagram, flags: number): boolean {
    const problem = ipv4OptionsProblem(datagram.options);
    if (problem >= 0) {
      this.drop('dropBadOptions', 'bad-options', datagram.src);
      // RFC 1122 §3.2.2: no ICMP error about a fragment other than the first, nor a link broadcast.
      if (datagram.fragmentOffset === 0 && (flags & RX_LINK_BROADCAST) === 0)
        this.errorReporter?.parameterProblem(datagram, IPV4_MIN_HEADER + problem);
      return false;
    }
    if (hasSourceRoute(datagram.options)) {
      this.drop('dropSourceRouted', 'source-routed', datagram.src);
      return false;
    }
    return true;
  }

  send(dst: Ipv4Address, protocol: number, payload: Uint8Array, opts?: SendOptions): void {
    const options = opts?.options;
    const headerLength = IPV4_MIN_HEADER + (options?.length ?? 0);
    const total = headerLength + payload.length;
    this.checkSize(total);
    if (total <= this.link.mtu) {
      const out = new Uint8Array(total);
      if (options !== undefined && options.length > 0) out.set(options, IPV4_MIN_HEADER);
      out.set(payload, headerLength);
      this.sendWhole(dst, protocol, out, headerLength, opts);
      return;
    }
    this.sendFragmented(dst, protocol, payload, opts);
  }

  /**
   * A view of one transmit buffer, reused for every datagram: a link never keeps the buffer it is handed
   * (RawLink.send copies what must outlive the call), so per-segment allocation, and the garbage
   * collection it costs at 100k segments/s, is not needed. Not zeroed: the caller writes every byte.
   *
   * The buffer is lent until the sendDatagram that takes it returns, because a link may still read it until
   * then (an ImpairedLink sends a duplicate after the first copy) while a synchronous link has the peer's
   * answer processed, and answered, inside that send. An allocation while it is lent gets a fresh buffer
   * (counted as txReentrantAllocations): only re-entrant sends pay for one.
   */
  allocateDatagram(payloadLength: number): Uint8Array {
    const total = IPV4_MIN_HEADER + payloadLength;
    this.checkSize(total);
    if (this.txScratchLent) {
      this.counters.values.txReentrantAllocations++;
      return new Uint8Array(total);
    }
    let scratch = this.txScratch;
    if (scratch === undefined) {
      scratch = new Uint8Array(IPV4_MAX_DATAGRAM);
      this.txScratch = scratch;
    }
    this.txScratchLent = true;
    return scratch.subarray(0, total);
  }

  sendDatagram(dst: Ipv4Address, protocol: number, datagram: Uint8Array, opts?: DatagramSendOptions): void {
    const returnsScratch = datagram.buffer === this.txScratch?.buffer;
    try {
      if (datagram.length < IPV4_MIN_HEADER) {
        throw new PilhaError('EMSGSIZE', `a datagram buffer needs at least ${IPV4_MIN_HEADER} bytes`);
      }
      this.checkSize(datagram.length);
      if (datagram.length <= this.link.mtu) {
        this.sendWhole(dst, protocol, datagram, IPV4_MIN_HEADER, opts);
        return;
      }
      this.sendFragmented(dst, protocol, datagram.subarray(IPV4_MIN_HEADER), opts);
    } finally {
      // Also when the send throws (DF above the MTU): the buffer is not held forever.
      if (returnsScratch) this.txScratchLent = false;
    }
  }

  sendSegmented(
    dst: Ipv4Address,
    protocol: number,
    datagram: Uint8Array,
    segmentSize: number,
    segmentCount: number,
  ): void {
    this.sendSegmentedParts(dst, protocol, datagram, EMPTY_PAYLOAD, segmentSize, segmentCount);
  }

  sendSegmentedParts(
    dst: Ipv4Address,
    protocol: number,
    headers: Uint8Array,
    payload: Uint8Array,
    segmentSize: number,
    segmentCount: number,
  ): void {
    const returnsScratch = headers.buffer === this.txScratch?.buffer;
    try {
      const segmentation = this.link.segmentation;
      const length = headers.length + payload.length;
      if (
        segmentation === undefined ||
        length > segmentation.maxDatagramBytes ||
        (payload.length > 0 && segmentation.sendSegmentedParts === undefined)
      ) {
        throw new PilhaError('EMSGSIZE', `the link cannot segment a datagram of ${length} bytes`);
      }
      // The segments take consecutive identification numbers, as the kernel numbers them when it cuts.
      const id = this.ids.take(dst, protocol, segmentCount);
      writeIpv4Header(
        headers,
        0,
        IPV4_MIN_HEADER,
        0,
        length,
        id,
        this.pathMtus.locked(dst) ? 0 : IP_FLAG_DF,
        this.defaultTtl,
        protocol,
        this.address,
        dst,
      );
      finishIpv4Checksum(headers, 0, IPV4_MIN_HEADER);
      const c = this.counters.values;
      c.txSegmented++;
      c.txPackets += segmentCount;
      c.txBytes += length;
      if (payload.length === 0) segmentation.sendSegmented(headers, segmentSize);
      else segmentation.sendSegmentedParts!(headers, payload, segmentSize);
    } finally {
      if (returnsScratch) this.txScratchLent = false;
    }
  }

  private checkSize(total: number): void {
    if (total > IPV4_MAX_DATAGRAM) {
      throw new PilhaError('EMSGSIZE', `datagram of ${total} bytes exceeds the IPv4 maximum of 65535`);
    }
  }

  /** Writes the header of `out` (options, if any, already at offset 20) and sends it whole. */
  private sendWhole(
    dst: Ipv4Address,
    protocol: number,
    out: Uint8Array,
    headerLength: number,
    opts: DatagramSendOptions | undefined,
  ): void {
    writeIpv4Header(
      out,
      0,
      headerLength,
      opts?.tos ?? 0,
      out.length,
      this.ids.take(dst, protocol, 1),
      this.dontFragmentFlag(dst, opts),
      opts?.ttl ?? this.defaultTtl,
      protocol,
      this.address,
      dst,
    );
    finishIpv4Checksum(out, 0, headerLength);
    const c = this.counters.values;
    c.txPackets++;
    c.txBytes += out.length;
    this.link.send(out);
  }

  private sendFragmented(dst: Ipv4Address, protocol: number, payload: Uint8Array, opts?: SendOptions): void {
    const options = opts?.options;
    if (opts?.dontFragment) {
      const total = IPV4_MIN_HEADER + (options?.length ?? 0) + payload.length;
      throw new PilhaError(
        'EMSGSIZE',
        `datagram of ${total} bytes exceeds the MTU of ${this.link.mtu} and DF is set`,
      );
    }
    const fragments = fragmentIpv4(
      {
        tos: opts?.tos ?? 0,
        id: this.ids.take(dst, protocol, 1),
        ttl: opts?.ttl ?? this.defaultTtl,
        protocol,
        src: this.address,
        dst,
        options,
      },
      payload,
      this.link.mtu,
    );
    const c = this.counters.values;
    c.txFragmented++;
    for (const fragment of fragments) {
      c.txPackets++;
      c.txFragments++;
      c.txBytes += fragment.length;
      this.link.send(fragment);
    }
  }

  async close(): Promise<void> {
    this.reassembler.clear();
    this.pathMtus.clear();
    await this.link.close();
  }

  private drop(counter: CounterName, reason: string, src?: Ipv4Address): void {
    this.counters.values[counter]++;
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug(src === undefined ? { reason } : { reason, src: formatIpv4(src) }, 'datagram dropped');
    }
  }
}
