// `npm start`: the main demo, as a newcomer should first see it.
//
// As root with /dev/net/tun and `ip netns`: in a network namespace this script creates (and always deletes,
// also on failure and Ctrl-C), `pilha http` serves on a TUN device and the system's own wget downloads the
// course's 12 MB page and 100 MB of checksummed bytes over pilha's IPv4 and TCP, each SHA-256 checked; then
// pilha pings the kernel with 20,000-byte datagrams and shows how each reply was reassembled. Nothing
// outside that namespace is touched.
//
// Otherwise (not root, no TUN device, no `ip`/`wget`, or forced with `--memory` / PILHA_DEMO=memory), the
// same composition runs in this process over an in-memory link, with pilha's own HTTP client and Pinger on
// the other end, and says why. PILHA_DEMO=tun (or `--tun`) refuses to fall back.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildHttpStack,
  buildTcpStack,
  formatPingReply,
  httpGet,
  MemoryLink,
  parseIpv4,
  stackConfig,
  TOKENS,
} from 'pilha';
import { expectedSha256 } from './expected-sha256.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${ROOT}dist/cli/main.js`;
const PILHA = '10.77.0.2';
const KERNEL = '10.77.0.1';
const PORT = 7000;
const DOWNLOADS = ['/', '/bytes/104857600'];
const PING = { size: 20_000, count: 3, intervalMs: 300 };

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--memory' && a !== '--tun');
if (unknown.length > 0) {
  console.error(`start: unknown argument ${unknown[0]} (use --memory or --tun)`);
  process.exit(2);
}
const mode = args.includes('--memory') ? 'memory' : args.includes('--tun') ? 'tun' : process.env.PILHA_DEMO;
if (mode !== undefined && mode !== 'memory' && mode !== 'tun') {
  console.error(`start: PILHA_DEMO must be 'memory' or 'tun', got '${mode}'`);
  process.exit(2);
}

// Piped into `head`, say: stop quietly when the reader goes (the 'exit' handler still cleans up).
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const expected = new Map(DOWNLOADS.map((path) => [path, expectedSha256(path)]));

try {
  let fallback = mode === 'memory' ? 'asked for with --memory or PILHA_DEMO=memory' : tunUnavailable();
  if (fallback === undefined) {
    const outcome = await tunDemo();
    if (outcome.fallback !== undefined && mode !== 'tun') fallback = outcome.fallback;
    else if (outcome.fallback !== undefined) throw new Error(outcome.fallback);
  } else if (mode === 'tun') {
    throw new Error(`cannot run on a TUN device: ${fallback}`);
  }
  if (fallback !== undefined) await memoryDemo(fallback);
} catch (err) {
  console.error(`\nstart: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

/** Why the TUN demo cannot run here, or undefined when it can. */
function tunUnavailable() {
  if (process.platform !== 'linux') return `this is ${process.platform}, and TUN devices are Linux's`;
  if (process.getuid?.() !== 0) return 'not root (a network namespace and a TUN device need root)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  for (const tool of ['ip', 'wget']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
      return `the '${tool}' command is missing`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// On a TUN device, in a namespace of its own.

async function tunDemo() {
  const ns = `pilha-start-${process.pid}`;
  const children = new Set();
  let deleted = false;
  const cleanup = () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!deleted) {
      deleted = true;
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    }
  };
  const onSignal = (signal) => {
    console.error(`\nstart: ${signal}, deleting namespace ${ns}`);
    cleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);

  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (add.status !== 0) {
    deleted = true;
    detach();
    return { fallback: `'ip netns add' failed: ${(add.stderr ?? '').trim() || `exit ${add.status}`}` };
  }
  const inNs = (cmd, cmdArgs) => {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...cmdArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  try {
    spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    console.log(`pilha: the main demo, in network namespace ${ns} (created now, deleted at the end)\n`);

    const server = startProcess(
      inNs(process.execPath, [
        CLI,
        'http',
        '--tun',
        'pilha0',
        '--address',
        PILHA,
        '--host-address',
        `${KERNEL}/24`,
        '--port',
        String(PORT),
        // Warnings, and the app layer's summary of each connection as it closes (JSON lines: stderr is a pipe).
        '--log',
        'warn,app=info',
      ]),
    );
    try {
      await server.waitForStdout(/listening on /, 15_000);
    } catch (err) {
      return {
        fallback: `pilha http did not start on a TUN device: ${firstLine(server.stderr) ?? err.message}`,
      };
    }
    console.log(`pilha http on TUN device pilha0: pilha at ${PILHA}:${PORT} with its own IPv4 and TCP, the`);
    console.log(`kernel at ${KERNEL}/24. The kernel's wget downloads over it, each body SHA-256 checked:\n`);

    const results = [];
    for (const path of DOWNLOADS) {
      const closedBefore = connectionSummaries(server.stderr).length;
      const url = `http://${PILHA}:${PORT}${path}`;
      const wget = inNs('wget', ['-q', '-O', '-', url]);
      const started = performance.now();
      const body = await hashStream(wget);
      const durationMs = performance.now() - started;
      if (body.code !== 0) throw new Error(`wget ${url} exited ${body.code}: ${body.stderr.trim()}`);
      // pilha logs the connection once wget's FIN has closed it.
      const summary = await waitFor(() => connectionSummaries(server.stderr)[closedBefore], 5000);
      results.push({ path, bytes: body.bytes, durationMs, sha256: body.sha256, summary });
      console.log(downloadLine(results.at(-1)));
    }
    checkDownloads(results);

    server.child.kill('SIGINT');
    const code = await server.exited;
    if (code !== 0) throw new Error(`pilha http exited ${code} on SIGINT: ${server.stderr.slice(-500)}`);
    console.log();
    printConnections(results);
    const totals = jsonLine(server.stdout, 'totals');
    const tcp = jsonLine(server.stdout, 'tcp');
    if (totals !== undefined) {
      console.log(
        `pilha http totals: ${totals.connections} connections, ${totals.requests} requests, ` +
          `${totals.bytesSent.toLocaleString('en-US')} bytes sent`,
      );
    }
    if (tcp !== undefined) {
      console.log(
        `pilha's TCP layer: ${tcp.segmentsSent} segments sent, ${tcp.retransmitted} retransmitted, ` +
          `${tcp.segmentsReceived} received; the full counters are the 'tcp {...}' line of pilha http on Ctrl-C`,
      );
    }

    console.log(`\npilha pings the kernel with ${PING.size}-byte datagrams (pilha1): each request leaves in`);
    console.log('fragments, and each reply comes back in fragments that pilha reassembles:\n');
    const ping = startProcess(
      inNs(process.execPath, [
        CLI,
        'ping',
        KERNEL,
        '--tun',
        'pilha1',
        '--host-address',
        `${KERNEL}/24`,
        '--address',
        PILHA,
        '--size',
        String(PING.size),
        '--count',
        String(PING.count),
        '--interval',
        String(PING.intervalMs / 1000),
      ]),
    );
    const pingCode = await ping.exited;
    process.stdout.write(ping.stdout.replace(/^(?=.)/gm, '  '));
    if (pingCode !== 0) throw new Error(`pilha ping exited ${pingCode}: ${ping.stderr.trim()}`);
    const reassembled = ping.stdout.match(/reassembled id=/g)?.length ?? 0;
    if (reassembled !== PING.count)
      throw new Error(`${reassembled} of ${PING.count} replies were reassembled`);

    console.log(`\nDone: every byte as served, every ping answered. Namespace ${ns} deleted.`);
    return {};
  } finally {
    cleanup();
    detach();
  }

  function detach() {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
  }
}

/** A child's output collected as it comes, and its exit code. */
function startProcess(child) {
  const proc = { child, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (proc.stdout += d));
  child.stderr.on('data', (d) => (proc.stderr += d));
  proc.exited = new Promise((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  proc.waitForStdout = (pattern, timeoutMs) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no '${pattern.source}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (pattern.test(proc.stdout)) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      proc.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited ${code}`));
      });
      check();
    });
  return proc;
}

/** Hashes and counts what a child writes to stdout (wget -O -), so nothing is written to disk. */
function hashStream(child) {
  const hash = createHash('sha256');
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, bytes, sha256: hash.digest('hex'), stderr })),
  );
}

/** The `summary` of each 'http connection closed' JSON log line, in order. */
function connectionSummaries(stderr) {
  const out = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line);
      if (typeof entry.msg === 'string' && entry.msg.includes('connection closed')) out.push(entry);
    } catch {
      // A partial line still arriving; read again next time.
    }
  }
  return out;
}

function jsonLine(stdout, prefix) {
  const m = new RegExp(`^${prefix} (\\{.*\\})$`, 'm').exec(stdout);
  return m === null ? undefined : JSON.parse(m[1]);
}

function firstLine(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
}

async function waitFor(get, timeoutMs) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (performance.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---------------------------------------------------------------------------------------------------------
// In memory: the same composition, both ends in this process.

async function memoryDemo(reason) {
  console.log(`pilha: the main demo over an in-memory link, not on a TUN device: ${reason}.`);
  console.log(
    "(As root with /dev/net/tun, `npm start` runs pilha on a TUN device against the kernel's wget.)\n",
  );
  const [clientEnd, serverEnd] = MemoryLink.pair(1500, (run) => setImmediate(run));
  const server = await buildHttpStack(
    stackConfig({ address: PILHA }),
    { transport: 'pilha' },
    { baseLink: serverEnd },
  );
  const client = await buildTcpStack(stackConfig({ address: KERNEL }), { baseLink: clientEnd });
  // pilha's timers are unref'd (an idle stack never holds a process open): hold it open while the demo runs.
  const keepAlive = setInterval(() => {}, 1000);
  // The app's server sockets, kept to read their statistics once each connection has really ended: node:http
  // closes the socket after a `Connection: close` response while pilha's TCP may still be sending its end.
  const sockets = [];
  const listener = server.transport.createServer(
    (socket) => {
      sockets.push(socket);
      server.app.handleConnection(socket);
    },
    { allowHalfOpen: true },
  );
  try {
    await listener.listen(PORT);
    console.log(
      `pilha http (HttpApp, node:http on pilha's TCP) at ${PILHA}:${PORT}; pilha's own HTTP client`,
    );
    console.log(
      `(httpGet, node:http's client on pilha's TCP) at ${KERNEL}, a MemoryLink between them, MTU 1500.`,
    );
    console.log('Each body SHA-256 checked:\n');
    const results = [];
    for (const path of DOWNLOADS) {
      const index = sockets.length;
      const got = await httpGet(client.transport, `http://${PILHA}:${PORT}${path}`);
      if (!got.ok) throw new Error(`GET ${path}: ${got.status} ${got.statusText}`);
      const ended = (state) => state === 'CLOSED' || state === 'TIME_WAIT';
      const stats = await waitFor(() => {
        const s = sockets[index]?.stats();
        return s !== undefined && ended(s.state) ? s : undefined;
      }, 5000);
      const summary = { stats: stats ?? sockets[index]?.stats() };
      results.push({ path, bytes: got.bytes, durationMs: got.durationMs, sha256: got.sha256, summary });
      console.log(downloadLine(results.at(-1)));
    }
    checkDownloads(results);
    console.log();
    printConnections(results);
    const totals = server.app.totals();
    const tcp = server.tcpStack.tcp.stats();
    console.log(
      `pilha http totals: ${totals.connections} connections, ${totals.requests} requests, ` +
        `${totals.bytesSent.toLocaleString('en-US')} bytes sent`,
    );
    console.log(
      `server's TCP layer: ${tcp.segmentsSent} segments sent, ${tcp.retransmitted} retransmitted, ` +
        `${tcp.segmentsReceived} received`,
    );

    console.log(
      `\nThe client's stack pings the server's with ${PING.size}-byte datagrams: each request and reply`,
    );
    console.log('crosses in fragments, reassembled at the other end:\n');
    const pinger = await client.container.getAsync(TOKENS.Pinger);
    const target = parseIpv4(PILHA);
    const summary = await pinger.run(
      { target, size: PING.size, count: PING.count, intervalMs: PING.intervalMs, waitMs: 2000 },
      (reply) => console.log(`  ${formatPingReply(target, reply)}`),
    );
    const reassembled = summary.replies.filter((r) => r.reassembly !== undefined && r.dataMatches).length;
    if (summary.received !== PING.count || reassembled !== PING.count) {
      throw new Error(
        `${summary.received} of ${PING.count} pings answered, ${reassembled} reassembled and right`,
      );
    }
    console.log('\nDone (in memory): every byte as served, every ping answered.');
  } finally {
    clearInterval(keepAlive);
    await listener.close();
    await server.close();
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The report, the same for both.

function downloadLine(r) {
  const seconds = r.durationMs / 1000;
  const ok = r.sha256 === expected.get(r.path);
  const retransmitted = r.summary?.stats?.retransmitted;
  return (
    `  GET ${r.path.padEnd(17)} ${r.bytes.toLocaleString('en-US').padStart(11)} bytes in ${seconds.toFixed(3)} s, ` +
    `${(r.bytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s, ` +
    `${retransmitted === undefined ? '?' : retransmitted} retransmitted, ` +
    `SHA-256 ${ok ? 'as served' : `MISMATCH (${r.sha256})`}`
  );
}

function checkDownloads(results) {
  for (const r of results) {
    if (r.sha256 !== expected.get(r.path)) {
      throw new Error(`GET ${r.path}: SHA-256 ${r.sha256}, expected ${expected.get(r.path)}`);
    }
    // The report promises each connection's statistics: pilha http logs them as JSON when stderr is no terminal.
    if (typeof r.summary?.stats?.retransmitted !== 'number') {
      throw new Error(`GET ${r.path}: no statistics for its connection (${JSON.stringify(r.summary)})`);
    }
  }
}

/** Each connection's final statistics, as pilha's TCP kept them (what `ss -ti` would show). */
function printConnections(results) {
  for (const r of results) {
    const s = r.summary.stats;
    console.log(
      `connection for GET ${r.path}, pilha's side (${s.localAddress}:${s.localPort} → ${s.remoteAddress}:${s.remotePort}), final stats:`,
    );
    console.log(
      `  state ${s.state}, mss ${s.mss}, cwnd ${s.cwnd}, ssthresh ${s.ssthresh}, srtt ${fmtMs(s.srtt)}, ` +
        `rto ${fmtMs(s.rto)}, window scale ${s.sndWscale}/${s.rcvWscale}, timestamps ${s.timestamps ? 'on' : 'off'}`,
    );
    console.log(
      `  ${s.segmentsSent} segments sent, ${s.segmentsReceived} received, ${s.bytesAcked.toLocaleString('en-US')} bytes acked; ` +
        `${s.retransmitted} retransmitted (${s.fastRetransmits} fast, ${s.timeouts} timeouts), ${s.dupAcks} duplicate ACKs`,
    );
  }
}

function fmtMs(ms) {
  return ms === undefined || ms === null ? '-' : `${Number(ms).toFixed(ms < 10 ? 2 : 0)} ms`;
}
