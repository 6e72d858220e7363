/**
 * Makes the per-connection objects. Bound in the container once per stack with everything the
 * connections share (clock, logger, configuration, congestion control, the IP layer, the memory budget, the pool of send rings,
 * the tracer), so that the TCP layer creates a connection with one call and never consults the container per packet.
 */

import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/logger.js';
import type { CongestionControllerFactory } from '../../congestion/congestion-controller.js';
import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import { TcpSegmentBatcher } from '../batching/tcp-segment-batcher.js';
import { TcpAckBatch } from '../receive/tcp-ack-batch.js';
import { SendRingPool } from '../send/send-ring-pool.js';
import type { TcpConfig } from '../tcp-config.js';
import { TcpMemoryBudget } from '../tcp-memory-budget.js';
import { NO_TCP_TRACER, type TcpTracer } from '../trace/tcp-tracer.js';
import { TcpConnection } from './tcp-connection.js';
import type {
  TcpConnectionDeps,
  TcpConnectionObserver,
  TcpConnectionParams,
  TcpNetwork,
} from './tcp-connection-types.js';
import { TcpOutputScheduler } from './tcp-output-scheduler.js';
import { TcpTimerGate } from './tcp-timer-gate.js';

export interface TcpConnectionFactory {
  /** The memory budget the connections' buffers are charged to (one per stack). */
  readonly memory: TcpMemoryBudget;
  /** The ACKs that wait for the end of a read batch (the layer opens and ends batches); absent: none wait. */
  readonly ackBatch?: TcpAckBatch;
  /** Holds timers that expire while read datagrams wait (the layer enables it and releases at batch ends). */
  readonly timerGate?: TcpTimerGate;
  /** The stack's batcher of super-segments (absent: the network cuts none). */
  readonly batcher?: TcpSegmentBatcher;
  create(params: TcpConnectionParams, observer: TcpConnectionObserver<TcpConnection>): TcpConnection;
}

/** settleFields lists (constants: a class is settled once, on its first object). */
const CONNECTION_LATE_FIELDS = ['outputDeferred'];

export class DefaultTcpConnectionFactory implements TcpConnectionFactory {
  private readonly deps: TcpConnectionDeps;
  readonly memory: TcpMemoryBudget;
  /** The batcher of super-segments, when the network can send them. */
  readonly batcher: TcpSegmentBatcher | undefined;
  readonly ackBatch = new TcpAckBatch();
  readonly timerGate = new TcpTimerGate();
  /** The rings of emptied send queues, for the next bulk writer. */
  readonly sendRings: SendRingPool;

  constructor(
    clock: Clock,
    log: Logger,
    config: TcpConfig,
    congestion: CongestionControllerFactory,
    network: TcpNetwork,
    memory?: TcpMemoryBudget,
    tracer: TcpTracer = NO_TCP_TRACER,
  ) {
    this.memory =
      memory ??
      new TcpMemoryBudget({
        low: config.memoryLow,
        pressure: config.memoryPressure,
        high: config.memoryHigh,
      });
    this.sendRings = new SendRingPool(clock);
    const { segmentationMaxBytes, sendSegmented, sendSegmentedParts } = network;
    // Bound to the layer: the batcher calls it as a plain function.
    const batcher =
      segmentationMaxBytes !== undefined && segmentationMaxBytes > 0 && sendSegmented !== undefined
        ? new TcpSegmentBatcher({
            segmentationMaxBytes,
            allocateDatagram: (length) => network.allocateDatagram(length),
            sendDatagram: (dst, protocol, datagram, opts) =>
              network.sendDatagram(dst, protocol, datagram, opts),
            sendSegmented: (dst, protocol, datagram, size, count) =>
              sendSegmented.call(network, dst, protocol, datagram, size, count),
            segmentationTakesParts:
              network.segmentationTakesParts === true && sendSegmentedParts !== undefined,
            sendSegmentedParts: (dst, protocol, headers, payload, size, count) =>
              sendSegmentedParts!.call(network, dst, protocol, headers, payload, size, count),
          })
        : undefined;
    this.batcher = batcher;
    this.deps = {
      clock,
      log,
      config,
      congestion,
      network,
      memory: this.memory,
      tracer,
      batcher,
      ackBatch: this.ackBatch,
      timerGate: this.timerGate,
      outputScheduler: new TcpOutputScheduler(),
      sendRings: this.sendRings,
    };
  }

  create(params: TcpConnectionParams, observer: TcpConnectionObserver<TcpConnection>): TcpConnection {
    const connection = new TcpConnection(params, this.deps, observer);
    // First written by the stack's first autocorked write (tcp-connection.ts is at its size limit).
    settleFields(connection, NO_FIELDS, CONNECTION_LATE_FIELDS);
    return connection;
  }
}
