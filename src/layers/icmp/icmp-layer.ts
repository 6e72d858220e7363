import type { Clock } from '../../core/clock.js';
import { Counters } from '../../core/counters.js';
import { formatIpv4, type Ipv4Address } from '../../core/ipv4-address.js';
import type { Logger } from '../../core/logger.js';
import { wallTimeOfDayUt } from '../../core/system-clock.js';
import type { IPLayer, IpErrorReporter } from '../ip/ip-layer.js';
import {
  IP_PROTOCOL_ICMP,
  IPV4_MAX_DATAGRAM,
  IPV4_MIN_HEADER,
  type Ipv4Datagram,
  icmpQuote,
} from '../ip/ipv4-header.js';
import { echoReplyOptions } from './echo-reply-options.js';
import {
  echoId,
  echoRest,
  echoSeq,
  encodeIcmp,
  ICMP_DEST_UNREACHABLE,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_PARAMETER_PROBLEM,
  ICMP_TIME_EXCEEDED,
  type IcmpMessage,
  isIcmpError,
  parseIcmp,
  TIME_EXCEEDED_REASSEMBLY,
  UNREACHABLE_HOST,
  UNREACHABLE_PROTOCOL,
} from './icmp-message.js';
import { IcmpPeerRateLimit } from './icmp-peer-rate-limit.js';

const COUNTERS = [
  'rxMessages',
  'rxEchoRequests',
  'rxEchoReplies',
  'rxDestUnreachable',
  'rxTimeExceeded',
  'rxOtherErrors',
  'rxOther',
  /** Errors about our own datagrams raised on this host (ARP gave up on the next hop), not received. */
  'localDestUnreachable',
  'txEchoRequests',
  'txEchoReplies',
  'txDestUnreachable',
  'txTimeExceeded',
  'txParameterProblem',
  'dropTruncated',
  'dropBadChecksum',
  /** Errors not sent for the global limit (ERRORS_PER_SECOND). */
  'dropRateLimited',
  /** Errors not sent for the per-destination limit (icmp-peer-rate-limit.ts: one a second, a burst of six). */
  'dropPeerRateLimited',
] as const;

export interface EchoReply {
  readonly src: Ipv4Address;
  readonly id: number;
  readonly seq: number;
  readonly ttl: number;
  /** Size of the ICMP message (header + data), as ping prints it. */
  readonly icmpBytes: number;
  readonly data: Uint8Array;
}

/** An ICMP error received: the quoted datagram lets the transport find the connection it concerns. */
export interface IcmpErrorReport {
  readonly src: Ipv4Address;
  readonly type: number;
  readonly code: number;
  readonly rest: number;
  readonly quoted: Uint8Array;
}

/** Linux's icmp_msgs_per_sec and icmp_msgs_burst: errors we originate are rate-limited. */
const ERRORS_PER_SECOND = 1000;
const ERROR_BURST = 50;

/**
 * ICMP for a host (RFC 792, RFC 1122 §3.2.2): answers echo requests, delivers echo replies to pingers,
 * counts and reports received errors, and originates the errors the IP layer detects.
 */
export class IcmpLayer implements IpErrorReporter {
  private readonly counters = new Counters(COUNTERS);
  private readonly echoListeners: Array<(reply: EchoReply) => void> = [];
  private readonly errorListeners: Array<(report: IcmpErrorReport) => void> = [];
  private tokens = ERROR_BURST;
  private tokensAt: number;
  private readonly peerLimit = new IcmpPeerRateLimit();

  constructor(
    private readonly ip: IPLayer,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Milliseconds since midnight UT, for the IP Timestamp option of echo replies (RFC 791). */
    private readonly timeOfDay: () => number = wallTimeOfDayUt,
  ) {
    this.tokensAt = clock.now();
    ip.registerProtocol(IP_PROTOCOL_ICMP, (d) => this.receive(d));
    ip.setErrorReporter(this);
  }

  onEchoReply(listener: (reply: EchoReply) => void): void {
    this.echoListeners.push(listener);
  }

  onError(listener: (report: IcmpErrorReport) => void): void {
    this.errorListeners.push(listener);
  }

  /**
   * A datagram of ours that the link could not deliver (ARP had no answer for its next hop): its sender hears
   * of it as of a Destination Unreachable received from our own address, as Linux's neighbour layer reports it
   * (arp_error_report → ICMP host unreachable to the local socket). Nothing goes on the wire.
   */
  localUnreachable(datagram: Uint8Array, code: number = UNREACHABLE_HOST): void {
    if (datagram.length < IPV4_MIN_HEADER) return;
    const headerLength = (datagram[0]! & 0x0f) * 4;
    if (headerLength < IPV4_MIN_HEADER || datagram.length < headerLength) return;
    this.counters.inc('localDestUnreachable');
    const report: IcmpErrorReport = {
      src: this.ip.address,
      type: ICMP_DEST_UNREACHABLE,
      code,
      rest: 0,
      // As a received error quotes it: the header and the first 8 bytes of payload (RFC 792).
      quoted: datagram.subarray(0, Math.min(datagram.length, headerLength + 8)),
    };
    for (const listener of this.errorListeners) listener(report);
  }

  sendEchoRequest(dst: Ipv4Address, id: number, seq: number, data: Uint8Array): void {
    this.counters.inc('txEchoRequests');
    this.ip.send(
      dst,
      IP_PROTOCOL_ICMP,
      encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: echoRest(id, seq), body: data }),
    );
  }

  stats(): Record<string, number> {
    return this.counters.snapshot();
  }

  protocolUnreachable(datagram: Ipv4Datagram): void {
    const quote = icmpQuote(datagram.header, datagram.payload);
    this.sendError(datagram.src, ICMP_DEST_UNREACHABLE, UNREACHABLE_PROTOCOL, quote, 'txDestUnreachable');
  }

  reassemblyTimeExceeded(src: Ipv4Address, quote: Uint8Array): void {
    this.sendError(src, ICMP_TIME_EXCEEDED, TIME_EXCEEDED_REASSEMBLY, quote, 'txTimeExceeded');
  }

  parameterProblem(datagram: Ipv4Datagram, pointer: number): void {
    const quote = icmpQuote(datagram.header, datagram.payload);
    // RFC 792: the pointer is the first byte of the rest of the header.
    this.sendError(datagram.src, ICMP_PARAMETER_PROBLEM, 0, quote, 'txParameterProblem', pointer << 24);
  }

  private replyToEcho(request: Ipv4Datagram, reply: Uint8Array): void {
    const options =
      request.options.length > 0
        ? echoReplyOptions(request.options, this.ip.address, this.timeOfDay())
        : undefined;
    if (options !== undefined && IPV4_MIN_HEADER + options.length + reply.length <= IPV4_MAX_DATAGRAM) {
      this.ip.send(request.src, IP_PROTOCOL_ICMP, reply, { options });
    } else {
      this.ip.send(request.src, IP_PROTOCOL_ICMP, reply);
    }
  }

  private receive(datagram: Ipv4Datagram): void {
    const message = parseIcmp(datagram.payload);
    if (message === 'truncated' || message === 'bad-checksum') {
      this.counters.inc(message === 'truncated' ? 'dropTruncated' : 'dropBadChecksum');
      if (this.log.isLevelEnabled('debug')) this.log.debug({ reason: message }, 'icmp dropped');
      return;
    }
    this.counters.inc('rxMessages');
    switch (message.type) {
      case ICMP_ECHO_REQUEST:
        this.counters.inc('rxEchoRequests');
        this.counters.inc('txEchoReplies');
        // RFC 1122 §3.2.2.6: the reply carries the request's identifier, sequence number and data, and its
        // Record Route and Timestamp options, updated, when that still fits a datagram.
        this.replyToEcho(datagram, encodeIcmp({ ...message, type: ICMP_ECHO_REPLY, code: 0 }));
        return;
      case ICMP_ECHO_REPLY: {
        this.counters.inc('rxEchoReplies');
        const reply: EchoReply = {
          src: datagram.src,
          id: echoId(message),
          seq: echoSeq(message),
          ttl: datagram.ttl,
          icmpBytes: datagram.payload.length,
          data: message.body,
        };
        for (const listener of this.echoListeners) listener(reply);
        return;
      }
      default:
        if (isIcmpError(message.type)) this.receiveError(datagram, message);
        else this.counters.inc('rxOther');
    }
  }

  private receiveError(datagram: Ipv4Datagram, message: IcmpMessage): void {
    if (message.type === ICMP_DEST_UNREACHABLE) this.counters.inc('rxDestUnreachable');
    else if (message.type === ICMP_TIME_EXCEEDED) this.counters.inc('rxTimeExceeded');
    else this.counters.inc('rxOtherErrors');
    if (this.log.isLevelEnabled('info')) {
      this.log.info(
        { from: formatIpv4(datagram.src), type: message.type, code: message.code },
        'icmp error received',
      );
    }
    const report: IcmpErrorReport = {
      src: datagram.src,
      type: message.type,
      code: message.code,
      rest: message.rest,
      quoted: message.body,
    };
    for (const listener of this.errorListeners) listener(report);
  }

  /**
   * An error we originate, within the rate limits (RFC 1812 §4.3.2.8): the global one (Linux's
   * icmp_msgs_per_sec) and its destination's (icmp_ratelimit), so that one flooding source cannot spend the
   * global allowance.
   */
  private sendError(
    dst: Ipv4Address,
    type: number,
    code: number,
    quote: Uint8Array,
    counter: 'txDestUnreachable' | 'txTimeExceeded' | 'txParameterProblem',
    rest = 0,
  ): void {
    // RFC 1122 §3.2.2: never an error about an ICMP error (whatever detected it: dispatch or reassembly).
    if (quotesIcmpError(quote)) return;
    // As Linux since "icmp: change the order of rate limits": the global allowance is looked at, the
    // destination's spent, then the global one taken; so neither is spent on an error the other refuses.
    if (!this.refillTokens()) return;
    if (!this.peerLimit.allow(dst, this.clock.now())) {
      this.counters.inc('dropPeerRateLimited');
      return;
    }
    this.tokens -= 1;
    this.counters.inc(counter);
    this.ip.send(dst, IP_PROTOCOL_ICMP, encodeIcmp({ type, code, rest: rest >>> 0, body: quote }));
  }

  /** Refills the global allowance; whether it holds an error (counted as dropRateLimited when not). */
  private refillTokens(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(ERROR_BURST, this.tokens + ((now - this.tokensAt) * ERRORS_PER_SECOND) / 1000);
    this.tokensAt = now;
    if (this.tokens >= 1) return true;
    this.counters.inc('dropRateLimited');
    return false;
  }
}

/** Whether a quote (header + first payload bytes) is of an ICMP error message. */
function quotesIcmpError(quote: Uint8Array): boolean {
  const headerLength = (quote[0]! & 0x0f) * 4;
  return quote[9] === IP_PROTOCOL_ICMP && quote.length > headerLength && isIcmpError(quote[headerLength]!);
}
