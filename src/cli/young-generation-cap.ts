import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** A node option that sizes V8's young generation: the user's choice stands. */
const YOUNG_GENERATION_CHOICE = /^--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)(=|$)/;

/** V8's default: each growth doubles the semi-spaces. */
const GROWTH_FACTOR = 2;

/** The new space's size (both semi-spaces), in bytes. */
function newSpaceBytes(): number {
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') return space.space_size;
  return 0;
}

/**
 * Keeps V8's young generation at most `semiSpaceMiB` per semi-space for the rest of a server process, as
 * `--max-semi-space-size` would (a node option a program cannot give itself once started), unless node's
 * command line or NODE_OPTIONS chose its size. Why: a burst of accepts grows the young generation (node 20 on
 * 64 bits: up to 16 MiB a semi-space) because what they allocate survives scavenges, and every page of it
 * written once stays resident: 1,000 idle `pilha http` connections cost 8.3–11.3 KiB of RSS each without
 * this, 5.7–8.0 with 2 MiB. The bulk paths allocate next to nothing per segment, so the smaller space costs a
 * few sub-millisecond scavenges per 100 MB.
 *
 * V8 reads --semi-space-growth-factor when it grows the new space, so after each collection (observed from
 * the event loop: one turn that keeps several MiB alive could still grow it a step further) this sets it to 1
 * once another doubling would pass the cap, and back to 2 below it (V8 shrinks the space when idle). Returns
 * a function that stops it, or undefined when the user's options decided.
 */
export function capYoungGeneration(
  semiSpaceMiB = 2,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): (() => void) | undefined {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => YOUNG_GENERATION_CHOICE.test(arg));
  if (chosen) return undefined;
  const capBytes = 2 * semiSpaceMiB * 1024 * 1024;
  let factor = GROWTH_FACTOR;
  const decide = (): void => {
    const wanted = newSpaceBytes() * GROWTH_FACTOR > capBytes ? 1 : GROWTH_FACTOR;
    if (wanted === factor) return;
    factor = wanted;
    setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
  };
  const observer = new PerformanceObserver(decide);
  observer.observe({ entryTypes: ['gc'] });
  decide();
  return () => {
    observer.disconnect();
    if (factor !== GROWTH_FACTOR) setFlagsFromString(`--semi-space-growth-factor=${GROWTH_FACTOR}`);
  };
}
