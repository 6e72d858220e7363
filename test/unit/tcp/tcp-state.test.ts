import { describe, expect, it } from 'vitest';
import { silentLoggers } from '../../../src/core/logger.js';
import {
  nextTcpState,
  TCP_STATE_NAMES,
  type TcpEvent,
  TcpState,
  TcpStateMachine,
  type TcpStateName,
} from '../../../src/transport/tcp/connection/tcp-state.js';

const EVENTS: readonly TcpEvent[] = [
  'passive-open',
  'active-open',
  'rcv-syn',
  'rcv-syn-ack',
  'rcv-ack-of-syn',
  'close',
  'rcv-fin',
  'rcv-ack-of-fin',
  'reset',
  'time-wait-expired',
];

/** RFC 9293 §3.3.2, Figure 5, plus resets: every allowed transition; everything else is refused. */
const ALLOWED: Record<TcpStateName, Partial<Record<TcpEvent, TcpStateName>>> = {
  CLOSED: { 'passive-open': 'LISTEN', 'active-open': 'SYN_SENT' },
  LISTEN: { 'rcv-syn': 'SYN_RECEIVED', close: 'CLOSED', reset: 'CLOSED' },
  SYN_SENT: { 'rcv-syn-ack': 'ESTABLISHED', 'rcv-syn': 'SYN_RECEIVED', close: 'CLOSED', reset: 'CLOSED' },
  SYN_RECEIVED: {
    'rcv-ack-of-syn': 'ESTABLISHED',
    close: 'FIN_WAIT_1',
    'rcv-fin': 'CLOSE_WAIT',
    reset: 'CLOSED',
  },
  ESTABLISHED: { close: 'FIN_WAIT_1', 'rcv-fin': 'CLOSE_WAIT', reset: 'CLOSED' },
  FIN_WAIT_1: { 'rcv-ack-of-fin': 'FIN_WAIT_2', 'rcv-fin': 'CLOSING', reset: 'CLOSED' },
  FIN_WAIT_2: { 'rcv-fin': 'TIME_WAIT', reset: 'CLOSED' },
  CLOSE_WAIT: { close: 'LAST_ACK', reset: 'CLOSED' },
  CLOSING: { 'rcv-ack-of-fin': 'TIME_WAIT', reset: 'CLOSED' },
  LAST_ACK: { 'rcv-ack-of-fin': 'CLOSED', reset: 'CLOSED' },
  TIME_WAIT: { 'time-wait-expired': 'CLOSED', reset: 'CLOSED' },
};

describe('the TCP state table', () => {
  it('has eleven states', () => {
    expect(TCP_STATE_NAMES.length).toBe(11);
    expect(Object.keys(TcpState).length).toBe(11);
  });

  for (const [index, name] of TCP_STATE_NAMES.entries()) {
    it(`${name}: exactly the RFC transitions`, () => {
      for (const event of EVENTS) {
        const next = nextTcpState(index as TcpState, event);
        const expected = ALLOWED[name][event];
        expect(next === undefined ? undefined : TCP_STATE_NAMES[next], `${name} on ${event}`).toBe(expected);
      }
    });
  }

  it('the state machine refuses a transition the table does not allow, and logs each one', () => {
    const lines: unknown[] = [];
    const log = silentLoggers().for('tcp');
    const logger = Object.assign(Object.create(log), {
      isLevelEnabled: () => true,
      debug: (obj: unknown) => lines.push(obj),
    });
    const sm = new TcpStateMachine(logger, { describe: () => ({ conn: 'x' }) });
    expect(sm.apply('active-open')).toBe(TcpState.CLOSED);
    expect(sm.state).toBe(TcpState.SYN_SENT);
    expect(() => sm.apply('rcv-fin')).toThrow(/no transition from SYN_SENT on 'rcv-fin'/);
    expect(lines).toEqual([{ conn: 'x', from: 'CLOSED', to: 'SYN_SENT', event: 'active-open' }]);
  });
});
