/**
 * The seams around one TCP connection: what it sends through (the IP layer's in-place datagram API),
 * whom it tells about state changes (its TCP layer), whom it tells about data and errors (its socket),
 * and what it reports (the fields of `ss -ti`).
 */
/** The per-connection counters the TCP layer sums into its own when a connection ends. */
export const CONNECTION_COUNTERS = [
    'segmentsSent',
    'segmentsReceived',
    'retransmitted',
    'outOfOrderReceived',
    'outOfOrderDropped',
    'bytesSent',
    'bytesAcked',
    'bytesReceived',
    'dupAcks',
    'fastRetransmits',
    'timeouts',
    'idleRestarts',
    /** Segments that failed the acceptability test (RFC 9293 §3.10.7.4, first check): out of the window. */
    'dropOutOfWindow',
    /** RSTs outside the receive window, dropped silently (RFC 5961 §3.2). */
    'dropRstOutOfWindow',
    /** Segments acknowledging data never sent (SEG.ACK > SND.MAX). */
    'dropAckUnsent',
    /** Segments acknowledging data older than the peer's largest window (RFC 5961 §5.2). */
    'dropAckTooOld',
    /** Segments whose timestamp is older than TS.Recent (PAWS, RFC 7323 §5.3 R1; Linux PAWSEstab). */
    'dropPaws',
    /** Segment bytes dropped because the stack's TCP memory was past its hard limit (Linux TCPRcvQDrop). */
    'dropNoMemory',
    /** Challenge ACKs sent (RFC 5961: to an in-window RST, a SYN, or an unacceptable ACK value). */
    'challengeAcks',
    /** Challenge ACKs and ACKs to dropped segments held back by the rate limit (Linux TCPACKSkipped*). */
    'acksRateLimited',
    /** ACKs sent with a SACK option (RFC 2018). */
    'sackAcksSent',
    /** D-SACK blocks sent (RFC 2883; Linux TCPDSACKOldSent + TCPDSACKOfoSent). */
    'dsacksSent',
    /** D-SACK blocks received: the peer got something twice (Linux TCPDSACKRecv). */
    'dsacksReceived',
    /** Tail loss probes sent (RFC 8985 §7; Linux TCPLossProbes). */
    'tlpProbes',
    /** Losses a tail loss probe repaired (Linux TCPLossProbeRecovery). */
    'tlpLossRepairs',
    /** Silence probes: the first unacknowledged segment sent again after a PTO without an ACK where no tail
     * loss probe may run (in recovery, after a timeout, after an unanswered tail loss probe). */
    'silenceProbes',
    /** Window reductions undone because the retransmissions proved spurious (Linux TCP*Undo). */
    'undos',
];
//# sourceMappingURL=tcp-connection-types.js.map