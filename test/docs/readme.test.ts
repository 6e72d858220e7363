/**
 * README.md cannot drift: every fenced block in it is run or checked here. ```ts blocks are type-checked
 * against the package's own declarations (importing 'pilha', as a user would) and run, and each
 * `// prints: X` comment must show in their output; ```sh blocks run as bash from the repository (namespaces
 * renamed, cleaned up even on failure); ```text blocks are checked against what they describe (the CLI
 * synopsis against `pilha <command> --help`, the architecture against src/). Any other info string fails, so
 * a new block cannot go untested. Also: no links out of the repository, the Node version as `engines`
 * says, no TODO left. Needs the build (npm test builds first); blocks that need root are real-peer tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { TCP_TRACE_EVENTS } from '../../src/transport/tcp/trace/tcp-tracer.js';
import { PILHA_CLI, ROOT, realPeerSkipReason } from '../helpers/netns.js';
import { runProgram } from '../helpers/run-node.js';

interface Block {
  readonly info: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const KNOWN_INFO = ['ts', 'sh', 'text'];

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence); i++) body.push(lines[i]!);
    blocks.push({ info: open[2]!, code: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

const blocks = fencedBlocks(README);
const where = (b: Block) => `README.md:${b.line}`;

describe('README.md as a whole', () => {
  it('labels every fenced block ts, sh or text', () => {
    const unknown = blocks.filter((b) => !KNOWN_INFO.includes(b.info)).map((b) => `${where(b)} '${b.info}'`);
    expect(unknown, 'label code ts or sh (it is run) and output or diagrams text (it is checked)').toEqual(
      [],
    );
    expect(blocks.length).toBeGreaterThanOrEqual(7);
  });

  it('has no TODO left', () => {
    const todos = README.split('\n').flatMap((line, i) =>
      /\bTODO\b/.test(line) ? [`${i + 1}: ${line}`] : [],
    );
    expect(todos).toEqual([]);
  });

  it('links only to files in the repository and to its own headings', () => {
    const slugs = new Set(
      [...README.matchAll(/^#+ (.*)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const bad: string[] = [];
    for (const m of README.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (target.startsWith('#')) {
        if (!slugs.has(target.slice(1))) bad.push(`${target}: no such heading`);
        continue;
      }
      const file = resolve(ROOT, target.split('#')[0]!);
      if (/^[a-z]+:/i.test(target) || relative(ROOT, file).startsWith('..')) bad.push(`${target}: outside`);
      else if (!existsSync(file)) bad.push(`${target}: missing`);
    }
    expect(bad).toEqual([]);
    expect(README).toMatch(/\]\(DESIGN\.md\)/);
  });

  it('states the Node version that package.json engines requires', () => {
    const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    const version = /^>=(\d+\.\d+)$/.exec(engines)?.[1];
    expect(version, engines).toBeDefined();
    expect(README).toContain(`Node.js ${version} or later`);
    expect(README.match(/Node(?:\.js)? \d+(?:\.\d+)*/g)?.filter((v) => !v.endsWith(version!))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('README.md ```ts blocks', () => {
  const tsBlocks = blocks.filter((b) => b.info === 'ts');
  // Inside the package, so that 'pilha' resolves to the package itself (its `exports`), as for a user.
  const dir = join(ROOT, `.readme-blocks-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('type-check against the built package', () => {
    expect(tsBlocks.length).toBeGreaterThanOrEqual(2);
    mkdirSync(dir, { recursive: true });
    tsBlocks.forEach((b, i) => {
      writeFileSync(join(dir, `block-${i}.mts`), b.code);
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        include: ['*.mts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      encoding: 'utf8',
    });
    const lines = tsBlocks.map((b, i) => `block-${i} is ${where(b)}`).join(', ');
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}\n(${lines})`).toBe(0);
  }, 60_000);

  tsBlocks.forEach((b, i) => {
    it(`${where(b)} runs, exits 0 and prints what its comments say`, async () => {
      mkdirSync(dir, { recursive: true });
      const js = ts.transpileModule(b.code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const file = join(dir, `block-${i}.mjs`);
      writeFileSync(file, js);
      const r = await runProgram(process.execPath, [file], { cwd: ROOT, timeoutMs: 20_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const claims = [...b.code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1]!.trim());
      expect(claims.length, 'a ts block says what it prints: // prints: ...').toBeGreaterThan(0);
      let from = 0;
      for (const claim of claims) {
        const at = r.stdout.indexOf(claim, from);
        expect(at, `'${claim}' in order in:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
        from = at + claim.length;
      }
    }, 30_000);
  });
});

// ---------------------------------------------------------------------------------------------------------

/**
 * Commands a test cannot run as written, and what it runs instead. Every other line of a ```sh block runs
 * as it stands.
 */
const SUBSTITUTES: Readonly<Record<string, { readonly run: string; readonly why: string }>> = {
  'npm ci': {
    // Against copies of package.json and the lock: would the install a newcomer starts with succeed?
    run:
      'd=$(mktemp -d); cp package.json package-lock.json "$d"/; ' +
      'if ! (cd "$d" && npm ci --dry-run --ignore-scripts --prefer-offline --no-audit --no-fund >/dev/null); ' +
      'then rm -rf "$d"; echo "npm ci would fail: package.json and package-lock.json disagree" >&2; exit 1; fi; ' +
      'rm -rf "$d"',
    why: 'would replace the node_modules this test runs from: a dry run on copies checks the lock instead',
  },
  'npm test': {
    run: `node -e "const s = require('./package.json').scripts.test; if (!/^npm run build && vitest run/.test(s)) process.exit(1)"`,
    why: 'the suite this test is part of; checked to build first, then run vitest',
  },
  'npm run fuzz -- --seconds 600': {
    run: 'npm run fuzz -- --seconds 1',
    why: 'ten minutes: the same command for one second',
  },
};

/** Blocks that need a real-peer machine (root, namespaces, TUN devices); `npm start` falls back without. */
const NEEDS_ROOT = /\bip netns\b/;

function prepareShell(code: string, namespace: string): { script: string; needsRoot: boolean } {
  const lines = code.split('\n').map((line) => {
    const command = line.replace(/\s+#.*$/, '').trim();
    const substitute = SUBSTITUTES[command];
    return substitute === undefined ? line : `${substitute.run}   # README: ${command}`;
  });
  const script = lines.join('\n').replace(/\blab\b/g, namespace);
  return { script, needsRoot: NEEDS_ROOT.test(code) };
}

describe('README.md ```sh blocks', () => {
  const shBlocks = blocks.filter((b) => b.info === 'sh');

  it('substitutes only commands the README still has', () => {
    const commands = new Set(
      shBlocks.flatMap((b) => b.code.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim())),
    );
    expect(Object.keys(SUBSTITUTES).filter((c) => !commands.has(c))).toEqual([]);
  });

  // Where namespaces and TUN devices work, `npm start` must use them rather than fall back to memory.
  const realPeer = realPeerSkipReason(['ip', 'wget', 'curl', 'ping']) === undefined;

  shBlocks.forEach((b, i) => {
    const namespace = `pilha-readme-${process.pid}-${i}`;
    const { script, needsRoot } = prepareShell(b.code, namespace);
    it.skipIf(needsRoot && !realPeer)(
      `${where(b)} runs as bash and exits 0`,
      async () => {
        try {
          const r = await runProgram('bash', ['-euc', script], {
            cwd: ROOT,
            timeoutMs: 120_000,
            processGroup: true,
            env: { PILHA_DEMO: realPeer ? 'tun' : undefined, PILHA_LOG: undefined },
          });
          expect(r.code, `${script}\n---\n${r.stdout}\n${r.stderr}`).toBe(0);
        } finally {
          cleanupNamespace(namespace);
        }
      },
      150_000,
    );
  });
});

/** Kills what still runs in a namespace a block created (all of it started here), then deletes it. */
function cleanupNamespace(name: string): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (list.status !== 0 || !list.stdout.split('\n').some((l) => l.split(' ')[0] === name)) return;
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

// ---------------------------------------------------------------------------------------------------------

function help(command: readonly string[]): string {
  const r = spawnSync(process.execPath, [PILHA_CLI, ...command, '--help'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pilha ${command.join(' ')} --help exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The checks a ```text block can get; a block none of them recognizes fails. */
const TEXT_CHECKS: ReadonlyArray<{
  readonly name: string;
  readonly applies: (code: string) => boolean;
  readonly check: (code: string) => void;
}> = [
  {
    name: 'CLI synopsis: each command exists and takes each option shown',
    applies: (code) => code.split('\n').every((l) => l.trim() === '' || l.startsWith('pilha ')),
    check: (code) => {
      expect(existsSync(PILHA_CLI), 'run npm run build first').toBe(true);
      for (const line of code.split('\n').filter((l) => l.trim() !== '')) {
        const synopsis = line.split(/\s{2,}/)[0]!;
        // The command is the lowercase words after `pilha`, up to the first argument or option.
        const command: string[] = [];
        for (const word of synopsis.split(' ').slice(1)) {
          if (!/^[a-z][a-z-]*$/.test(word)) break;
          command.push(word);
        }
        expect(command.length, line).toBeGreaterThan(0);
        const text = help(command);
        for (const option of line.match(/--[a-z][a-z-]*/g) ?? []) {
          expect(text, `pilha ${command.join(' ')} --help lacks ${option}`).toContain(option);
        }
        if (line.includes('[stack options]')) expect(text).toContain('--tun');
      }
    },
  },
  {
    name: "--trace line: JSON with the tracer's fields, and an event it emits",
    applies: (code) => code.trim().startsWith('{"t":'),
    check: (code) => {
      const record = JSON.parse(code) as Record<string, unknown>;
      expect(Object.keys(record).sort()).toEqual(
        ['conn', 'cwnd', 'event', 'inflight', 'rto', 'srtt', 'ssthresh', 't'].filter((k) => k in record),
      );
      for (const key of ['t', 'conn', 'cwnd', 'ssthresh', 'inflight', 'srtt', 'rto'])
        expect(record).toHaveProperty(key);
      if ('event' in record) expect(TCP_TRACE_EVENTS).toContain(record.event);
    },
  },
  {
    name: 'architecture: its directories are src/, its names are declared there, its commands exist',
    applies: (code) => /^ app\/ /m.test(code),
    check: (code) => {
      const sources = listSources(join(ROOT, 'src'));
      const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
      const files = new Set(sources.map((f) => f.slice(f.lastIndexOf('/') + 1)));
      for (const m of code.matchAll(/^ ([a-z]+\/(?:[a-z]+)?)/gm)) {
        expect(existsSync(join(ROOT, 'src', m[1]!)), `src/${m[1]}`).toBe(true);
      }
      const external = new Set(['ContainerModule']);
      for (const [name] of code.matchAll(/\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b/g)) {
        if (external.has(name)) continue;
        const kebab = `${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
        const declared = new RegExp(`\\b(class|interface|type|function|const) ${name}\\b`).test(text);
        expect(declared || files.has(kebab), `${name}: neither declared in src/ nor a file ${kebab}`).toBe(
          true,
        );
      }
      const cli = /^ cli\/\s+pilha (.*)$/m.exec(code);
      expect(cli, 'the cli/ line lists the commands').not.toBeNull();
      const commands = help([]);
      for (const command of cli![1]!.split('|').map((c) => c.trim())) {
        expect(commands, `pilha --help lacks ${command}`).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
      }
    },
  },
];

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listSources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('README.md ```text blocks', () => {
  blocks
    .filter((b) => b.info === 'text')
    .forEach((b) => {
      const checks = TEXT_CHECKS.filter((c) => c.applies(b.code));
      it(`${where(b)}: ${checks.map((c) => c.name).join('; ') || 'no check applies'}`, () => {
        expect(checks.length, 'a text block needs a check here that its claims hold').toBeGreaterThan(0);
        for (const c of checks) c.check(b.code);
      });
    });
});
