/**
 * Progress bars on a terminal: `pilha get -o FILE` and `pilha framed send` draw one on stderr when it is a
 * terminal (script(1) gives them one) and nothing when it is a pipe. Both run on the kernel's TCP over
 * loopback against servers of pilha's own apps, so no root is needed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PILHA_CLI } from '../../helpers/netns.js';

const haveScript = spawnSync('script', ['--version']).status === 0;
const BODY = 20_000_000;

/** Starts a pilha server on the kernel's TCP, port 0; resolves with the process and the port it got. */
async function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [PILHA_CLI, ...args, '--transport', 'kernel', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 400 && !/listening on .*:(\d+)/.test(out); i++)
    await new Promise((r) => setTimeout(r, 25));
  const port = Number(/listening on \D*[\d.]+:(\d+)/.exec(out)?.[1]);
  if (!(port > 0)) throw new Error(`no port in: ${out}`);
  return { child, port };
}

/** Runs `pilha ARGS` on a terminal (script -qfec) and returns what the terminal showed. */
function onTerminal(args: string[], dir: string): { status: number | null; shown: string } {
  const typescript = join(dir, 'typescript');
  const command = [process.execPath, PILHA_CLI, ...args].join(' ');
  const r = spawnSync('script', ['-qfec', command, typescript], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, shown: stripVTControlCharacters(readFileSync(typescript, 'utf8')) };
}

describe.skipIf(!existsSync(PILHA_CLI) || !haveScript)('progress on a terminal', () => {
  const servers: ChildProcess[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-progress-'));
  });
  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('pilha get -o FILE: a bar on the terminal that reaches 100%; none through a pipe', async () => {
    const { child, port } = await startServer(['http', '--listen-host', '127.0.0.1']);
    servers.push(child);
    const url = `http://127.0.0.1:${port}/bytes/${BODY}`;
    const out = join(dir, 'body');
    const tty = onTerminal(['get', url, '-o', out, '--transport', 'kernel'], dir);
    expect(tty.status, tty.shown).toBe(0);
    expect(statSync(out).size).toBe(BODY);
    expect(tty.shown).toMatch(/pilha get \[[^\]]+\] 100% 19\.1 MiB\/19\.1 MiB/);

    const piped = spawnSync(process.execPath, [PILHA_CLI, 'get', url, '-o', out, '--transport', 'kernel'], {
      encoding: 'utf8',
    });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain('[');
  }, 90_000);

  it('pilha framed send: a bar on the terminal that reaches 100%', async () => {
    const { child, port } = await startServer(['framed', 'serve']);
    servers.push(child);
    const file = join(dir, 'message');
    spawnSync('sh', ['-c', `head -c ${BODY} /dev/zero > ${file}`]);
    const tty = onTerminal(
      ['framed', 'send', file, '--to', `127.0.0.1:${port}`, '--transport', 'kernel'],
      dir,
    );
    expect(tty.status, tty.shown).toBe(0);
    expect(tty.shown).toMatch(/framed send \[[^\]]+\] 100% 19\.1 MiB\/19\.1 MiB/);
    expect(tty.shown).toContain(`confirmed ${BODY} bytes`);
  }, 90_000);
});
