/**
 * The state of CUBIC's window curve (RFC 9438 §4.2–§4.7): W_max and cwnd_prior from the last reduction, and
 * the congestion avoidance stage under way (t_epoch, K, the plateau, W_est). Made by the controller at its
 * first reduction or first stage of congestion avoidance: a connection that never leaves slow start — an
 * idle one, a short request — holds none of it (six numbers, each a 16-byte heap number as a double field).
 * Units as the controller's: segments, seconds, Clock milliseconds.
 */

import { settleFields } from '../settled-fields.js';

/** Every field holds fractions or Clock times (settleFields). */
const CURVE_DOUBLE_FIELDS = ['wMaxSeg', 'cwndPriorSeg', 'start', 'kSec', 'originSeg', 'wEstSeg'];

export class CubicCurve {
  /** W_max, segments: the window just before the last reduction (after fast convergence); 0 before any. */
  wMaxSeg = 0;
  /** cwnd_prior, segments: cwnd when ssthresh was last set (§4.3 switches α_cubic to 1 once W_est reaches it). */
  cwndPriorSeg = 0;
  /** t_epoch, Clock ms: when this congestion avoidance stage began; −1 while none has. */
  start = -1;
  /** K, seconds, and the plateau W_cubic climbs to (W_max, or cwnd_epoch when that is higher), for this stage. */
  kSec = 0;
  originSeg = 0;
  /** W_est, segments: what Reno with α_cubic and β_cubic would have now (§4.3). */
  wEstSeg = 0;

  constructor() {
    settleFields(this, CURVE_DOUBLE_FIELDS);
  }
}
