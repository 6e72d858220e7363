import { setV8FlagForRun } from './v8-flags-for-run.js';

/** A node option that sizes V8's young generation: the user's choice stands. */
const YOUNG_GENERATION_CHOICE = /^--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)(=|$)/;

/**
 * Keeps V8's young generation at the size it has now for the rest of a server process (pilha's CLI, once
 * loaded: 2 MiB a semi-space), as `--max-semi-space-size` would (a node option a program cannot give itself
 * once started), unless node's command line or NODE_OPTIONS chose its size; returns whether it did. Why: a
 * burst of accepts grows the young generation (node 20: up to 16 MiB a semi-space) because what they
 * allocate survives scavenges, and every page of it written once stays resident (1,000 idle `pilha http`
 * connections: 4.4–5.7 MiB of such pages). The bulk paths allocate next to nothing per segment, so the
 * smaller space costs a few sub-millisecond scavenges per 100 MB.
 *
 * V8 reads --semi-space-growth-factor each time it would grow the space, so 1 stops growth from here on.
 * But V8 raises it back to 2 whenever an isolate is created (a Worker: the TUN link's reader thread), so a
 * server calls this before the stack is loaded and built (which would grow the space first) and again once
 * its threads have started.
 */
export function capYoungGeneration(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => YOUNG_GENERATION_CHOICE.test(arg));
  if (chosen) return false;
  setV8FlagForRun('--semi-space-growth-factor=1', '--semi-space-growth-factor=2');
  return true;
}
