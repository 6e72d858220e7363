// The benchmark's loss section (issue 8, "Measured targets"): pilha and the kernel side by side on a lossy
// path, and pilha alone under duplication, reordering and 64 parallel flows. run.mjs calls it (also alone:
// `node bench/run.mjs --only loss`).
//
//   (a) wget of /bytes/N (20 MiB) from `pilha http` on a TUN device started with `--impair loss=p` (both
//       directions), p = 1%, 2%, 5%, 10%: MB/s, pilha's retransmitted segments, fast retransmits and RTOs (its
//       `tcp` totals at exit, one server per run so each run's counters are its own), byte-exact (sha256);
//   (b) the same from `pilha http --transport kernel` across a veth pair, the loss made by an nftables rule
//       dropping TCP with probability p on each namespace's input hook (so both directions), segmentation
//       offloads off on both ends so one drop is one segment, once with CUBIC and once with BBR (set per
//       namespace): MB/s, the server namespace's TcpRetransSegs and TcpExtTCPTimeouts (RTOs), diffed around the run;
//   (c) pilha with `--impair duplicate=0.1` and with `--impair reorder=0.1`, no loss: retransmitted segments
//       as a share of segments sent;
//   (e) the same loss at the same round trip: pilha with `--impair loss=p,delay=2.5` against the kernel's CUBIC
//       through impaired-relay.mjs (two TUN devices moved into a client and a server namespace, the same seeded
//       ImpairedLink between them), 4 MiB each. Over veth the kernel's round trip is tens of microseconds and
//       pilha's (TUN and node's event loop) half a millisecond or more; a loss-limited window delivers in
//       proportion to 1/RTT, so (b) compares path lengths as much as loss recovery, and (e) isolates the latter;
//   (d) 64 wgets at once against one `pilha http` (no impairment): drops at the TUN device's queue toward
//       pilha (tx_dropped), pilha's reader backlog drops, RTOs, and Jain's index of the per-flow throughputs;
//       and the same 64 wgets against the kernel over the veth pair, for its Jain's index.
//
// Its namespaces (pilha-bench-<pid>-l*) and addresses (10.203/10.204) are its own, deleted when it ends (and
// by the harness's cleanup on failure or a signal).

import { performance } from 'node:perf_hooks';
import {
  counterDiff,
  createNamespace,
  createVethPair,
  deleteNamespace,
  hasTool,
  lastLines,
  median,
  parallelFlows,
  round,
  runIn,
  servedSha256,
  sh,
  signalReport,
  startIn,
  step,
  stopServer,
  tunDeviceArgs,
  waitForOutput,
} from './harness.mjs';

export const LOSS_RATES = [0.01, 0.02, 0.05, 0.1];
const NS = {
  tun: `pilha-bench-${process.pid}-ltun`,
  srv: `pilha-bench-${process.pid}-lsrv`,
  cli: `pilha-bench-${process.pid}-lcli`,
  relay: `pilha-bench-${process.pid}-lrly`,
};
const TUN = { dev: 'plbench0', host: '10.203.0.1', pilha: '10.203.0.2', prefix: 24 };
const VETH = { srv: '10.204.0.1', cli: '10.204.0.2', prefix: 24, srvDev: 'pls0', cliDev: 'plc0' };
/** The relay's devices, once moved: the client's end and the server's end, each a /24 routed over it. */
const RELAY = { cliDev: 'plrc0', srvDev: 'plrs0', cli: '10.205.0.1', srv: '10.205.1.1', prefix: 24 };
/** One-way delay of the equal-round-trip comparison (e): a 5 ms round trip on both paths. */
export const EQUAL_RTT_DELAY_MS = 2.5;
export const EQUAL_RTT_BYTES = 4 * 2 ** 20;
const PORT = 7000;
const NFT_TABLE = 'pilhabench';
const SERVER_START_TIMEOUT_MS = 30_000;
export const FLOWS = 64;
export const FLOW_BYTES = 16_000_000;
/** The seed of pilha's impairment in run i (the kernel's nftables randomness cannot be seeded). */
const seedOf = (i) => 1 + i;

/** The defaults run.mjs offers as --loss-repeat, --loss-bytes and --loss-timeout. */
export const LOSS_DEFAULTS = {
  lossRepeat: 1,
  /**
   * Untimed downloads each pilha server makes first, through the same impairment: a fresh node process runs
   * its first 20 MiB partly in the interpreter (the main section warms its servers the same way). Its
   * counters are then the timed download's alone: a SIGUSR2 snapshot before it, subtracted from the totals.
   */
  lossWarmup: 1,
  lossBytes: 20 * 2 ** 20,
  lossTimeoutMs: 600_000,
  lossRates: LOSS_RATES,
  lossQuick: false,
};

/** What a section run needs before it starts; an empty list when it can run. */
export function lossPreflight() {
  return ['wget', 'nft', 'ethtool', 'sha256sum', 'timeout', 'bash', 'flock']
    .filter((t) => !hasTool(t))
    .map((t) => `the loss section needs '${t}'`);
}

// ------------------------------------------------------------------------------------------------ setup

function createLossNamespaces() {
  for (const ns of Object.values(NS)) createNamespace(ns);
  createVethPair(NS.srv, NS.cli, VETH);
  for (const [ns, dev] of [
    [NS.srv, VETH.srvDev],
    [NS.cli, VETH.cliDev],
  ]) {
    // One nftables drop must be one segment on the wire, as one --impair drop is for pilha (which does no
    // segmentation offload): no TSO/GSO super-segments on send, no GRO merging on receive.
    sh('ip', ['netns', 'exec', ns, 'ethtool', '-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off']);
  }
}

function nft(ns, ...args) {
  return sh('ip', ['netns', 'exec', ns, 'nft', ...args]);
}

/** Drops TCP with probability perMille/1000 on the input hook of both veth namespaces (0: no rule at all). */
function setKernelLoss(perMille) {
  for (const ns of [NS.srv, NS.cli]) {
    try {
      nft(ns, 'delete', 'table', 'inet', NFT_TABLE);
    } catch {}
    if (perMille === 0) continue;
    nft(ns, 'add', 'table', 'inet', NFT_TABLE);
    nft(
      ns,
      'add',
      'chain',
      'inet',
      NFT_TABLE,
      'input',
      '{ type filter hook input priority 0 ; policy accept ; }',
    );
    nft(
      ns,
      'add',
      'rule',
      'inet',
      NFT_TABLE,
      'input',
      'meta l4proto tcp numgen random mod 1000 <',
      String(perMille),
      'counter drop',
    );
  }
}

/**
 * The congestion control of connections across the veth pair, pinned on the route in both namespaces (`ip route
 * ... congctl`; a namespace may only set the sysctl to an algorithm the host allows). The kernel column is
 * CUBIC, Linux's default and the algorithm issue 8 compares with, whatever the machine's own default is (BBR
 * on the development machine, which does not cut its window on random loss); BBR runs beside it.
 */
/** The /24 that `addr` is in (every bench address here is in a /24), as `ip route` takes it. */
const subnet24 = (addr) => `${addr.split('.').slice(0, 3).join('.')}.0/24`;

function setKernelCongestionControl(name) {
  const subnet = subnet24(VETH.srv);
  for (const [ns, dev] of [
    [NS.srv, VETH.srvDev],
    [NS.cli, VETH.cliDev],
  ])
    sh('ip', ['-n', ns, 'route', 'replace', subnet, 'dev', dev, 'congctl', name]);
}

/** Whether the kernel can run `name` (loading its module if needed, as the sysctl does for root). */
function kernelHasCongestionControl(name) {
  try {
    setKernelCongestionControl(name);
    return true;
  } catch {
    return false;
  }
}

/** Packets the loss rules dropped so far, per namespace. */
function kernelDrops() {
  const drops = {};
  for (const [name, ns] of [
    ['toServer', NS.srv],
    ['toClient', NS.cli],
  ]) {
    const m = /counter packets (\d+)/.exec(nft(ns, 'list', 'table', 'inet', NFT_TABLE));
    drops[name] = m === null ? 0 : Number(m[1]);
  }
  return drops;
}

/** The server namespace's TCP counters (/proc/net/snmp Tcp: and /proc/net/netstat TcpExt:), by name. */
function kernelTcpCounters() {
  const counters = {};
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = sh('ip', ['netns', 'exec', NS.srv, 'cat', file]).trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i].split(/\s+/);
      const values = lines[i + 1].split(/\s+/);
      const prefix = names[0].replace(':', '');
      if (prefix !== 'Tcp' && prefix !== 'TcpExt') continue;
      for (let j = 1; j < names.length; j++) counters[`${prefix}${names[j]}`] = Number(values[j]);
    }
  }
  return counters;
}

const KERNEL_COUNTERS = {
  segmentsSent: 'TcpOutSegs',
  retransmitted: 'TcpRetransSegs',
  fastRetransmits: 'TcpExtTCPFastRetrans',
  timeouts: 'TcpExtTCPTimeouts',
  lossProbes: 'TcpExtTCPLossProbes',
  sackRecoveries: 'TcpExtTCPSackRecovery',
  spuriousRtos: 'TcpExtTCPSpuriousRTOs',
};

function kernelDiff(before, after) {
  const out = {};
  for (const [key, name] of Object.entries(KERNEL_COUNTERS))
    out[key] = (after[name] ?? 0) - (before[name] ?? 0);
  return out;
}

// ------------------------------------------------------------------------------------------------ servers

async function startPilha(impair) {
  const args = ['http', ...tunDeviceArgs(TUN.dev, TUN), '--port', String(PORT), '--log', 'warn'];
  if (impair !== undefined) args.push('--impair', impair);
  return startListening(NS.tun, args, `pilha http --impair ${impair ?? '(none)'}`);
}

async function startKernel() {
  const args = [
    'http',
    '--transport',
    'kernel',
    '--listen-host',
    '0.0.0.0', // the veth pair's address and the relay's
    '--port',
    String(PORT),
    '--log',
    'warn',
  ];
  return startListening(NS.srv, args, 'pilha http --transport kernel');
}

async function startListening(ns, cliArgs, what) {
  const child = startIn(ns, process.execPath, [CLI, ...cliArgs]);
  try {
    await waitForOutput(child, /listening on (http:\/\/\S+)/, SERVER_START_TIMEOUT_MS, what);
  } catch (err) {
    await stopServer({ child });
    throw err;
  }
  return { child };
}

/**
 * Runs `body` with a pilha server, returning its result and pilha's counters (tcp, link): the totals at
 * exit, less the snapshot `body` took (server.snapshot, from signalReport) if it took one.
 */
async function withPilha(impair, body) {
  const server = await startPilha(impair);
  let result;
  try {
    result = await body(server);
  } finally {
    const final = await stopServer(server);
    server.final = final;
  }
  const { tcp, stats } = server.final;
  if (tcp === undefined || stats === undefined) throw new Error('pilha printed no tcp/stats totals at exit');
  const before = server.snapshot;
  if (before === undefined) return { result, tcp, link: stats.link };
  return { result, tcp: counterDiff(tcp, before.tcp), link: counterDiff(stats.link, before.stats.link) };
}

// ------------------------------------------------------------------------------------------------ clients

let CLI;
const RELAY_SCRIPT = new URL('./impaired-relay.mjs', import.meta.url).pathname;
/**
 * One wget of /bytes/LENGTH from `host`, hashed as it arrives (nothing on disk), timed inside the namespace
 * (from wget's start to its end, by bash's own clock: no process to start), killed by `timeout` inside the
 * namespace if it runs too long. wget's own read timeout is the same (a lossy transfer may sit out a long RTO
 * backoff); its errors (-nv) and exit code (4: network failure, 137: killed at the timeout) are kept.
 */
async function timedWget(ns, host, length, timeoutMs) {
  const url = `http://${host}:${PORT}/bytes/${length}`;
  const seconds = Math.ceil(timeoutMs / 1000);
  const script =
    `set -o pipefail; s=\${EPOCHREALTIME/./}; ` +
    `h=$(timeout -s KILL ${seconds} wget -nv -O - --tries=1 --timeout=${seconds} --no-proxy ${url} | sha256sum) || exit $?; ` +
    `e=\${EPOCHREALTIME/./}; echo "$h $s $e"`;
  const r = await runIn(ns, 'bash', ['-c', script], timeoutMs + 15_000);
  if (r.timedOut || r.code !== 0) {
    const why =
      r.ms >= timeoutMs
        ? `did not finish within ${seconds} s (under ${round(length / seconds / 1e6, 3)} MB/s)`
        : `exited ${r.code ?? r.signal} after ${round(r.ms / 1000, 1)} s`;
    return { ok: false, error: `wget ${why}: ${lastLines(r.stderr, 2)}`.trim(), ms: r.ms };
  }
  const [sha256 = '', , start = '0', end = '0'] = r.stdout.trim().split(/\s+/);
  const s = (Number(end) - Number(start)) / 1e6;
  return {
    ok: true,
    seconds: round(s, 3),
    // Three decimals below 1 MB/s: a 10%-loss transfer runs at a few hundredths.
    mbPerSecond: round(length / s / 1e6, length / s < 1e6 ? 3 : 2),
    byteExact: sha256 === (await servedSha256(length)),
  };
}

function requireOk(download, what) {
  if (!download.ok) throw new Error(`${what}: ${download.error}`);
  if (!download.byteExact) throw new Error(`${what}: the bytes differ from what pilha http serves (sha256)`);
  return download;
}

function medians(runs, keys) {
  const out = {};
  for (const k of keys) out[k] = median(runs.map((r) => r[k]));
  return out;
}

export const pct = (p) => `${round(p * 100, 1)}%`;

// -------------------------------------------------------------------------------------------------- steps

/** What a run reports and its step gives the median of, pilha's and the kernel's alike. */
const RUN_KEYS = ['mbPerSecond', 'seconds', 'retransmitted', 'fastRetransmits', 'timeouts', 'segmentsSent'];

async function pilhaLossRun(impair, opts, bytes = opts.lossBytes) {
  const runs = [];
  for (let i = 0; i < opts.lossRepeat; i++) {
    const spec = `${impair},seed=${seedOf(i)}`;
    const { result, tcp, link } = await withPilha(spec, async (server) => {
      const warmup = opts.lossWarmup ?? LOSS_DEFAULTS.lossWarmup;
      for (let w = 0; w < warmup; w++) {
        requireOk(await timedWget(NS.tun, TUN.pilha, bytes, opts.lossTimeoutMs), `warm-up of run ${i + 1}`);
      }
      if (warmup > 0) server.snapshot = await signalReport(server, 'counters');
      return timedWget(NS.tun, TUN.pilha, bytes, opts.lossTimeoutMs);
    });
    requireOk(result, `run ${i + 1}`);
    runs.push({
      impair: spec,
      seconds: result.seconds,
      mbPerSecond: result.mbPerSecond,
      segmentsSent: tcp.segmentsSent,
      retransmitted: tcp.retransmitted,
      fastRetransmits: tcp.fastRetransmits,
      timeouts: tcp.timeouts,
      dupAcks: tcp.dupAcks,
      sackAcksSent: tcp.sackAcksSent,
      linkDropLoss: link.dropLoss,
      linkDuplicated: link.duplicated,
      linkReordered: link.reordered,
      // The TUN device's, under the impairment: super-segments written and the segments they carried.
      txGsoPackets: link['inner.txGsoPackets'] ?? 0,
      txGsoSegments: link['inner.txGsoSegments'] ?? 0,
    });
  }
  return { runs, ...medians(runs, [...RUN_KEYS, 'txGsoPackets', 'txGsoSegments']) };
}

async function kernelLossRun(p, opts, congestionControl) {
  const perMille = Math.round(p * 1000);
  const runs = [];
  setKernelCongestionControl(congestionControl);
  try {
    for (let i = 0; i < opts.lossRepeat; i++) {
      setKernelLoss(perMille); // fresh counters for each run
      const before = kernelTcpCounters();
      const result = requireOk(
        await timedWget(NS.cli, VETH.srv, opts.lossBytes, opts.lossTimeoutMs),
        `run ${i + 1}`,
      );
      const after = kernelTcpCounters();
      runs.push({
        seconds: result.seconds,
        mbPerSecond: result.mbPerSecond,
        ...kernelDiff(before, after),
        nftDrops: kernelDrops(),
      });
    }
  } finally {
    setKernelLoss(0);
  }
  return { runs, ...medians(runs, RUN_KEYS) };
}

/**
 * Runs `body` with impaired-relay.mjs forwarding between the client and server namespaces with `impair`: the
 * relay opens its two TUN devices in its own namespace, and they are moved to the client's and the server's
 * (a moved device loses its addresses, and is given the namespace's own here). The server's route over it
 * pins CUBIC. Each run gets a new relay, so each run's seed starts afresh.
 */
async function withRelay(impair, body) {
  const child = startIn(NS.relay, process.execPath, [RELAY_SCRIPT, RELAY.cliDev, RELAY.srvDev, impair]);
  const relay = { child };
  try {
    await waitForOutput(child, /relaying/, SERVER_START_TIMEOUT_MS, 'bench/impaired-relay.mjs');
    for (const [ns, dev, addr, peer] of [
      [NS.cli, RELAY.cliDev, RELAY.cli, RELAY.srv],
      [NS.srv, RELAY.srvDev, RELAY.srv, RELAY.cli],
    ]) {
      sh('ip', ['-n', NS.relay, 'link', 'set', dev, 'netns', ns]);
      sh('ip', ['-n', ns, 'addr', 'add', `${addr}/${RELAY.prefix}`, 'dev', dev]);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      sh('ip', ['-n', ns, 'route', 'add', subnet24(peer), 'dev', dev, 'congctl', 'cubic']);
    }
    return await body();
  } finally {
    await stopServer(relay);
  }
}

async function kernelRelayRun(impair, opts) {
  const runs = [];
  for (let i = 0; i < opts.lossRepeat; i++) {
    const spec = `${impair},seed=${seedOf(i)}`;
    const before = kernelTcpCounters();
    const result = await withRelay(spec, () =>
      timedWget(NS.cli, RELAY.srv, EQUAL_RTT_BYTES, opts.lossTimeoutMs),
    );
    requireOk(result, `run ${i + 1}`);
    runs.push({
      impair: spec,
      seconds: result.seconds,
      mbPerSecond: result.mbPerSecond,
      ...kernelDiff(before, kernelTcpCounters()),
    });
  }
  return { runs, ...medians(runs, RUN_KEYS) };
}

function tunTxDropped() {
  return Number(
    sh('ip', ['netns', 'exec', NS.tun, 'cat', `/sys/class/net/${TUN.dev}/statistics/tx_dropped`]),
  );
}

// --------------------------------------------------------------------------------------------------- main

/**
 * Runs the whole loss section, pushing its steps onto `steps` (names start with "loss "). Never throws for a
 * failed measurement; `cli` is dist/cli/main.js.
 */
export async function lossSection(steps, opts, cli) {
  CLI = cli;
  const began = performance.now();
  try {
    const setup = await step(steps, 'loss setup', async () => {
      createLossNamespaces();
      return { summary: `namespaces ${Object.values(NS).join(', ')}` };
    });
    if (!setup.ok) return;

    const rates = opts.lossRates ?? LOSS_RATES;
    for (const p of rates) {
      await step(steps, `loss pilha p=${pct(p)}`, async () => {
        const r = await pilhaLossRun(`loss=${p}`, opts);
        return {
          ...r,
          summary: `${r.mbPerSecond} MB/s, retransmits/fast/RTOs ${r.retransmitted}/${r.fastRetransmits}/${r.timeouts}`,
        };
      });
    }

    let kernel;
    const kernelStart = await step(steps, 'loss kernel server start', async () => {
      kernel = await startKernel();
      return {};
    });
    if (kernelStart.ok) {
      try {
        const algorithms = ['cubic', 'bbr'].filter(
          (cc) => cc === 'cubic' || (!opts.lossQuick && kernelHasCongestionControl(cc)),
        );
        for (const cc of algorithms) {
          for (const p of rates) {
            await step(steps, `loss kernel ${cc} p=${pct(p)}`, async () => {
              const r = await kernelLossRun(p, opts, cc);
              return {
                ...r,
                congestionControl: cc,
                summary: `${cc}: ${r.mbPerSecond} MB/s, retransmits/fast/RTOs ${r.retransmitted}/${r.fastRetransmits}/${r.timeouts}`,
              };
            });
          }
        }
        setKernelCongestionControl('cubic');
        if (opts.lossQuick) return;
        await step(steps, `loss kernel ${FLOWS} flows`, async () => {
          const before = kernelTcpCounters();
          const r = await parallelFlows(NS.cli, VETH.srv, PORT, FLOWS, FLOW_BYTES);
          const k = kernelDiff(before, kernelTcpCounters());
          const withCounters = { ...r, timeouts: k.timeouts, retransmitted: k.retransmitted };
          return { ...withCounters, summary: flowsSummary(withCounters) };
        });
        for (const p of rates) {
          const impair = `loss=${p},delay=${EQUAL_RTT_DELAY_MS}`;
          for (const [who, run] of [
            ['pilha', () => pilhaLossRun(impair, opts, EQUAL_RTT_BYTES)],
            ['kernel cubic', () => kernelRelayRun(impair, opts)],
          ]) {
            await step(steps, `loss equal-rtt ${who} p=${pct(p)}`, async () => {
              const r = await run();
              return {
                ...r,
                summary: `${r.mbPerSecond} MB/s, retransmits/fast/RTOs ${r.retransmitted}/${r.fastRetransmits}/${r.timeouts}`,
              };
            });
          }
        }
      } finally {
        await stopServer(kernel);
      }
    }

    for (const [name, impair] of [
      ['duplicate', 'duplicate=0.1'],
      ['reorder', 'reorder=0.1'],
    ]) {
      await step(steps, `loss pilha ${name}=10%`, async () => {
        const r = await pilhaLossRun(impair, opts);
        const share = r.segmentsSent > 0 ? r.retransmitted / r.segmentsSent : 0;
        return {
          ...r,
          retransmittedPercent: round(share * 100, 2),
          summary: `${r.mbPerSecond} MB/s, ${r.retransmitted} of ${r.segmentsSent} segments retransmitted (${round(share * 100, 2)}%)`,
        };
      });
    }

    await step(steps, `loss pilha ${FLOWS} flows`, async () => {
      let txDropped = 0;
      const { result, tcp, link } = await withPilha(undefined, async () => {
        const before = tunTxDropped();
        const r = await parallelFlows(NS.tun, TUN.pilha, PORT, FLOWS, FLOW_BYTES);
        txDropped = tunTxDropped() - before;
        return r;
      });
      const r = {
        ...result,
        tunTxDropped: txDropped,
        // The TUN link's own counters (prefixed inner. when an impairment wraps it; none does here).
        readerBacklogDrops: link.rxBacklogDrops ?? link['inner.rxBacklogDrops'],
        readerStalls: link.rxStalls ?? link['inner.rxStalls'],
        txQueueLength: link.txQueueLength ?? link['inner.txQueueLength'],
        deviceTxDropped: link.deviceTxDropped ?? link['inner.deviceTxDropped'],
        timeouts: tcp.timeouts,
        retransmitted: tcp.retransmitted,
      };
      return {
        ...r,
        summary: `${flowsSummary(r)}; TUN queue drops ${r.tunTxDropped}, reader drops ${r.readerBacklogDrops}`,
      };
    });
  } finally {
    for (const ns of Object.values(NS)) deleteNamespace(ns);
    steps.push({
      name: 'loss section',
      ok: true,
      seconds: round((performance.now() - began) / 1000, 1),
      summary: 'done',
    });
  }
}

function flowsSummary(r) {
  const bad = r.failed + r.notByteExact > 0 ? `, ${r.failed} failed, ${r.notByteExact} not byte-exact` : '';
  return `Jain's index ${r.jainIndex} (${r.minMbPerSecond}–${r.maxMbPerSecond} MB/s per flow), ${r.timeouts} RTOs${bad}`;
}
