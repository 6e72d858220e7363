// Runs the timed runs of two measurements (pilha's and the kernel's side of one row) in alternation, so that
// the ratio of a row compares runs made within seconds of each other. This machine's speed drifts by tens of
// percent over minutes (a shared VM): when every kernel row ran before every pilha row, the same code read
// ab 0.76 in one benchmark run and 1.44 in the next, and curl at MTU 1500 771 MB/s after the kernel's rows
// against 1,020-1,230 when run alone minutes later.
//
// A trial is one side of a row, split into its parts: { warm(): untimed runs first, run(i): one timed run's
// record, result(runs): the step's result from the records }. Made by a factory, so that a trial whose tool is
// missing throws when made and is reported as that side's failure, not the row's.

/**
 * Warms every trial, then makes `count` timed runs of each, alternating the order from one round to the next
 * (A B, B A, A B, ...), so that a drift over the rounds weighs on both sides alike. A side that throws stops
 * there and reports its error; the others go on. Resolves with one { value } or { error } per factory, in
 * their order.
 */
export async function interleave(factories, count) {
  const sides = factories.map((make) => ({ make, trial: undefined, runs: [], error: undefined }));
  for (const side of sides) {
    try {
      side.trial = side.make();
      await side.trial.warm?.();
    } catch (err) {
      side.error = err;
    }
  }
  for (let i = 0; i < count; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      if (side.error !== undefined) continue;
      try {
        side.runs.push(await side.trial.run(i));
      } catch (err) {
        side.error = err;
      }
    }
  }
  return sides.map((side) => {
    if (side.error !== undefined) return { error: side.error };
    try {
      return { value: side.trial.result(side.runs) };
    } catch (err) {
      return { error: err };
    }
  });
}
