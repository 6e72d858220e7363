/**
 * The eleven connection states of RFC 9293 §3.3.2 and the events that move between them, as one
 * exhaustive `(state, event)` table: every pair either names its next state or is refused
 * (`undefined`), and the compiler checks that no state or event is forgotten.
 */
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
};
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
];
export function tcpStateName(state) {
    return TCP_STATE_NAMES[state];
}
/** The next state, or `undefined` if `event` cannot happen in `state`. */
export function nextTcpState(state, event) {
    const S = TcpState;
    if (event === 'reset')
        return state === S.CLOSED ? undefined : S.CLOSED;
    switch (state) {
        case S.CLOSED:
            if (event === 'passive-open')
                return S.LISTEN;
            if (event === 'active-open')
                return S.SYN_SENT;
            return undefined;
        case S.LISTEN:
            if (event === 'rcv-syn')
                return S.SYN_RECEIVED;
            if (event === 'close')
                return S.CLOSED;
            return undefined;
        case S.SYN_SENT:
            if (event === 'rcv-syn-ack')
                return S.ESTABLISHED;
            if (event === 'rcv-syn')
                return S.SYN_RECEIVED;
            if (event === 'close')
                return S.CLOSED;
            return undefined;
        case S.SYN_RECEIVED:
            if (event === 'rcv-ack-of-syn')
                return S.ESTABLISHED;
            if (event === 'close')
                return S.FIN_WAIT_1;
            if (event === 'rcv-fin')
                return S.CLOSE_WAIT;
            return undefined;
        case S.ESTABLISHED:
            if (event === 'close')
                return S.FIN_WAIT_1;
            if (event === 'rcv-fin')
                return S.CLOSE_WAIT;
            return undefined;
        case S.FIN_WAIT_1:
            if (event === 'rcv-ack-of-fin')
                return S.FIN_WAIT_2;
            if (event === 'rcv-fin')
                return S.CLOSING;
            return undefined;
        case S.FIN_WAIT_2:
            if (event === 'rcv-fin')
                return S.TIME_WAIT;
            return undefined;
        case S.CLOSE_WAIT:
            if (event === 'close')
                return S.LAST_ACK;
            return undefined;
        case S.CLOSING:
            if (event === 'rcv-ack-of-fin')
                return S.TIME_WAIT;
            return undefined;
        case S.LAST_ACK:
            if (event === 'rcv-ack-of-fin')
                return S.CLOSED;
            return undefined;
        case S.TIME_WAIT:
            if (event === 'time-wait-expired')
                return S.CLOSED;
            return undefined;
        default: {
            const never = state;
            return never;
        }
    }
}
/** The states in which both SYNs have been exchanged (RFC 9293 "synchronized states"). */
export function isSynchronized(state) {
    return state >= TcpState.ESTABLISHED;
}
/** The states in which the application may still queue data. */
export function canSend(state) {
    return (state === TcpState.SYN_SENT ||
        state === TcpState.SYN_RECEIVED ||
        state === TcpState.ESTABLISHED ||
        state === TcpState.CLOSE_WAIT);
}
/**
 * A state holder that applies the table, refusing (with an Error: it is a bug, never input) any
 * transition the table does not allow, and writing one debug line per transition.
 */
export class TcpStateMachine {
    log;
    describe;
    current;
    constructor(log, describe, initial = TcpState.CLOSED) {
        this.log = log;
        this.describe = describe;
        this.current = initial;
    }
    get state() {
        return this.current;
    }
    /** Applies `event`; returns the previous state. */
    apply(event) {
        const from = this.current;
        const to = nextTcpState(from, event);
        if (to === undefined) {
            throw new Error(`tcp: no transition from ${TCP_STATE_NAMES[from]} on '${event}'`);
        }
        this.current = to;
        if (this.log.isLevelEnabled('debug')) {
            this.log.debug({ ...this.describe(), from: TCP_STATE_NAMES[from], to: TCP_STATE_NAMES[to], event }, 'state');
        }
        return from;
    }
}
//# sourceMappingURL=tcp-state.js.map