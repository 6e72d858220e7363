/**
 * pilha as a dependency: `npm pack` the repository, install the tarball into a scratch project, and use it
 * there as a user would: `npx pilha --help`, `import ... from 'pilha'` (with TypeScript's view of it), and an
 * example run from the installed package. Needs npm's cache to hold the dependencies (npm ci filled it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/netns.js';
import { runProgram } from '../helpers/run-node.js';

const scratch = mkdtempSync(join(tmpdir(), 'pilha-package-'));
const project = join(scratch, 'project');

async function sh(command: string, cwd: string, timeoutMs = 60_000) {
  const r = await runProgram('bash', ['-ec', command], { cwd, timeoutMs });
  expect(r.code, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

describe('the npm package', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs dist/, examples/, README, DESIGN.md and LICENSE, and no tests or sources', async () => {
    // --ignore-scripts: `prepare` would build again what npm test has just built.
    const r = await sh(`npm pack --ignore-scripts --json --pack-destination '${scratch}'`, ROOT);
    const [info] = JSON.parse(r.stdout) as [{ filename: string; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    for (const f of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'README.md',
      'LICENSE',
      'DESIGN.md',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('examples/') && f.endsWith('.mjs'))).toBe(true);
    expect(files.filter((f) => /^(src|test|scripts|bench)\/|\.map$/.test(f))).toEqual([]);
    writeFileSync(join(scratch, 'tarball'), info.filename);
  }, 60_000);

  it('installs into a scratch project, with a working pilha command', async () => {
    const tarball = join(scratch, readFileSync(join(scratch, 'tarball'), 'utf8'));
    await sh(`mkdir -p '${project}'`, scratch);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }),
    );
    await sh(`npm install --prefer-offline --no-audit --no-fund '${tarball}'`, project, 90_000);
    const bin = join(project, 'node_modules/pilha/dist/cli/main.js');
    expect(statSync(bin).mode & 0o111, 'the bin is executable').not.toBe(0);
    const help = await sh('npx --no-install pilha --help', project);
    expect(help.stdout).toMatch(/^Usage: pilha /m);
    for (const command of ['up', 'ping', 'http', 'get'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const version = await sh('npx --no-install pilha --version', project);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  }, 120_000);

  it("imports the root entry, 'pilha', with its API and its types", async () => {
    const names = [
      'buildTcpStack',
      'buildHttpStack',
      'buildPingStack',
      'MemoryLink',
      'TunLink',
      'VirtualClock',
      'stackConfig',
      'httpGet',
      'PilhaError',
    ];
    const r = await runProgram(
      process.execPath,
      [
        '-e',
        `import('pilha').then((m) => console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => typeof m[n]))))`,
      ],
      { cwd: project },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(names.map(() => 'function'));
    // TypeScript finds the declarations through `exports`: a wrong call is a type error.
    writeFileSync(
      join(project, 'check.mts'),
      "import { stackConfig, type StackConfig } from 'pilha';\nconst config: StackConfig = stackConfig({ address: '10.9.0.1' });\nconst wrong: number = config.link;\n",
    );
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules/@types'),
        'check.mts',
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(tsc.stdout).toMatch(/check\.mts\(3,7\): error TS2322/);
    expect(tsc.stdout.match(/error TS/g), 'the one wrong line, nothing else').toHaveLength(1);
  }, 60_000);

  it('serves the dashboard from the installed package: its page, its script and uPlot', async () => {
    // The kernel's TCP on loopback: no root needed. Both ports 0: any free ones.
    const bin = join(project, 'node_modules/pilha/dist/cli/main.js');
    const child = spawn(
      process.execPath,
      [bin, 'http', '--transport', 'kernel', '--port', '0', '--dashboard', '127.0.0.1:0'],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no dashboard line: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`pilha exited ${code}: ${out}`)));
      });
      const fetchStatus = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          get(`${url}${path}`, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          }).on('error', reject);
        });
      const page = await fetchStatus('');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>pilha dashboard</title>');
      for (const path of ['uplot.js', 'uplot.css', 'dashboard.js', 'dashboard.css']) {
        expect((await fetchStatus(path)).status, path).toBe(200);
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('runs an example from the installed package', async () => {
    const r = await sh('node node_modules/pilha/examples/ping-reassembly.mjs', project);
    expect(r.stdout).toMatch(/3 sent, 3 received, 0% loss/);
  }, 30_000);
});
