/**
 * The sending half of a connection. Owns the send queue and everything about what goes out and when:
 * segmentation at the effective MSS under the peer's window and the congestion window, Nagle (RFC 896)
 * and sender-side silly window avoidance (RFC 9293 §3.8.6.2.1), the SYN and its retransmissions, RTT
 * sampling with Karn's rule and the RTO estimator (RFC 6298), the retransmission of the first
 * unacknowledged segment (on timeout, go-back-N from SND.UNA, RFC 5681 §3.1; on loss recovery's word),
 * the send window (SND.WND/WL1/WL2), zero-window (persist) and keepalive probes.
 *
 * It decides nothing about loss: LossRecovery does, and TcpConnection has the sender act on it. On a SACK
 * connection, TcpSackOutput (tcp-sack-output.ts) decides what goes out and in what order, and has it sent
 * through the narrow methods here (sendNew, sendFinAlone, retransmitEntry, persistIfStalled). Every
 * segment is written by TcpSegmentEmitter. The congestion controller is made when the SYNs fix the MSS
 * (TcpConnection hands it to useCongestionController).
 */
import type { CongestionController } from '../../congestion/congestion-controller.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import type { SackRecovery } from '../recovery/sack-recovery.js';
import type { TcpTraceChannel, TcpTraceEvent } from '../trace/tcp-tracer.js';
import { type Seq } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { RtoEstimator } from './rto-estimator.js';
import { SendBuffer } from './send-buffer.js';
import type { ConnectionCounterName, TcpConnectionDeps } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpSegmentEmitter } from './tcp-segment-emitter.js';
import { TcpState } from './tcp-state.js';
import { type TcpTimers } from './tcp-timers.js';
/** What a probe timer (persist, keepalive) asks of the connection. */
export declare const ProbeResult: {
    readonly CONTINUE: 0;
    /** Too many probes went unanswered: the connection times out. */
    readonly GIVE_UP: 1;
    /** The window is open but small: send what it allows now, overriding silly window avoidance. */
    readonly FORCE_OUTPUT: 2;
};
export type ProbeResult = (typeof ProbeResult)[keyof typeof ProbeResult];
export declare class TcpSender {
    private readonly tcb;
    private readonly emitter;
    private readonly timers;
    private readonly counts;
    /** `--trace`: this connection's channel, or undefined when tracing is off (then every hook is one check). */
    private readonly trace;
    /** Holds the SackRecovery of a SACK connection, from its first data on (for the timeout). */
    private readonly recovery;
    readonly sendBuffer: SendBuffer;
    /** The congestion controller, from the SYN exchange on. */
    cc: CongestionController | undefined;
    private rtoEstimator;
    private readonly clock;
    private readonly config;
    /** Nagle off (setNoDelay). */
    noDelay: boolean;
    /** Consecutive expirations of the retransmission timer without progress. */
    retries: number;
    private synRetransmitted;
    private rttTiming;
    private rttSeq;
    private rttStart;
    /** Clock time of the last segment that carried data, or -1 before any (for RFC 5681 §4.1). */
    private lastDataSentAt;
    private persistBackoff;
    /** Zero-window probes sent without an ACK in between. */
    private persistUnanswered;
    private keepAlive;
    private keepaliveIdleMs;
    private keepaliveProbesSent;
    /** Clock time of the last segment from the peer (keepalive idle time). */
    private lastReceivedAt;
    constructor(tcb: TcpControlBlock, deps: TcpConnectionDeps, emitter: TcpSegmentEmitter, sendBuffer: SendBuffer, timers: TcpTimers, counts: Record<ConnectionCounterName, number>, 
    /** `--trace`: this connection's channel, or undefined when tracing is off (then every hook is one check). */
    trace: TcpTraceChannel | undefined, 
    /** Holds the SackRecovery of a SACK connection, from its first data on (for the timeout). */
    recovery: LossRecovery);
    /** The RTO estimator (srtt, rttvar, rto, backoffs). */
    get rto(): RtoEstimator;
    /** Makes a send queue for a connection (the sender owns it; the emitter only copies out of it). */
    static createSendBuffer(deps: TcpConnectionDeps): SendBuffer;
    /** Tells the trace (if any) cwnd, ssthresh, bytes in flight, srtt and rto; it records them if they changed. */
    traceState(event?: TcpTraceEvent): void;
    /** SYN (active open) or SYN-ACK (passive or simultaneous open), first time or again. */
    sendSyn(withAck: boolean, retransmission: boolean): void;
    /** The SYN retransmission timer expired (SYN_SENT, SYN_RECEIVED): back off and send it again. */
    retransmitSyn(withAck: boolean): void;
    /** The handshake completed: RFC 6298 (5.7), a lost SYN without an RTT sample leaves an RTO of 3 s. */
    established(): void;
    /** Queues our FIN after everything written so far. */
    queueFin(): void;
    /** Unsent data, or a FIN not yet sent. */
    hasUnsent(): boolean;
    /**
     * Sends what the windows allow (RFC 9293 §3.8.6, RFC 5681): segments of up to sendMss from SND.NXT,
     * within min(SND.WND, cwnd) of SND.UNA; a short tail waits for Nagle unless noDelay or a FIN is
     * queued; a short window-limited segment waits for sender SWS avoidance unless `force` (the
     * persist timer's override). Then the FIN. (The connection sends a due ACK that nothing carried.)
     * Without SACK only: a SACK connection's output is TcpSackOutput.output.
     */
    output(state: TcpState, force: boolean): void;
    /** Nothing in flight, something to send, and the window will not let it go: persist. */
    persistIfStalled(state: TcpState): void;
    /** RFC 5681 §4.1: after more than one RTO without sending data, restart from the restart window. */
    maybeIdleRestart(cc: CongestionController): void;
    /**
     * Sends `len` new bytes at SND.NXT (`inFlight` = SND.NXT − SND.UNA, `avail` the unsent bytes): PSH on
     * the last of the queue, and the FIN with it when queued and the peer's window has room for it.
     * With SACK, the segment goes into the scoreboard.
     */
    sendNew(inFlight: number, len: number, avail: number, sack: SackRecovery | undefined): void;
    /**
     * The queued FIN alone at SND.NXT (everything before it is sent): it needs a byte of the peer's window
     * but, as in Linux, not of cwnd. With SACK, it goes into the scoreboard.
     */
    sendFinAlone(sack: SackRecovery | undefined): void;
    /** Sends scoreboard entry `i` again, as it was (with the FIN if it carried it). */
    retransmitEntry(sack: SackRecovery, i: number): void;
    /** An RTT sample taken from the scoreboard's transmit times (−1: none): feeds the RTO estimator. */
    sampleRttFromLog(rtt: number): number | undefined;
    private afterSend;
    /**
     * Sends the first unacknowledged segment again (fast retransmit, partial ACK, timeout): at most an MSS of
     * what was sent before (SND.UNA to SND.MAX), never data queued since, which the windows have not
     * cleared and which SND.MAX does not cover (an ACK of it would then look like an ACK of unsent data).
     */
    retransmitFirst(): void;
    /**
     * RFC 6298 (5.4)–(5.6) and RFC 5681 §3.1: the retransmission timer expired with data outstanding (loss
     * recovery has been told): back off, go back to SND.UNA and send the first segment again.
     */
    retransmissionTimeout(): void;
    /**
     * An ACK of new data (SND.UNA < `ack` ≤ SND.MAX), `finAcked` when it covers our FIN: frees the send
     * queue, moves SND.UNA (and SND.NXT if it was behind). Returns the data bytes acknowledged.
     */
    acknowledge(ack: Seq, finAcked: boolean): number;
    /** Any acceptable ACK answers the zero-window probes sent so far. */
    ackReceived(): void;
    /**
     * RFC 6298 (5.2)/(5.3) after an ACK of new data: stop the timer when everything is acknowledged,
     * otherwise restart it unless `keepRunning` (a later partial ACK in recovery, RFC 6582 §3.2 step 5).
     */
    restartTimerAfterAck(ack: Seq, keepRunning: boolean): void;
    /**
     * An RTT sample from this ACK, if it gives one: the timestamp echo when timestamps are in use
     * (RFC 7323 §4.1, valid even for retransmissions), otherwise the timed segment if it is covered and
     * was not retransmitted (Karn). Feeds the RTO estimator.
     */
    sampleRtt(seg: TcpSegment, now: number): number | undefined;
    /** RFC 9293 §3.10.7.4: only a segment newer than the last window update may change the send window. */
    updateWindow(seg: TcpSegment, window: number): void;
    private persistDelay;
    /** The persist timer expired. `orphaned`: the socket is gone (fewer probes are allowed). */
    onPersistTimer(state: TcpState, orphaned: boolean): ProbeResult;
    /** SO_KEEPALIVE: probe after `idleMs` (default from config) without a segment from the peer. */
    setKeepAlive(enable: boolean, idleMs: number | undefined, state: TcpState): void;
    /** A segment came from the peer at `now`: it is alive; the keepalive idle time starts again. */
    heardFromPeer(now: number): void;
    onKeepaliveTimer(state: TcpState, now: number): ProbeResult;
}
