/**
 * The eleven connection states of RFC 9293 §3.3.2 and the events that move between them, as one
 * exhaustive `(state, event)` table: every pair either names its next state or is refused
 * (`undefined`), and the compiler checks that no state or event is forgotten.
 */

import type { Logger } from '../../../core/logger.js';

/** Numeric, so a state compare on the per-segment path is an integer compare. */
export const TcpState = {
  CLOSED: 0,
  LISTEN: 1,
  SYN_SENT: 2,
  SYN_RECEIVED: 3,
  ESTABLISHED: 4,
  FIN_WAIT_1: 5,
  FIN_WAIT_2: 6,
  CLOSE_WAIT: 7,
  CLOSING: 8,
  LAST_ACK: 9,
  TIME_WAIT: 10,
} as const;

export type TcpState = (typeof TcpState)[keyof typeof TcpState];

/** RFC names, indexed by state. */
export const TCP_STATE_NAMES = [
  'CLOSED',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
] as const;

export type TcpStateName = (typeof TCP_STATE_NAMES)[number];

export function tcpStateName(state: TcpState): TcpStateName {
  return TCP_STATE_NAMES[state];
}

/** What moves a connection (RFC 9293 §3.3.2, Figure 5, plus the resets and timeouts of §3.10). */
export type TcpEvent =
  /** OPEN, passive: a listener took a SYN for this connection. */
  | 'passive-open'
  /** OPEN, active: send SYN. */
  | 'active-open'
  /** A SYN arrived (in LISTEN, or in SYN_SENT: simultaneous open). */
  | 'rcv-syn'
  /** A SYN,ACK acknowledging our SYN arrived in SYN_SENT. */
  | 'rcv-syn-ack'
  /** An ACK of our SYN arrived in SYN_RECEIVED. */
  | 'rcv-ack-of-syn'
  /** CLOSE by the application: send FIN after the queued data (or give up a connection not yet open). */
  | 'close'
  /** The peer's FIN arrived, in order. */
  | 'rcv-fin'
  /** The ACK of our FIN arrived. */
  | 'rcv-ack-of-fin'
  /** A valid RST arrived, or the application aborted, or the connection timed out. */
  | 'reset'
  /** The TIME_WAIT timer (2·MSL) expired. */
  | 'time-wait-expired';

/** The next state, or `undefined` if `event` cannot happen in `state`. */
export function nextTcpState(state: TcpState, event: TcpEvent): TcpState | undefined {
  const S = TcpState;
  if (event === 'reset') return state === S.CLOSED ? undefined : S.CLOSED;
  switch (state) {
    case S.CLOSED:
      if (event === 'passive-open') return S.LISTEN;
      if (event === 'active-open') return S.SYN_SENT;
      return undefined;
    case S.LISTEN:
      if (event === 'rcv-syn') return S.SYN_RECEIVED;
      if (event === 'close') return S.CLOSED;
      return undefined;
    case S.SYN_SENT:
      if (event === 'rcv-syn-ack') return S.ESTABLISHED;
      if (event === 'rcv-syn') return S.SYN_RECEIVED;
      if (event === 'close') return S.CLOSED;
      return undefined;
    case S.SYN_RECEIVED:
      if (event === 'rcv-ack-of-syn') return S.ESTABLISHED;
      if (event === 'close') return S.FIN_WAIT_1;
      if (event === 'rcv-fin') return S.CLOSE_WAIT;
      return undefined;
    case S.ESTABLISHED:
      if (event === 'close') return S.FIN_WAIT_1;
      if (event === 'rcv-fin') return S.CLOSE_WAIT;
      return undefined;
    case S.FIN_WAIT_1:
      if (event === 'rcv-ack-of-fin') return S.FIN_WAIT_2;
      if (event === 'rcv-fin') return S.CLOSING;
      return undefined;
    case S.FIN_WAIT_2:
      if (event === 'rcv-fin') return S.TIME_WAIT;
      return undefined;
    case S.CLOSE_WAIT:
      if (event === 'close') return S.LAST_ACK;
      return undefined;
    case S.CLOSING:
      if (event === 'rcv-ack-of-fin') return S.TIME_WAIT;
      return undefined;
    case S.LAST_ACK:
      if (event === 'rcv-ack-of-fin') return S.CLOSED;
      return undefined;
    case S.TIME_WAIT:
      if (event === 'time-wait-expired') return S.CLOSED;
      return undefined;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** The states in which both SYNs have been exchanged (RFC 9293 "synchronized states"). */
export function isSynchronized(state: TcpState): boolean {
  return state >= TcpState.ESTABLISHED;
}

/** The states in which the application may still queue data. */
export function canSend(state: TcpState): boolean {
  return (
    state === TcpState.SYN_SENT ||
    state === TcpState.SYN_RECEIVED ||
    state === TcpState.ESTABLISHED ||
    state === TcpState.CLOSE_WAIT
  );
}

/**
 * A state holder that applies the table, refusing (with an Error: it is a bug, never input) any
 * transition the table does not allow, and writing one debug line per transition.
 */
/** What log lines say about the connection (the connection itself: no closure per connection). */
export interface Describable {
  describe(): Record<string, unknown>;
}

export class TcpStateMachine {
  private current: TcpState;

  constructor(
    private readonly log: Logger,
    private readonly subject: Describable,
    initial: TcpState = TcpState.CLOSED,
  ) {
    this.current = initial;
  }

  get state(): TcpState {
    return this.current;
  }

  /** Applies `event`; returns the previous state. */
  apply(event: TcpEvent): TcpState {
    const from = this.current;
    const to = nextTcpState(from, event);
    if (to === undefined) {
      throw new Error(`tcp: no transition from ${TCP_STATE_NAMES[from]} on '${event}'`);
    }
    this.current = to;
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug(
        { ...this.subject.describe(), from: TCP_STATE_NAMES[from], to: TCP_STATE_NAMES[to], event },
        'state',
      );
    }
    return from;
  }
}
