/**
 * What the peer's SYN sets in the control block (RFC 9293 §3.7.1, §3.10.7): IRS, RCV.NXT, the send
 * window (never scaled in a SYN, RFC 7323 §2.2), and the options both sides agreed on: MSS, window
 * scale (RFC 7323 §2.2: only if both SYNs carry it), timestamps (RFC 7323 §3), SACK-permitted (RFC 2018
 * §2). Ours are in our SYN whenever configured, and in our SYN-ACK only when the peer's SYN had them.
 */

import type { CongestionController } from '../../congestion/congestion-controller.js';
import type { TcpConfig } from '../tcp-config.js';
import { seqAdd } from '../wire/seq.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { TIMESTAMP_OPTION_LENGTH } from '../wire/tcp-segment-writer.js';
import {
  DEFAULT_PEER_MSS,
  MAX_WINDOW_SHIFT,
  MIN_PEER_MSS,
  mssForMtu,
  type TcpControlBlock,
} from './tcp-control-block.js';

/** Takes `syn` into `tcb` at Clock time `now`. Returns true when the peer's window scale was clamped to 14. */
export function negotiateSyn(tcb: TcpControlBlock, syn: TcpSegment, config: TcpConfig, now: number): boolean {
  tcb.irs = syn.seq;
  tcb.rcvNxt = seqAdd(syn.seq, 1);
  tcb.rcvAdvEdge = tcb.rcvNxt;
  tcb.lastAckSent = tcb.rcvNxt;
  tcb.sndWl1 = syn.seq;
  tcb.sndWnd = syn.window;
  tcb.maxSndWnd = syn.window;
  const o = syn.options;
  tcb.peerMss = Math.max(MIN_PEER_MSS, o.mss ?? DEFAULT_PEER_MSS);
  let clamped = false;
  tcb.wsEnabled = config.windowScaling && o.windowScale !== undefined;
  if (tcb.wsEnabled && o.windowScale !== undefined) {
    tcb.sndShift = Math.min(o.windowScale, MAX_WINDOW_SHIFT);
    tcb.rcvShift = tcb.ourShift;
    clamped = o.windowScale > MAX_WINDOW_SHIFT;
  } else {
    tcb.sndShift = 0;
    tcb.rcvShift = 0;
  }
  tcb.sackEnabled = config.sack && o.sackPermitted === true;
  if (config.timestamps && o.timestamp !== undefined) {
    tcb.tsEnabled = true;
    tcb.tsRecent = o.timestamp.value;
    tcb.tsRecentAt = now;
  } else {
    tcb.tsEnabled = false;
  }
  tcb.sendMss = sendMssOf(tcb);
  return clamped;
}

/** Payload bytes per full-sized segment: the least of the peer's, our and the path's MSS, less timestamps. */
function sendMssOf(tcb: TcpControlBlock): number {
  return Math.min(tcb.peerMss, tcb.ourMss, tcb.pathMss) - (tcb.tsEnabled ? TIMESTAMP_OPTION_LENGTH : 0);
}

/**
 * The path MTU to the peer is now `pathMtu` (RFC 1191: lower after a report, or the link MTU again once that
 * expired): sets the path's MSS (never above ours) and the MSS we send (which the peer's SYN sets again: it
 * takes the path's into account), and the congestion controller's (`cc`, once there is one). Returns how much
 * the MSS we send changed: below 0, what is in flight may be too long.
 */
export function setPathMss(
  tcb: TcpControlBlock,
  pathMtu: number,
  cc: CongestionController | undefined,
): number {
  tcb.pathMss = Math.min(tcb.ourMss, mssForMtu(pathMtu));
  const before = tcb.sendMss;
  tcb.sendMss = sendMssOf(tcb);
  if (tcb.sendMss !== before) cc?.setMss?.(tcb.sendMss);
  return tcb.sendMss - before;
}
