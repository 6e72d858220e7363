/**
 * createRootLogger (built code, dist/core/logger.js, as npm test builds first; in a child process, whose
 * stderr is the logger's): JSON lines when stderr is not a terminal, pino-pretty's lines when it is, that
 * package loaded only then.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = join(dirname(fileURLToPath(import.meta.url)), '../../../dist/core/logger.js');

function logOnce(terminal: boolean): { stderr: string; prettyLoaded: boolean } {
  const script = `
    if (${terminal}) process.stderr.isTTY = true;
    const { createRootLogger } = await import(${JSON.stringify(pathToFileURL(MODULE).href)});
    createRootLogger().child({ layer: 'tcp' }).warn('hello from a layer');
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/pino-pretty/'));
    console.log(JSON.stringify({ loaded }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: join(dirname(MODULE), '../..'),
  });
  expect(r.status).toBe(0);
  return { stderr: r.stderr, prettyLoaded: JSON.parse(r.stdout.trim()).loaded as boolean };
}

describe('createRootLogger', () => {
  it('writes JSON lines when stderr is not a terminal, without loading pino-pretty', () => {
    const { stderr, prettyLoaded } = logOnce(false);
    const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, layer: 'tcp', msg: 'hello from a layer' });
    expect(prettyLoaded).toBe(false);
  });

  it("writes pino-pretty's line, the layer in front, when stderr is a terminal", () => {
    const { stderr, prettyLoaded } = logOnce(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes
    const plain = stderr.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/WARN.*: \[tcp\] hello from a layer/);
    expect(prettyLoaded).toBe(true);
  });
});
