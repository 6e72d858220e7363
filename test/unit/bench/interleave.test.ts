import { describe, expect, it } from 'vitest';

interface Trial {
  warm?: () => Promise<void>;
  run: (i: number) => Promise<unknown>;
  result: (runs: unknown[]) => unknown;
}
type Outcome = { value?: unknown; error?: unknown };
type Interleave = (factories: Array<() => Trial>, count: number) => Promise<Outcome[]>;

// bench/ is plain JavaScript run by node, outside the TypeScript build: imported by URL.
const { interleave } = (await import(new URL('../../../bench/interleave.mjs', import.meta.url).href)) as {
  interleave: Interleave;
};

/** A trial that records its warm-up and runs in `log` under `name`, failing its run `failAt` if given. */
function trial(name: string, log: string[], failAt?: number): Trial {
  return {
    async warm() {
      log.push(`${name} warm`);
    },
    async run(i) {
      if (i === failAt) throw new Error(`${name} failed at ${i}`);
      log.push(`${name}${i}`);
      return i;
    },
    result: (runs) => ({ name, runs }),
  };
}

describe('bench interleave', () => {
  it('warms both sides first, then alternates the order of their runs from round to round', async () => {
    const log: string[] = [];
    const outcomes = await interleave([() => trial('k', log), () => trial('p', log)], 4);
    expect(log).toEqual(['k warm', 'p warm', 'k0', 'p0', 'p1', 'k1', 'k2', 'p2', 'p3', 'k3']);
    expect(outcomes).toEqual([
      { value: { name: 'k', runs: [0, 1, 2, 3] } },
      { value: { name: 'p', runs: [0, 1, 2, 3] } },
    ]);
  });

  it('a side that fails stops there with its error; the other side runs on', async () => {
    const log: string[] = [];
    const outcomes = await interleave([() => trial('k', log, 1), () => trial('p', log)], 3);
    expect(log).toEqual(['k warm', 'p warm', 'k0', 'p0', 'p1', 'p2']);
    expect(String(outcomes[0]?.error)).toContain('k failed at 1');
    expect(outcomes[1]).toEqual({ value: { name: 'p', runs: [0, 1, 2] } });
  });

  it('a side whose trial cannot be made (a missing tool) reports that error; one side alone runs in order', async () => {
    const log: string[] = [];
    const outcomes = await interleave(
      [
        () => {
          throw new Error("skipped: the 'ab' command is missing");
        },
        () => trial('p', log),
      ],
      2,
    );
    expect(log).toEqual(['p warm', 'p0', 'p1']);
    expect(String(outcomes[0]?.error)).toContain('missing');
    expect(outcomes[1]).toEqual({ value: { name: 'p', runs: [0, 1] } });
  });
});
