/**
 * What `ss -ti` shows for one connection (TcpConnectionStats), read from its parts: the control block,
 * the sender (congestion controller, RTO estimator, send queue), the receive queue and the counters.
 */
import type { ReceiveBuffer } from '../receive/receive-buffer.js';
import type { TcpSender } from '../send/tcp-sender.js';
import type { ConnectionCounterName, TcpConnectionStats } from './tcp-connection-types.js';
import type { TcpControlBlock } from './tcp-control-block.js';
import { type TcpState } from './tcp-state.js';
export declare function connectionStats(state: TcpState, tcb: TcpControlBlock, sender: TcpSender, receiveBuffer: ReceiveBuffer, c: Readonly<Record<ConnectionCounterName, number>>): TcpConnectionStats;
