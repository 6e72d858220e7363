/**
 * Makes the per-connection objects. Bound in the container once per stack with everything the
 * connections share (clock, logger, configuration, congestion control, the IP layer, the memory budget,
 * the tracer), so that the TCP layer creates a connection with one call and never consults the container per packet.
 */
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/logger.js';
import type { CongestionControllerFactory } from '../../congestion/congestion-controller.js';
import { TcpSegmentBatcher } from '../batching/tcp-segment-batcher.js';
import type { TcpConfig } from '../tcp-config.js';
import { TcpMemoryBudget } from '../tcp-memory-budget.js';
import { type TcpTracer } from '../trace/tcp-tracer.js';
import { TcpConnection } from './tcp-connection.js';
import type { TcpConnectionObserver, TcpConnectionParams, TcpNetwork } from './tcp-connection-types.js';
export interface TcpConnectionFactory {
    /** The memory budget the connections' buffers are charged to (one per stack). */
    readonly memory: TcpMemoryBudget;
    create(params: TcpConnectionParams, observer: TcpConnectionObserver<TcpConnection>): TcpConnection;
}
export declare class DefaultTcpConnectionFactory implements TcpConnectionFactory {
    private readonly deps;
    readonly memory: TcpMemoryBudget;
    /** The batcher of super-segments, when the network can send them. */
    readonly batcher: TcpSegmentBatcher | undefined;
    constructor(clock: Clock, log: Logger, config: TcpConfig, congestion: CongestionControllerFactory, network: TcpNetwork, memory?: TcpMemoryBudget, tracer?: TcpTracer);
    create(params: TcpConnectionParams, observer: TcpConnectionObserver<TcpConnection>): TcpConnection;
}
