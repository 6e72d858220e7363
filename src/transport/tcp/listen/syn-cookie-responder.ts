/**
 * The stateless side of a listener under a SYN flood (RFC 4987 §3.6): the SYN-ACK whose ISN is a SYN
 * cookie, sent when the SYN queue is full and remembering nothing, and, for an ACK that comes back, the
 * SYN its cookie stands for (MSS from the cookie, window scale and SACK-permitted from the TSecr), from which the TCP layer
 * rebuilds the connection. The options are the ones a connection would send; the keys rotate with the
 * Clock (syn-cookie.ts).
 */

import type { Clock } from '../../../core/clock.js';
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import type { RandomWords } from '../../../core/random-words.js';
import { type IPLayer, PATH_MTU_DISCOVERY } from '../../../layers/ip/ip-layer.js';
import { IPV4_MIN_HEADER } from '../../../layers/ip/ipv4-header.js';
import { DEFAULT_PEER_MSS, mssForMtu } from '../connection/tcp-control-block.js';
import { type TcpConfig, windowShiftFor } from '../tcp-config.js';
import { type Seq, seq, seqAdd } from '../wire/seq.js';
import { ParsedTcpOptions, TCP_PROTOCOL, TcpFlags, type TcpSegment } from '../wire/tcp-header.js';
import {
  finishTcpChecksum,
  synOptionsLength,
  writeSynOptions,
  writeTcpHeader,
} from '../wire/tcp-segment-writer.js';
import { decodeSynCookieTimestamp, encodeSynCookieTimestamp, SynCookies } from './syn-cookie.js';

const NO_PAYLOAD = new Uint8Array(0);

/** What a valid cookie gives back: the client's SYN as it was, and our ISS and timestamp offset. */
export interface CookieSyn {
  readonly syn: TcpSegment;
  readonly iss: Seq;
  readonly tsOffset: number;
  /** The window our SYN-ACK advertised (cookieSynAckWindow): where the rebuilt connection's right edge is. */
  readonly window: number;
}

/** The window field of a SYN-ACK sent with a cookie: the whole buffer, never scaled in a SYN (RFC 7323 §2.2). */
function cookieSynAckWindow(config: TcpConfig): number {
  return Math.min(config.receiveBufferSize, 65_535);
}

export class SynCookieResponder {
  private readonly cookies: SynCookies;

  constructor(
    private readonly ip: Pick<IPLayer, 'address' | 'mtu' | 'allocateDatagram' | 'sendDatagram'>,
    private readonly clock: Clock,
    private readonly config: TcpConfig,
    random: RandomWords,
  ) {
    this.cookies = new SynCookies(clock, config.synCookiePeriodMs, random);
  }

  /** The SYN-ACK for `seg` from `src`: our ISN is the cookie, and with timestamps our TSval carries the client's window scale. */
  sendSynAck(src: Ipv4Address, seg: TcpSegment): void {
    const config = this.config;
    const address = this.ip.address;
    const o = seg.options;
    const localPort = seg.dstPort;
    const iss = this.cookies.make(address, localPort, src, seg.srcPort, seg.seq, o.mss ?? DEFAULT_PEER_MSS);
    const peerTs = o.timestamp;
    const timestamps = config.timestamps && peerTs !== undefined;
    // Window scale survives a cookie only in the TSval too: without timestamps, offering it would have the
    // peer scale windows that the rebuilt connection sends unscaled (Linux clears the options likewise).
    const wsOk = timestamps && config.windowScaling && o.windowScale !== undefined;
    const shift = wsOk ? windowShiftFor(config.receiveBufferSize) : -1;
    // SACK-permitted survives a cookie only in the TSval (as on Linux, which offers it only with timestamps).
    const sackOk = timestamps && config.sack && o.sackPermitted === true;
    let tsVal = 0;
    if (timestamps) {
      const tsNow =
        (Math.floor(this.clock.now()) + this.cookies.tsOffset(address, localPort, src, seg.srcPort)) >>> 0;
      // pilha offers no ECN: that bit stays clear, and a TSecr with it set is forged.
      tsVal = encodeSynCookieTimestamp(tsNow, wsOk ? o.windowScale! : -1, sackOk, false);
    }
    const optionsLength = synOptionsLength(timestamps, shift, sackOk);
    const tcpLength = 20 + optionsLength;
    const d = this.ip.allocateDatagram(tcpLength);
    const at = IPV4_MIN_HEADER;
    const window = cookieSynAckWindow(config);
    writeTcpHeader(
      d,
      at,
      localPort,
      seg.srcPort,
      iss,
      seqAdd(seg.seq, 1),
      TcpFlags.SYN | TcpFlags.ACK,
      window,
      optionsLength,
    );
    const mss = mssForMtu(this.ip.mtu);
    writeSynOptions(d, at + 20, mss, timestamps, tsVal, peerTs?.value ?? 0, shift, sackOk);
    finishTcpChecksum(d, at, tcpLength, address, src);
    this.ip.sendDatagram(src, TCP_PROTOCOL, d, PATH_MTU_DISCOVERY);
  }

  /**
   * The SYN that the cookie acknowledged by `seg` (an ACK to a listener with no connection for it) stands
   * for, or undefined when it carries no valid cookie of ours, or a TSecr that ours could not have been.
   */
  synFor(src: Ipv4Address, seg: TcpSegment): CookieSyn | undefined {
    const config = this.config;
    const address = this.ip.address;
    const clientIsn = seqAdd(seg.seq, -1);
    const iss = seqAdd(seg.ack, -1);
    const mss = this.cookies.check(address, seg.dstPort, src, seg.srcPort, clientIsn, iss);
    if (mss === 0) return undefined;
    const ts = seg.options.timestamp;
    // The TSecr is read only for a good cookie (a flood of forged ACKs costs no allocation).
    const decoded = ts !== undefined ? decodeSynCookieTimestamp(ts.echo) : undefined;
    if (
      decoded !== undefined &&
      (!config.timestamps ||
        (decoded.sackPermitted && !config.sack) ||
        decoded.ecn ||
        (decoded.windowScale !== undefined && !config.windowScaling))
    ) {
      return undefined;
    }
    const options = new ParsedTcpOptions();
    options.mss = mss;
    if (ts !== undefined && decoded !== undefined) {
      options.timestamp = { value: ts.value, echo: 0 };
      options.sackPermitted = decoded.sackPermitted ? true : undefined;
      options.windowScale = decoded.windowScale;
    }
    const syn: TcpSegment = {
      srcPort: seg.srcPort,
      dstPort: seg.dstPort,
      seq: clientIsn,
      ack: seq(0),
      flags: TcpFlags.SYN,
      window: seg.window,
      urgentPointer: 0,
      options,
      payload: NO_PAYLOAD,
    };
    const tsOffset = this.cookies.tsOffset(address, seg.dstPort, src, seg.srcPort);
    return { syn, iss, tsOffset, window: cookieSynAckWindow(config) };
  }
}
