/**
 * capYoungGeneration: in a child process that allocates survivors across event-loop turns (as a server's
 * accepts do), V8's new space stays within the cap with it and grows past it without; the user's node
 * options decide when they size the young generation (built code, dist/cli/runtime/young-generation-cap.js, as npm
 * test builds first).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../dist/cli/runtime/young-generation-cap.js',
);
const MiB = 1024 * 1024;

/** In a child: maybe capYoungGeneration(execArgv, nodeOptions), then allocate; the new space's size. */
function newSpaceAfter(
  call: boolean,
  execArgv: string[] = [],
  nodeOptions = '',
  worker: 'none' | 'after' | 'between' = 'none',
): { capped: boolean; newSpace: number } {
  const cap = `capYoungGeneration(${JSON.stringify(execArgv)}, ${JSON.stringify(nodeOptions)})`;
  const startWorker = `await new Promise((resolve) => new Worker('setTimeout(() => {}, 100)', { eval: true }).once('online', resolve));`;
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const { Worker } = await import('node:worker_threads');
    const { capYoungGeneration } = await import(${JSON.stringify(pathToFileURL(MODULE).href)});
    let capped = ${call} ? ${cap} : false;
    ${worker === 'none' ? '' : startWorker}
    ${worker === 'between' ? `capped = ${cap};` : ''}
    // What is allocated survives a while (the last 40,000 objects, about 4 MB), which makes V8 grow the
    // young generation; a few hundred KB a turn, as a server's accepts.
    const kept = new Array(40000);
    let n = 0;
    for (let turn = 0; turn < 200; turn++) {
      for (let i = 0; i < 2000; i++, n++) kept[n % kept.length] = { n, words: [n, n, n, n, n, n, n, n] };
      await new Promise((resolve) => setImmediate(resolve));
    }
    const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    console.log(JSON.stringify({ capped, newSpace }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { capped: boolean; newSpace: number };
}

describe('capYoungGeneration', () => {
  it('without it, the young generation grows past its initial 1 MiB a semi-space (the check can tell)', () => {
    expect(newSpaceAfter(false).newSpace).toBeGreaterThan(2 * MiB);
  });

  it('keeps both semi-spaces at their initial size', () => {
    const { capped, newSpace } = newSpaceAfter(true);
    expect(capped).toBe(true);
    expect(newSpace).toBeLessThanOrEqual(2 * MiB);
  });

  it('is undone by a Worker started after it (V8 resets the factor for a new isolate), and holds when called again', () => {
    expect(newSpaceAfter(true, [], '', 'after').newSpace).toBeGreaterThan(2 * MiB);
    expect(newSpaceAfter(true, [], '', 'between').newSpace).toBeLessThanOrEqual(2 * MiB);
  });

  it("leaves the size to the user when node's command line or NODE_OPTIONS gives one", () => {
    for (const execArgv of [['--max-semi-space-size=16'], ['--semi-space-growth-factor', '4']]) {
      const { capped, newSpace } = newSpaceAfter(true, execArgv);
      expect(capped).toBe(false);
      expect(newSpace).toBeGreaterThan(2 * MiB); // the child itself ran without those options
    }
    expect(newSpaceAfter(true, [], '--max-semi-space-size=16').capped).toBe(false);
    expect(newSpaceAfter(true, ['--max-old-space-size=100'], '--expose-gc').capped).toBe(true);
  });
});
