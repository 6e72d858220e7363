import { setFlagsFromString } from 'node:v8';

/**
 * Where the flags a run changed are kept with what undoes each: a symbol of the global registry, so that the
 * command line's loader (bundle-runner.ts, outside the bundle) finds what the bundle recorded.
 */
const V8_FLAG_UNDO = Symbol.for('pilha.v8FlagUndo');

type WithUndo = { [V8_FLAG_UNDO]?: string[] };

/**
 * Sets a V8 flag for the rest of the run (`flag`) and records what sets it back (`undo`, its default). V8's
 * code cache carries a hash of the flags it was made under and is rejected under any others: the loader makes
 * it at exit with these undone, as the next start will have them.
 */
export function setV8FlagForRun(flag: string, undo: string): void {
  setFlagsFromString(flag);
  const global = globalThis as WithUndo;
  global[V8_FLAG_UNDO] ??= [];
  global[V8_FLAG_UNDO].push(undo);
}

/** Sets back every flag setV8FlagForRun() set, the last first. */
export function undoV8FlagsForRun(): void {
  const undo = (globalThis as WithUndo)[V8_FLAG_UNDO];
  if (undo === undefined) return;
  for (let i = undo.length - 1; i >= 0; i--) setFlagsFromString(undo[i]!);
  undo.length = 0;
}
