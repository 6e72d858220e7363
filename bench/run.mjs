#!/usr/bin/env node
// pilha's benchmark: the same HTTP app (node:http, src/app/http-app.ts) on pilha's TCP over a TUN device and
// on the kernel's TCP over a veth pair, measured in one run with the system's own clients:
//
//   (a) wget and curl -o /dev/null of /bytes/104857600 from `pilha http` on a TUN device, at MTU 1500 and
//       65000, with the server process's CPU time (user+system, /proc/PID/stat) around each: CPU s per GB;
//   (b) the same downloads from `pilha http --transport kernel` (node:http on node:net) across a veth pair
//       between two namespaces, at the same two MTUs; MB/s for each and the ratio pilha/kernel;
//   (c) ab -n 2000 -c 20 against each (requests/s, failed requests), one connection per request, and the
//       same with -k (keep-alive);
//   (d) the resident memory that 1,000 idle connections add to the server process, per connection
//       (VmRSS from /proc/PID/status before and after a small node:net script opens them, as found; and
//       after a full garbage collection, RSS and V8's heap used + external, which the server prints on
//       SIGUSR2 under --expose-gc: the connections' own footprint without the garbage Node keeps between
//       collections);
//   (e) pilha receiving: `pilha get` of the same 100 MiB over a TUN device of its own from the kernel server
//       (in the server's namespace), against curl fetching it from the same server over the veth pair, in two
//       pairs doing the same: both discarding the body (`pilha get --no-hash -o /dev/null`, `curl -o
//       /dev/null`), and both hashing it (`pilha get -o /dev/null`, SHA-256 on its main thread, and
//       `curl | openssl dgst -sha256`, both digests checked); the clients' CPU time (bash's `times`);
//   (f) 64 parallel wgets of 16 MB (harness.mjs's parallelFlows) against each server at MTU 1500, after one
//       untimed round, the median of three rounds: aggregate MB/s, Jain's index, drops at the TUN queue
//       (tx_dropped) and in pilha's reader, server CPU per GB;
//   (g) the loss section (bench/loss.mjs): pilha and the kernel on a lossy path (1/2/5/10%), pilha under 10%
//       duplication and 10% reordering, and 64 parallel wgets.
//
// The runs of each row's two sides alternate (bench/interleave.mjs), both servers up at once, so that a ratio
// compares runs made seconds apart, not a kernel half and a pilha half minutes apart on a drifting machine.
//
// Writes bench/results/latest.json and bench/results/latest.md (a Markdown table the README includes).
//
// Network hygiene (hard rule): every byte of traffic stays inside the namespaces this script creates
// (pilha-bench-<pid>-*), with 10.x addresses that exist only in them; the namespaces are deleted when the
// script ends, also on failure or Ctrl-C, and it kills only processes it started. Needs root, /dev/net/tun,
// `ip`, `wget`, `curl`, `ab`, `flock` and `timeout`, `openssl` for curl | openssl dgst beside pilha get, and for the loss
// section `nft`, `ethtool` (steps whose tool is missing are reported as skipped). Each step has a timeout, and
// a failed step is reported, not fatal.
//
// usage (root, after `npm run build`; `npm run bench` does both):
//   node bench/run.mjs [--repeat 5] [--warmup 3] [--ab-warmup 8] [--bytes 104857600] [--requests 2000] [--concurrency 20]
//                      [--idle 1000] [--idle-more 3000] [--only pilha|kernel|loss|get] [--download-timeout 180] [--no-loss]
//                      [--loss-repeat 1] [--loss-warmup 1] [--loss-bytes 20971520] [--loss-timeout 600] [--no-offload]
//                      [--loss-rates 0.01,0.02,0.05,0.1] [--loss-quick]
// --steps idle,ab runs only the measurement steps whose names contain one of the given texts (servers still start).
// --no-offload runs the pilha servers without TUN segmentation offload (pilha http --no-offload).
// --only pilha or kernel skips the loss section (it measures both); --only loss runs nothing else; --only get
// runs only the two pairs of pilha get and curl against the kernel's server (pilha receiving).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  apacheBenchTrial,
  curlGetTrial,
  curlHashGetTrial,
  downloadTrial,
  pilhaGetTrial,
  warmUp,
} from './clients.mjs';
import {
  cleanup,
  counterDiff,
  createNamespace,
  createVethPair,
  hasTool,
  installCleanupHandlers,
  median as medianOf,
  namespaces,
  parallelFlows,
  perGB,
  processCpuSeconds,
  round,
  runIn,
  sh,
  signalReport,
  sleep,
  startIn,
  step,
  stopServer,
  tunDeviceArgs,
  waitForOutput,
} from './harness.mjs';
import { interleave } from './interleave.mjs';
import { LOSS_DEFAULTS, lossPreflight, lossSection } from './loss.mjs';
import { lossMarkdown } from './loss-report.mjs';
import { FLOW_BYTES, FLOWS, MTUS, markdown } from './report.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const OPENER = join(BENCH_DIR, 'idle-connections.mjs');
const RESULTS_DIR = join(BENCH_DIR, 'results');

const NS_PREFIX = 'pilha-bench-';
/** PILHA_BENCH_TAG (a branch name) goes into the namespaces' names, so that parallel runs tell theirs apart. */
const NS_TAG = /^[a-z0-9-]{1,12}$/.test(process.env.PILHA_BENCH_TAG ?? '')
  ? `${process.env.PILHA_BENCH_TAG}-`
  : '';
const NS = {
  tun: `${NS_PREFIX}${NS_TAG}${process.pid}-tun`,
  srv: `${NS_PREFIX}${NS_TAG}${process.pid}-srv`,
  cli: `${NS_PREFIX}${NS_TAG}${process.pid}-cli`,
};
// Addresses exist only inside the namespaces above.
const TUN = { host: '10.201.0.1', pilha: '10.201.0.2', prefix: 24 };
const VETH = { srv: '10.202.0.1', cli: '10.202.0.2', prefix: 24, srvDev: 'pbs0', cliDev: 'pbc0' };
const PORT = 7000;
/** `pilha get`'s own TUN device, in the kernel server's namespace (the server listens on every address). */
const GET = {
  tun: 'pbench2',
  address: '10.206.0.2',
  hostAddress: '10.206.0.1',
  prefix: 24,
  mtu: 1500,
  port: PORT,
};
const GLOBAL_TIMEOUT_MS = 30 * 60_000;
/** Added to the global timeout per --loss-repeat when the loss section runs (it takes a few minutes a run). */
const LOSS_TIMEOUT_PER_REPEAT_MS = 45 * 60_000;
const SERVER_START_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 90_000;
/**
 * How long the idle step lets a server settle before each RSS reading: past the malloc trim that a server does
 * 1–2 s after its last garbage collection (src/cli/runtime/malloc-trimmer.ts), so that both readings are trimmed and
 * the difference is the connections' own, not free memory the warm-up left that a later trim returns.
 */
const IDLE_SETTLE_MS = 3_000;

// --------------------------------------------------------------------------------------------- options

function parseArgs(argv) {
  const args = {
    repeat: 5,
    warmup: 3,
    abWarmup: 8,
    bytes: 104_857_600,
    requests: 2000,
    concurrency: 20,
    idle: 1000,
    idleMore: 3000,
    only: undefined,
    downloadTimeoutMs: 180_000,
    loss: true,
    offload: true,
    steps: undefined,
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
    else if (a === '--warmup') args.warmup = int(0, 20);
    else if (a === '--ab-warmup') args.abWarmup = int(0, 100);
    else if (a === '--bytes') args.bytes = int(1, 2 ** 34);
    else if (a === '--requests') args.requests = int(1, 1_000_000);
    else if (a === '--concurrency') args.concurrency = int(1, 1000);
    else if (a === '--idle') args.idle = int(1, 20_000);
    else if (a === '--idle-more') args.idleMore = int(0, 20_000);
    else if (a === '--download-timeout') args.downloadTimeoutMs = int(1, 3600) * 1000;
    else if (a === '--only') {
      args.only = next();
      if (!['pilha', 'kernel', 'loss', 'get'].includes(args.only))
        usage('--only must be pilha, kernel, loss or get');
    } else if (a === '--no-loss') args.loss = false;
    else if (a === '--no-offload') args.offload = false;
    else if (a === '--loss-repeat') args.lossRepeat = int(1, 20);
    else if (a === '--loss-warmup') args.lossWarmup = int(0, 20);
    else if (a === '--loss-bytes') args.lossBytes = int(1, 2 ** 34);
    else if (a === '--loss-timeout') args.lossTimeoutMs = int(1, 3600) * 1000;
    else if (a === '--loss-rates') args.lossRates = lossRates(next());
    else if (a === '--loss-quick') args.lossQuick = true;
    else if (a === '--steps')
      args.steps = next()
        .split(',')
        .filter((t) => t !== '');
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (args.only === 'pilha' || args.only === 'kernel' || args.only === 'get') args.loss = false;
  if (args.only === 'loss' && !args.loss) usage('--only loss and --no-loss exclude each other');
  return args;
}

/** `0.01,0.02`: loss probabilities, each in (0, 1). */
function lossRates(text) {
  const rates = text.split(',').map((t) => Number(t.trim()));
  if (rates.length === 0 || rates.some((p) => !Number.isFinite(p) || p <= 0 || p >= 1))
    usage('--loss-rates must be a comma-separated list of probabilities, as in 0.01,0.02');
  return rates;
}

function usage(message) {
  if (message !== undefined) console.error(`bench: ${message}`);
  console.error(
    'usage: node bench/run.mjs [--repeat 5] [--warmup 3] [--ab-warmup 8] [--bytes 104857600] [--requests 2000] [--concurrency 20] ' +
      '[--idle 1000] [--idle-more 3000] [--only pilha|kernel|loss|get] [--download-timeout 180] [--no-loss] [--loss-repeat 1] ' +
      '[--loss-warmup 1] [--loss-bytes 20971520] [--loss-timeout 600] [--loss-rates 0.01,0.02] [--loss-quick] [--no-offload] [--steps TEXT,...]',
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
            ...tunDeviceArgs(mtu === 1500 ? 'pbench0' : 'pbench1', TUN),
            '--mtu',
            String(mtu),
            ...(offload ? [] : ['--no-offload']),
            ...common,
          ],
          `http://${TUN.pilha}:${PORT}/`,
        ]
      : [
          NS.srv,
          // Every address: the veth pair's, and pilha get's TUN device's when it runs in this namespace.
          ['http', '--transport', 'kernel', '--listen-host', '0.0.0.0', ...common],
          `http://${VETH.srv}:${PORT}/`,
        ];
  // --expose-gc: SIGUSR2 makes the server collect garbage and print its memory (idleConnections).
  const child = startIn(ns, process.execPath, ['--expose-gc', CLI, ...cliArgs]);
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

const memoryAfterGc = (server) => signalReport(server, 'memory');

// -------------------------------------------------------------------------------------------------- steps

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
  const beforeGc = await memoryAfterGc(server);
  const openers = [];
  /** Opens `count` more idle connections (kept open until the step ends); resolves with what it opened. */
  const openMore = async (count) => {
    const opener = startIn(server.clientNs, process.execPath, [OPENER, host, String(PORT), String(count)]);
    openers.push(opener);
    const [line] = await waitForOutput(opener, /^\{"open".*\}$/m, IDLE_TIMEOUT_MS, 'idle-connections');
    return JSON.parse(line);
  };
  /** How many of an opener's connections are still open (asked once per opener, at the end). */
  const stillOpen = async (opener) => {
    opener.stdin.write('report\n');
    const [reportLine] = await waitForOutput(
      opener,
      /^\{"stillOpen".*\}$/m,
      10_000,
      'idle-connections report',
    );
    return JSON.parse(reportLine).stillOpen;
  };
  try {
    const { open, failed } = await openMore(args.idle);
    await sleep(IDLE_SETTLE_MS);
    const after = rssKiB(pid);
    const afterGc = await memoryAfterGc(server);
    if (open === 0) throw new Error(`no connection opened (${failed} failed)`);
    const perConnection = (kib, n) => round(kib / n, 2);
    const heap = (m) => m.heapUsedKiB + m.externalKiB;
    const result = {
      requested: args.idle,
      opened: open,
      failed,
      rssBeforeKiB: before,
      rssAfterKiB: after,
      kibPerConnection: perConnection(after - before, open),
      rssAfterGcBeforeKiB: beforeGc.rssKiB,
      rssAfterGcAfterKiB: afterGc.rssKiB,
      gcRssKibPerConnection: perConnection(afterGc.rssKiB - beforeGc.rssKiB, open),
      heapKibPerConnection: perConnection(heap(afterGc) - heap(beforeGc), open),
    };
    if (beforeGc.newSpaceKiB !== undefined) {
      // V8's young generation (committed) grows with the allocation rate of the accepts, once, up to its
      // maximum, and stays grown: a cost of the process, not of each connection.
      const young = afterGc.newSpaceKiB - beforeGc.newSpaceKiB;
      result.youngGenerationGrowthKiB = young;
      result.gcRssLessYoungKibPerConnection = perConnection(afterGc.rssKiB - beforeGc.rssKiB - young, open);
    }
    if (beforeGc.asFound !== undefined) {
      // The as-found figure split: the young generation's pages written for the first time between the two
      // readings (its size just before each collection, read a moment after the RSS), and the rest.
      const young = afterGc.asFound.newSpaceKiB - beforeGc.asFound.newSpaceKiB;
      result.youngGenerationAsFoundKiB = young;
      result.kibPerConnectionLessYoung = perConnection(after - before - young, open);
    }
    if (args.idleMore > 0) {
      // The marginal cost: RSS added by idleMore more connections on top of the first ones, which removes
      // what a first thousand pays once (the young generation's growth, malloc arenas, code compiled).
      const more = await openMore(args.idleMore);
      await sleep(IDLE_SETTLE_MS);
      const after2 = rssKiB(pid);
      const afterGc2 = await memoryAfterGc(server);
      if (more.open > 0) {
        Object.assign(result, {
          moreRequested: args.idleMore,
          moreOpened: more.open,
          moreFailed: more.failed,
          rssAfterMoreKiB: after2,
          rssAfterGcAfterMoreKiB: afterGc2.rssKiB,
          slopeKibPerConnection: perConnection(after2 - after, more.open),
          gcSlopeKibPerConnection: perConnection(afterGc2.rssKiB - afterGc.rssKiB, more.open),
          heapSlopeKibPerConnection: perConnection(heap(afterGc2) - heap(afterGc), more.open),
          ...(afterGc2.newSpaceKiB !== undefined
            ? {
                youngGenerationGrowthMoreKiB: afterGc2.newSpaceKiB - afterGc.newSpaceKiB,
                gcSlopeLessYoungKibPerConnection: perConnection(
                  afterGc2.rssKiB - afterGc.rssKiB - (afterGc2.newSpaceKiB - afterGc.newSpaceKiB),
                  more.open,
                ),
              }
            : {}),
        });
      }
    }
    result.stillOpen = await stillOpen(openers[0]);
    if (openers.length > 1) result.moreStillOpen = await stillOpen(openers[1]);
    return result;
  } finally {
    for (const opener of openers) opener.stdin.end();
    for (const opener of openers) {
      const done = await Promise.race([opener.exited, sleep(3000).then(() => undefined)]);
      if (done === undefined) {
        try {
          process.kill(opener.pid, 'SIGKILL');
        } catch {}
      }
    }
  }
}

/** Measured rounds of the parallel flows against each server (after one untimed round): the median is reported. */
const FLOWS_ROUNDS = 3;

/**
 * FLOWS wgets at once from the server's client namespace, with the server process's CPU time around them (a
 * trial, interleave.mjs): one untimed round first, as the downloads have their untimed runs (a server's code
 * compiled for many flows at once, not only for one), then the measured rounds (FLOWS_ROUNDS). The round of
 * the median aggregate is reported (its Jain's index, spread and rates), with every round's aggregate and CPU
 * in `rounds`, the untimed one's in `untimed`, the server's CPU per GB as the median of the rounds', and
 * failures summed over all of them (a failed or not byte-exact download in the untimed round fails the step).
 */
function flowsTrial(server) {
  const host = new URL(server.url).hostname;
  let warm;
  return {
    async warm() {
      warm = await parallelFlows(server.clientNs, host, PORT, FLOWS, FLOW_BYTES);
      if (warm.failed > 0 || warm.notByteExact > 0)
        throw new Error(`untimed round: ${warm.failed} failed, ${warm.notByteExact} not byte-exact`);
    },
    async run() {
      const before = processCpuSeconds(server.child.pid);
      const r = await parallelFlows(server.clientNs, host, PORT, FLOWS, FLOW_BYTES);
      const cpu = processCpuSeconds(server.child.pid).total - before.total;
      const delivered = (FLOWS - r.failed) * FLOW_BYTES;
      return { ...r, cpu, serverCpuSecondsPerGB: delivered > 0 ? perGB(cpu, delivered) : undefined };
    },
    result: (rounds) => flowsResult(rounds, warm),
  };
}

function flowsResult(rounds, warm) {
  const byAggregate = [...rounds].sort((a, b) => a.aggregateMbPerSecond - b.aggregateMbPerSecond);
  const r = byAggregate[Math.floor(byAggregate.length / 2)];
  const failed = rounds.reduce((sum, x) => sum + x.failed, 0);
  const notByteExact = rounds.reduce((sum, x) => sum + x.notByteExact, 0);
  const cpuPerGB = rounds.map((x) => x.serverCpuSecondsPerGB).filter((x) => x !== undefined);
  const { cpu: _cpu, ...median } = r;
  return {
    ...median,
    failed,
    notByteExact,
    serverCpuSeconds: round(r.cpu, 2),
    serverCpuSecondsPerGB: cpuPerGB.length > 0 ? medianOf(cpuPerGB) : undefined,
    rounds: rounds.map((x) => ({
      aggregateMbPerSecond: x.aggregateMbPerSecond,
      jainIndex: x.jainIndex,
      serverCpuSecondsPerGB: x.serverCpuSecondsPerGB,
    })),
    untimed: { aggregateMbPerSecond: warm.aggregateMbPerSecond, jainIndex: warm.jainIndex },
    summary:
      `${r.aggregateMbPerSecond} MB/s aggregate, the median of ${rounds.map((x) => x.aggregateMbPerSecond).join(', ')} ` +
      `(untimed round before them ${warm.aggregateMbPerSecond}), Jain's index ${r.jainIndex}, ${failed} failed, ` +
      `${notByteExact} not byte-exact`,
  };
}

/** Packets the kernel dropped at the TUN device's queue toward pilha (its tx_dropped). */
function tunTxDropped(server) {
  const dev = server.mtu === 1500 ? 'pbench0' : 'pbench1';
  return Number(sh('ip', ['netns', 'exec', NS.tun, 'cat', `/sys/class/net/${dev}/statistics/tx_dropped`]));
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
  const selected = (name) => args.steps === undefined || args.steps.some((t) => name.includes(t));
  const measure = (name, fn) => (selected(name) ? step(steps, name, fn) : undefined);
  const servers = [];
  if (args.only !== 'loss') {
    createNamespaces(args);
    console.log(`bench: namespaces ${[...namespaces].join(', ')}`);
  }

  /** Runs `body` with a server of `kind` at `mtu` up, or with undefined when `wanted` is false or it failed to start. */
  const withServer = async (wanted, kind, mtu, body, label = '') => {
    if (!wanted) return body(undefined);
    let server;
    const start = await step(steps, `${kind} server start MTU ${mtu}${label}`, async () => {
      server = await startServer(kind, mtu, args.offload);
      return { url: server.url };
    });
    if (!start.ok) return body(undefined);
    let final;
    try {
      await body(server);
    } finally {
      final = await stopServer(server);
      servers.push({ kind, mtu, label, ...final });
    }
    return final;
  };

  /**
   * One row's sides measured together (interleave.mjs): `entries` are [step name, trial factory or undefined
   * (that side's server is not running)]; each selected side is recorded as its own step, as before.
   */
  const measureTogether = async (entries, count = args.repeat) => {
    const chosen = entries.filter(([name, make]) => make !== undefined && selected(name));
    if (chosen.length === 0) return [];
    if (chosen.length > 1)
      console.log(`bench: ${chosen.map(([name]) => name).join(' | ')}: runs interleaved`);
    const started = performance.now();
    const outcomes = await interleave(
      chosen.map(([, make]) => make),
      count,
    );
    const seconds = round((performance.now() - started) / 1000, 2);
    const recorded = [];
    for (const [i, [name]] of chosen.entries()) {
      const { value, error } = outcomes[i];
      recorded.push(
        await step(steps, name, async () => {
          if (error !== undefined) throw error;
          return { ...value, seconds };
        }),
      );
    }
    return recorded;
  };
  const side = (server, make) => (server === undefined ? undefined : () => make(server));
  /**
   * A server new to bulk downloads is warmed before the download rows at `mtu` (as the flows' server is), so
   * that their timed runs find it in its steady state, as the rows' own three warm-ups alone did not (below);
   * each warm-up download's MB/s is recorded (`<kind> first downloads MTU <mtu>`): what a fresh process reads.
   */
  const warmFresh = async (fresh, mtu) => {
    if (!['download', 'download curl'].some((w) => selected(`pilha ${w} MTU ${mtu}`))) return;
    for (const server of fresh) {
      if (server === undefined) continue;
      await step(steps, `${server.kind} first downloads MTU ${mtu}`, async () => {
        if (!hasTool('curl')) throw new Error("skipped: the 'curl' command is missing");
        const rates = await warmUp(server, `${server.url}bytes/${args.bytes}`, args);
        if (rates.length === 0) throw new Error('no warm-up download succeeded');
        return {
          mbPerSecondRuns: rates,
          summary: `${rates.join(', ')} MB/s (curl, untimed: the server's first downloads)`,
        };
      });
    }
  };
  /** wget's row, then curl's, at `mtu`: the kernel's and pilha's downloads interleaved. */
  const downloadsTogether = async (kernel, pilha, mtu) => {
    for (const [what, tool] of [
      ['download', 'wget'],
      ['download curl', 'curl'],
    ])
      await measureTogether([
        [`kernel ${what} MTU ${mtu}`, side(kernel, (s) => downloadTrial(s, args, tool))],
        [`pilha ${what} MTU ${mtu}`, side(pilha, (s) => downloadTrial(s, args, tool))],
      ]);
  };

  /**
   * pilha receiving: pilha get against curl on the same kernel server, each pair doing the same, their runs
   * interleaved: both discarding the body (the stacks' ratio), then both hashing it (SHA-256). The step names are
   * stable (report.mjs and the README read them); without pilha (--only kernel) only curl's side runs.
   */
  const getPairs = async (server, withPilha) => {
    const url = `${server.url}bytes/${args.bytes}`;
    const pilha = (hash) =>
      withPilha
        ? () => pilhaGetTrial(CLI, server, { ...GET, ns: NS.srv, offload: args.offload }, args, hash)
        : undefined;
    const pairs = [
      [
        ['pilha get --no-hash MTU 1500', pilha(false)],
        ['kernel curl get MTU 1500', () => curlGetTrial(server, url, args)],
      ],
      [
        ['pilha get MTU 1500', pilha(true)],
        ['kernel curl openssl get MTU 1500', () => curlHashGetTrial(server, url, args)],
      ],
    ];
    if (pairs.flat().some(([name, make]) => make !== undefined && selected(name)))
      await warmUp(server, url, args);
    for (const pair of pairs) await measureTogether(pair);
  };

  const withKernel = args.only !== 'pilha' && args.only !== 'loss';
  const withPilha = args.only !== 'kernel' && args.only !== 'loss' && args.only !== 'get';
  if (args.only === 'get') {
    await withServer(true, 'kernel', 1500, async (server) => {
      setVethMtu(1500);
      if (server !== undefined) await getPairs(server, true);
    });
  } else if (withKernel || withPilha) {
    // Both servers run at once, so that each row's runs alternate between them (interleave.mjs).
    await withServer(withKernel, 'kernel', 1500, async (kernel) => {
      if (kernel !== undefined) setVethMtu(1500);
      await withServer(withPilha, 'pilha', 1500, async (pilha) => {
        // Each server's idle connections first, while it is fresh (RSS readings, nothing to interleave).
        if (kernel !== undefined)
          await measure('kernel idle connections', () => idleConnections(kernel, args));
        if (pilha !== undefined) await measure('pilha idle connections', () => idleConnections(pilha, args));
        // Both servers new to bulk downloads, warmed alike: pilha's wget row read 0.79-0.93 of the kernel in
        // three sets without it (its 4th-8th downloads, TurboFan still compiling on the CPU wget needs).
        await warmFresh([kernel, pilha], 1500);
        await downloadsTogether(kernel, pilha, 1500);
        for (const [what, keepAlive] of [
          ['ab', false],
          ['ab -k', true],
        ])
          await measureTogether([
            [`kernel ${what} MTU 1500`, side(kernel, (s) => apacheBenchTrial(s, args, keepAlive))],
            [`pilha ${what} MTU 1500`, side(pilha, (s) => apacheBenchTrial(s, args, keepAlive))],
          ]);
      });
      if (kernel !== undefined) await getPairs(kernel, withPilha);
      // pilha's parallel flows on a server of their own, so that its counters are theirs: what the exit lines
      // say less what they said before the flows. It is warmed first as the kernel's server is by the steps
      // before its flows (JIT, the /bytes cache): a cold server read about 8% less aggregate here.
      let flowsStep;
      let countersBefore;
      const final = await withServer(
        withPilha && selected(`pilha ${FLOWS} flows`),
        'pilha',
        1500,
        async (pilha) => {
          if (pilha !== undefined) {
            await warmUp(pilha, `${pilha.url}bytes/${args.bytes}`, args);
            countersBefore = await signalReport(pilha, 'counters');
          }
          const txDroppedBefore = pilha === undefined ? 0 : tunTxDropped(pilha);
          const [first, second] = await measureTogether(
            [
              [`kernel ${FLOWS} flows`, side(kernel, flowsTrial)],
              [`pilha ${FLOWS} flows`, side(pilha, flowsTrial)],
            ],
            FLOWS_ROUNDS,
          );
          flowsStep = pilha === undefined ? undefined : (second ?? first);
          if (flowsStep?.ok) flowsStep.tunTxDropped = tunTxDropped(pilha) - txDroppedBefore;
        },
        ' (flows)',
      );
      const link = final?.stats?.link;
      if (flowsStep?.ok && link !== undefined && final.tcp !== undefined && countersBefore !== undefined) {
        const linkDiff = counterDiff(link, countersBefore.stats.link);
        const tcpDiff = counterDiff(final.tcp, countersBefore.tcp);
        // The TUN link's own counter, or the one inside a decorator (--impair, --pcap: `inner.` names).
        const linkCount = (name) => linkDiff[name] ?? linkDiff[`inner.${name}`];
        flowsStep.readerBacklogDrops = linkCount('rxBacklogDrops');
        flowsStep.linkTxDrops = linkCount('txDrops');
        flowsStep.readerParks = linkCount('rxReaderParks');
        flowsStep.timeouts = tcpDiff.timeouts;
        flowsStep.retransmitted = tcpDiff.retransmitted;
      }
      if (kernel !== undefined) setVethMtu(65000);
      await withServer(withPilha, 'pilha', 65000, async (pilha) => {
        // A new process, against a kernel server that has served every step before (the veth's MTU changed, not
        // the server). With only the row's own three warm-up downloads, its wget runs were the fourth to eighth
        // downloads of its life, and TurboFan was still compiling (20-60 ms of compile a download on the other
        // CPU, which wget needs): wget read 0.87-0.90 of the kernel there, and 0.99 with ten warm-up downloads
        // (6.18.44-fc-v1300; bench/deopt-report.mjs shows the compiles).
        await warmFresh([pilha], 65000);
        await downloadsTogether(kernel, pilha, 65000);
      });
      if (kernel !== undefined) setVethMtu(1500);
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
