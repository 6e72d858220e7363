import { execFileSync } from 'node:child_process';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { PilhaError } from '../core/errors.js';
import { formatIpv4 } from '../core/ipv4-address.js';
import { formatMac } from '../core/mac-address.js';
import type { NetworkStack, ServingApp, TcpStack } from '../di/compositions.js';
import type { StackConfig } from '../di/stack-config.js';
import { lingerWhileClosing } from './close-linger.js';
import type { ReadyFile } from './files/ready-file.js';
import { setMallocTrimThreshold } from './runtime/malloc-trim-threshold.js';
import { MallocTrimmer } from './runtime/malloc-trimmer.js';
import { capYoungGeneration } from './runtime/young-generation-cap.js';
import type { StackOptionValues } from './stack-options.js';

/**
 * The signals that stop a long-running command cleanly (its connections closed, its counters printed, what it
 * changed on the host put back): SIGHUP too, as when its terminal goes, which used to end it on the spot.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The stopping signal that came while a command was starting (holdStopSignals), not yet taken by untilSignal. */
let heldSignal: NodeJS.Signals | undefined;

function holdSignal(signal: NodeJS.Signals): void {
  if (heldSignal === undefined) {
    heldSignal = signal;
    return;
  }
  // A second one: the user means it. Node's own handling (the process ends by the signal).
  releaseHeldSignals();
  process.kill(process.pid, signal);
}

function releaseHeldSignals(): void {
  for (const s of STOP_SIGNALS) process.off(s, holdSignal);
}

/**
 * From here until the command waits for signals (untilSignal), a stopping signal is held instead of ending
 * the process: a command stopped while it builds its stack then stops as on a signal once the stack is up,
 * putting back what it changed on the host (a raw link's nftables table, a packet link's offloads), where it
 * used to die with them left behind. A second signal meanwhile ends it at once, as Node would.
 */
export function holdStopSignals(): void {
  for (const s of STOP_SIGNALS) process.on(s, holdSignal);
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (at once with one held since holdStopSignals); `stop` resolves
 * it early, with no signal, its listeners gone: a promise, or an AbortSignal (once aborted).
 */
export function untilSignal(stop?: Promise<unknown> | AbortSignal): Promise<NodeJS.Signals | undefined> {
  if (stop instanceof AbortSignal) {
    const signal = stop;
    stop = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  const held = heldSignal;
  heldSignal = undefined;
  if (held !== undefined) {
    releaseHeldSignals();
    return Promise.resolve(held);
  }
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals | undefined) => {
      for (const s of STOP_SIGNALS) process.off(s, done);
      resolve(signal);
    };
    for (const s of STOP_SIGNALS) process.on(s, done);
    // Only now: Node closes a signal's handle with its last listener, and a signal that handle had taken in
    // but not yet dispatched goes with it. Released first, a SIGINT sent right as a server said it was up (a
    // test's, a supervisor's) was lost, and the server kept running.
    releaseHeldSignals();
    stop?.then(() => done(undefined));
  });
}

/**
 * Resolves on the first stopping signal (untilSignal), or with the error when `link` fails for good (its device removed, a
 * read failed): a server then stops as on a signal, its counters printed and its link closed (so that what
 * it changed on the host is put back), and exits 1, where it used to end with no word of it once nothing
 * kept Node's event loop alive.
 */
export async function untilStopped(
  link: NetworkStack['link'] | undefined,
): Promise<NodeJS.Signals | PilhaError> {
  if (link?.onFailure === undefined) return (await untilSignal()) as NodeJS.Signals;
  const failed = linkFailure(link);
  // A failure takes the signal listeners away: a Ctrl-C during that shutdown is Node's again (it ends the process).
  return (await untilSignal(failed)) ?? (await failed);
}

/** Resolves with the error when `link` fails for good (RawLink.onFailure); never, for a link that cannot. */
export function linkFailure(link: Pick<NetworkStack['link'], 'onFailure'>): Promise<PilhaError> {
  return new Promise((resolve) => link.onFailure?.(resolve));
}

/** The exit code of a command stopped for `why`: 0 for a signal; 1 for a link that failed, said on stderr. */
export function exitCodeFor(name: string, why: NodeJS.Signals | PilhaError): number {
  if (typeof why === 'string') return 0;
  process.stderr.write(`${name}: ${why.message}; stopping\n`);
  return 1;
}

/** Every layer's counters below TCP, as the `stats` line and the SIGUSR2 `counters` line print them. */
export function layerStats(stack: NetworkStack): Record<'link' | 'ip' | 'icmp', Record<string, number>> {
  return { link: stack.link.stats(), ip: stack.ip.stats(), icmp: stack.icmp.stats() };
}

/**
 * Each SIGUSR2 writes `counters N {...}` to `out`, with what `counters` gives (every layer's counters, as
 * `stats`: layerStats), as the servers do (reportsOnSignal): pilha up's and ping's on stdout, pilha get's on
 * stderr (its stdout may be the body). SIGUSR2 used to end these commands, counters unprinted. Returns the
 * uninstaller.
 */
export function countersOnSignal(out: NodeJS.WritableStream, counters: () => object): () => void {
  let reports = 0;
  const report = () => {
    reports++;
    out.write(`counters ${reports} ${JSON.stringify(counters())}\n`);
  };
  process.on('SIGUSR2', report);
  return () => process.off('SIGUSR2', report);
}

/** One JSON line with every layer's counters, for people and for tests; on an Ethernet link, the ARP cache first. */
export function printStats(stack: NetworkStack): void {
  printArpCache(stack.link);
  process.stdout.write(`stats ${JSON.stringify(layerStats(stack))}\n`);
}

/** An ARP cache entry as the Ethernet layer lists it. */
interface ArpListing {
  readonly ip: number;
  readonly mac?: number;
  readonly state: string;
  readonly ageMs: number;
  readonly queued: number;
}

/** Entries printed at most: a flood can fill the cache (1,024 entries); the rest are counted. */
const MAX_ARP_LINES = 32;

/**
 * The ARP cache, one `arp ...` line per neighbour as `ip neigh` shows them (most recently confirmed first),
 * when the link is an Ethernet layer; nothing on an IP link.
 */
export function printArpCache(link: NetworkStack['link']): void {
  const listing = (link as { arpCache?: () => readonly ArpListing[] }).arpCache;
  if (typeof listing !== 'function') return;
  const entries = [...listing.call(link)].sort((a, b) => a.ageMs - b.ageMs);
  process.stdout.write(`arp cache: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}\n`);
  for (const e of entries.slice(0, MAX_ARP_LINES)) {
    const mac = e.mac === undefined ? '' : ` lladdr ${formatMac(e.mac)}`;
    const queued = e.queued > 0 ? `, ${e.queued} queued` : '';
    process.stdout.write(
      `arp ${formatIpv4(e.ip)}${mac} ${e.state.toUpperCase()} (${(e.ageMs / 1000).toFixed(1)} s${queued})\n`,
    );
  }
  if (entries.length > MAX_ARP_LINES)
    process.stdout.write(`arp ... ${entries.length - MAX_ARP_LINES} more\n`);
}

/** An app's summaries are logged at info on the 'app' layer: on by default unless --log/PILHA_LOG says. */
export function withAppInfo(config: StackConfig, values: StackOptionValues): StackConfig {
  if ((values.log ?? process.env.PILHA_LOG) !== undefined) return config;
  return { ...config, log: { ...config.log, layers: { app: 'info', ...config.log.layers } } };
}

/** The link pilha runs on, in a few words for the "listening" line. */
export function describeLink(config: StackConfig): string {
  const link = config.link;
  if (link.kind === 'tun') {
    return `${link.name}, kernel side ${formatIpv4(link.hostAddress)}/${link.prefixLength}, MTU ${config.mtu}`;
  }
  if (link.kind === 'tap') {
    return `TAP device ${link.name}, kernel side ${formatIpv4(link.hostAddress)}/${link.prefixLength}, MTU ${config.mtu}`;
  }
  if (link.kind === 'packet') {
    return `an AF_PACKET socket on ${link.device} (/${link.prefixLength}), MTU ${config.mtu}`;
  }
  if (link.kind === 'raw') {
    return `a raw socket on the host's address ${formatIpv4(config.address)}, MTU ${config.mtu}`;
  }
  return 'the configured link';
}

/** Where a kernel-side client reaches pilha from: this namespace for a raw link, the TUN's otherwise. */
export function clientHint(command: string, config: StackConfig | undefined): string {
  if (config === undefined || (config.link.kind !== 'tun' && config.link.kind !== 'tap'))
    return `try: ${command}`;
  const namespace = currentNamespace();
  if (namespace !== undefined) {
    return `try: ip netns exec ${namespace} ${command}   (the device is in namespace ${namespace})`;
  }
  return (
    `try: ${command}   (from this network namespace, which holds the TUN device)\n` +
    'hint: to keep the demo off your real network, run both in a namespace of their own: ' +
    'ip netns add pilha-demo; ip netns exec pilha-demo pilha ...; ip netns exec pilha-demo wget ...'
  );
}

/** The name `ip netns` knows this process's network namespace by, if any. */
export function currentNamespace(): string | undefined {
  try {
    const name = execFileSync('ip', ['netns', 'identify', String(process.pid)], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/**
 * Each SIGUSR2 prints `counters N {"totals":…,"stats":…,"tcp":…}`: the same counters as the lines printed at
 * exit, now, as one line (`kill -USR2 PID`, as `dd` reports on a signal; SIGUSR1 stays Node's, for the
 * inspector). Under `node --expose-gc` it first collects garbage (twice: the second pass frees what the
 * first's finalizers released) and prints `memory N {"rssKiB":…,"heapUsedKiB":…,"externalKiB":…,"newSpaceKiB":…}`: the
 * benchmark's per-connection memory, measured without the garbage an idle process keeps until its next
 * collection. Returns the uninstaller.
 */
function reportsOnSignal(
  app: ServingApp,
  tcpStack: TcpStack | undefined,
  trimmer: MallocTrimmer,
  trimThresholdKiB: number | null,
): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  let reports = 0;
  const report = () => {
    reports++;
    if (typeof gc === 'function') {
      const kib = (bytes: number) => Math.round(bytes / 1024);
      const newSpace = () =>
        kib(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0);
      // Before the collection: the young generation's pages written so far hold the objects of connections
      // just accepted, and much of an as-found RSS figure is pages of it written for the first time.
      const asFound = { rssKiB: kib(process.memoryUsage.rss()), newSpaceKiB: newSpace() };
      gc();
      gc();
      const m = process.memoryUsage();
      const line = {
        rssKiB: kib(m.rss),
        heapUsedKiB: kib(m.heapUsed),
        heapTotalKiB: kib(m.heapTotal),
        externalKiB: kib(m.external),
        // V8's young generation as committed: it grows with the allocation rate, not with what is live, and
        // stays grown after a collection (the benchmark tells it apart from the connections' own memory).
        newSpaceKiB: newSpace(),
        // Where the rest goes: per space, [committed, used, physical] KiB, and what V8 itself has malloc'd.
        spaces: Object.fromEntries(
          getHeapSpaceStatistics().map((s) => [
            s.space_name,
            [kib(s.space_size), kib(s.space_used_size), kib(s.physical_space_size)],
          ]),
        ),
        mallocedKiB: kib(getHeapStatistics().malloced_memory),
        // Free malloc memory handed back to the kernel once the process went quiet (malloc-trimmer.ts).
        mallocTrims: trimmer.trims,
        // The fixed trim threshold (null: glibc's own, rising as it goes, or no glibc).
        mallocTrimThresholdKiB: trimThresholdKiB,
        asFound,
      };
      process.stdout.write(`memory ${reports} ${JSON.stringify(line)}\n`);
    }
    const counters =
      tcpStack === undefined
        ? { totals: app.totals() }
        : {
            totals: app.totals(),
            stats: layerStats(tcpStack),
            tcp: tcpStack.tcp.stats(),
          };
    process.stdout.write(`counters ${reports} ${JSON.stringify(counters)}\n`);
  };
  process.on('SIGUSR2', report);
  return () => process.off('SIGUSR2', report);
}

/** Freed memory at the top of a malloc heap that a server keeps: glibc's own starting value, 128 KiB. */
const SERVER_MALLOC_TRIM_THRESHOLD = 128 * 1024;

/** How long the shutdown may take before the process leaves anyway. */
const SHUTDOWN_GRACE_MS = 3000;

/**
 * The life of a long-running server command after it listens: say ready (the signal handler is in place
 * first, so a script that stops it the moment it is ready still gets the totals), wait for SIGINT/SIGTERM,
 * close every connection and let them finish closing (at most CLOSE_LINGER_MS), then print the totals and
 * the stack's counters, which then add up the log.
 */
export async function serveUntilSignal(options: {
  readonly name: string;
  readonly readyLine: string;
  readonly readyFile: ReadyFile;
  readonly app: ServingApp;
  readonly tcpStack: TcpStack | undefined;
  close(): Promise<void>;
}): Promise<void> {
  const stopped = untilStopped(options.tcpStack?.link);
  // Again: the link's reader thread started since, and a new isolate resets what the first call set.
  capYoungGeneration();
  // Fixed at glibc's starting value before the first accepts: V8's compiler threads free their zones at the
  // top of their arenas, and with the threshold glibc had raised while starting, 2-4 MB stayed resident there
  // after a burst of 1,000 accepts, out of malloc_trim's reach (malloc-trim-threshold.ts).
  const trimThresholdSet = setMallocTrimThreshold(SERVER_MALLOC_TRIM_THRESHOLD);
  const trimmer = new MallocTrimmer();
  const stopReports = reportsOnSignal(
    options.app,
    options.tcpStack,
    trimmer,
    trimThresholdSet ? SERVER_MALLOC_TRIM_THRESHOLD / 1024 : null,
  );
  await options.readyFile.ready(options.readyLine);
  const why = await stopped;
  stopReports();
  trimmer.stop();
  await options.readyFile.remove();
  if (typeof why === 'string') process.stdout.write(`\n${options.name}: ${why}, stopping\n`);
  const exitCode = exitCodeFor(options.name, why);
  const exitAnyway = setTimeout(() => process.exit(exitCode), SHUTDOWN_GRACE_MS);
  exitAnyway.unref();
  // A second stopping signal cuts the wait for closing connections short, but the totals are still printed
  // and the link still closed (what it changed on the host put back); a third is Node's (the process ends).
  const hurry = new AbortController();
  const again = (signal: NodeJS.Signals) => {
    for (const s of STOP_SIGNALS) process.off(s, again);
    process.stdout.write(`${options.name}: ${signal} again, not waiting for closing connections\n`);
    hurry.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, again);
  await options.app.close();
  if (options.tcpStack !== undefined) await lingerWhileClosing(options.tcpStack.tcp, undefined, hurry.signal);
  process.stdout.write(`totals ${JSON.stringify(options.app.totals())}\n`);
  if (options.tcpStack !== undefined) {
    printStats(options.tcpStack);
    process.stdout.write(`tcp ${JSON.stringify(options.tcpStack.tcp.stats())}\n`);
  }
  await options.close();
  for (const s of STOP_SIGNALS) process.off(s, again);
  clearTimeout(exitAnyway);
  process.exitCode = exitCode;
}
