#!/usr/bin/env node
// pilha's benchmark: the same HTTP app (node:http, src/app/http-app.ts) on pilha's TCP over a TUN device and
// on the kernel's TCP over a veth pair, measured in one run with the system's own clients:
//
//   (a) wget -O /dev/null of /bytes/104857600 from `pilha http` on a TUN device, at MTU 1500 and 65000;
//   (b) the same download from `pilha http --transport kernel` (node:http on node:net) across a veth pair
//       between two namespaces, at the same two MTUs; MB/s for each and the ratio pilha/kernel;
//   (c) ab -n 2000 -c 20 against each (requests/s, failed requests), one connection per request;
//   (d) the resident memory that 1,000 idle connections add to the server process, per connection
//       (VmRSS from /proc/PID/status before and after a small node:net script opens them);
//   (e) the loss section (bench/loss.mjs): pilha and the kernel on a lossy path (1/2/5/10%), pilha under 10%
//       duplication and 10% reordering, and 64 parallel wgets.
//
// Writes bench/results/latest.json and bench/results/latest.md (a Markdown table the README includes).
//
// Network hygiene (hard rule): every byte of traffic stays inside the namespaces this script creates
// (pilha-bench-<pid>-*), with 10.x addresses that exist only in them; the namespaces are deleted when the
// script ends, also on failure or Ctrl-C, and it kills only processes it started. Needs root, /dev/net/tun,
// `ip`, `wget` and `ab`, and for the loss section `nft`, `ethtool` (steps whose tool is missing are reported
// as skipped). Each step has a timeout, and
// a failed step is reported, not fatal.
//
// usage (root, after `npm run build`; `npm run bench` does both):
//   node bench/run.mjs [--repeat 3] [--bytes 104857600] [--requests 2000] [--concurrency 20]
//                      [--idle 1000] [--only pilha|kernel|loss] [--download-timeout 180] [--no-loss]
//                      [--loss-repeat 1] [--loss-bytes 20971520] [--loss-timeout 600] [--no-offload]
// --no-offload runs the pilha servers without TUN segmentation offload (pilha http --no-offload).
// --only pilha or kernel skips the loss section (it measures both); --only loss runs nothing else.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  cleanup,
  createNamespace,
  createVethPair,
  hasTool,
  installCleanupHandlers,
  lastLines,
  median,
  namespaces,
  round,
  runIn,
  sh,
  sleep,
  startIn,
  step,
  stopServer,
  waitForOutput,
} from './harness.mjs';
import { LOSS_DEFAULTS, lossMarkdown, lossPreflight, lossSection } from './loss.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const OPENER = join(BENCH_DIR, 'idle-connections.mjs');
const RESULTS_DIR = join(BENCH_DIR, 'results');

const NS_PREFIX = 'pilha-bench-';
const NS = {
  tun: `${NS_PREFIX}${process.pid}-tun`,
  srv: `${NS_PREFIX}${process.pid}-srv`,
  cli: `${NS_PREFIX}${process.pid}-cli`,
};
// Addresses exist only inside the namespaces above.
const TUN = { host: '10.201.0.1', pilha: '10.201.0.2', prefix: 24 };
const VETH = { srv: '10.202.0.1', cli: '10.202.0.2', prefix: 24, srvDev: 'pbs0', cliDev: 'pbc0' };
const PORT = 7000;
const MTUS = [1500, 65000];
const GLOBAL_TIMEOUT_MS = 30 * 60_000;
/** Added to the global timeout per --loss-repeat when the loss section runs (it takes a few minutes a run). */
const LOSS_TIMEOUT_PER_REPEAT_MS = 45 * 60_000;
const SERVER_START_TIMEOUT_MS = 30_000;
const AB_TIMEOUT_MS = 180_000;
const IDLE_TIMEOUT_MS = 90_000;
const IDLE_SETTLE_MS = 2_000;

// --------------------------------------------------------------------------------------------- options

function parseArgs(argv) {
  const args = {
    repeat: 3,
    bytes: 104_857_600,
    requests: 2000,
    concurrency: 20,
    idle: 1000,
    only: undefined,
    downloadTimeoutMs: 180_000,
    loss: true,
    offload: true,
    ...LOSS_DEFAULTS,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const int = (min, max) => {
      const n = Number(next());
      if (!Number.isInteger(n) || n < min || n > max)
        usage(`${a} must be a whole number from ${min} to ${max}`);
      return n;
    };
    if (a === '--repeat') args.repeat = int(1, 20);
    else if (a === '--bytes') args.bytes = int(1, 2 ** 34);
    else if (a === '--requests') args.requests = int(1, 1_000_000);
    else if (a === '--concurrency') args.concurrency = int(1, 1000);
    else if (a === '--idle') args.idle = int(1, 20_000);
    else if (a === '--download-timeout') args.downloadTimeoutMs = int(1, 3600) * 1000;
    else if (a === '--only') {
      args.only = next();
      if (!['pilha', 'kernel', 'loss'].includes(args.only)) usage('--only must be pilha, kernel or loss');
    } else if (a === '--no-loss') args.loss = false;
    else if (a === '--no-offload') args.offload = false;
    else if (a === '--loss-repeat') args.lossRepeat = int(1, 20);
    else if (a === '--loss-bytes') args.lossBytes = int(1, 2 ** 34);
    else if (a === '--loss-timeout') args.lossTimeoutMs = int(1, 3600) * 1000;
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (args.only === 'pilha' || args.only === 'kernel') args.loss = false;
  if (args.only === 'loss' && !args.loss) usage('--only loss and --no-loss exclude each other');
  return args;
}

function usage(message) {
  if (message !== undefined) console.error(`bench: ${message}`);
  console.error(
    'usage: node bench/run.mjs [--repeat 3] [--bytes 104857600] [--requests 2000] [--concurrency 20] ' +
      '[--idle 1000] [--only pilha|kernel|loss] [--download-timeout 180] [--no-loss] [--loss-repeat 1] ' +
      '[--loss-bytes 20971520] [--loss-timeout 600] [--no-offload]',
  );
  process.exit(message === undefined ? 0 : 2);
}

// ----------------------------------------------------------------------------------------------- setup

function preflight(args) {
  const problems = [];
  if (process.platform !== 'linux') problems.push('needs Linux');
  if (process.getuid?.() !== 0) problems.push('needs root (network namespaces, TUN devices)');
  if (!existsSync(CLI)) problems.push(`${CLI} is missing: run npm run build`);
  if (args.only !== 'kernel' && !existsSync('/dev/net/tun')) problems.push('/dev/net/tun is missing');
  if (!hasTool('ip')) problems.push("the 'ip' command (iproute2) is missing");
  return problems;
}

function createNamespaces(args) {
  const wanted =
    args.only === 'pilha' ? [NS.tun] : args.only === 'kernel' ? [NS.srv, NS.cli] : [NS.tun, NS.srv, NS.cli];
  for (const ns of wanted) createNamespace(ns);
  if (namespaces.has(NS.srv)) createVethPair(NS.srv, NS.cli, VETH);
}

function setVethMtu(mtu) {
  sh('ip', ['-n', NS.srv, 'link', 'set', VETH.srvDev, 'mtu', String(mtu)]);
  sh('ip', ['-n', NS.cli, 'link', 'set', VETH.cliDev, 'mtu', String(mtu)]);
}

// ------------------------------------------------------------------------------------------------ servers

/** `pilha http` (pilha's TCP on a TUN device, or node:net), started in `ns`; resolves once it listens. */
async function startServer(kind, mtu, offload) {
  const common = ['--port', String(PORT), '--log', 'warn'];
  const [ns, cliArgs, url] =
    kind === 'pilha'
      ? [
          NS.tun,
          [
            'http',
            '--tun',
            mtu === 1500 ? 'pbench0' : 'pbench1',
            '--address',
            TUN.pilha,
            '--host-address',
            `${TUN.host}/${TUN.prefix}`,
            '--mtu',
            String(mtu),
            ...(offload ? [] : ['--no-offload']),
            ...common,
          ],
          `http://${TUN.pilha}:${PORT}/`,
        ]
      : [
          NS.srv,
          ['http', '--transport', 'kernel', '--listen-host', VETH.srv, ...common],
          `http://${VETH.srv}:${PORT}/`,
        ];
  const child = startIn(ns, process.execPath, [CLI, ...cliArgs]);
  const what = `${kind} server (MTU ${mtu})`;
  try {
    await waitForOutput(child, /listening on (http:\/\/\S+)/, SERVER_START_TIMEOUT_MS, what);
  } catch (err) {
    await stopServer({ child });
    throw err;
  }
  return { kind, mtu, ns, child, url, clientNs: kind === 'pilha' ? NS.tun : NS.cli };
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (m === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

// -------------------------------------------------------------------------------------------------- steps
async function download(server, args) {
  if (!hasTool('wget')) throw new Error("skipped: the 'wget' command is missing");
  const url = `${server.url}bytes/${args.bytes}`;
  const runs = [];
  for (let i = 0; i < args.repeat; i++) {
    const r = await runIn(
      server.clientNs,
      'wget',
      [
        '-q',
        '-O',
        '/dev/null',
        '--tries=1',
        `--timeout=${Math.ceil(args.downloadTimeoutMs / 1000)}`,
        '--no-proxy',
        url,
      ],
      args.downloadTimeoutMs,
    );
    if (r.timedOut)
      throw new Error(`wget did not finish within ${args.downloadTimeoutMs / 1000} s (run ${i + 1})`);
    if (r.code !== 0)
      throw new Error(`wget exited ${r.code ?? r.signal} (run ${i + 1}) ${lastLines(r.stderr)}`);
    runs.push({ seconds: round(r.ms / 1000, 3), mbPerSecond: round(args.bytes / (r.ms / 1000) / 1e6, 1) });
  }
  return { url, bytes: args.bytes, runs, mbPerSecond: median(runs.map((r) => r.mbPerSecond)) };
}

async function apacheBench(server, args) {
  if (!hasTool('ab')) throw new Error("skipped: the 'ab' command (apache2-utils) is missing");
  const url = `${server.url}bytes/1024`;
  const r = await runIn(
    server.clientNs,
    'ab',
    ['-q', '-n', String(args.requests), '-c', String(args.concurrency), '-s', '10', '-r', url],
    AB_TIMEOUT_MS,
  );
  if (r.timedOut) throw new Error(`ab did not finish within ${AB_TIMEOUT_MS / 1000} s`);
  const num = (label) => {
    const m = new RegExp(`^${label}:\\s+([0-9.]+)`, 'm').exec(r.stdout);
    return m === null ? undefined : Number(m[1]);
  };
  const requestsPerSecond = num('Requests per second');
  if (requestsPerSecond === undefined)
    throw new Error(`ab exited ${r.code}: ${lastLines(r.stderr || r.stdout)}`);
  return {
    url,
    requests: args.requests,
    concurrency: args.concurrency,
    requestsPerSecond: round(requestsPerSecond, 1),
    completeRequests: num('Complete requests'),
    failedRequests: num('Failed requests') ?? 0,
    non2xx: num('Non-2xx responses') ?? 0,
    meanMsPerRequest: num('Time per request'),
  };
}

async function idleConnections(server, args) {
  const pid = server.child.pid;
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (comm === 'ip') throw new Error(`PID ${pid} is still 'ip', not the server`);
  const host = new URL(server.url).hostname;
  // Warm up: a request and a few connections opened and closed first, so that first-use code and buffers
  // are not counted as the cost of a connection.
  if (hasTool('wget')) {
    await runIn(
      server.clientNs,
      'wget',
      ['-q', '-O', '/dev/null', '--tries=1', '--no-proxy', `${server.url}bytes/1000`],
      15_000,
    );
  }
  await runIn(server.clientNs, process.execPath, [OPENER, host, String(PORT), '20'], 15_000);
  await sleep(IDLE_SETTLE_MS);
  const before = rssKiB(pid);
  const opener = startIn(server.clientNs, process.execPath, [OPENER, host, String(PORT), String(args.idle)]);
  try {
    const [line] = await waitForOutput(opener, /^\{"open".*\}$/m, IDLE_TIMEOUT_MS, 'idle-connections');
    const { open, failed } = JSON.parse(line);
    await sleep(IDLE_SETTLE_MS);
    const after = rssKiB(pid);
    opener.stdin.write('report\n');
    const [reportLine] = await waitForOutput(
      opener,
      /^\{"stillOpen".*\}$/m,
      10_000,
      'idle-connections report',
    );
    const { stillOpen } = JSON.parse(reportLine);
    if (open === 0) throw new Error(`no connection opened (${failed} failed)`);
    return {
      requested: args.idle,
      opened: open,
      failed,
      stillOpen,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      kibPerConnection: round((after - before) / open, 2),
    };
  } finally {
    opener.stdin.end();
    const done = await Promise.race([opener.exited, sleep(3000).then(() => undefined)]);
    if (done === undefined) {
      try {
        process.kill(opener.pid, 'SIGKILL');
      } catch {}
    }
  }
}

// ------------------------------------------------------------------------------------------------ report

function environment() {
  let wget = '';
  let ab = '';
  try {
    wget = sh('wget', ['--version']).split('\n')[0];
  } catch {}
  try {
    ab = sh('ab', ['-V']).split('\n')[0];
  } catch {}
  return {
    date: new Date().toISOString(),
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    node: process.version,
    wget,
    ab,
  };
}

function markdown(report) {
  const find = (name) => report.steps.find((s) => s.name === name);
  const cell = (s, fmt) => (s === undefined ? '—' : s.ok ? fmt(s) : `failed: ${s.error.slice(0, 80)}`);
  /** A measurement, or why it is missing: a server that did not start (or a step not run at all). */
  const get = (kind, name, mtu) => {
    const found = find(`${kind} ${name}`);
    if (found !== undefined) return found;
    const start = find(`${kind} server start MTU ${mtu}`);
    return start !== undefined && !start.ok ? { ok: false, error: 'server did not start' } : undefined;
  };
  const ratio = (a, b, key) =>
    a?.ok && b?.ok && b[key] > 0 ? (a[key] / b[key]).toFixed(a[key] / b[key] < 0.1 ? 3 : 2) : '—';
  const mb = (s) => `${s.mbPerSecond} MB/s`;
  const size =
    report.config.bytes % 2 ** 20 === 0
      ? `${report.config.bytes / 2 ** 20} MiB`
      : `${report.config.bytes} bytes`;
  const lines = [
    '| measurement | pilha TCP (TUN) | kernel TCP (veth) | pilha / kernel |',
    '|---|---:|---:|---:|',
  ];
  for (const mtu of MTUS) {
    const p = get('pilha', `download MTU ${mtu}`, mtu);
    const k = get('kernel', `download MTU ${mtu}`, 1500);
    lines.push(
      `| wget of ${size}, MTU ${mtu} | ${cell(p, mb)} | ${cell(k, mb)} | ${ratio(p, k, 'mbPerSecond')} |`,
    );
  }
  const pa = get('pilha', 'ab MTU 1500', 1500);
  const ka = get('kernel', 'ab MTU 1500', 1500);
  const abCell = (s) => `${s.requestsPerSecond} req/s, ${s.failedRequests} failed`;
  lines.push(
    `| ab -n ${report.config.requests} -c ${report.config.concurrency}, /bytes/1024, MTU 1500 | ${cell(pa, abCell)} | ${cell(ka, abCell)} | ${ratio(pa, ka, 'requestsPerSecond')} |`,
  );
  const pm = get('pilha', 'idle connections', 1500);
  const km = get('kernel', 'idle connections', 1500);
  const memCell = (s) => `${s.kibPerConnection} KiB (${s.opened} open)`;
  lines.push(
    `| server RSS per idle connection (${report.config.idle} opened) | ${cell(pm, memCell)} | ${cell(km, memCell)} ¹ | — |`,
  );
  const e = report.environment;
  const notes = [
    '',
    `Measured ${e.date.slice(0, 10)} on ${e.cpu} (${e.cpus} CPUs), Linux ${e.kernel}, Node ${e.node}, in ${report.totalSeconds} s.`,
    `Downloads: median of ${report.config.repeat} wget runs each, wall time including wget's start; MB = 10^6 bytes.`,
    'Both servers are the same `pilha http` app (node:http); only the TCP under it differs. The client is the',
    "kernel's TCP in every case (wget, ab), inside namespaces the benchmark creates.",
    "¹ The kernel keeps socket buffers in kernel memory, outside the process's RSS: its figure is node:net's",
    'per-socket objects only, not the whole cost of a kernel connection.',
  ];
  if (report.config.offload === false) {
    notes.push('', 'pilha ran without TUN segmentation offload (--no-offload): one write per segment.');
  }
  if (report.config.only !== undefined) {
    const other = report.config.only === 'pilha' ? 'kernel' : 'pilha';
    notes.push(
      '',
      `This run measured ${report.config.only} only (--only ${report.config.only}): no ${other} figures.`,
    );
  }
  const failures = report.steps.filter((s) => !s.ok && !s.name.startsWith('loss '));
  if (failures.length > 0) {
    notes.push('', 'Steps that failed:', ...failures.map((s) => `- ${s.name}: ${s.error}`));
  }
  return `${lines.join('\n')}\n${notes.join('\n')}\n`;
}

// --------------------------------------------------------------------------------------------------- main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const problems = preflight(args);
  if (problems.length > 0) {
    console.error(`bench: cannot run: ${problems.join('; ')}`);
    process.exit(1);
  }
  installCleanupHandlers(GLOBAL_TIMEOUT_MS + (args.loss ? args.lossRepeat * LOSS_TIMEOUT_PER_REPEAT_MS : 0));
  const began = performance.now();
  const steps = [];
  const servers = [];
  if (args.only !== 'loss') {
    createNamespaces(args);
    console.log(`bench: namespaces ${[...namespaces].join(', ')}`);
  }

  const withServer = async (kind, mtu, body) => {
    let server;
    const start = await step(steps, `${kind} server start MTU ${mtu}`, async () => {
      server = await startServer(kind, mtu, args.offload);
      return { url: server.url };
    });
    if (!start.ok) return;
    try {
      await body(server);
    } finally {
      const final = await stopServer(server);
      servers.push({ kind, mtu, ...final });
    }
  };

  if (args.only !== 'pilha' && args.only !== 'loss') {
    await withServer('kernel', 1500, async (server) => {
      setVethMtu(1500);
      await step(steps, 'kernel idle connections', () => idleConnections(server, args));
      await step(steps, 'kernel download MTU 1500', () => download(server, args));
      await step(steps, 'kernel ab MTU 1500', () => apacheBench(server, args));
      setVethMtu(65000);
      await step(steps, 'kernel download MTU 65000', () => download(server, args));
      setVethMtu(1500);
    });
  }
  if (args.only !== 'kernel' && args.only !== 'loss') {
    await withServer('pilha', 1500, async (server) => {
      await step(steps, 'pilha idle connections', () => idleConnections(server, args));
      await step(steps, 'pilha download MTU 1500', () => download(server, args));
      await step(steps, 'pilha ab MTU 1500', () => apacheBench(server, args));
    });
    await withServer('pilha', 65000, async (server) => {
      await step(steps, 'pilha download MTU 65000', () => download(server, args));
    });
  }

  if (args.loss) {
    const missing = lossPreflight();
    if (missing.length > 0)
      steps.push({ name: 'loss setup', ok: false, seconds: 0, error: `skipped: ${missing.join('; ')}` });
    else await lossSection(steps, args, CLI);
  }

  const report = {
    environment: environment(),
    config: { ...args, port: PORT, tun: TUN, veth: VETH, mtus: MTUS },
    totalSeconds: round((performance.now() - began) / 1000, 1),
    steps,
    servers,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = [args.only === 'loss' ? '' : markdown(report), lossMarkdown(report)]
    .filter((s) => s !== '')
    .join('\n');
  writeFileSync(join(RESULTS_DIR, 'latest.md'), md);
  console.log(`\n${md}`);
  console.log(`bench: wrote ${join(RESULTS_DIR, 'latest.json')} and latest.md`);
  cleanup();
}

await main();
