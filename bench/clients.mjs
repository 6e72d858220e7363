// The clients of the benchmark's main section (bench/run.mjs): downloads with wget and curl (with the server
// process's CPU time around each), `pilha get` against curl from the same kernel server (both discarding the
// body: `pilha get --no-hash` and `curl -o /dev/null`; both hashing it: `pilha get` and
// `curl | openssl dgst -sha256`), and ab with and without keep-alive. Each is a trial (interleave.mjs): its
// untimed runs, one timed run, and the result from the timed runs' records, so that run.mjs can alternate the
// runs of pilha's and the kernel's side of a row. Each part throws on a failed measurement; run.mjs's step()
// records it.

import {
  hasTool,
  lastLines,
  machineCpuSeconds,
  median,
  perGB,
  processCpuSeconds,
  round,
  runIn,
  servedSha256,
} from './harness.mjs';

const AB_TIMEOUT_MS = 180_000;

/** The client command for one download of `url` to /dev/null, its own timeouts at `seconds`. */
function downloadCommand(tool, url, seconds) {
  if (tool === 'wget')
    return ['wget', ['-q', '-O', '/dev/null', '--tries=1', `--timeout=${seconds}`, '--no-proxy', url]];
  return ['curl', ['-sS', '--fail', '-o', '/dev/null', '--max-time', String(seconds), '--noproxy', '*', url]];
}

/**
 * Downloads of /bytes/N from `server` with `tool` (wget or curl): `args.warmup` untimed ones, then each timed
 * run by the wall clock (the client's start included, as before) with the server process's user+system CPU
 * time read from /proc around it.
 */
export function downloadTrial(server, args, tool) {
  if (!hasTool(tool)) throw new Error(`skipped: the '${tool}' command is missing`);
  const url = `${server.url}bytes/${args.bytes}`;
  const seconds = Math.ceil(args.downloadTimeoutMs / 1000);
  const [cmd, cmdArgs] = downloadCommand(tool, url, seconds);
  return {
    // Untimed first: the server's first download of /bytes/N generates the bytes it then keeps (its cache) and
    // runs its code cold (JIT); the timed runs measure a server in its steady state, kernel and pilha alike.
    async warm() {
      for (let i = 0; i < args.warmup; i++) {
        const r = await runIn(server.clientNs, cmd, cmdArgs, args.downloadTimeoutMs);
        if (r.code !== 0)
          throw new Error(`${tool} warm-up exited ${r.code ?? r.signal} ${lastLines(r.stderr)}`);
      }
    },
    async run(i) {
      const machineBefore = machineCpuSeconds();
      const cpuBefore = processCpuSeconds(server.child.pid);
      const r = await runIn(server.clientNs, cmd, cmdArgs, args.downloadTimeoutMs);
      const cpuAfter = processCpuSeconds(server.child.pid);
      const machineAfter = machineCpuSeconds();
      if (r.timedOut) throw new Error(`${tool} did not finish within ${seconds} s (run ${i + 1})`);
      if (r.code !== 0)
        throw new Error(`${tool} exited ${r.code ?? r.signal} (run ${i + 1}) ${lastLines(r.stderr)}`);
      const cpu = cpuAfter.total - cpuBefore.total;
      return {
        seconds: round(r.ms / 1000, 3),
        mbPerSecond: round(args.bytes / (r.ms / 1000) / 1e6, 1),
        serverCpuSeconds: round(cpu, 2),
        serverSystemCpuSeconds: round(cpuAfter.system - cpuBefore.system, 2),
        serverCpuSecondsPerGB: perGB(cpu, args.bytes),
        // Every CPU's busy time (all processes, softirq included; whatever else runs on the machine too).
        machineBusySecondsPerGB: perGB(machineAfter.busy - machineBefore.busy, args.bytes),
        machineSoftirqSecondsPerGB: perGB(machineAfter.softirq - machineBefore.softirq, args.bytes),
      };
    },
    result(runs) {
      return {
        tool,
        machineBusySecondsPerGB: median(runs.map((r) => r.machineBusySecondsPerGB)),
        machineSoftirqSecondsPerGB: median(runs.map((r) => r.machineSoftirqSecondsPerGB)),
        url,
        bytes: args.bytes,
        runs,
        mbPerSecond: median(runs.map((r) => r.mbPerSecond)),
        serverCpuSecondsPerGB: median(runs.map((r) => r.serverCpuSecondsPerGB)),
        summary: `${median(runs.map((r) => r.mbPerSecond))} MB/s (runs: ${runs.map((r) => r.mbPerSecond).join(', ')}), server CPU ${median(runs.map((r) => r.serverCpuSecondsPerGB))} s/GB`,
      };
    },
  };
}

/** "0m1.234s" (bash's `times`) in seconds. */
function bashSeconds(text) {
  const m = /^(\d+)m([0-9.]+)s$/.exec(text);
  return m === null ? Number.NaN : Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Runs `cmd args` under bash in `ns`, then bash's `times`: the user and system CPU seconds of the children
 * it waited for, that is of the command (and of what it waited for in turn). Its own output on stdout comes before the two `times` lines.
 */
function runWithCpu(ns, cmd, args, timeoutMs) {
  return runShellWithCpu(ns, [cmd, ...args].map(shellQuote).join(' '), timeoutMs);
}

/**
 * runWithCpu for a bash script (a pipeline) run by a bash of its own: the CPU seconds are those of every
 * process of the script (what `timeout` waited for: the inner bash, and what it waited for in turn).
 */
function runScriptWithCpu(ns, script, timeoutMs) {
  return runShellWithCpu(ns, `bash -c ${shellQuote(script)}`, timeoutMs);
}

/** `text` as one shell word. */
function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** `command` (shell words) under `timeout` in a bash in `ns`, then that bash's `times`. */
async function runShellWithCpu(ns, command, timeoutMs) {
  // `timeout` inside the namespace ends the command itself at the limit (runIn's kill reaches only bash).
  const limit = `timeout -s KILL ${Math.ceil(timeoutMs / 1000)}`;
  const r = await runIn(
    ns,
    'bash',
    ['-c', `${limit} ${command}; rc=$?; times; exit $rc`],
    timeoutMs + 15_000,
  );
  r.timedOut ||= r.code === 137;
  const lines = r.stdout.trim().split('\n');
  const [user, system] = (lines.at(-1) ?? '').trim().split(/\s+/).map(bashSeconds);
  return {
    ...r,
    stdout: lines.slice(0, -2).join('\n'),
    cpuSeconds: user + system,
    userCpu: user,
    systemCpu: system,
  };
}

/**
 * `pilha get` of /bytes/N from a kernel server (node:http) over a TUN device of its own: pilha receiving.
 * `get` is { ns, tun, address, hostAddress, prefix, mtu, offload, port }. Throughput by pilha get's own clock
 * (from connecting to the last byte, as curl's time_total); the byte count checked, and with `hash` (the
 * default) the body's SHA-256 too, which pilha get computes on its main thread; `hash: false` runs
 * `pilha get --no-hash` (the result line must then carry no digest). CPU is what pilha get's --stats reports for
 * the download itself (`transfer`: every thread of the process, over the same span as its clock); a 1-byte get
 * with the same options runs first, untimed (the server and the page cache warm).
 */
export function pilhaGetTrial(cli, server, get, args, hash = true) {
  const run = (length) =>
    runWithCpu(
      get.ns,
      process.execPath,
      [
        cli,
        'get',
        `http://${get.hostAddress}:${get.port}/bytes/${length}`,
        '-o',
        '/dev/null',
        '--tun',
        get.tun,
        '--address',
        get.address,
        '--host-address',
        `${get.hostAddress}/${get.prefix}`,
        '--mtu',
        String(get.mtu),
        ...(get.offload ? [] : ['--no-offload']),
        '--timeout',
        '30',
        ...(hash ? [] : ['--no-hash']),
        '--stats',
        '--log',
        'warn',
      ],
      args.downloadTimeoutMs,
    );
  const parse = (r, length, what) => {
    if (r.timedOut) throw new Error(`${what} did not finish within ${args.downloadTimeoutMs / 1000} s`);
    if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}: ${lastLines(r.stderr)}`);
    const m =
      /^pilha get: 200 OK, (\d+) bytes in ([0-9.]+) s \([0-9.]+ MB\/s\)(?:, sha256 ([0-9a-f]{64}))?$/m.exec(
        r.stderr,
      );
    if (m === null) throw new Error(`${what}: no result line: ${lastLines(r.stderr)}`);
    if (Number(m[1]) !== length) throw new Error(`${what}: ${m[1]} bytes, not ${length}`);
    if ((m[3] !== undefined) !== hash)
      throw new Error(`${what}: ${hash ? 'no' : 'a'} sha256 in the result line: ${lastLines(r.stderr)}`);
    const line = /^stats (.*)$/m.exec(r.stderr);
    const stats = line === null ? undefined : JSON.parse(line[1]);
    const cpuSeconds = stats?.transfer?.cpuSeconds;
    if (typeof cpuSeconds !== 'number')
      throw new Error(`${what}: no transfer CPU in --stats: ${lastLines(r.stderr)}`);
    return { seconds: Number(m[2]), sha256: m[3], stats, cpuSeconds };
  };
  let expected;
  let stats;
  return {
    async warm() {
      parse(await run(1), 1, 'pilha get of 1 byte');
      expected = await servedSha256(args.bytes);
    },
    async run(i) {
      const serverBefore = processCpuSeconds(server.child.pid);
      const r = await run(args.bytes);
      const serverCpu = processCpuSeconds(server.child.pid).total - serverBefore.total;
      const result = parse(r, args.bytes, `pilha get (run ${i + 1})`);
      if (hash && result.sha256 !== expected)
        throw new Error(`pilha get (run ${i + 1}): not byte-exact (sha256)`);
      stats = result.stats;
      return {
        seconds: result.seconds,
        wallSeconds: round(r.ms / 1000, 3),
        mbPerSecond: round(args.bytes / result.seconds / 1e6, 1),
        clientCpuSeconds: round(r.cpuSeconds, 2),
        clientCpuSecondsPerGB: perGB(result.cpuSeconds, args.bytes),
        serverCpuSecondsPerGB: perGB(serverCpu, args.bytes),
      };
    },
    result(runs) {
      const link = stats?.link ?? {};
      return {
        hash: hash ? 'sha256' : 'none',
        ...summarize(runs),
        offload: link.offload,
        rxGsoPackets: link.rxGsoPackets,
        rxPackets: link.rxPackets,
        dropBadChecksum: stats?.tcp?.dropBadChecksum,
        // Segments whose checksum the kernel vouched for (left unfinished by the reader, not verified by TCP).
        rxChecksumsTrusted: link.rxChecksumsTrusted,
        rxChecksumsVouched: stats?.tcp?.rxChecksumsVouched,
      };
    },
  };
}

/**
 * `args.warmup` untimed curl downloads of `url` (as download() does before its runs): the server's /bytes
 * cache filled and its code compiled before pilha get and curl are timed, also when they run alone (--only
 * get). Returns each one's MB/s (`args.bytes` over the wall clock, the client's start included), as far as
 * they succeeded: what a fresh server reads while it warms up.
 */
export async function warmUp(server, url, args) {
  const rates = [];
  if (!hasTool('curl')) return rates;
  const seconds = Math.ceil(args.downloadTimeoutMs / 1000);
  const [cmd, cmdArgs] = downloadCommand('curl', url, seconds);
  for (let i = 0; i < args.warmup; i++) {
    const started = performance.now();
    // A failure here is left to the timed steps after it to report.
    const r = await runIn(server.clientNs, cmd, cmdArgs, args.downloadTimeoutMs);
    if (r.code !== 0) break;
    rates.push(Math.round(args.bytes / ((performance.now() - started) / 1000) / 1e5) / 10);
  }
  return rates;
}

/** curl of /bytes/N from the kernel server over veth, timed by curl's own time_total, its CPU by bash. */
export function curlGetTrial(server, url, args) {
  if (!hasTool('curl')) throw new Error("skipped: the 'curl' command is missing");
  const seconds = Math.ceil(args.downloadTimeoutMs / 1000);
  const run = async (i) => {
    const serverBefore = processCpuSeconds(server.child.pid);
    const r = await runWithCpu(
      server.clientNs,
      'curl',
      [
        '-sS',
        '--fail',
        '-o',
        '/dev/null',
        '--max-time',
        String(seconds),
        '--noproxy',
        '*',
        '-w',
        '%{time_total} %{size_download}\n',
        url,
      ],
      args.downloadTimeoutMs,
    );
    const serverCpu = processCpuSeconds(server.child.pid).total - serverBefore.total;
    if (r.timedOut || r.code !== 0)
      throw new Error(`curl exited ${r.code ?? r.signal} (run ${i + 1}) ${lastLines(r.stderr)}`);
    const [time, size] = r.stdout.trim().split(/\s+/).map(Number);
    if (size !== args.bytes) throw new Error(`curl (run ${i + 1}): ${size} bytes, not ${args.bytes}`);
    return {
      seconds: time,
      wallSeconds: round(r.ms / 1000, 3),
      mbPerSecond: round(args.bytes / time / 1e6, 1),
      clientCpuSeconds: round(r.cpuSeconds, 2),
      clientCpuSecondsPerGB: perGB(r.cpuSeconds, args.bytes),
      serverCpuSecondsPerGB: perGB(serverCpu, args.bytes),
    };
  };
  return { run, result: summarize };
}

/**
 * `curl URL | openssl dgst -sha256` from the kernel server over veth: curl downloading and hashing, as pilha
 * get does; the digest checked against the served bytes'. Timed as curl's time_total (from its start to the
 * last byte, as the other curl rows and pilha get's own clock) plus the time from curl's exit to the end of
 * the pipeline (openssl hashing what was still in the pipe and printing the digest), both ends read from
 * bash's EPOCHREALTIME; `pipelineWallSeconds` is the whole pipeline's, its processes' start included. CPU:
 * the whole pipeline's (curl, openssl and the bash around them, bash's `times`).
 */
export function curlHashGetTrial(server, url, args) {
  if (!hasTool('curl')) throw new Error("skipped: the 'curl' command is missing");
  if (!hasTool('openssl')) throw new Error("skipped: the 'openssl' command is missing");
  const seconds = Math.ceil(args.downloadTimeoutMs / 1000);
  const curl = [
    'curl',
    '-sS',
    '--fail',
    '--max-time',
    String(seconds),
    '--noproxy',
    '*',
    // On stderr: stdout is the body, into the pipe.
    '-w',
    '%{stderr}curl %{time_total} %{size_download}\n',
    url,
  ]
    .map(shellQuote)
    .join(' ');
  const script = [
    'set -o pipefail',
    'start=$EPOCHREALTIME',
    `{ ${curl}; rc=$?; echo "curl-end $EPOCHREALTIME" >&2; exit $rc; } | openssl dgst -sha256`,
    'rc=$?',
    'echo "end $EPOCHREALTIME $start" >&2',
    'exit $rc',
  ].join('\n');
  let expected;
  const run = async (i) => {
    const serverBefore = processCpuSeconds(server.child.pid);
    const r = await runScriptWithCpu(server.clientNs, script, args.downloadTimeoutMs);
    const serverCpu = processCpuSeconds(server.child.pid).total - serverBefore.total;
    const what = `curl | openssl (run ${i + 1})`;
    if (r.timedOut || r.code !== 0)
      throw new Error(`${what} exited ${r.code ?? r.signal} ${lastLines(r.stderr)}`);
    const field = (name) => new RegExp(`^${name} (.*)$`, 'm').exec(r.stderr)?.[1]?.split(' ').map(Number);
    const [curlSeconds, size] = field('curl') ?? [];
    const [curlEnd] = field('curl-end') ?? [];
    const [end, start] = field('end') ?? [];
    if (![curlSeconds, size, curlEnd, end, start].every(Number.isFinite))
      throw new Error(`${what}: no timings: ${lastLines(r.stderr)}`);
    if (size !== args.bytes) throw new Error(`${what}: ${size} bytes, not ${args.bytes}`);
    const digest = /([0-9a-f]{64})\s*$/.exec(r.stdout)?.[1];
    if (digest !== expected) throw new Error(`${what}: not byte-exact (sha256 ${digest ?? 'missing'})`);
    const time = curlSeconds + Math.max(0, end - curlEnd);
    return {
      seconds: round(time, 6),
      curlSeconds,
      afterCurlSeconds: round(Math.max(0, end - curlEnd), 6),
      pipelineWallSeconds: round(end - start, 6),
      wallSeconds: round(r.ms / 1000, 3),
      mbPerSecond: round(args.bytes / time / 1e6, 1),
      clientCpuSeconds: round(r.cpuSeconds, 2),
      clientCpuSecondsPerGB: perGB(r.cpuSeconds, args.bytes),
      serverCpuSecondsPerGB: perGB(serverCpu, args.bytes),
    };
  };
  return {
    async warm() {
      expected = await servedSha256(args.bytes);
    },
    run,
    result: (runs) => ({ hash: 'openssl dgst -sha256', ...summarize(runs) }),
  };
}

function summarize(runs) {
  const mbPerSecond = median(runs.map((r) => r.mbPerSecond));
  const clientCpuSecondsPerGB = median(runs.map((r) => r.clientCpuSecondsPerGB));
  return {
    runs,
    mbPerSecond,
    clientCpuSecondsPerGB,
    serverCpuSecondsPerGB: median(runs.map((r) => r.serverCpuSecondsPerGB)),
    summary: `${mbPerSecond} MB/s (runs: ${runs.map((r) => r.mbPerSecond).join(', ')}), client CPU ${clientCpuSecondsPerGB} s/GB`,
  };
}

/**
 * ab -n N -c C of /bytes/1024, one connection per request, or with -k (HTTP/1.0 keep-alive) when asked:
 * `args.abWarmup` untimed runs (the server's per-connection code compiled, as the downloads warm theirs:
 * a cold `pilha http` took 5,400 requests/s in its first 4,000 and 14,000 by its fourth 4,000, the kernel's
 * server 7,900 cold and 16,000 warm), then each timed run; the median run's requests/s, and the failed requests of every run, untimed ones included.
 * Each timed run also reads the server's CPU per request and the share of the machine's CPUs busy meanwhile:
 * on a machine shared with other work, a run whose requests/s fell with the server's CPU per request steady
 * was slowed from outside (pilha http needs two busy threads and ab a third, on two CPUs).
 */
export function apacheBenchTrial(server, args, keepAlive) {
  if (!hasTool('ab')) throw new Error("skipped: the 'ab' command (apache2-utils) is missing");
  const url = `${server.url}bytes/1024`;
  const once = async () => {
    const machineBefore = machineCpuSeconds();
    const cpuBefore = processCpuSeconds(server.child.pid);
    const r = await runIn(
      server.clientNs,
      'ab',
      [
        '-q',
        ...(keepAlive ? ['-k'] : []),
        '-n',
        String(args.requests),
        '-c',
        String(args.concurrency),
        '-s',
        '10',
        '-r',
        url,
      ],
      AB_TIMEOUT_MS,
    );
    const cpuAfter = processCpuSeconds(server.child.pid);
    const machineAfter = machineCpuSeconds();
    if (r.timedOut) throw new Error(`ab did not finish within ${AB_TIMEOUT_MS / 1000} s`);
    const num = (label) => {
      const m = new RegExp(`^${label}:\\s+([0-9.]+)`, 'm').exec(r.stdout);
      return m === null ? undefined : Number(m[1]);
    };
    const requestsPerSecond = num('Requests per second');
    if (requestsPerSecond === undefined)
      throw new Error(`ab exited ${r.code}: ${lastLines(r.stderr || r.stdout)}`);
    return {
      requestsPerSecond: round(requestsPerSecond, 1),
      completeRequests: num('Complete requests'),
      failedRequests: num('Failed requests') ?? 0,
      keepAliveRequests: num('Keep-Alive requests') ?? 0,
      non2xx: num('Non-2xx responses') ?? 0,
      meanMsPerRequest: num('Time per request'),
      // The server process's CPU per request (every thread; its system calls included), and the share of
      // the machine's CPUs busy meanwhile (ab, the kernel and anything else running): a run slowed by a
      // busy machine shows here, one slowed by the server itself in the first figure.
      serverCpuMicrosecondsPerRequest: round(((cpuAfter.total - cpuBefore.total) * 1e6) / args.requests, 0),
      machineBusyShare: round(
        (machineAfter.busy - machineBefore.busy) /
          (machineAfter.busy - machineBefore.busy + machineAfter.idle - machineBefore.idle),
        2,
      ),
    };
  };
  let warmupFailed = 0;
  const warm = async () => {
    for (let i = 0; i < args.abWarmup; i++) warmupFailed += (await once()).failedRequests;
  };
  return { warm, run: once, result: (runs) => abResult(runs, url, args, keepAlive, warmupFailed) };
}

/** The median run of ab's, with the failures of every run (the untimed ones too). */
function abResult(runs, url, args, keepAlive, warmupFailed) {
  const mid = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[
    Math.floor(runs.length / 2)
  ];
  const total = (key) => runs.reduce((sum, r) => sum + (r[key] ?? 0), 0);
  return {
    url,
    keepAlive,
    requests: args.requests,
    concurrency: args.concurrency,
    warmupRuns: args.abWarmup,
    requestsPerSecond: mid.requestsPerSecond,
    completeRequests: total('completeRequests'),
    // Every run's, the untimed ones too: a server that fails requests while cold is not let off.
    failedRequests: total('failedRequests') + warmupFailed,
    warmupFailedRequests: warmupFailed,
    keepAliveRequests: total('keepAliveRequests'),
    non2xx: total('non2xx'),
    meanMsPerRequest: mid.meanMsPerRequest,
    runs: runs.map((r) => r.requestsPerSecond),
    serverCpuMicrosecondsPerRequest: median(runs.map((r) => r.serverCpuMicrosecondsPerRequest)),
    machineBusyShares: runs.map((r) => r.machineBusyShare),
    summary: `${mid.requestsPerSecond} req/s (runs: ${runs.map((r) => r.requestsPerSecond).join(', ')}), ${total('failedRequests') + warmupFailed} failed, server CPU ${median(runs.map((r) => r.serverCpuMicrosecondsPerRequest))} µs/request (runs: ${runs.map((r) => r.serverCpuMicrosecondsPerRequest).join(', ')}), machine busy ${runs.map((r) => r.machineBusyShare).join(', ')}`,
  };
}
