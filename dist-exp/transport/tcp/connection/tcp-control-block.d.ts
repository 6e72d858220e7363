/**
 * The transmission control block of one connection (RFC 9293 §3.3.1) as a plain record: its identity, the
 * send and receive sequence variables, and what the SYNs negotiated (MSS; RFC 7323 window scale and
 * timestamps; RFC 2018 SACK). Every part of the connection (TcpSender, TcpReceiver, LossRecovery,
 * TcpAckProcessor, TcpSegmentEmitter, TcpConnection) holds the same instance and reads and writes these fields directly;
 * the record has no behaviour beyond trivial accessors. What a part owns alone (buffers, timers of its
 * own, recovery state, ACK policy) lives in that part, not here.
 */
import type { Ipv4Address } from '../../../core/ipv4-address.js';
import { type Seq } from '../wire/seq.js';
import type { TcpConnectionParams } from './tcp-connection-types.js';
/** RFC 9293 §3.7.1: the MSS assumed when the peer announces none. */
export declare const DEFAULT_PEER_MSS = 536;
/** Linux's tcp_min_snd_mss: a peer cannot make us send smaller segments than this. */
export declare const MIN_PEER_MSS = 48;
/** RFC 7323 §2.3: a shift above 14 is used as 14. */
export declare const MAX_WINDOW_SHIFT = 14;
/** The MSS we announce on a link of this MTU: MTU − 40 (IPv4 and TCP headers without options). */
export declare function mssForMtu(mtu: number): number;
export declare class TcpControlBlock {
    readonly localAddress: Ipv4Address;
    readonly localPort: number;
    readonly remoteAddress: Ipv4Address;
    readonly remotePort: number;
    readonly iss: Seq;
    sndUna: Seq;
    sndNxt: Seq;
    sndMax: Seq;
    sndWnd: number;
    sndWl1: Seq;
    sndWl2: Seq;
    /** The largest window the peer has offered (RFC 9293 MAX.SNDWND). */
    maxSndWnd: number;
    irs: Seq;
    rcvNxt: Seq;
    rcvAdvEdge: Seq;
    /** RFC 7323 Last.ACK.sent: the RCV.NXT our last ACK carried. */
    lastAckSent: Seq;
    wsEnabled: boolean;
    sndShift: number;
    rcvShift: number;
    /** The shift we offer in our SYN (from the receive buffer size). */
    readonly ourShift: number;
    tsEnabled: boolean;
    /** RFC 7323 TS.Recent. */
    tsRecent: number;
    /** Clock time TS.Recent was last set: PAWS trusts it for 24 days only (RFC 7323 §5.5). */
    tsRecentAt: number;
    /** Added to the millisecond clock to give this connection's TSval. */
    readonly tsOffset: number;
    /** RFC 2018: both SYNs carried SACK-permitted, so our ACKs carry SACK blocks. */
    sackEnabled: boolean;
    /** MSS we announce: link MTU − 40. */
    readonly ourMss: number;
    /** Payload bytes per full-sized segment we send: min(peer MSS, our MSS) less the timestamp option. */
    sendMss: number;
    /** The largest payload seen from the peer: "full-sized" for delayed ACKs. */
    rcvMss: number;
    /** Our SYN has been acknowledged (SND.UNA passed ISS); never inferred from SND.UNA = ISS, which recurs every 4 GiB. */
    synAcked: boolean;
    /** Our FIN is queued after the data written so far; it takes sequence number `finSeq`. */
    finQueued: boolean;
    finSeq: Seq;
    constructor(params: TcpConnectionParams, ourShift: number);
    /** Bytes in flight: SND.NXT − SND.UNA once our SYN is acknowledged (0 before). */
    get bytesInFlight(): number;
    /** Our TSval at Clock time `now`. */
    tsValue(now: number): number;
}
