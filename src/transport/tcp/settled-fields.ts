/**
 * Fields whose V8 representation is settled when the first object is built, instead of changing under
 * optimised code later.
 *
 * Why: V8 gives an object field the representation of the first value stored in it, and marks it constant
 * until a second store; optimised code relies on both, and a change to either throws that code away (every
 * function that inlined an access to the class's objects: a deopt, then a recompile during the downloads that
 * follow — the JIT warm-up measured as slow early downloads).
 * - A sequence number or TCP timestamp is an unsigned 32-bit integer: below 2^31 a small integer (Smi), above
 *   it a double. A field first given a Smi (an ISN below 2^31, or 0) whose first double comes later — a
 *   connection whose ISN is above 2^31, half of them — changes representation, and the class's map with it.
 *   Clock times are doubles too. A field that starts as a double takes Smis without a change.
 * - A field written only on a rare event (the first tail loss probe, the first recovery) stays constant until
 *   then, and optimised code may have folded its value in.
 */

/** Not a Smi: storing it gives a field the double representation. */
const NOT_A_SMI = 0.5;

/**
 * For each named field of `target`: a number field is given a double, a boolean field its own value, then the
 * value is put back. Called at the end of a constructor, this settles those fields as doubles (numbers) and as
 * mutable (both) on the first object built; later objects change nothing. Per object: two stores a field, at
 * construction only. The names are strings (private fields included); each must already be a number or
 * boolean field of `target`, or this throws (a misspelt name would otherwise add a field: a shape change).
 */
export function settleFields(target: object, keys: readonly string[]): void {
  const fields = target as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = fields[key];
    if (!Object.hasOwn(target, key) || (typeof value !== 'number' && typeof value !== 'boolean'))
      throw new TypeError(`settleFields: ${key} is not a number or boolean field`);
    if (typeof value === 'number') fields[key] = NOT_A_SMI;
    fields[key] = value;
  }
}
