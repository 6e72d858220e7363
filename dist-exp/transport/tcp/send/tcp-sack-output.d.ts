/**
 * What a SACK connection sends (RFC 6675, RFC 8985, RFC 6937): from its first data on, output goes
 * through here instead of TcpSender.output — the segments the scoreboard deems lost first, oldest first
 * (RFC 6675 NextSeg rule 1), then new data (rule 2), within what SackRecovery allows (cwnd less the
 * pipe; PRR in recovery) and the peer's window — and the timers that drive it: the tail loss probe
 * (RFC 8985 §7) and RACK's reordering timer (§6.3).
 *
 * It owns the connection's SackRecovery reference (made by LossRecovery at the first data) and decides
 * only the order and amount of what goes out; the sender does the sending and its bookkeeping (SND.NXT,
 * RTT timing, the retransmission and persist timers) through its narrow methods, and TcpConnection calls
 * this part where it would call the sender's output on a SACK connection.
 */
import type { ConnectionCounterName } from '../connection/tcp-connection-types.js';
import type { TcpControlBlock } from '../connection/tcp-control-block.js';
import { TcpState } from '../connection/tcp-state.js';
import { type TcpTimers } from '../connection/tcp-timers.js';
import type { LossRecovery } from '../recovery/loss-recovery.js';
import { type SackRecovery } from '../recovery/sack-recovery.js';
import type { TcpSender } from './tcp-sender.js';
export declare class TcpSackOutput {
    private readonly tcb;
    private readonly sender;
    private readonly recovery;
    private readonly timers;
    private readonly counts;
    /** Tracing on: the sender's traceState records the probes. */
    private readonly tracing;
    /**
     * Silence probes per silence (config silenceProbes; reset by any ACK): at 1, 3, 7… PTOs after the last
     * send or ACK, so that a lost probe or a lost answer (5% each way is 10% for the pair) rarely leaves the
     * RTO to act.
     */
    private readonly maxSilenceProbes;
    /** SACK-based recovery (the scoreboard every data segment is logged in), from the first data on. */
    private sack;
    /** Silence probes sent since the last ACK. */
    private silenceProbes;
    constructor(tcb: TcpControlBlock, sender: TcpSender, recovery: LossRecovery, timers: TcpTimers, counts: Record<ConnectionCounterName, number>, 
    /** Tracing on: the sender's traceState records the probes. */
    tracing: boolean, 
    /**
     * Silence probes per silence (config silenceProbes; reset by any ACK): at 1, 3, 7… PTOs after the last
     * send or ACK, so that a lost probe or a lost answer (5% each way is 10% for the pair) rarely leaves the
     * RTO to act.
     */
    maxSilenceProbes: number);
    /** The first data of a SACK connection: its scoreboard begins (SND.NXT never goes back from here on). */
    private startSack;
    /**
     * TcpSender.output for a SACK connection (`tcb.sackEnabled && tcb.synAcked`): first the segments deemed
     * lost, oldest first (RFC 6675 NextSeg rule 1), then new data (rule 2), within what SackRecovery allows
     * (cwnd less the pipe; PRR in recovery) and the peer's window; the same Nagle and SWS rules as without
     * SACK; then the FIN, the persist timer, and the tail loss probe armed.
     */
    output(state: TcpState, force: boolean): void;
    /**
     * With data in flight, a probe is due a PTO (RFC 8985 §7.2: 2·SRTT) after the last send or ACK: the tail
     * loss probe when nothing is known lost and no probe is out; otherwise (in recovery, after a timeout,
     * or with a tail loss probe unanswered) the silence probe, each one unanswered doubling the wait, at
     * most maxSilenceProbes until the next ACK. No timer otherwise.
     */
    private armLossProbe;
    /** After a SACK connection's ACK: RACK's reordering timer as it asked, and the probe timer. */
    afterAck(sack: SackRecovery): void;
    /**
     * RFC 8985 §7.3: the probe timer expired. New data if the peer's window has room for some (cwnd
     * aside), else the last segment again; then the retransmission timer takes over.
     */
    onLossProbeTimer(state: TcpState, now: number): void;
    /**
     * No ACK for a PTO while the tail loss probe may not run (in recovery, after a timeout, or with a tail
     * loss probe already out): the first unacknowledged segment again, cwnd aside; again after twice the
     * wait if that goes unanswered too (the probe or its ACK may be lost), up to maxSilenceProbes.
     * Not in RFC 8985, which leaves this silence to the retransmission timer (at least 200 ms, then a cwnd
     * of one); measured against Linux 6.18 receivers, which at times hold their ACK — a hole filled in
     * recovery, in-order data — until a segment they already have arrives (answered at once, with a
     * D-SACK), this costs one segment instead of an RTO. If the segment was lost, this is its repair, as
     * the RTO's would be; if it arrived, the duplicate draws the ACK. The retransmission timer keeps its
     * deadline: the probe must not postpone the timeout it precedes (as after a tail loss probe).
     */
    private silenceProbe;
    /** RFC 8985 §6.3: RACK's reordering timer expired: look for losses again, and send what they free. */
    onReorderTimer(state: TcpState, now: number): void;
}
