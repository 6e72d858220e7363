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
import type { LossRecovery } from '../recovery/loss-recovery.js';
import { type SackRecovery } from '../recovery/sack-recovery.js';
import type { ConnectionCounterName } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import type { TcpSender } from './tcp-sender.js';
import { TcpState } from './tcp-state.js';
import { type TcpTimers } from './tcp-timers.js';
export declare class TcpSackOutput {
    private readonly tcb;
    private readonly sender;
    private readonly recovery;
    private readonly timers;
    private readonly counts;
    /** Tracing on: the sender's traceState records the probes. */
    private readonly tracing;
    /** SACK-based recovery (the scoreboard every data segment is logged in), from the first data on. */
    private sack;
    constructor(tcb: TcpControlBlock, sender: TcpSender, recovery: LossRecovery, timers: TcpTimers, counts: Record<ConnectionCounterName, number>, 
    /** Tracing on: the sender's traceState records the probes. */
    tracing: boolean);
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
     * RFC 8985 §7.2: with data in flight, nothing known lost and no probe out, a probe is due 2·SRTT after
     * the last send or ACK; otherwise no probe timer runs.
     */
    private armLossProbe;
    /** After a SACK connection's ACK: RACK's reordering timer as it asked, and the probe timer. */
    afterAck(sack: SackRecovery): void;
    /**
     * RFC 8985 §7.3: the probe timer expired. New data if the peer's window has room for some (cwnd
     * aside), else the last segment again; then the retransmission timer takes over.
     */
    onLossProbeTimer(state: TcpState, now: number): void;
    /** RFC 8985 §6.3: RACK's reordering timer expired: look for losses again, and send what they free. */
    onReorderTimer(state: TcpState, now: number): void;
}
