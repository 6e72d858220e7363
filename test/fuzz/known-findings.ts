/**
 * Findings of the fuzzer that are reported and not fixed yet (the code is being changed elsewhere). A
 * session that hits one ends there, the hit is counted and printed, and the run goes on, so the fuzzer
 * keeps looking for new ones. Each entry matches exactly its own symptom; remove it with the fix, and
 * the invariant is strict again.
 */

export interface KnownFinding {
  readonly id: string;
  /** Matches the invariant's description of this finding and nothing else. */
  readonly symptom: RegExp;
  readonly summary: string;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  {
    id: 'retransmit-past-snd-max',
    symptom: /^\w+ \d+←\d+: SND\.MAX \d+ < SND\.NXT \d+$/,
    summary:
      'TcpSender.retransmitFirst sends min(queue, MSS) bytes from SND.UNA, past SND.MAX and the peer window, ' +
      'without moving SND.MAX; an ACK of those bytes is then refused as an ACK of unsent data ' +
      '(seed 1, session 0; tcp-sender.ts)',
  },
  {
    id: 'retransmit-past-snd-max-leak',
    // Every connection left shows the symptom above: with SND.MAX = SND.UNA the retransmission timer
    // does nothing and re-arms nothing, so an orphaned connection with data queued hangs for ever.
    symptom:
      /^\d+ connections left after 3 h of silence: \w+ \[SND\.MAX \d+ < SND\.NXT \d+\](, \w+ \[SND\.MAX \d+ < SND\.NXT \d+\])*$/,
    summary:
      'the connection that retransmit-past-snd-max left with SND.NXT > SND.MAX = SND.UNA never ends: ' +
      'onRetransmitTimer returns when SND.UNA = SND.MAX and no timer is left (seed 43, session 1007)',
  },
  {
    id: 'time-wait-limit-zero',
    symptom: /^1 connections in TIME_WAIT, limit 0$/,
    summary:
      'maxTimeWait = 0 still keeps one connection in TIME_WAIT: TcpLayer.onStateChange never recycles the ' +
      'connection that just entered (Linux tcp_max_tw_buckets = 0 keeps none); seed 1, session 8; tcp-layer.ts',
  },
];

export function knownFinding(description: string): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((k) => k.symptom.test(description));
}
