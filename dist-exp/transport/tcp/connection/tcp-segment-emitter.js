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
 */
import { IPV4_MIN_HEADER } from '../../../layers/ip/ipv4-header.js';
import { seqAdd } from '../wire/seq.js';
import { TCP_PROTOCOL, TcpFlags } from '../wire/tcp-header.js';
import { finishTcpChecksum, MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS, synOptionsLength, TIMESTAMP_OPTION_LENGTH, writeSynOptions, writeTcpHeader, writeTcpOptions, } from '../wire/tcp-segment-writer.js';
export const FIN = TcpFlags.FIN;
export const SYN = TcpFlags.SYN;
export const RST = TcpFlags.RST;
export const PSH = TcpFlags.PSH;
export const ACK = TcpFlags.ACK;
export class TcpSegmentEmitter {
    tcb;
    counts;
    receiver;
    sendBuffer;
    clock;
    config;
    network;
    /** Clock time of the last rate-limited ACK (challenge or answer to a dropped segment), or -∞. */
    lastInvalidAckAt = Number.NEGATIVE_INFINITY;
    constructor(tcb, deps, counts, receiver, 
    /** The sender's queue; read here only, to copy payload out of it. */
    sendBuffer) {
        this.tcb = tcb;
        this.counts = counts;
        this.receiver = receiver;
        this.sendBuffer = sendBuffer;
        this.clock = deps.clock;
        this.config = deps.config;
        this.network = deps.network;
    }
    // ─── Segments without data ───────────────────────────────────────────────────────────────────────
    /** An ACK at SND.NXT. */
    sendAck() {
        this.emit(ACK, this.tcb.sndNxt, 0, 0);
    }
    /** A challenge ACK (RFC 5961 §3.2, §4.2, §5.2), throttled as §7 asks. */
    sendChallengeAck() {
        if (this.invalidAckAllowed()) {
            this.counts.challengeAcks++;
            this.sendAck();
        }
    }
    /**
     * The ACK that answers a segment dropped as unacceptable (out of window, PAWS). A segment that occupies
     * no sequence space (or is a SYN) may be one side of an ACK loop, so its answers are throttled (as
     * Linux's tcp_oow_rate_limited); one with data or a FIN is a retransmission the peer needs acknowledged,
     * and always is.
     */
    sendAckForDropped(occupiesSequence) {
        if (occupiesSequence || this.invalidAckAllowed())
            this.sendAck();
    }
    /** At most one throttled ACK per invalidAckIntervalMs (Linux tcp_invalid_ratelimit); counts the rest. */
    invalidAckAllowed() {
        const now = this.clock.now();
        if (now - this.lastInvalidAckAt < this.config.invalidAckIntervalMs) {
            this.counts.acksRateLimited++;
            return false;
        }
        this.lastInvalidAckAt = now;
        return true;
    }
    /** RST (with our ACK when `withAck`), sequence number `seqNum`. */
    sendReset(seqNum, withAck) {
        this.emit(withAck ? RST | ACK : RST, seqNum, 0, 0);
    }
    /** <SEQ=SEG.ACK><CTL=RST>: the answer to an ACK of something we never sent. */
    sendResetTo(ack) {
        this.emit(RST, ack, 0, 0);
    }
    /** A zero-window or keepalive probe: SEQ = SND.UNA − 1, no data; the peer must ACK it. */
    sendProbe() {
        this.emit(ACK, seqAdd(this.tcb.sndUna, -1), 0, 0);
    }
    // ─── Any segment ─────────────────────────────────────────────────────────────────────────────────
    /**
     * Writes one segment into a fresh datagram and sends it: header and options by positional writes,
     * `dataLength` bytes from the send queue at `dataOffset`, the checksum.
     */
    emit(flags, seqNum, dataOffset, dataLength) {
        const tcb = this.tcb;
        const receiver = this.receiver;
        let optionsLength = 0;
        let timestamps = false;
        let shift = -1;
        let sackPermitted = false;
        let sackBlocks = 0;
        const syn = (flags & SYN) !== 0;
        const hasAck = (flags & ACK) !== 0;
        if (syn) {
            timestamps = hasAck ? tcb.tsEnabled : this.config.timestamps;
            sackPermitted = hasAck ? tcb.sackEnabled : this.config.sack;
            if (hasAck)
                shift = tcb.wsEnabled ? tcb.rcvShift : -1;
            else
                shift = this.config.windowScaling ? tcb.ourShift : -1;
            optionsLength = synOptionsLength(timestamps, shift, sackPermitted);
        }
        else if ((flags & RST) === 0) {
            if (tcb.tsEnabled) {
                timestamps = true;
                optionsLength = TIMESTAMP_OPTION_LENGTH;
            }
            if (tcb.sackEnabled && hasAck && receiver.wantsSackOption()) {
                // Options and payload stay within the MSS: a full data segment carries no blocks (the pure ACKs do).
                let max = timestamps ? MAX_SACK_BLOCKS_WITH_TIMESTAMPS : MAX_SACK_BLOCKS;
                const room = (tcb.sendMss + (timestamps ? TIMESTAMP_OPTION_LENGTH : 0) - optionsLength - dataLength - 4) >> 3;
                if (room < max)
                    max = room;
                sackBlocks = receiver.prepareSack(max);
                if (sackBlocks > 0)
                    optionsLength += 4 + 8 * sackBlocks;
            }
        }
        const tcpLength = 20 + optionsLength + dataLength;
        const d = this.network.allocateDatagram(tcpLength);
        const o = IPV4_MIN_HEADER;
        let window = 0;
        if (flags & RST)
            window = 0;
        else if (syn)
            window = receiver.synWindow();
        else
            window = receiver.advertiseWindow();
        writeTcpHeader(d, o, tcb.localPort, tcb.remotePort, seqNum, hasAck ? tcb.rcvNxt : 0, flags, window, optionsLength);
        if (syn) {
            const echo = hasAck ? tcb.tsRecent : 0;
            const tsVal = tcb.tsValue(this.clock.now());
            writeSynOptions(d, o + 20, tcb.ourMss, timestamps, tsVal, echo, shift, sackPermitted);
        }
        else if (optionsLength > 0) {
            const tsVal = tcb.tsValue(this.clock.now());
            writeTcpOptions(d, o + 20, -1, false, timestamps, tsVal, tcb.tsRecent, -1, receiver.sackEdges, sackBlocks);
        }
        if (dataLength > 0)
            this.sendBuffer.copyTo(dataOffset, dataLength, d, o + 20 + optionsLength);
        finishTcpChecksum(d, o, tcpLength, tcb.localAddress, tcb.remoteAddress);
        this.counts.segmentsSent++;
        if (hasAck)
            receiver.ackSent();
        // Last: a synchronous link may deliver the answer (and re-enter this connection) inside the send.
        this.network.sendDatagram(tcb.remoteAddress, TCP_PROTOCOL, d);
    }
}
//# sourceMappingURL=tcp-segment-emitter.js.map