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
  // Fixed, with tests in test/unit/tcp/tcp-hardening.test.ts ('found by the fuzzer'):
  // retransmit-past-snd-max (and its -leak), time-wait-limit-zero.
];

export function knownFinding(description: string): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((k) => k.symptom.test(description));
}
