/**
 * The fifth step of segment arrival (RFC 9293 §3.10.7.4), the ACK field, in the order TcpConnection
 * documents: the unacceptable ACK values (RFC 5961 §5.2) are answered and dropped; then the peer's SACK
 * blocks go to loss recovery; an ACK of new data has the sender free the queue and move SND.UNA, take
 * the RTT sample, loss recovery decide (recovery exit, partial ACK) and tell the congestion controller,
 * the sender restart its timer and retransmit the next hole if recovery said so, then update the send
 * window; a duplicate ACK is counted by loss recovery, which may start fast retransmit. What follows for
 * the state machine (our FIN acknowledged, the writer may resume) is returned as bits, for the
 * connection to act on: no callback into it, no allocation.
 */
import { type LossRecovery } from '../recovery/loss-recovery.js';
import type { TcpTraceChannel } from '../trace/tcp-tracer.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import type { ConnectionCounterName } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import type { TcpSackOutput } from './tcp-sack-output.js';
import { type TcpSegmentEmitter } from './tcp-segment-emitter.js';
import type { TcpSender } from './tcp-sender.js';
/** What an ACK means for the connection (bits). */
export declare const AckResult: {
    /** The ACK value was unacceptable: the segment is dropped (a challenge ACK went out). */
    readonly DROP: 1;
    /** It acknowledged our FIN. */
    readonly FIN_ACKED: 2;
    /** The send queue has room again for a waiting writer. */
    readonly WRITABLE: 4;
};
export declare class TcpAckProcessor {
    private readonly tcb;
    private readonly sender;
    private readonly sackOutput;
    private readonly recovery;
    private readonly emitter;
    private readonly counts;
    private readonly trace;
    constructor(tcb: TcpControlBlock, sender: TcpSender, sackOutput: TcpSackOutput, recovery: LossRecovery, emitter: TcpSegmentEmitter, counts: Record<ConnectionCounterName, number>, trace: TcpTraceChannel | undefined);
    /**
     * Fifth, the ACK field of an acceptable segment carrying `dataLength` bytes: returns AckResult bits
     * (DROP: the segment goes no further).
     */
    process(seg: TcpSegment, dataLength: number, now: number): number;
    /**
     * The ACK field on a SACK connection (RFC 6675, RFC 8985): the scoreboard, RACK, the probe episode and
     * undo see every acceptable ACK, new or not; duplicate ACKs are counted but decide nothing (RACK does).
     */
    private processWithSack;
}
