// What every section of the benchmark shares: the child processes and namespaces it started (killed and
// deleted on exit, also on failure or a signal), running commands inside its own namespaces with timeouts,
// and the step wrapper that records a failed measurement instead of throwing.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// --------------------------------------------------------------------------------- processes and cleanup

/** Child processes this script started and that have not exited yet. */
export const children = new Set();
/** Namespaces this script created and has not deleted yet. */
export const namespaces = new Set();
let cleanedUp = false;

/** Kills what we started (by PID) and deletes what we created. Synchronous: safe in 'exit' and signals. */
export function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }
  children.clear();
  for (const ns of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {}
  }
  namespaces.clear();
}

/** Cleans up on exit and signals; gives up (and cleans up) after `globalTimeoutMs`. */
export function installCleanupHandlers(globalTimeoutMs) {
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, cleaning up`);
      cleanup();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(`bench: ${err?.stack ?? err}`);
    cleanup();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(`bench: ${err?.stack ?? err}`);
    cleanup();
    process.exit(1);
  });
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${globalTimeoutMs / 60_000} min, giving up`);
    cleanup();
    process.exit(1);
  }, globalTimeoutMs);
  watchdog.unref();
}

/**
 * The stack options that put a pilha command on a TUN device of its own: `dev`, pilha's address `tun.pilha`,
 * the kernel side `tun.host/tun.prefix`.
 */
export function tunDeviceArgs(dev, tun) {
  return ['--tun', dev, '--address', tun.pilha, '--host-address', `${tun.host}/${tun.prefix}`];
}

/** Creates a namespace of ours (deleted by cleanup() unless deleteNamespace() did it first), lo up. */
export function createNamespace(ns) {
  sh('ip', ['netns', 'add', ns]);
  namespaces.add(ns);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** Deletes one of our namespaces now (a section done with its own); never throws. */
export function deleteNamespace(ns) {
  if (!namespaces.has(ns)) return;
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {}
  namespaces.delete(ns);
}

/** The environment for children: no proxy variables, so that no client ever talks to anything else. */
/**
 * A veth pair between `srvNs` and `cliNs` (`veth`: { srv, cli, prefix, srvDev, cliDev }), addressed and up.
 * It is made inside the server namespace with its peer placed straight into the client namespace, so it
 * never exists in the namespace this script runs in.
 */
export function createVethPair(srvNs, cliNs, veth) {
  sh('ip', [
    '-n',
    srvNs,
    'link',
    'add',
    veth.srvDev,
    'type',
    'veth',
    'peer',
    'name',
    veth.cliDev,
    'netns',
    cliNs,
  ]);
  for (const [ns, dev, addr] of [
    [srvNs, veth.srvDev, veth.srv],
    [cliNs, veth.cliDev, veth.cli],
  ]) {
    sh('ip', ['-n', ns, 'addr', 'add', `${addr}/${veth.prefix}`, 'dev', dev]);
    sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
}

export function childEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/_proxy$/i.test(key)) delete env[key];
  delete env.PILHA_LOG;
  return env;
}

export function sh(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts `cmd args` inside one of our namespaces. */
export function startIn(ns, cmd, args) {
  if (!namespaces.has(ns)) throw new Error(`refusing to run outside our namespaces (${ns})`);
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
    env: childEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdoutText = '';
  child.stderrText = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (t) => {
    child.stdoutText = tail(child.stdoutText + t, 200_000);
    child.emit('stdout-text');
  });
  child.stderr.on('data', (t) => {
    child.stderrText = tail(child.stderrText + t, 200_000);
  });
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      children.delete(child);
      child.stderrText += String(err);
      resolve({ code: -1, signal: null });
    });
  });
  return child;
}

/** Runs a command in a namespace to completion, with a timeout; never throws. */
export async function runIn(ns, cmd, args, timeoutMs) {
  const start = performance.now();
  const child = startIn(ns, cmd, args);
  child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  }, timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  return {
    code,
    signal,
    timedOut,
    ms: performance.now() - start,
    stdout: child.stdoutText,
    stderr: child.stderrText,
  };
}

export function tail(text, max) {
  return text.length > max ? text.slice(text.length - max) : text;
}

export function lastLines(text, n = 5) {
  return text.trim().split('\n').slice(-n).join(' | ');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first match of `pattern` in the child's stdout, or rejects on exit or timeout. */
export function waitForOutput(child, pattern, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(child.stdoutText);
      if (m !== null) {
        done();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(`${what}: nothing after ${timeoutMs / 1000} s; stderr: ${lastLines(child.stderrText)}`),
      );
    }, timeoutMs);
    const onExit = ({ code, signal }) => {
      done();
      reject(
        new Error(`${what} exited (${code ?? signal}): ${lastLines(child.stderrText || child.stdoutText)}`),
      );
    };
    const done = () => {
      clearTimeout(timer);
      child.off('stdout-text', check);
    };
    child.on('stdout-text', check);
    child.exited.then(onExit);
    check();
  });
}

export function hasTool(name) {
  try {
    sh('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

const SERVER_STOP_TIMEOUT_MS = 5_000;

/** SIGINT (the server prints its totals), then SIGKILL if it lingers; returns the server's final lines. */
export async function stopServer(server) {
  const child = server.child;
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGINT');
    } catch {}
    const stopped = await Promise.race([child.exited, sleep(SERVER_STOP_TIMEOUT_MS).then(() => undefined)]);
    if (stopped === undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
      await child.exited;
    }
  }
  const parse = (prefix) => {
    const line = child.stdoutText.split('\n').find((l) => l.startsWith(`${prefix} `));
    if (line === undefined) return undefined;
    try {
      return JSON.parse(line.slice(prefix.length + 1));
    } catch {
      return undefined;
    }
  };
  return { totals: parse('totals'), stats: parse('stats'), tcp: parse('tcp') };
}

/**
 * What the server prints on SIGUSR2, line `kind` (`memory N {...}`, `counters N {...}`), parsed. `memory`: its
 * memory after a full garbage collection (a server run under --expose-gc): RSS, V8's heap in use, and memory
 * outside the heap that V8 knows of (ArrayBuffers). `counters`: every counter, as the lines at exit.
 */
export async function signalReport(server, kind) {
  server.signalReports = (server.signalReports ?? 0) + 1;
  const n = server.signalReports;
  process.kill(server.child.pid, 'SIGUSR2');
  const [, json] = await waitForOutput(
    server.child,
    new RegExp(`^${kind} ${n} (\\{.*\\})$`, 'm'),
    10_000,
    kind,
  );
  return JSON.parse(json);
}

/** `after` − `before` for every numeric counter of `after` (counters since a signalReport snapshot). */
export function counterDiff(after, before) {
  const out = {};
  for (const [k, v] of Object.entries(after)) out[k] = typeof v === 'number' ? v - (before?.[k] ?? 0) : v;
  return out;
}

// ------------------------------------------------------------------------------------- served bytes, flows

/** dist/app/deterministic-bytes.js's generator, loaded on first use (dist/ exists once the bench runs). */
let deterministicChunks;
const expectedSha = new Map();

/** The SHA-256 of what `pilha http` serves at /bytes/N (test/helpers/served-bytes.ts, over dist/). */
export async function servedSha256(length) {
  let sha = expectedSha.get(length);
  if (sha === undefined) {
    deterministicChunks ??= (await import('../dist/app/deterministic-bytes.js')).deterministicChunks;
    const hash = createHash('sha256');
    for (const chunk of deterministicChunks(0, length)) hash.update(chunk);
    sha = hash.digest('hex');
    expectedSha.set(length, sha);
  }
  return sha;
}

/** Jain's fairness index (test/helpers/fairness.ts): 1 when all equal, 1/n when one flow has everything. */
export function jainIndex(xs) {
  const sum = xs.reduce((a, b) => a + b, 0);
  const squares = xs.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (xs.length * squares);
}

const FLOWS_TIMEOUT_MS = 180_000;

/**
 * `flows` wgets of /bytes/BYTES from host:port at once from one launcher inside the namespace, each hashed as it
 * arrives and timed from its own start to its end. A barrier (a file lock the launcher holds until every
 * wget's shell is waiting on it) starts them together, so that per-flow throughputs compare flows that ran
 * side by side, not process launch order. The aggregate is all bytes over the span from the first start to
 * the last end.
 */
export async function parallelFlows(ns, host, port, flows, bytes) {
  const url = `http://${host}:${port}/bytes/${bytes}`;
  const seconds = Math.ceil(FLOWS_TIMEOUT_MS / 1000);
  const lock = join(tmpdir(), `pilha-bench-${process.pid}-flows.lock`);
  const script =
    `L=${lock}; exec 9>"$L"; flock -x 9; ` +
    `for i in $(seq ${flows}); do ( exec 9>&-; flock -s "$L" true; s=\${EPOCHREALTIME/./}; ` +
    `h=$(set -o pipefail; timeout -s KILL ${seconds} wget -q -O - --tries=1 --timeout=60 --no-proxy ${url} | sha256sum) || h=failed; ` +
    `e=\${EPOCHREALTIME/./}; echo "flow $i $h $s $e" ) & done; ` +
    `sleep 2; flock -u 9; wait; rm -f "$L"`;
  const r = await runIn(ns, 'bash', ['-c', script], FLOWS_TIMEOUT_MS + 30_000);
  if (r.timedOut) throw new Error(`${flows} wgets did not finish within ${seconds + 30} s`);
  const results = [...r.stdout.matchAll(/^flow (\d+) (\S+)\s+(?:-\s+)?(\d+)\s+(\d+)$/gm)].map((m) => ({
    sha256: m[2],
    start: Number(m[3]),
    end: Number(m[4]),
  }));
  const ok = results.filter((d) => d.sha256 !== 'failed');
  const expected = await servedSha256(bytes);
  const exact = ok.filter((d) => d.sha256 === expected);
  const rates = ok.map((d) => round(bytes / (d.end - d.start), 2));
  const starts = results.map((d) => d.start / 1000);
  const spanUs =
    ok.length === 0 ? 0 : Math.max(...ok.map((d) => d.end)) - Math.min(...ok.map((d) => d.start));
  return {
    flows,
    bytesPerFlow: bytes,
    failed: flows - ok.length,
    notByteExact: ok.length - exact.length,
    startSpreadMs: starts.length === 0 ? 0 : round(Math.max(...starts) - Math.min(...starts), 1),
    jainIndex: rates.length === 0 ? 0 : round(jainIndex(rates), 3),
    minMbPerSecond: rates.length === 0 ? 0 : Math.min(...rates),
    maxMbPerSecond: rates.length === 0 ? 0 : Math.max(...rates),
    totalMbPerSecond: round(
      rates.reduce((a, b) => a + b, 0),
      1,
    ),
    aggregateMbPerSecond: spanUs > 0 ? round((ok.length * bytes) / spanUs, 1) : 0,
    spanSeconds: round(spanUs / 1e6, 3),
    rates,
    stderr: lastLines(r.stderr),
  };
}

// ------------------------------------------------------------------------------------------------ CPU time

let clockTicks;

/**
 * A process's user and system CPU seconds so far (/proc/PID/stat utime and stime, in clock ticks: 10 ms
 * steps). System time includes the kernel work done inside its system calls, such as the receive path that a
 * TUN write() or a local socket send runs for the peer.
 */
export function processCpuSeconds(pid) {
  clockTicks ??= Number(sh('getconf', ['CLK_TCK']).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]) / clockTicks;
  const system = Number(fields[12]) / clockTicks;
  return { user, system, total: user + system };
}

/** The machine's softirq and total busy CPU seconds so far (/proc/stat's cpu line), every CPU added up. */
export function machineCpuSeconds() {
  clockTicks ??= Number(sh('getconf', ['CLK_TCK']).trim()) || 100;
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    softirq: softirq / clockTicks,
    busy: (user + nice + system + irq + softirq + steal) / clockTicks,
    idle: (idle + iowait) / clockTicks,
  };
}

/** CPU seconds per 10^9 bytes, 2 decimals. */
export function perGB(cpuSeconds, bytes) {
  return round(cpuSeconds / (bytes / 1e9), 2);
}

// -------------------------------------------------------------------------------------------------- steps

/** One step: a timeout-bounded measurement whose failure is recorded, not thrown. */
export async function step(results, name, fn) {
  const started = performance.now();
  process.stdout.write(`bench: ${name} ... `);
  try {
    const value = await fn();
    const entry = { name, ok: true, seconds: round((performance.now() - started) / 1000, 2), ...value };
    results.push(entry);
    process.stdout.write(`${describe(entry)}\n`);
    return entry;
  } catch (err) {
    const entry = {
      name,
      ok: false,
      seconds: round((performance.now() - started) / 1000, 2),
      error: String(err?.message ?? err),
    };
    results.push(entry);
    process.stdout.write(`FAILED: ${entry.error}\n`);
    return entry;
  }
}

export function describe(entry) {
  if (entry.summary !== undefined) return entry.summary;
  if (entry.mbPerSecond !== undefined)
    return `${entry.mbPerSecond} MB/s (runs: ${entry.runs.map((r) => r.mbPerSecond).join(', ')})`;
  if (entry.requestsPerSecond !== undefined)
    return `${entry.requestsPerSecond} req/s, ${entry.failedRequests} failed`;
  if (entry.kibPerConnection !== undefined)
    return `${entry.kibPerConnection} KiB per connection (${entry.opened} open); after GC ${entry.gcRssKibPerConnection} KiB RSS, ${entry.heapKibPerConnection} KiB heap+external`;
  return 'ok';
}

// ------------------------------------------------------------------------------------------------ numbers

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2, 1);
}

export function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
