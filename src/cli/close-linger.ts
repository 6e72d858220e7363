import { TcpState } from '../transport/tcp/connection/tcp-state.js';
import type { TcpLayer } from '../transport/tcp/tcp-layer.js';

/** How long a stopping server waits for the connections it has closed to finish closing. */
export const CLOSE_LINGER_MS = 1000;

const POLL_MS = 5;

/** Whether a connection has sent (or queued) its FIN and waits for the peer: FIN_WAIT_1/2, CLOSING, LAST_ACK. */
function closing(state: TcpState): boolean {
  return (
    state === TcpState.FIN_WAIT_1 ||
    state === TcpState.FIN_WAIT_2 ||
    state === TcpState.CLOSING ||
    state === TcpState.LAST_ACK
  );
}

/**
 * Waits, up to `maxMs`, until no connection of `tcp` is still closing (each CLOSED or in TIME_WAIT); returns
 * whether none is. A server that closes its sockets and stops at once would reset (RST) the connections whose
 * peer's FIN or last ACK is on its way: `pilha http` stopped the moment a wget exited sent a RST after its own
 * FIN, the kernel's FIN a few hundred microseconds behind in the device's queue. What is still closing after
 * `maxMs` (a peer that stopped answering), or once `hurry` is aborted, the stack then resets as before.
 */
export async function lingerWhileClosing(
  tcp: Pick<TcpLayer, 'connections' | 'clock'>,
  maxMs: number = CLOSE_LINGER_MS,
  hurry?: AbortSignal,
): Promise<boolean> {
  const clock = tcp.clock;
  const deadline = clock.now() + maxMs;
  for (;;) {
    if (!tcp.connections().some((c) => closing(c.state))) return true;
    if (clock.now() >= deadline || hurry?.aborted === true) return false;
    // A Node timer, not the Clock's: those are unref'd, and this wait must hold the process open.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
