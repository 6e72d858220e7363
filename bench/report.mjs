// The main section's Markdown table (bench/results/latest.md, quoted by the README): pilha against the kernel
// per row, with the ratio, under a line that says when and on what machine it was measured.

/** The two MTUs the downloads run at, and the 64 parallel flows' shape (shared with run.mjs). */
export const MTUS = [1500, 65000];
export const FLOWS = 64;
export const FLOW_BYTES = 16_000_000;

export function markdown(report) {
  const find = (name) => report.steps.find((s) => s.name === name);
  /** A step's figure, or why it has none: a step skipped for a missing tool is not a failure. */
  const cell = (s, fmt) =>
    s === undefined
      ? '—'
      : s.ok
        ? fmt(s)
        : isSkipped(s)
          ? s.error.slice(0, 80)
          : `failed: ${s.error.slice(0, 80)}`;
  /** A measurement, or why it is missing: a server that did not start (or a step not run at all). */
  const get = (kind, name, mtu, server = kind) => {
    const found = find(`${kind} ${name}`);
    if (found !== undefined) return found;
    const start = find(`${server} server start MTU ${mtu}`);
    return start !== undefined && !start.ok ? { ok: false, error: 'server did not start' } : undefined;
  };
  const ratioOf = (a, b, key) =>
    a?.ok && b?.ok && a[key] !== undefined && b[key] > 0
      ? (a[key] / b[key]).toFixed(a[key] / b[key] < 0.1 ? 3 : 2)
      : '—';
  const mb = (s) => `${s.mbPerSecond} MB/s`;
  const size =
    report.config.bytes % 2 ** 20 === 0
      ? `${report.config.bytes / 2 ** 20} MiB`
      : `${report.config.bytes} bytes`;
  const e = report.environment;
  const lines = [
    `Measured ${e.date.slice(0, 16).replace('T', ' ')} UTC on ${e.cpu} (${e.cpus} CPUs), Linux ${e.kernel}, Node ${e.node}; TUN offload ${report.config.offload ? 'on' : 'off'}.`,
    '',
    '| measurement | pilha TCP (TUN) | kernel TCP (veth) | pilha / kernel |',
    '|---|---:|---:|---:|',
  ];
  const row = (label, p, k, fmt, key) =>
    lines.push(`| ${label} | ${cell(p, fmt)} | ${cell(k, fmt)} | ${ratioOf(p, k, key)} |`);
  const downloads = [];
  for (const mtu of MTUS) {
    for (const tool of ['wget', 'curl']) {
      const suffix = tool === 'wget' ? '' : ' curl';
      const p = get('pilha', `download${suffix} MTU ${mtu}`, mtu);
      const k = get('kernel', `download${suffix} MTU ${mtu}`, 1500);
      downloads.push({ label: `${tool}, MTU ${mtu}`, p, k });
      row(`${tool} of ${size} from the server, MTU ${mtu}`, p, k, mb, 'mbPerSecond');
    }
  }
  // The warm-up before those rows: what a server new to bulk downloads reads (the kernel's MTU 65000 server is
  // the MTU 1500 one, long warm by then).
  const firsts = (s) => `${s.mbPerSecondRuns.join(', ')} MB/s`;
  for (const mtu of MTUS) {
    const p = find(`pilha first downloads MTU ${mtu}`);
    const k = find(`kernel first downloads MTU ${mtu}`);
    if (p !== undefined || k !== undefined)
      lines.push(
        `| a new server's first curls of ${size}, MTU ${mtu} (untimed warm-up before the rows above) | ${cell(p, firsts)} | ${k === undefined ? '— (warm)' : cell(k, firsts)} | — |`,
      );
  }
  // pilha get and the curls beside it, all on the kernel's server (MTU 1500), in pairs that do the same.
  const getPairs = [
    {
      label: 'pilha get --no-hash / curl -o /dev/null (neither hashes)',
      p: get('pilha', 'get --no-hash MTU 1500', 1500, 'kernel'),
      k: get('kernel', 'curl get MTU 1500', 1500),
    },
    {
      label: 'pilha get (SHA-256) / curl \\| openssl dgst -sha256',
      p: get('pilha', 'get MTU 1500', 1500, 'kernel'),
      k: get('kernel', 'curl openssl get MTU 1500', 1500),
    },
  ];
  for (const { label, p, k } of getPairs)
    row(`${size} from node:http on the kernel, MTU 1500: ${label}`, p, k, mb, 'mbPerSecond');
  const pf = find(`pilha ${FLOWS} flows`) ?? find('pilha server start MTU 1500 (flows)');
  const kf = get('kernel', `${FLOWS} flows`, 1500);
  const flowsCell = (s) => `${s.aggregateMbPerSecond} MB/s (Jain ${s.jainIndex})`;
  row(
    `${FLOWS} parallel wgets of ${FLOW_BYTES / 1e6} MB, MTU 1500: aggregate`,
    pf,
    kf,
    flowsCell,
    'aggregateMbPerSecond',
  );
  lines.push(
    `| ${FLOWS} parallel wgets: drops at the TUN queue / in pilha's reader; failed or not byte-exact | ${cell(pf, (s) => `${s.tunTxDropped} / ${s.readerBacklogDrops ?? '?'}; ${s.failed + s.notByteExact}`)} | ${cell(kf, (s) => `—; ${s.failed + s.notByteExact}`)} | — |`,
  );
  const abCell = (s) => `${s.requestsPerSecond} req/s, ${s.failedRequests} failed`;
  for (const [name, label] of [
    ['ab MTU 1500', ''],
    ['ab -k MTU 1500', ' -k (keep-alive)'],
  ]) {
    row(
      `ab${label} -n ${report.config.requests} -c ${report.config.concurrency}, /bytes/1024, MTU 1500`,
      get('pilha', name, 1500),
      get('kernel', name, 1500),
      abCell,
      'requestsPerSecond',
    );
  }
  const cpu = (s) => `${s.serverCpuSecondsPerGB} s/GB`;
  const cpuAndMachine = (s) => `${s.serverCpuSecondsPerGB} s/GB (machine ${s.machineBusySecondsPerGB})`;
  for (const { label, p, k } of downloads)
    row(`server CPU per GB served, ${label} ³`, p, k, cpuAndMachine, 'serverCpuSecondsPerGB');
  row(`server CPU per GB served, ${FLOWS} parallel wgets`, pf, kf, cpu, 'serverCpuSecondsPerGB');
  for (const { label, p, k } of getPairs)
    row(
      `client CPU per GB received, MTU 1500: ${label} ²`,
      p,
      k,
      (s) => `${s.clientCpuSecondsPerGB} s/GB`,
      'clientCpuSecondsPerGB',
    );
  const pm = get('pilha', 'idle connections', 1500);
  const km = get('kernel', 'idle connections', 1500);
  const memCell = (s) =>
    `${s.kibPerConnection} KiB (${s.opened} open)` +
    (s.kibPerConnectionLessYoung === undefined
      ? ''
      : `; ${s.kibPerConnectionLessYoung} KiB less the young generation's pages first written (+${(s.youngGenerationAsFoundKiB / 1024).toFixed(1)} MiB) ⁴`);
  const gcCell = (s) =>
    s.gcRssKibPerConnection === undefined
      ? '—'
      : `${s.gcRssKibPerConnection} KiB RSS, ${s.heapKibPerConnection} KiB heap+external`;
  const youngCell = (s) =>
    s.gcRssLessYoungKibPerConnection === undefined
      ? '—'
      : `${s.gcRssLessYoungKibPerConnection} KiB (young generation +${(s.youngGenerationGrowthKiB / 1024).toFixed(1)} MiB)`;
  const slopeCell = (s) =>
    s.slopeKibPerConnection === undefined
      ? '—'
      : `${s.slopeKibPerConnection} KiB; after GC ${s.gcSlopeKibPerConnection} KiB, ${s.gcSlopeLessYoungKibPerConnection ?? '—'} KiB less the young generation's growth, ${s.heapSlopeKibPerConnection} KiB heap+external`;
  const more = pm?.moreOpened ?? km?.moreOpened ?? report.config.idleMore;
  lines.push(
    `| server RSS per idle connection (${report.config.idle} opened) | ${cell(pm, memCell)} | ${cell(km, memCell)} ¹ | — |`,
    `| the same after a full GC: RSS; V8 heap used + external | ${cell(pm, gcCell)} | ${cell(km, gcCell)} ¹ | — |`,
    `| the same after a full GC, less V8's young generation's growth ⁴ | ${cell(pm, youngCell)} | ${cell(km, youngCell)} ¹ | — |`,
  );
  if (more !== undefined && more > 0)
    lines.push(
      `| RSS per idle connection added by ${more} more (marginal) ⁴ | ${cell(pm, slopeCell)} | ${cell(km, slopeCell)} ¹ | — |`,
    );
  const notes = [
    '',
    `Took ${report.totalSeconds} s. Downloads: median of ${report.config.repeat} runs each after ${report.config.warmup ?? 0} untimed (the server warm: its /bytes cache filled, its code compiled); wget and curl timed by the wall clock including the`,
    "client's start, pilha get and the curls beside it by their own clocks (connect to last byte); MB = 10^6 bytes.",
    'The two sides of each row run interleaved: both warmed, then one timed run of each in turn, the order',
    'alternating (kernel, pilha; pilha, kernel; ...), both servers up throughout, so that a ratio compares runs',
    "made seconds apart (this shared VM's speed drifts by tens of percent over minutes).",
    'Both servers are the same `pilha http` app (node:http); only the TCP under it differs. The client is the',
    "kernel's TCP in every row but pilha get's, inside namespaces the benchmark creates. pilha get fetches from",
    'the same kernel server process as the curls beside it (node:http on node:net, listening on both its veth and',
    "pilha get's TUN device), in two pairs that do the same. `pilha get --no-hash -o /dev/null` / `curl -o",
    "/dev/null`: both download and discard, neither hashes (pilha get's byte count and curl's size_download",
    "checked against the length): the stacks' ratio, which the receive target is read against. `pilha get -o",
    '/dev/null` (SHA-256 of the body on its main thread) / `curl | openssl dgst -sha256`: both download and hash,',
    "and both digests are checked against the served bytes'. curl | openssl is timed as curl's time_total plus the",
    "time from curl's exit to the pipeline's end (openssl's digest printed; bash's EPOCHREALTIME), that is from",
    "curl's start of the transfer to the digest, as pilha get's clock runs from connecting to the hashed last byte.",
    `The ${FLOWS} wgets start together at a barrier; the aggregate is all bytes over first start to last end; each`,
    'wget pipes into sha256sum, and the 128 client processes share the CPUs with the server. Against each server',
    "one untimed round comes first, then three measured ones (interleaved with the other server's): the row gives the round of the median aggregate",
    "and the median server CPU per GB (every round's in the JSON, the untimed one's as `untimed`); failures, drops",
    "and pilha's counters cover all four rounds.",
    'CPU: user+system seconds of the server process (/proc/PID/stat, in 10 ms ticks: steps of about 0.1 s/GB at',
    '100 MiB) around each download, per 10^9 bytes, the median of the runs. System time counts the kernel work',
    "done inside the process's system calls, which for both servers includes much of the client's receive path",
    "(a TUN write() or a veth send runs it in the sender's context); not counted: softirq work the kernel defers",
    'to ksoftirqd or runs on the other CPU, and the client process.',
    "¹ The kernel keeps socket buffers in kernel memory, outside the process's RSS: its figure is node:net's",
    'per-socket objects only, not the whole cost of a kernel connection. RSS, even after a full GC, moves with',
    "V8's young-generation sizing (tens of MB either way on a run's allocation rate); the heap used + external",
    'after a full GC (the server prints it on SIGUSR2 under --expose-gc) is what the connections themselves hold.',
    "² User+system CPU, with the kernel work inside the clients' system calls: pilha get's over its download",
    "(its --stats `transfer`: every thread, from connecting to the last byte; Node's start and the stack's set-up",
    "fall outside it); curl's whole process (bash's `times`; its start is a few ms), curl | openssl's the whole",
    'pipeline (curl, openssl and the bash around them).',
    "³ In parentheses, every CPU's busy time over the download (/proc/stat: the client, softirq wherever it ran,",
    'and whatever else the machine was running: an upper bound, noisy on a shared machine), per 10^9 bytes.',
    "⁴ V8's young generation (new space, committed) grows with the allocation rate while connections are accepted,",
    'doubling up to its maximum, and stays grown after a collection: a one-time cost of the process that the',
    'per-connection figure at 1,000 spreads over the connections. Both servers here are `pilha http` (with',
    "--transport kernel for the kernel's), which keeps it at the size starting gave it (2 MiB a semi-space,",
    "4 MiB in all) unless node's options size it; left to V8 it doubles up to 32 MiB (about 5 KiB a",
    'connection each time it doubles).',
    'The first two rows are kept as they were measured before; the third takes the growth out (the server',
    'prints the new space size with its memory line); the marginal row is the RSS that connections opened on',
    'top of the first ones add, as found and after a full GC (with and without the young generation, which',
    'may go on growing), which leaves out what the first ones paid once (code compiled, malloc arenas).',
    "As found, before any collection, the accepted connections' objects are still in the young generation:",
    'the first row also gives the RSS less the pages of it written for the first time between the readings',
    "(its physical size just before each collection): they follow the accepts' allocation, garbage included",
    '(a pilha accept allocates about 12 KB, a kernel one about 6.5), not what the connections keep, and once',
    'written they stay resident however few objects live in them.',
  ];
  if (report.config.only === 'get') {
    notes.push('', 'This run measured pilha receiving only (--only get): pilha get and curl, no other rows.');
  } else if (report.config.only !== undefined) {
    const other = report.config.only === 'pilha' ? 'kernel' : 'pilha';
    notes.push(
      '',
      `This run measured ${report.config.only} only (--only ${report.config.only}): no ${other} figures.`,
    );
  }
  const main = report.steps.filter((s) => !s.ok && !s.name.startsWith('loss '));
  const skipped = main.filter(isSkipped);
  const failures = main.filter((s) => !isSkipped(s));
  if (failures.length > 0) {
    notes.push('', 'Steps that failed:', ...failures.map((s) => `- ${s.name}: ${s.error}`));
  }
  if (skipped.length > 0) {
    notes.push(
      '',
      'Steps skipped:',
      ...skipped.map((s) => `- ${s.name}: ${s.error.replace(/^skipped: /, '')}`),
    );
  }
  return `${lines.join('\n')}\n${notes.join('\n')}\n`;
}

/** A step that did not run because a tool it needs is missing (its error says "skipped: ..."): not a failure. */
function isSkipped(step) {
  return !step.ok && /^skipped: /.test(step.error);
}
