#!/usr/bin/env node
// V8's warm-up of `pilha http`, download by download: runs the server on a TUN device in a namespace of its own
// under --trace-opt --trace-deopt-verbose, fetches /bytes/N with wget a number of times in a row, and prints per
// download the TurboFan compile time (the three phases V8 reports, summed), the functions compiled, every deopt
// with its reason and source position, and the CPU time of the server's main thread and of its other threads.
//
//   node bench/deopt-report.mjs [--downloads 10] [--bytes 104857600] [--mtu 65000] [--dist dist] [--json FILE]
//                               [--raw FILE] [--raw-all] [--node-flag FLAG]...
//
// --raw keeps the trace lines download by download (0: start-up; the last: shutdown); --raw-all every line, a
// deopt's frames and the maps in them too. --node-flag adds a V8 flag: --trace-generalization shows which object
// fields changed representation or constness, and where (the cause of 'wrong map' and of lazy deopts for 'code
// dependencies'); Node 20's V8 aborts printing a Sparkplug frame for it, so add --no-sparkplug with it.
// A recompile is a compile of a function (by SFI) already compiled in an earlier download: the cost of a deopt.
//
// Needs root, /dev/net/tun, wget and `npm run build` first. Compare two builds with --dist (e.g. a baseline built
// into dist-base/). Trace lines are attributed to the download during which they arrive (stdout is line-buffered
// with stdbuf), plus a short settle after each download for background compiles that finish late.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createNamespace,
  deleteNamespace,
  installCleanupHandlers,
  runIn,
  sleep,
  startIn,
  stopServer,
  tunDeviceArgs,
  waitForOutput,
} from './harness.mjs';

const args = parseArgs(process.argv.slice(2));
const NS = `jitwarm-deopt-${process.pid}`;
const TUN = { dev: 'pjw0', host: '10.213.0.1', pilha: '10.213.0.2', prefix: 24 };
const PORT = 7000;
const SETTLE_MS = 400;

function parseArgs(argv) {
  const a = {
    downloads: 10,
    bytes: 104857600,
    mtu: 65000,
    dist: 'dist',
    json: undefined,
    raw: undefined,
    nodeFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      return argv[++i];
    };
    const x = argv[i];
    if (x === '--downloads') a.downloads = Number(next());
    else if (x === '--bytes') a.bytes = Number(next());
    else if (x === '--mtu') a.mtu = Number(next());
    else if (x === '--dist') a.dist = next();
    else if (x === '--json') a.json = next();
    else if (x === '--raw') a.raw = next();
    else if (x === '--raw-all') a.rawAll = true;
    else if (x === '--node-flag') a.nodeFlags.push(next());
    else if (x === '--help' || x === '-h') usage();
    else usage(`unknown argument ${x}`);
  }
  if (!Number.isInteger(a.downloads) || a.downloads < 1) usage('--downloads must be a positive integer');
  return a;
}

function usage(message) {
  if (message !== undefined) console.error(`deopt-report: ${message}`);
  console.error(
    'usage: node bench/deopt-report.mjs [--downloads 10] [--bytes 104857600] [--mtu 65000] [--dist dist] [--json FILE] [--raw FILE] [--raw-all] [--node-flag FLAG]...',
  );
  process.exit(message === undefined ? 0 : 2);
}

/** CPU ms (user + system) of each thread of `pid`, by thread id; the main thread's id is the pid. */
function threadCpuMs(pid) {
  const ticks = 100; // USER_HZ on Linux
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(tid, { comm, ms: ((Number(f[11]) + Number(f[12])) * 1000) / ticks });
    } catch {}
  }
  return out;
}

function cpuDelta(pid, before, after) {
  let main = 0;
  let others = 0;
  const byComm = {};
  for (const [tid, { comm, ms }] of after) {
    const d = ms - (before.get(tid)?.ms ?? 0);
    if (tid === String(pid)) main += d;
    else {
      others += d;
      byComm[comm] = (byComm[comm] ?? 0) + d;
    }
  }
  return { mainMs: main, othersMs: others, byComm };
}

/** The trace's own lines: V8's bracketed ones, a deopt's source position, map generalizations. */
const keep = (l) =>
  args.rawAll || l.startsWith('[') || l.includes(';;; deoptimize at') || l.includes('generaliz');

const FN = /<JSFunction ([^ >]*)/;

/** Reads the trace lines of one download into compile times, compiled functions and deopts. */
function summarise(lines) {
  const s = { compileMs: 0, compiles: 0, compiled: [], deopts: [] };
  let pendingDeopt;
  for (const line of lines) {
    if (line.startsWith('[completed compiling')) {
      const m = /took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line);
      const fn = FN.exec(line)?.[1] || '(anonymous)';
      const ms = m === null ? 0 : Number(m[1]) + Number(m[2]) + Number(m[3]);
      s.compileMs += ms;
      s.compiles++;
      const sfi = /sfi = (0x[0-9a-f]+)/.exec(line)?.[1];
      s.compiled.push({ fn: fn + (line.includes(' OSR') ? ' OSR' : ''), sfi, ms: Math.round(ms * 10) / 10 });
    } else if (line.startsWith('[bailout (')) {
      const m = /kind: ([^,]+), reason: ([^)]*)\)/.exec(line);
      pendingDeopt = { fn: FN.exec(line)?.[1] || '(anonymous)', kind: m?.[1], reason: m?.[2], at: undefined };
      s.deopts.push(pendingDeopt);
    } else if (line.startsWith('[marking dependent code')) {
      // A lazy deopt: optimized code that relied on a map (a field's representation, a prototype) that changed.
      const fn = /<SharedFunctionInfo ([^>]*)>/.exec(line)?.[1] || '(anonymous)';
      const reason = /reason: (.*)\]/.exec(line)?.[1];
      s.deopts.push({ fn, kind: 'lazy', reason, at: undefined });
    } else if (pendingDeopt !== undefined && line.includes(';;; deoptimize at')) {
      pendingDeopt.at = line
        .slice(line.indexOf('at ') + 3)
        .trim()
        .replace(/file:\/\/[^ ]*?\/dist[^/]*\//g, '');
      pendingDeopt = undefined;
    }
  }
  return s;
}

async function main() {
  installCleanupHandlers(30 * 60_000);
  const cli = resolve(args.dist, 'cli/main.js');
  createNamespace(NS);
  const nodeArgs = ['--trace-opt', '--trace-deopt-verbose', ...args.nodeFlags];
  const server = startIn(NS, 'stdbuf', [
    '-oL',
    process.execPath,
    ...nodeArgs,
    cli,
    'http',
    ...tunDeviceArgs(TUN.dev, TUN),
    '--mtu',
    String(args.mtu),
    '--port',
    String(PORT),
    '--log',
    'warn',
  ]);
  // Trace lines, each tagged with the download (0: start-up) that was running when it arrived.
  let current = 0;
  const perDownload = [[]];
  let partial = '';
  server.stdout.on('data', (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop();
    for (const l of lines) if (keep(l)) perDownload[current].push(l);
  });
  await waitForOutput(server, /listening on (http:\/\/\S+)/, 20_000, 'pilha http');
  const url = `http://${TUN.pilha}:${PORT}/bytes/${args.bytes}`;
  const report = [];
  for (let i = 1; i <= args.downloads; i++) {
    perDownload.push([]);
    current = i;
    const before = threadCpuMs(server.pid);
    const t0 = performance.now();
    const r = await runIn(NS, 'wget', ['-q', '-O', '/dev/null', '--tries=1', '--no-proxy', url], 180_000);
    const ms = performance.now() - t0;
    await sleep(SETTLE_MS);
    const cpu = cpuDelta(server.pid, before, threadCpuMs(server.pid));
    if (r.code !== 0) throw new Error(`wget ${i} failed: ${r.stderr}`);
    report.push({ download: i, mbPerS: Math.round(args.bytes / 1e3 / ms), ...cpu });
  }
  await sleep(SETTLE_MS);
  // Shutdown's own deopts (streams ending) go to a bucket of their own.
  perDownload.push([]);
  current = args.downloads + 1;
  await stopServer({ child: server });
  deleteNamespace(NS);

  const out = [];
  const compiledBefore = new Set();
  for (let i = 0; i <= args.downloads + 1; i++) {
    const s = summarise(perDownload[i]);
    const again = s.compiled.filter((c) => compiledBefore.has(`${c.fn} ${c.sfi}`));
    s.recompiles = again.length;
    s.recompileMs = again.reduce((sum, c) => sum + c.ms, 0);
    for (const c of s.compiled) compiledBefore.add(`${c.fn} ${c.sfi}`);
    const r = report[i - 1];
    out.push({ download: i, ...r, ...s });
    const head =
      i === 0
        ? 'start-up'
        : r === undefined
          ? 'shutdown'
          : `download ${i}: ${r.mbPerS} MB/s, main ${Math.round(r.mainMs)} ms, other threads ${Math.round(r.othersMs)} ms`;
    console.log(
      `${head}; TurboFan ${s.compiles} compiles ${s.compileMs.toFixed(1)} ms (${s.recompiles} recompiles ` +
        `${s.recompileMs.toFixed(1)} ms); ${s.deopts.length} deopts`,
    );
    if (i === 0 || r === undefined) continue;
    for (const d of s.deopts) console.log(`    deopt ${d.fn} (${d.kind}: ${d.reason}) at ${d.at ?? '?'}`);
    const counts = new Map();
    for (const c of s.compiled) counts.set(c.fn, (counts.get(c.fn) ?? 0) + c.ms);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
    if (top.length > 0)
      console.log(`    compiled: ${top.map(([fn, ms]) => `${fn} ${ms.toFixed(1)}`).join(', ')}`);
  }
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(out, null, 1));
  if (args.raw !== undefined)
    writeFileSync(
      args.raw,
      perDownload.map((lines, i) => `=== download ${i}\n${lines.join('\n')}\n`).join(''),
    );
}

main().catch((err) => {
  console.error(`deopt-report: ${err?.stack ?? err}`);
  process.exit(1);
});
