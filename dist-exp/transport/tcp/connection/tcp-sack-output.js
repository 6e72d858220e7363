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
import { RecoveryPhase } from '../recovery/sack-recovery.js';
import { SegmentFlag } from '../recovery/sent-segment-log.js';
import { seqDiff, seqLe } from '../wire/seq.js';
import { TcpState } from './tcp-state.js';
import { TimerKind } from './tcp-timers.js';
export class TcpSackOutput {
    tcb;
    sender;
    recovery;
    timers;
    counts;
    tracing;
    /** SACK-based recovery (the scoreboard every data segment is logged in), from the first data on. */
    sack;
    constructor(tcb, sender, recovery, timers, counts, 
    /** Tracing on: the sender's traceState records the probes. */
    tracing) {
        this.tcb = tcb;
        this.sender = sender;
        this.recovery = recovery;
        this.timers = timers;
        this.counts = counts;
        this.tracing = tracing;
    }
    /** The first data of a SACK connection: its scoreboard begins (SND.NXT never goes back from here on). */
    startSack() {
        const sack = this.recovery.enableSack();
        this.sack = sack;
        return sack;
    }
    /**
     * TcpSender.output for a SACK connection (`tcb.sackEnabled && tcb.synAcked`): first the segments deemed
     * lost, oldest first (RFC 6675 NextSeg rule 1), then new data (rule 2), within what SackRecovery allows
     * (cwnd less the pipe; PRR in recovery) and the peer's window; the same Nagle and SWS rules as without
     * SACK; then the FIN, the persist timer, and the tail loss probe armed.
     */
    output(state, force) {
        const sender = this.sender;
        const cc = sender.cc;
        if (state === TcpState.TIME_WAIT || cc === undefined)
            return;
        const sack = this.sack ?? this.startSack();
        const tcb = this.tcb;
        const sendBuffer = sender.sendBuffer;
        const log = sack.log;
        const mss = tcb.sendMss;
        sender.maybeIdleRestart(cc);
        for (;;) {
            const inFlight = seqDiff(tcb.sndNxt, tcb.sndUna);
            const allowance = sack.allowance(cc, inFlight);
            const lost = log.firstLostToRetransmit();
            if (lost >= 0) {
                const size = seqDiff(log.end(lost), log.start(lost));
                if (allowance < Math.min(size, mss))
                    break;
                sender.retransmitEntry(sack, lost);
                continue;
            }
            const avail = sendBuffer.size - inFlight;
            if (avail > 0) {
                let len = Math.min(avail, mss);
                let usable = tcb.sndWnd - inFlight;
                if (allowance < usable)
                    usable = allowance;
                if (usable < len)
                    len = usable;
                if (len <= 0)
                    break;
                if (len < mss) {
                    if (len < avail) {
                        if (!force && len < tcb.maxSndWnd / 2)
                            break; // sender SWS avoidance
                    }
                    else if (!sender.noDelay && inFlight > 0 && !tcb.finQueued && !force) {
                        break; // Nagle
                    }
                }
                sender.sendNew(inFlight, len, avail, sack);
                continue;
            }
            if (tcb.finQueued && seqLe(tcb.sndNxt, tcb.finSeq))
                sender.sendFinAlone(sack);
            break;
        }
        sender.persistIfStalled(state);
        this.armLossProbe(sack);
    }
    /**
     * RFC 8985 §7.2: with data in flight, nothing known lost and no probe out, a probe is due 2·SRTT after
     * the last send or ACK; otherwise no probe timer runs.
     */
    armLossProbe(sack) {
        const tcb = this.tcb;
        const inFlight = seqDiff(tcb.sndMax, tcb.sndUna);
        if (inFlight > 0 && sack.phase === RecoveryPhase.OPEN && !sack.tlp.pending) {
            const rto = this.sender.rto;
            this.timers.set(TimerKind.LOSS_PROBE, sack.tlp.timeout(rto.srtt ?? 0, inFlight, tcb.sendMss, rto.rto));
        }
        else {
            this.timers.clear(TimerKind.LOSS_PROBE);
        }
    }
    /** After a SACK connection's ACK: RACK's reordering timer as it asked, and the probe timer. */
    afterAck(sack) {
        const reorder = sack.reorderTimeout;
        if (reorder > 0)
            this.timers.set(TimerKind.REORDER, reorder);
        else
            this.timers.clear(TimerKind.REORDER);
        this.armLossProbe(sack);
    }
    /**
     * RFC 8985 §7.3: the probe timer expired. New data if the peer's window has room for some (cwnd
     * aside), else the last segment again; then the retransmission timer takes over.
     */
    onLossProbeTimer(state, now) {
        const sack = this.sack;
        const tcb = this.tcb;
        const sender = this.sender;
        if (sack === undefined || state === TcpState.TIME_WAIT || state === TcpState.CLOSED)
            return;
        const inFlight = seqDiff(tcb.sndNxt, tcb.sndUna);
        if (inFlight === 0 || sack.phase !== RecoveryPhase.OPEN || sack.tlp.pending)
            return;
        const avail = sender.sendBuffer.size - inFlight;
        const room = tcb.sndWnd - inFlight;
        if (avail > 0 && room > 0) {
            sender.sendNew(inFlight, Math.min(avail, tcb.sendMss, room), avail, sack);
            sack.tlp.sent(tcb.sndMax, false);
        }
        else {
            const last = sack.log.count - 1;
            if (last < 0 || (sack.log.flags(last) & SegmentFlag.SACKED) !== 0)
                return;
            sender.retransmitEntry(sack, last);
            sack.tlp.sent(tcb.sndMax, true);
        }
        this.counts.tlpProbes++;
        this.timers.set(TimerKind.RETRANSMIT, sack.rtoAfterProbe(now, sender.rto.rto));
        if (this.tracing)
            sender.traceState('tlp');
    }
    /** RFC 8985 §6.3: RACK's reordering timer expired: look for losses again, and send what they free. */
    onReorderTimer(state, now) {
        const sack = this.sack;
        const sender = this.sender;
        const cc = sender.cc;
        if (sack === undefined || cc === undefined)
            return;
        const tcb = this.tcb;
        const effects = sack.onReorderTimer(now, tcb.sndUna, tcb.sndMax, sender.rto.srtt ?? 0, tcb.sendMss, cc);
        if (sack.reorderTimeout > 0)
            this.timers.set(TimerKind.REORDER, sack.reorderTimeout);
        if (effects !== 0 && this.tracing)
            sender.traceState('sack_recovery_enter');
        this.output(state, false);
    }
}
//# sourceMappingURL=tcp-sack-output.js.map