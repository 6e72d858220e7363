#!/usr/bin/env node
// Receive rate of TunLink: how many datagrams per second it hands to its handler while the kernel floods
// the TUN device, next to two plain readers of the same device measured in the same run:
//   readsync — a blocking fs.readSync loop on the main thread (the ceiling, but it blocks the event loop);
//   fsread   — an async fs.read loop (libuv thread pool; what a naive non-blocking link would do).
//
// Everything happens inside a network namespace that this script creates (pilha-tunrate-<pid>) and deletes
// when it finishes, also on failure or Ctrl-C. The flood is UDP from a sender inside that namespace to an
// address of the TUN subnet; no other address is ever a target.
//
// Usage (root, after `npm run build`):
//   node scripts/bench-tun-rate.mjs [--seconds 4] [--size 64] [--modes tunlink,readsync,fsread]
//
// Internal modes (run by the script itself inside the namespace): --inner MODE, --flood.

import { execFileSync, spawn } from 'node:child_process';
import fs, { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SCRIPT), '..');
const NS_PREFIX = 'pilha-tunrate-';
const DEVICE = 'ptun0';
const HOST_ADDRESS = '10.77.0.1';
const PREFIX_LENGTH = 24;
const TARGET = '10.77.0.2'; // inside the TUN subnet: the kernel routes it into the device
const TARGET_PORT = 9;
const WARMUP_MS = 1000;
const TAIL_MS = 3000; // after the flood, a trickle that unblocks a reader stuck in a blocking read
const ALL_MODES = ['tunlink', 'readsync', 'fsread'];

function parseArgs(argv) {
  const args = { seconds: 4, size: 64, modes: ALL_MODES, inner: undefined, flood: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') args.seconds = Number(next());
    else if (a === '--size') args.size = Number(next());
    else if (a === '--modes') args.modes = next().split(',');
    else if (a === '--inner') args.inner = next();
    else if (a === '--flood') args.flood = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node scripts/bench-tun-rate.mjs [--seconds 4] [--size 64] [--modes tunlink,readsync,fsread]',
      );
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!(args.seconds > 0 && args.seconds <= 60)) fail('--seconds must be in (0, 60]');
  if (!(Number.isInteger(args.size) && args.size >= 0 && args.size <= 1400))
    fail('--size must be 0..1400 bytes');
  for (const m of args.modes)
    if (!ALL_MODES.includes(m)) fail(`unknown mode ${m} (use ${ALL_MODES.join(', ')})`);
  return args;
}

function fail(message) {
  console.error(`bench-tun-rate: ${message}`);
  process.exit(1);
}

function distModule(rel) {
  for (const base of ['dist', 'dist/src']) {
    const p = join(ROOT, base, rel);
    if (existsSync(p)) return pathToFileURL(p).href;
  }
  fail(`${rel} not found under dist/: build first (npx tsc -p ${ROOT})`);
}

/** Refuses to send anything unless this process is inside one of our namespaces. */
function assertInOwnNamespace() {
  const name = execFileSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (!name.startsWith(NS_PREFIX)) fail(`refusing to run outside a ${NS_PREFIX}* namespace (in '${name}')`);
}

// ---------------------------------------------------------------------------------------------- flood

/** A blocking UDP sender (koffi send() in a tight loop): as fast as the kernel takes datagrams. */
async function flood(args) {
  assertInOwnNamespace();
  const { default: koffi } = await import('koffi');
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('int socket(int domain, int type, int protocol)');
  const connect = libc.func('int connect(int fd, const void *addr, uint32_t len)');
  const send = libc.func('long send(int fd, const void *buf, size_t len, int flags)');
  const fd = socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
  if (fd < 0) fail(`socket failed (errno ${koffi.errno()})`);
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(2, 0);
  addr.writeUInt16BE(TARGET_PORT, 2);
  addr.set(TARGET.split('.').map(Number), 4);
  if (connect(fd, addr, 16) < 0) fail(`connect failed (errno ${koffi.errno()})`);
  const payload = Buffer.alloc(args.size, 0x5a);
  const floodEnd = performance.now() + args.seconds * 1000 + WARMUP_MS + 500;
  let sent = 0;
  let errors = 0;
  const parent = process.ppid;
  while (performance.now() < floodEnd) {
    if (process.ppid !== parent) process.exit(1); // the reader is gone: stop at once
    for (let i = 0; i < 256; i++) {
      if (send(fd, payload, payload.length, 0) >= 0) sent++;
      else errors++;
    }
  }
  const floodMs = args.seconds * 1000 + WARMUP_MS + 500;
  // Report first: the reader kills this process once it has the report and its window has ended.
  console.log(JSON.stringify({ sent, errors, sendRate: Math.round(sent / (floodMs / 1000)) }));
  const tailEnd = performance.now() + TAIL_MS;
  while (performance.now() < tailEnd && process.ppid === parent) {
    send(fd, payload, payload.length, 0);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------------------------- inner

function tunCounter(name) {
  try {
    return Number(readFileSync(`/sys/class/net/${DEVICE}/statistics/${name}`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** Runs one reader inside the namespace while a flooder child floods the device; prints one JSON line. */
async function inner(args) {
  assertInOwnNamespace();
  const mode = args.inner;
  const { parseIpv4 } = await import(distModule('core/ipv4-address.js'));
  const options = {
    name: DEVICE,
    mtu: 1500,
    hostAddress: parseIpv4(HOST_ADDRESS),
    prefixLength: PREFIX_LENGTH,
  };

  let link;
  let fd;
  let received = 0;
  if (mode === 'tunlink') {
    const { TunLink } = await import(distModule('layers/link/tun/tun-link.js'));
    link = await TunLink.open(options);
    link.onReceive((d) => {
      if (d.length > 0) received++;
    });
  } else {
    const { openTunDevice, configureTunDevice } = await import(distModule('layers/link/tun/tun-device.js'));
    const device = openTunDevice(DEVICE);
    configureTunDevice(options);
    fd = device.fd;
  }

  const flooder = spawn(
    process.execPath,
    [SCRIPT, '--flood', '--seconds', String(args.seconds), '--size', String(args.size)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let floodOut = '';
  const floodReport = new Promise((resolve) => {
    flooder.stdout.on('data', (c) => {
      floodOut += c;
      if (floodOut.includes('\n')) resolve(JSON.parse(floodOut.split('\n')[0]));
    });
    flooder.on('exit', () => resolve({}));
  });
  const flooderDone = new Promise((resolve) => flooder.on('exit', resolve));
  const killFlooder = () => {
    if (flooder.exitCode === null && flooder.pid !== undefined) {
      try {
        process.kill(flooder.pid, 'SIGTERM');
      } catch {}
    }
  };
  process.on('exit', killFlooder);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => process.exit(130)); // runs killFlooder through 'exit'
  }

  const t0 = performance.now();
  const windowStart = t0 + WARMUP_MS;
  const windowEnd = windowStart + args.seconds * 1000;
  const win = { startCount: 0, endCount: 0, startAt: 0, endAt: 0, dropsStart: 0, dropsEnd: 0 };
  const lag = monitorEventLoopDelay({ resolution: 1 });
  let elu;
  // For the plain read loops: opens the measuring window at windowStart, closes it at windowEnd (true then).
  const windowDone = () => {
    const now = performance.now();
    if (win.startAt === 0 && now >= windowStart) {
      win.startAt = now;
      win.startCount = received;
      win.dropsStart = tunCounter('tx_dropped');
    } else if (win.startAt !== 0 && now >= windowEnd) {
      win.endAt = now;
      win.endCount = received;
      win.dropsEnd = tunCounter('tx_dropped');
      return true;
    }
    return false;
  };

  if (mode === 'tunlink') {
    await sleepUntil(windowStart);
    win.startAt = performance.now();
    win.startCount = received;
    win.dropsStart = tunCounter('tx_dropped');
    const elu0 = performance.eventLoopUtilization();
    lag.enable();
    await sleepUntil(windowEnd);
    lag.disable();
    win.endAt = performance.now();
    win.endCount = received;
    win.dropsEnd = tunCounter('tx_dropped');
    elu = performance.eventLoopUtilization(elu0).utilization;
  } else if (mode === 'readsync') {
    const buf = Buffer.alloc(65535);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n > 0) received++;
      if (windowDone()) break;
    }
  } else {
    const buf = Buffer.alloc(65535);
    await new Promise((resolve, reject) => {
      const next = () =>
        fs.read(fd, buf, 0, buf.length, null, (err, n) => {
          if (err) return reject(err);
          if (n > 0) received++;
          if (windowDone()) return resolve();
          next();
        });
      next();
    });
  }

  const stats = link?.stats();
  const report = await floodReport;
  killFlooder();
  await flooderDone;
  if (link !== undefined) await link.close();
  else fs.closeSync(fd);

  const seconds = (win.endAt - win.startAt) / 1000;
  const delivered = win.endCount - win.startCount;
  const result = {
    mode,
    seconds: round(seconds, 3),
    delivered,
    pps: Math.round(delivered / seconds),
    kernelDropsPerSec: Math.round((win.dropsEnd - win.dropsStart) / seconds),
    senderPps: report.sendRate,
  };
  if (mode === 'tunlink') {
    result.avgBatch = round(stats.rxPackets / stats.rxBatches, 1);
    result.rxStalls = stats.rxStalls;
    result.mainThreadBusy = round(elu, 3);
    result.eventLoopLagP99Ms = round(lag.percentile(99) / 1e6, 2);
    result.eventLoopLagMaxMs = round(lag.max / 1e6, 2);
  }
  console.log(JSON.stringify(result));
}

function sleepUntil(t) {
  return new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------------------------- outer

async function outer(args) {
  if (process.getuid?.() !== 0) fail('needs root (network namespaces and /dev/net/tun)');
  if (!existsSync('/dev/net/tun')) fail('/dev/net/tun is missing (modprobe tun)');
  distModule('layers/link/tun/tun-link.js');

  const ns = `${NS_PREFIX}${process.pid}`;
  let child;
  let created = false;
  const cleanup = () => {
    if (child !== undefined && child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM'); // the reader then stops its flooder
      } catch {}
    }
    if (created) {
      created = false;
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {}
    }
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }

  execFileSync('ip', ['netns', 'add', ns]);
  created = true;
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);

  console.log(
    `TUN receive rate: ${args.size}-byte UDP payloads flooded into ${DEVICE} for ${args.seconds} s per reader ` +
      `(after ${WARMUP_MS} ms warm-up), namespace ${ns}, ${(await import('node:os')).cpus().length} CPUs, node ${process.version}`,
  );
  const results = [];
  for (const mode of args.modes) {
    const argv = [
      'netns',
      'exec',
      ns,
      process.execPath,
      SCRIPT,
      '--inner',
      mode,
      '--seconds',
      String(args.seconds),
      '--size',
      String(args.size),
    ];
    child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    if (code !== 0) fail(`reader '${mode}' failed (exit ${code})`);
    const r = JSON.parse(out.trim().split('\n').pop());
    results.push(r);
    const extra =
      r.mode === 'tunlink'
        ? `  avg batch ${r.avgBatch}, main thread busy ${(r.mainThreadBusy * 100).toFixed(0)}%, ` +
          `event-loop lag p99 ${r.eventLoopLagP99Ms} ms (max ${r.eventLoopLagMaxMs} ms)`
        : '';
    console.log(
      `${r.mode.padEnd(9)} ${String(r.pps).padStart(8)} packets/s delivered  ` +
        `(sender ${r.senderPps}/s, kernel ring drops ${r.kernelDropsPerSec}/s)${extra}`,
    );
  }
  const byMode = Object.fromEntries(results.map((r) => [r.mode, r.pps]));
  if (byMode.tunlink !== undefined && byMode.readsync !== undefined) {
    console.log(`tunlink / readsync = ${(byMode.tunlink / byMode.readsync).toFixed(2)}`);
  }
  if (byMode.tunlink !== undefined && byMode.fsread !== undefined) {
    console.log(`tunlink / fsread   = ${(byMode.tunlink / byMode.fsread).toFixed(2)}`);
  }
  console.log(JSON.stringify({ results }));
}

const args = parseArgs(process.argv.slice(2));
if (args.flood) await flood(args);
else if (args.inner !== undefined) await inner(args);
else await outer(args);
