/**
 * RFC 9293 §3.10.7.4's acceptability test, shared by connections and TIME_WAIT records, with Linux's reading
 * of the right edge (tcp_sequence fails only a sequence number after RCV.NXT + RCV.WND).
 */
import { type Seq, seqAdd, seqDiff, seqInWindow } from '../wire/seq.js';

/**
 * Whether a segment of `segLen` (data, SYN and FIN) starting at `seq` is acceptable in the window
 * [rcvNxt, rcvNxt + rcvWnd). One without any sits at or inside the right edge: a peer that has filled the
 * window (its SND.NXT is our edge) still sends its ACKs, SACK blocks and window updates there while a hole
 * keeps RCV.NXT back, and these must not be dropped.
 */
export function segmentAcceptable(seq: Seq, segLen: number, rcvNxt: Seq, rcvWnd: number): boolean {
  if (segLen === 0) {
    const offset = seqDiff(seq, rcvNxt);
    return offset >= 0 && offset <= rcvWnd;
  }
  return (
    rcvWnd > 0 && (seqInWindow(seq, rcvNxt, rcvWnd) || seqInWindow(seqAdd(seq, segLen - 1), rcvNxt, rcvWnd))
  );
}

/**
 * Whether an unacceptable segment with ACK set starts exactly at the right edge: its ACK is processed, its text
 * and FIN are not (§3.10.7.4's "special allowance" for a zero window, RCV.NXT being the edge then; Linux takes
 * the ACK of any segment there, dropping its data in tcp_data_queue).
 */
export function ackOnlyAtEdge(seq: Seq, rcvNxt: Seq, rcvWnd: number): boolean {
  return seqDiff(seq, rcvNxt) === rcvWnd;
}
