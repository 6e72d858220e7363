/**
 * What must hold after every step, whatever arrived: no internal error in any layer; for each
 * connection, its sequence variables in order (SND.UNA ≤ SND.NXT ≤ SND.MAX, wrap-around), nothing in
 * flight that is not still in the send queue, buffers within their limits, a Clock timer armed no later
 * than its earliest deadline, and a timer running whenever something waits on one (unacknowledged data,
 * data held back, TIME_WAIT); the reassembler within its byte cap; the listeners' queues and the
 * TIME_WAIT table within theirs. Every violation found goes to `report` (one per connection at most).
 */

import type { TcpStack } from '../../../src/di/compositions.js';
import type { TcpConnection } from '../../../src/transport/tcp/connection/tcp-connection.js';
import { TCP_STATE_NAMES, TcpState } from '../../../src/transport/tcp/connection/tcp-state.js';
import { TimerKind } from '../../../src/transport/tcp/connection/tcp-timers.js';
import type { TcpConfig } from '../../../src/transport/tcp/tcp-config.js';
import { seqDelta } from '../fuzz-wire.js';
import { type LayerInternals, probeConnection, probeLayers } from './stack-probe.js';

/** A sequence number as the wire shows it (the stack holds them signed: seq.ts). */
const u = (n: number): number => n >>> 0;

/** Slack over the send buffer: a write is taken whole, and the socket hands over what it buffered at once. */
const SEND_QUEUE_SLACK = 512 * 1024;

export class InvariantChecker {
  /** Every TCP state a connection was seen in. */
  readonly statesSeen = new Set<string>();
  private readonly layers: LayerInternals;
  private checks = 0;

  constructor(
    private readonly stack: TcpStack,
    private readonly config: TcpConfig,
    private readonly reassemblyMaxBytes: number,
  ) {
    this.layers = probeLayers(stack);
  }

  check(report: (violation: string) => void): void {
    const l = this.layers;
    const internal = l.tcpCounters.internalErrors!;
    if (internal !== 0) report(`TCP internalErrors = ${internal}`);
    if (l.timeWait.size > this.config.maxTimeWait) {
      report(`${l.timeWait.size} connections in TIME_WAIT, limit ${this.config.maxTimeWait}`);
    }
    if (l.reassembler.bytesHeld > this.reassemblyMaxBytes) {
      report(`reassembler holds ${l.reassembler.bytesHeld} bytes, cap ${this.reassemblyMaxBytes}`);
    }
    // The layers' snapshots (any counter named for internal errors) now and then: they allocate.
    if ((this.checks++ & 63) === 0) {
      const v = this.checkSnapshots();
      if (v !== undefined) report(v);
    }
    for (const c of this.stack.tcp.connections()) {
      const v = this.checkConnection(c);
      if (v !== undefined) report(`${TCP_STATE_NAMES[c.state]} ${c.localPort}←${c.remotePort}: ${v}`);
    }
  }

  /** Every counter whose name says "internal" is zero, in the IP, ICMP and TCP snapshots. */
  checkSnapshots(): string | undefined {
    const layers = { IP: this.stack.ip.stats(), ICMP: this.stack.icmp.stats(), TCP: this.stack.tcp.stats() };
    for (const [layer, stats] of Object.entries(layers)) {
      for (const [name, value] of Object.entries(stats)) {
        if (/internal/i.test(name) && value !== 0) return `${layer} ${name} = ${value}`;
      }
    }
    return undefined;
  }

  /** The first thing wrong with one connection, or undefined. */
  checkConnection(c: TcpConnection): string | undefined {
    const state = c.state;
    this.statesSeen.add(TCP_STATE_NAMES[state]);
    if (state === TcpState.CLOSED) return 'a CLOSED connection is still in the table';
    const listener = c.listener;
    if (listener !== undefined) {
      if (listener.synQueued > listener.synBacklog || listener.synQueued < 0) {
        return `SYN queue ${listener.synQueued} of ${listener.synBacklog}`;
      }
      if (listener.acceptQueueLength > listener.backlog) {
        return `accept queue ${listener.acceptQueueLength} of ${listener.backlog}`;
      }
    }
    const p = probeConnection(c);
    if (seqDelta(p.sndNxt, p.sndUna) < 0) return `SND.NXT ${u(p.sndNxt)} < SND.UNA ${u(p.sndUna)}`;
    if (seqDelta(p.sndMax, p.sndNxt) < 0) return `SND.MAX ${u(p.sndMax)} < SND.NXT ${u(p.sndNxt)}`;
    if (seqDelta(p.sndUna, p.iss) < 0) return `SND.UNA ${u(p.sndUna)} before ISS ${u(p.iss)}`;
    const unacked = seqDelta(p.sndMax, p.sndUna);
    // SYN and FIN take one sequence number each and no room in the queue.
    if (state !== TcpState.TIME_WAIT && unacked > p.sendQueued + 2) {
      return `${unacked} sequence numbers unacknowledged with ${p.sendQueued} bytes queued`;
    }
    if (p.sendQueued > this.config.sendBufferSize + SEND_QUEUE_SLACK) {
      return `send queue ${p.sendQueued} bytes, buffer ${this.config.sendBufferSize}`;
    }
    // A scaled window is rounded up to whole units of 2^shift (as Linux does, so that free space under one unit
    // is not announced as a zero window), and data inside an advertised window is taken: the queue may pass
    // the buffer by less than one unit (found by seed 52: 1 byte free, 2 advertised with shift 1, 2 taken).
    if (p.receiveQueued > p.receiveCapacity + (1 << p.rcvShift) - 1)
      return `receive queue ${p.receiveQueued} of ${p.receiveCapacity} (window shift ${p.rcvShift})`;
    if (p.outOfOrderRanges > p.maxOutOfOrderRanges) {
      return `${p.outOfOrderRanges} out-of-order ranges, limit ${p.maxOutOfOrderRanges}`;
    }
    if (p.outOfOrderBytes > p.receiveCapacity) return `${p.outOfOrderBytes} out-of-order bytes`;
    if (state !== TcpState.SYN_SENT) {
      const window = seqDelta(p.rcvAdvEdge, p.rcvNxt);
      if (window > p.receiveCapacity + (1 << p.rcvShift)) {
        return `advertised window ${window} over a ${p.receiveCapacity}-byte buffer`;
      }
    }
    return this.checkTimers(state, p.deadlines, p.armedAt, unacked, p.outputDeferred ? 0 : p.sendQueued);
  }

  private checkTimers(
    state: TcpState,
    deadlines: ArrayLike<number>,
    armedAt: number,
    unacked: number,
    queued: number,
  ): string | undefined {
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < deadlines.length; i++) if (deadlines[i]! < earliest) earliest = deadlines[i]!;
    if (earliest < armedAt) return `a deadline at ${earliest} but the Clock timer fires at ${armedAt}`;
    if (state === TcpState.TIME_WAIT) {
      return deadlines[TimerKind.TIME_WAIT] === Number.POSITIVE_INFINITY
        ? 'TIME_WAIT without its timer'
        : undefined;
    }
    const waiting = unacked > 0 || (queued > 0 && sends(state));
    const running =
      deadlines[TimerKind.RETRANSMIT] !== Number.POSITIVE_INFINITY ||
      deadlines[TimerKind.PERSIST] !== Number.POSITIVE_INFINITY;
    if (waiting && !running) {
      return `${unacked} unacknowledged, ${queued} queued, and neither retransmission nor persist timer`;
    }
    return undefined;
  }
}

function sends(state: TcpState): boolean {
  return (
    state === TcpState.ESTABLISHED ||
    state === TcpState.CLOSE_WAIT ||
    state === TcpState.FIN_WAIT_1 ||
    state === TcpState.CLOSING ||
    state === TcpState.LAST_ACK
  );
}
