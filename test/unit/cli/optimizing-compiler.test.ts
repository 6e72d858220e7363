/**
 * skipOptimizingCompiler: the choice (the user's Node options win), and its effect in a child process, where
 * a function forced to optimize stays unoptimized once it ran (V8's %GetOptimizationStatus; built code,
 * dist/cli/get/optimizing-compiler.js, as npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/cli/get/optimizing-compiler.js');
/** V8's OptimizationStatus bit for code from TurboFan. */
const TURBOFANNED = 1 << 6;

/** In a child: maybe skipOptimizingCompiler(optimize, execArgv), then force `add` to optimize. */
function statusAfter(
  call: boolean,
  execArgv: string[] = [],
  optimize = false,
): { skipped: boolean; status: number } {
  const script = `
    const { skipOptimizingCompiler } = await import(${JSON.stringify(pathToFileURL(MODULE).href)});
    const skipped = ${call} ? skipOptimizingCompiler(${optimize}, ${JSON.stringify(execArgv)}) : false;
    function add(a, b) { return a + b; }
    const force = new Function('f', '%PrepareFunctionForOptimization(f); f(1, 2); f(3, 4); %OptimizeFunctionOnNextCall(f); f(5, 6); return %GetOptimizationStatus(f);');
    console.log(JSON.stringify({ skipped, status: force(add) }));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { skipped: boolean; status: number };
}

describe('skipOptimizingCompiler', () => {
  it('without it, a function forced to optimize is TurboFan code (the check can tell)', () => {
    expect(statusAfter(false).status & TURBOFANNED).toBe(TURBOFANNED);
  });

  it('turns TurboFan off for what runs after it', () => {
    const { skipped, status } = statusAfter(true);
    expect(skipped).toBe(true);
    expect(status & TURBOFANNED).toBe(0);
  });

  it('keeps TurboFan when asked to optimize (a link with wire-sized reads)', () => {
    const { skipped, status } = statusAfter(true, [], true);
    expect(skipped).toBe(false);
    expect(status & TURBOFANNED).toBe(TURBOFANNED);
  });

  it("leaves the choice to the user when node's command line makes one, either way", () => {
    for (const execArgv of [['--turbofan'], ['--no-opt'], ['--expose-gc', '--opt'], ['--no-turbofan']]) {
      const { skipped, status } = statusAfter(true, execArgv);
      expect(skipped).toBe(false);
      expect(status & TURBOFANNED).toBe(TURBOFANNED); // the child itself ran without those options
    }
    expect(statusAfter(true, ['--expose-gc', '--max-old-space-size=100']).skipped).toBe(true);
  });
});
