/**
 * Makes the per-connection objects. Bound in the container once per stack with everything the
 * connections share (clock, logger, configuration, congestion control, the IP layer, the memory budget,
 * the tracer), so that the TCP layer creates a connection with one call and never consults the container per packet.
 */
import { TcpSegmentBatcher } from '../batching/tcp-segment-batcher.js';
import { TcpMemoryBudget } from '../tcp-memory-budget.js';
import { NO_TCP_TRACER } from '../trace/tcp-tracer.js';
import { TcpConnection } from './tcp-connection.js';
export class DefaultTcpConnectionFactory {
    deps;
    memory;
    /** The batcher of super-segments, when the network can send them. */
    batcher;
    constructor(clock, log, config, congestion, network, memory, tracer = NO_TCP_TRACER) {
        this.memory =
            memory ??
                new TcpMemoryBudget({
                    low: config.memoryLow,
                    pressure: config.memoryPressure,
                    high: config.memoryHigh,
                });
        const { segmentationMaxBytes, sendSegmented } = network;
        // Bound to the layer: the batcher calls it as a plain function.
        const batcher = segmentationMaxBytes !== undefined && segmentationMaxBytes > 0 && sendSegmented !== undefined
            ? new TcpSegmentBatcher({
                segmentationMaxBytes,
                allocateDatagram: (length) => network.allocateDatagram(length),
                sendDatagram: (dst, protocol, datagram, opts) => network.sendDatagram(dst, protocol, datagram, opts),
                sendSegmented: (dst, protocol, datagram, size, count) => sendSegmented.call(network, dst, protocol, datagram, size, count),
            })
            : undefined;
        this.batcher = batcher;
        this.deps = { clock, log, config, congestion, network, memory: this.memory, tracer, batcher };
    }
    create(params, observer) {
        return new TcpConnection(params, this.deps, observer);
    }
}
//# sourceMappingURL=tcp-connection-factory.js.map