/**
 * What the peer's SYN sets in the control block (RFC 9293 §3.7.1, §3.10.7): IRS, RCV.NXT, the send
 * window (never scaled in a SYN, RFC 7323 §2.2), and the options both sides agreed on: MSS, window
 * scale (RFC 7323 §2.2: only if both SYNs carry it), timestamps (RFC 7323 §3), SACK-permitted (RFC 2018
 * §2). Ours are in our SYN whenever configured, and in our SYN-ACK only when the peer's SYN had them.
 */
import type { TcpConfig } from '../tcp-config.js';
import type { TcpSegment } from '../wire/tcp-header.js';
import { type TcpControlBlock } from './tcp-control-block.js';
/** Takes `syn` into `tcb` at Clock time `now`. Returns true when the peer's window scale was clamped to 14. */
export declare function negotiateSyn(tcb: TcpControlBlock, syn: TcpSegment, config: TcpConfig, now: number): boolean;
