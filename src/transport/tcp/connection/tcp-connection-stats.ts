/**
 * What `ss -ti` shows for one connection (TcpConnectionStats), read from its parts: the control block,
 * the sender (congestion controller, RTO estimator, send queue), the receive queue and the counters.
 */

import { formatIpv4 } from '../../../core/ipv4-address.js';
import type { ReceiveBuffer } from '../receive/receive-buffer.js';
import type { TcpSender } from '../send/tcp-sender.js';
import { seqDiff } from '../wire/seq.js';
import type { ConnectionCounterName, TcpConnectionStats } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpState, tcpStateName } from './tcp-state.js';

export function connectionStats(
  state: TcpState,
  tcb: TcpControlBlock,
  sender: TcpSender,
  receiveBuffer: ReceiveBuffer,
  c: Readonly<Record<ConnectionCounterName, number>>,
): TcpConnectionStats {
  const cc = sender.cc;
  const rto = sender.rto;
  return {
    state: tcpStateName(state),
    localAddress: formatIpv4(tcb.localAddress),
    localPort: tcb.localPort,
    remoteAddress: formatIpv4(tcb.remoteAddress),
    remotePort: tcb.remotePort,
    mss: tcb.sendMss,
    rcvMss: tcb.rcvMss,
    congestionControl: cc?.name ?? '',
    cwnd: cc?.cwnd ?? 0,
    ssthresh: cc?.ssthresh ?? 0,
    srtt: rto.srtt,
    rttvar: rto.rttvar,
    rto: rto.rto,
    backoff: rto.backoffs,
    sndWnd: tcb.sndWnd,
    rcvWnd: Math.max(0, seqDiff(tcb.rcvAdvEdge, tcb.rcvNxt)),
    sndWscale: tcb.sndShift,
    rcvWscale: tcb.rcvShift,
    timestamps: tcb.tsEnabled,
    sack: tcb.sackEnabled,
    bytesInFlight: tcb.bytesInFlight,
    sendQueue: sender.sendBuffer.size,
    sendZeroCopyBytes: sender.sendBuffer.retainedBytes,
    sendCopiedBytes: sender.sendBuffer.adoptedBytes,
    receiveQueue: receiveBuffer.queued,
    segmentsSent: c.segmentsSent,
    segmentsReceived: c.segmentsReceived,
    retransmitted: c.retransmitted,
    outOfOrderReceived: c.outOfOrderReceived,
    outOfOrderDropped: c.outOfOrderDropped,
    bytesSent: c.bytesSent,
    bytesAcked: c.bytesAcked,
    bytesReceived: c.bytesReceived,
    dupAcks: c.dupAcks,
    fastRetransmits: c.fastRetransmits,
    timeouts: c.timeouts,
    idleRestarts: c.idleRestarts,
    dsacksReceived: c.dsacksReceived,
    sackBlocksIgnored: c.sackBlocksIgnored,
    tlpProbes: c.tlpProbes,
    silenceProbes: c.silenceProbes,
    tlpLossRepairs: c.tlpLossRepairs,
    undos: c.undos,
  };
}
