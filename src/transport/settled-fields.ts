/**
 * Fields whose V8 representation and constness are settled when the first object is built, instead of
 * changing under optimised code later.
 *
 * Why: V8 gives an object field the representation of the first value stored in it, and marks it constant
 * until a second store; optimised code relies on both, and a change to either throws that code away (every
 * function that inlined an access to the class's objects: a deopt, then a recompile during the downloads that
 * follow — the JIT warm-up measured as slow early downloads).
 * - A TCP timestamp is an unsigned 32-bit integer: below 2^31 a small integer (Smi), above it a double. A
 *   field first given a Smi (0) whose first double comes later changes representation, and the class's map
 *   with it. Clock times are doubles too. A field that starts as a double takes Smis without a change, but
 *   costs a 16-byte heap number per object: sequence numbers are held signed instead (seq.ts), Smis always.
 * - A field written only on a rare or late event (the first tail loss probe, the first recovery, the first
 *   autocorked write of a stack) stays constant until then, and optimised code may have folded its value in.
 */

/** Not a Smi: storing it gives a field the double representation. */
const NOT_A_SMI = 0.5;

/** No fields: the `doubles` list of a class with none, and the default `mutable` list (one shared constant, not an array per call). */
export const NO_FIELDS: readonly string[] = [];

/**
 * For each field list (by identity), the prototypes whose first object has been settled with it. Later
 * objects of the class share the settled map: a double field's representation and a field's mutability
 * belong to the map, so a constructor's own stores keep them. Walking the names again (keyed loads and
 * stores, about 5 µs a connection for the TCP records) would change nothing.
 */
const settledOn = new WeakMap<readonly string[], WeakSet<object>>();

/**
 * Called at the end of a constructor: each field named in `doubles` (a number field) is given a double, then
 * its value back; each field named in `mutable` is stored again. This settles the former as doubles and both
 * as mutable on the first object built; for later objects of the same class with the same lists it returns at
 * once (give each class its lists as module constants: a fresh array each call is settled each call). The
 * names are strings (private fields included); each must already be a field of `target` (a number field, for
 * `doubles`), or this throws: a misspelt name would otherwise add a field, itself a shape change.
 */
export function settleFields(
  target: object,
  doubles: readonly string[],
  mutable: readonly string[] = NO_FIELDS,
): void {
  const lists = doubles.length > 0 ? doubles : mutable;
  const proto = Object.getPrototypeOf(target) as object | null;
  const done = settledOn.get(lists);
  if (proto !== null && done?.has(proto) === true) return;
  const fields = target as Record<string, unknown>;
  for (let i = 0; i < doubles.length; i++) {
    const key = doubles[i]!;
    const value = fields[key];
    if (!Object.hasOwn(target, key) || typeof value !== 'number')
      throw new TypeError(`settleFields: ${key} is not a number field`);
    fields[key] = NOT_A_SMI;
    fields[key] = value;
  }
  for (let i = 0; i < mutable.length; i++) {
    const key = mutable[i]!;
    if (!Object.hasOwn(target, key)) throw new TypeError(`settleFields: ${key} is not a field`);
    const value = fields[key]; // stored again: a second store makes a field mutable, even of the same value
    fields[key] = value;
  }
  if (proto === null) return;
  if (done !== undefined) done.add(proto);
  else settledOn.set(lists, new WeakSet([proto]));
}
