/**
 * The counters of a TCP layer's closed connections, summed. A class of its own, not the object literal that
 * newConnectionCounters() gives each connection: the sums pass 2^31 (bytes sent, after 2 GB served), and a
 * field of the literal's map that first holds a double changes that map for every connection's counters. That
 * threw away the optimised code of every function that counts (the sender, the emitter, the ACK processor:
 * "wrong map" deopts in the middle of a download) and gave each connection's counters two boxed doubles from
 * then on. Here every field is a double from the first object (settled-fields.ts); there is one object a stack.
 */

import { NO_FIELDS, settleFields } from '../../settled-fields.js';
import { CONNECTION_COUNTERS, type ConnectionCounterName } from './tcp-connection-types.js';

export class ConnectionCounterTotals implements Record<ConnectionCounterName, number> {
  segmentsSent = 0;
  segmentsReceived = 0;
  retransmitted = 0;
  outOfOrderReceived = 0;
  outOfOrderDropped = 0;
  bytesSent = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  dupAcks = 0;
  fastRetransmits = 0;
  timeouts = 0;
  idleRestarts = 0;
  dropOutOfWindow = 0;
  dropRstOutOfWindow = 0;
  dropAckUnsent = 0;
  dropAckTooOld = 0;
  dropPaws = 0;
  dropNoMemory = 0;
  challengeAcks = 0;
  acksRateLimited = 0;
  sackAcksSent = 0;
  dsacksSent = 0;
  dsacksReceived = 0;
  sackBlocksIgnored = 0;
  tlpProbes = 0;
  tlpLossRepairs = 0;
  silenceProbes = 0;
  undos = 0;

  constructor() {
    settleFields(this, CONNECTION_COUNTERS, NO_FIELDS);
  }
}
