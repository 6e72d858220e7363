/**
 * Writes every segment a connection sends, whoever asks (the sender's data, SYNs, probes and
 * retransmissions; the connection's ACKs, challenge ACKs and RSTs): straight into the datagram the IP layer
 * allocates, header and options by positional writes (wire/tcp-segment-writer.ts, whose option writer is
 * the one the codec uses too), the payload copied once out of the send queue, then the checksum.
 *
 * Every segment but a bare RST carries the window the receiver advertises (SYNs unscaled) and, with
 * timestamps, TSval/TSecr; with SACK, an ACK carries the SACK and D-SACK blocks the receiver prepares
 * (RFC 2018 §4, RFC 2883) as far as they fit beside its data. A segment with ACK settles the receiver's
 * pending (delayed) ACK. The emitter holds no sequence state of its own: it reads the control block.
 *
 * Over a link with segmentation offload, a data segment goes to the stack's TcpSegmentBatcher instead, which
 * writes a run of consecutive ones into one super-segment for the link to cut; every other segment flushes
 * the pending run first. Segments are still decided, counted and written one by one here. A super-segment
 * that begins with the writer's bytes goes into a buffer that is never reused, so the send queue swaps the
 * writer's bytes it carries for views of it (retain): those bytes are copied once, into the super-segment.
 */
import type { ConnectionCounterName, TcpConnectionDeps } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import type { TcpReceiver } from '../receive/tcp-receiver.js';
import { type Seq } from '../wire/seq.js';
import type { SendBuffer } from './send-buffer.js';
export declare const FIN: 1;
export declare const SYN: 2;
export declare const RST: 4;
export declare const PSH: 8;
export declare const ACK: 16;
export declare class TcpSegmentEmitter {
    private readonly tcb;
    private readonly counts;
    private readonly receiver;
    /** The sender's queue; read here only, to copy payload out of it. */
    private readonly sendBuffer;
    private readonly clock;
    private readonly config;
    private readonly network;
    private readonly batcher;
    /** Clock time of the last rate-limited ACK (challenge or answer to a dropped segment), or -∞. */
    private lastInvalidAckAt;
    constructor(tcb: TcpControlBlock, deps: TcpConnectionDeps, counts: Record<ConnectionCounterName, number>, receiver: TcpReceiver, 
    /** The sender's queue; read here only, to copy payload out of it. */
    sendBuffer: SendBuffer);
    /** An ACK at SND.NXT. */
    sendAck(): void;
    /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), throttled as §7 asks. */
    sendChallengeAck(): void;
    /**
     * The ACK that answers a segment dropped as unacceptable (out of window, PAWS). A segment that occupies
     * no sequence space (or is a SYN) may be one side of an ACK loop, so its answers are throttled (as
     * Linux's tcp_oow_rate_limited); one with data or a FIN is a retransmission the peer needs acknowledged,
     * and always is.
     */
    sendAckForDropped(occupiesSequence: boolean): void;
    /** At most one throttled ACK per invalidAckIntervalMs (Linux tcp_invalid_ratelimit); counts the rest. */
    private invalidAckAllowed;
    /** RST (with our ACK when `withAck`), sequence number `seqNum`. */
    sendReset(seqNum: Seq, withAck: boolean): void;
    /** <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK of something we never sent. */
    sendResetTo(ack: Seq): void;
    /** A zero-window or keepalive probe: SEQ = SND.UNA − 1, no data; the peer must ACK it. */
    sendProbe(): void;
    /**
     * Writes one segment into a fresh datagram and sends it: header and options by positional writes,
     * `dataLength` bytes from the send queue at `dataOffset`, the checksum.
     */
    emit(flags: number, seqNum: Seq, dataOffset: number, dataLength: number): void;
}
