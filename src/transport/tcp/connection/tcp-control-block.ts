/**
 * The transmission control block of one connection (RFC 9293 §3.3.1) as a plain record: its identity, the
 * send and receive sequence variables, and what the SYNs negotiated (MSS; RFC 7323 window scale and
 * timestamps; RFC 2018 SACK). Every part of the connection (TcpSender, TcpReceiver, LossRecovery,
 * TcpAckProcessor, TcpSegmentEmitter, TcpConnection) holds the same instance and reads and writes these fields directly;
 * the record has no behaviour beyond trivial accessors. What a part owns alone (buffers, timers of its
 * own, recovery state, ACK policy) lives in that part, not here.
 */

import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { settleFields } from '../../settled-fields.js';
import { type Seq, seq, seqDiff } from '../wire/seq.js';
import type { TcpConnectionParams } from './tcp-connection-types.js';

/** RFC 9293 §3.7.1: the MSS assumed when the peer announces none. */
export const DEFAULT_PEER_MSS = 536;
/** Linux's tcp_min_snd_mss: a peer cannot make us send smaller segments than this. */
export const MIN_PEER_MSS = 48;
/** RFC 7323 §2.3: a shift above 14 is used as 14. */
export const MAX_WINDOW_SHIFT = 14;

/** The MSS we announce on a link of this MTU: MTU − 40 (IPv4 and TCP headers without options). */
export function mssForMtu(mtu: number): number {
  return Math.max(MIN_PEER_MSS, Math.min(mtu, 65_535) - 40);
}

/**
 * Timestamps: a TSval is uint32, a double above 2^31, and a clock time is a double (see settled-fields.ts).
 * Sequence numbers are small integers throughout (seq.ts): no heap number per field and connection.
 */
const TCB_DOUBLE_FIELDS = ['tsRecent', 'tsRecentAt', 'tsOffset'];

/** Fields first written as the first connection ends, after its output path was optimised (settleFields). */
const TCB_LATE_FIELDS = ['finQueued', 'finSeq'];

export class TcpControlBlock {
  readonly localAddress: Ipv4Address;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Address;
  readonly remotePort: number;

  // Send sequence variables (RFC 9293 §3.3.1). SND.MAX is the highest sequence number sent: after a
  // timeout SND.NXT goes back to SND.UNA and climbs again towards it.
  readonly iss: Seq;
  sndUna: Seq;
  sndNxt: Seq;
  sndMax: Seq;
  sndWnd = 0;
  sndWl1: Seq = seq(0);
  sndWl2: Seq = seq(0);
  /** The largest window the peer has offered (RFC 9293 MAX.SNDWND). */
  maxSndWnd = 0;
  /** The end of the last short (less than a full-sized) segment sent: Nagle as Minshall (Linux's snd_sml). */
  sndSml: Seq;

  // Receive sequence variables. RCV.WND is kept as the right edge last advertised, which never moves left.
  irs: Seq = seq(0);
  rcvNxt: Seq = seq(0);
  rcvAdvEdge: Seq = seq(0);
  /** RFC 7323 Last.ACK.sent: the RCV.NXT our last ACK carried. */
  lastAckSent: Seq = seq(0);

  // Options (RFC 7323): shifts, timestamps.
  wsEnabled = false;
  sndShift = 0;
  rcvShift = 0;
  /** The shift we offer in our SYN (from the receive buffer size). */
  readonly ourShift: number;
  tsEnabled = false;
  /** RFC 7323 TS.Recent. */
  tsRecent = 0;
  /** Clock time TS.Recent was last set: PAWS trusts it for 24 days only (RFC 7323 §5.5). */
  tsRecentAt = 0;
  /**
   * Added to the millisecond clock to give this connection's TSval. It only grows: a retransmission within
   * the millisecond of the copy it repeats steps it by one (see retransmitTsValue).
   */
  tsOffset: number;
  /** RFC 2018: both SYNs carried SACK-permitted, so our ACKs carry SACK blocks. */
  sackEnabled = false;

  /** MSS we announce: link MTU − 40. */
  readonly ourMss: number;
  /** The MSS the peer's SYN announced (DEFAULT_PEER_MSS without one; at least MIN_PEER_MSS). */
  peerMss = DEFAULT_PEER_MSS;
  /** The MSS the path MTU allows (RFC 1191): path MTU − 40; lowered by "fragmentation needed" errors. */
  pathMss: number;
  /** Payload bytes per full-sized segment we send: min(peer, our, path MSS) less the timestamp option. */
  sendMss = DEFAULT_PEER_MSS;
  /** The largest payload seen from the peer: "full-sized" for delayed ACKs. */
  rcvMss: number;

  /** Our SYN has been acknowledged (SND.UNA passed ISS); never inferred from SND.UNA = ISS, which recurs every 4 GiB. */
  synAcked = false;
  /** Our FIN is queued after the data written so far; it takes sequence number `finSeq`. */
  finQueued = false;
  finSeq: Seq = seq(0);

  constructor(params: TcpConnectionParams, ourShift: number) {
    this.localAddress = params.localAddress;
    this.localPort = params.localPort;
    this.remoteAddress = params.remoteAddress;
    this.remotePort = params.remotePort;
    // Held signed whatever the ISN source returned (a rebound TOKENS.IsnSource may give it unsigned).
    const iss = seq(params.iss);
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.sndSml = iss;
    this.tsOffset = params.tsOffset >>> 0;
    this.ourMss = mssForMtu(params.mtu);
    this.pathMss = Math.min(this.ourMss, mssForMtu(params.pathMtu ?? params.mtu));
    this.rcvMss = Math.min(DEFAULT_PEER_MSS, this.ourMss);
    this.ourShift = ourShift;
    settleFields(this, TCB_DOUBLE_FIELDS, TCB_LATE_FIELDS);
  }

  /** Bytes in flight: SND.NXT − SND.UNA once our SYN is acknowledged (0 before). */
  get bytesInFlight(): number {
    return this.synAcked ? seqDiff(this.sndNxt, this.sndUna) : 0;
  }

  /** Our TSval at Clock time `now`. */
  tsValue(now: number): number {
    return (Math.floor(now) + this.tsOffset) >>> 0;
  }

  /**
   * The TSval for a retransmission at `now` of a segment last sent at `lastSentAt`: always later than that
   * copy's. On a sub-millisecond path both copies would otherwise carry the same millisecond, and the echo
   * could not say which one arrived (RFC 3522's test, RFC 8985 §6.2 step 2): a late original would then pass
   * for the retransmission, advance RACK to the retransmission's send time and mark the flight sent since
   * lost, and a spurious retransmission would not be undone. So the TS clock steps one millisecond ahead;
   * it stays monotonic, which is all the peer's PAWS needs, and the peer only echoes it.
   */
  retransmitTsValue(now: number, lastSentAt: number): number {
    if (Math.floor(now) <= Math.floor(lastSentAt)) this.tsOffset = (this.tsOffset + 1) >>> 0;
    return this.tsValue(now);
  }
}
