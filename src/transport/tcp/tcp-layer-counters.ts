/** The TCP layer's own counters (tcp-layer.ts); the per-connection ones are summed beside them. */

import { TIME_WAIT_COUNTERS } from './tcp-time-wait.js';

export const TCP_LAYER_COUNTERS = [
  'rxSegments',
  'dropTruncated',
  'dropBadDataOffset',
  'dropBadChecksum',
  /** Segments that came in a link-layer broadcast frame (RX_LINK_BROADCAST): ignored, as Linux does. */
  'dropLinkBroadcast',
  /** Segments taken with a malformed option area, the bad option ignored (as Linux: tcp-header.ts parseOptions). */
  'rxBadOptions',
  /** Segments for no connection and no listener (answered with RST unless a RST). */
  'noConnection',
  /** Non-SYN segments to a listener without a connection (an ACK gets RST; the rest dropped), and SYN+FIN. */
  'dropListenNotSyn',
  /** SYNs dropped because the listener's SYN queue was full and SYN cookies are off (Linux TCPReqQFullDrop). */
  'listenSynQueueFull',
  /** SYN-ACKs sent with a cookie, the SYN queue being full (Linux SyncookiesSent). */
  'syncookiesSent',
  /** ACKs to a listener that carried a valid cookie: a connection was rebuilt (Linux SyncookiesRecv). */
  'syncookiesValid',
  /** ACKs to a listener, shortly after cookies were sent, whose cookie was wrong or too old (answered with RST). */
  'syncookiesFailed',
  /** SYNs and handshake ACKs dropped because the accept queue was full (Linux ListenOverflows). */
  'listenOverflows',
  'txResets',
  'activeOpens',
  'passiveOpens',
  /** Connections that closed before reaching ESTABLISHED. */
  'attemptFails',
  'connectionsClosed',
  /** TIME_WAIT connections ended early because the TIME_WAIT table was full. */
  'timeWaitRecycled',
  /** TIME_WAIT connections replaced by a new SYN with a higher sequence number (RFC 1122 §4.2.2.13). */
  'timeWaitReused',
  /** ICMP errors quoting a TCP segment of ours (RFC 5927), matched to a connection or not; others are not TCP's. */
  'icmpErrors',
  'icmpConnectionsRefused',
  'icmpConnectionsUnreachable',
  /** "Fragmentation needed" errors quoting a segment in flight: the path MTU was taken (RFC 1191). */
  'icmpFragmentationNeeded',
  /** Connections whose MSS such an error lowered (each then sends again what was too long). */
  'pathMtuReductions',
  /** Connections whose MSS went back up when the path MTU learned for their peer expired (RFC 1191 §6.3). */
  'pathMtuIncreases',
  /** "Fragmentation needed" errors quoting a sequence number not in flight: ignored (RFC 5927 §4.1). */
  'icmpOutOfWindow',
  /** A bug: a connection threw while processing a segment. */
  'internalErrors',
  /** Pure ACKs for established connections taken by the fast path (no object made: pure-ack-parser.ts). */
  'rxPureAcksFast',
  /** Segments whose checksum the link vouched for (RX_CHECKSUM_VOUCHED), not verified again. */
  'rxChecksumsVouched',
  ...TIME_WAIT_COUNTERS,
] as const;

export type TcpLayerCounterName = (typeof TCP_LAYER_COUNTERS)[number];
