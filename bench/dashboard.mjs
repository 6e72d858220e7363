#!/usr/bin/env node
// The dashboard's cost with no page open: `pilha http` on a TUN device with and without `--dashboard`
// (no browser connected), wget downloading /bytes/N from each in turn, the order alternating per round so
// that drift on a shared machine falls on both. Prints MB/s and the server's CPU seconds per GB for each
// (median and range) and their ratio.
//
// Network hygiene (hard rule): all traffic stays in the namespace this script creates (pilha-dash-bench-<pid>),
// deleted at the end, also on failure; only processes it started are signalled, by PID. Needs root,
// /dev/net/tun, `ip` and `wget`, after `npm run build`.
//
// usage: node bench/dashboard.mjs [--rounds 5] [--bytes 104857600] [--downloads 2]
// (--downloads: measured downloads per server start, after one to warm up)

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const NS = `pilha-dash-bench-${process.pid}`;
const args = { rounds: 5, bytes: 104_857_600, downloads: 2 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  if (!(key in args))
    throw new Error('usage: node bench/dashboard.mjs [--rounds 5] [--bytes 104857600] [--downloads 2]');
  args[key] = Number(process.argv[i + 1]);
}

const CLK_TCK = 100;
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

function startServer(withDashboard) {
  const extra = withDashboard ? ['--dashboard', '127.0.0.1:8080'] : [];
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, CLI, 'http', '--log', 'warn', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        if (withDashboard && !/dashboard on/.test(out)) reject(new Error('no dashboard line'));
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

function download() {
  const start = performance.now();
  const r = spawnSync(
    'ip',
    ['netns', 'exec', NS, 'wget', '-q', '-O', '/dev/null', `http://10.77.0.2:7000/bytes/${args.bytes}`],
    { timeout: 180_000 },
  );
  if (r.status !== 0) throw new Error(`wget failed: ${r.stderr}`);
  return (performance.now() - start) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

async function main() {
  spawnSync('ip', ['netns', 'add', NS], { stdio: 'inherit' });
  spawnSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  const results = { off: { mbps: [], cpuPerGb: [] }, on: { mbps: [], cpuPerGb: [] } };
  try {
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const variant of order) {
        const server = await startServer(variant === 'on');
        try {
          download(); // warm-up: JIT, first connection
          for (let i = 0; i < args.downloads; i++) {
            const cpu0 = cpuSeconds(server.pid);
            const seconds = download();
            const cpu = cpuSeconds(server.pid) - cpu0;
            results[variant].mbps.push(args.bytes / 1e6 / seconds);
            results[variant].cpuPerGb.push(cpu / (args.bytes / 1e9));
          }
        } finally {
          await stopServer(server);
        }
      }
      process.stderr.write(`round ${round + 1}/${args.rounds} done\n`);
    }
  } finally {
    spawnSync('ip', ['netns', 'del', NS]);
  }
  const line = (name, r) =>
    `| ${name} | ${median(r.mbps).toFixed(1)} (${range(r.mbps)}) | ${median(r.cpuPerGb).toFixed(2)} (${range(r.cpuPerGb)}) |`;
  console.log(
    `wget of ${args.bytes} bytes from pilha http, ${args.rounds} rounds × ${args.downloads} downloads, median (range):\n`,
  );
  console.log('| pilha http | MB/s | server CPU s per GB |');
  console.log('|---|---|---|');
  console.log(line('without --dashboard', results.off));
  console.log(line('with --dashboard, no page open', results.on));
  console.log(
    `\nratio with/without (MB/s medians): ${(median(results.on.mbps) / median(results.off.mbps)).toFixed(3)}`,
  );
}

await main();
