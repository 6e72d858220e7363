/**
 * A narrow, read-only, test-only view of internals that the stack's public API does not show, or shows
 * only through a snapshot too costly to take after every step: a TcpConnection's sequence variables,
 * buffer fill and timer deadlines; the TCP layer's live counters and TIME_WAIT table; the reassembler's
 * bytes. The fuzzer's invariants need them, and the stack is not changed to expose them. Each field is
 * checked for its type, so a rename in the stack fails loudly here instead of letting an invariant pass
 * on `undefined`.
 */

import type { TcpStack } from '../../../src/di/compositions.js';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';

export interface ConnectionInternals {
  readonly iss: number;
  readonly sndUna: number;
  readonly sndNxt: number;
  readonly sndMax: number;
  readonly sndWnd: number;
  readonly rcvNxt: number;
  readonly rcvAdvEdge: number;
  readonly synAcked: boolean;
  readonly rcvShift: number;
  readonly sendQueued: number;
  readonly receiveQueued: number;
  readonly receiveCapacity: number;
  readonly outOfOrderRanges: number;
  readonly maxOutOfOrderRanges: number;
  readonly outOfOrderBytes: number;
  /** Output deferred to the end of the task (autocorking): queued data that no timer needs to cover yet. */
  readonly outputDeferred: boolean;
  /** Deadlines by TimerKind (Infinity when off). */
  readonly deadlines: ArrayLike<number>;
  /** When the one Clock timer behind the deadlines fires (Infinity when none is armed). */
  readonly armedAt: number;
}

type Bag = Record<string, unknown>;

function field<T>(bag: Bag, name: string, type: 'number' | 'boolean' | 'object'): T {
  const v = bag[name];
  if (typeof v !== type || v === null) {
    throw new Error(
      `connection-probe: TcpConnection.${name} is ${typeof v}, expected ${type}; update the probe`,
    );
  }
  return v as T;
}

export function probeConnection(c: TcpConnection): ConnectionInternals {
  const parts = c as unknown as Bag;
  // The connection's parts: the control block (sequence variables), the receiver and sender (buffers).
  const bag = field<Bag>(parts, 'tcb', 'object');
  const receive = field<Bag>(field<Bag>(parts, 'receiver', 'object'), 'receiveBuffer', 'object');
  const send = field<Bag>(field<Bag>(parts, 'sender', 'object'), 'sendBuffer', 'object');
  const timers = field<Bag>(parts, 'timers', 'object');
  return {
    iss: field(bag, 'iss', 'number'),
    sndUna: field(bag, 'sndUna', 'number'),
    sndNxt: field(bag, 'sndNxt', 'number'),
    sndMax: field(bag, 'sndMax', 'number'),
    sndWnd: field(bag, 'sndWnd', 'number'),
    rcvNxt: field(bag, 'rcvNxt', 'number'),
    rcvAdvEdge: field(bag, 'rcvAdvEdge', 'number'),
    synAcked: field(bag, 'synAcked', 'boolean'),
    rcvShift: field(bag, 'rcvShift', 'number'),
    sendQueued: field(send, 'size', 'number'),
    receiveQueued: field(receive, 'queued', 'number'),
    receiveCapacity: field(receive, 'capacity', 'number'),
    outOfOrderRanges: field(receive, 'outOfOrderRanges', 'number'),
    maxOutOfOrderRanges: field(receive, 'maxRanges', 'number'),
    outOfOrderBytes: field(receive, 'outOfOrderBytes', 'number'),
    outputDeferred: field(parts, 'outputDeferred', 'boolean'),
    deadlines: field(timers, 'deadlines', 'object'),
    armedAt: field(timers, 'armedAt', 'number'),
  };
}

/** Live views (read on every step, allocation-free) of the layers' state. */
export interface LayerInternals {
  /** The TCP layer's own counters (not the per-connection sums). */
  readonly tcpCounters: Readonly<Record<string, number>>;
  readonly timeWait: ReadonlySet<unknown>;
  readonly reassembler: { readonly bytesHeld: number; readonly pending: number };
}

export function probeLayers(stack: TcpStack): LayerInternals {
  const tcp = stack.tcp as unknown as Bag;
  const counters = field<Bag>(tcp, 'counters', 'object');
  const ip = stack.ip as unknown as Bag;
  const reassembler = field<{ bytesHeld: number; pending: number }>(ip, 'reassembler', 'object');
  field<number>(reassembler as unknown as Bag, 'bytesHeld', 'number');
  const tcpCounters = field<Record<string, number>>(counters, 'values', 'object');
  field<number>(tcpCounters, 'internalErrors', 'number');
  return { tcpCounters, timeWait: field<Set<unknown>>(tcp, 'timeWait', 'object'), reassembler };
}
