// The cost of the Ethernet layer: `wget -O /dev/null` of 100 MiB from `pilha http` on a TUN device
// (--link tun: IP datagrams), a TAP device (--link tap: Ethernet frames and ARP) and an AF_PACKET socket on
// a veth end (--link packet), at MTU 1500, in one run, side by side. Each link gets a namespace of its own,
// created here and deleted at the end (also on failure or Ctrl-C); only processes started here are killed.
//
// Usage: node bench/links.mjs [--repeat N] [--only tun|tap|packet]   (root; needs ip, wget, ethtool; npm run build first)
// Prints one line per link (median MB/s and every run) and writes bench/results/links.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createNamespace,
  deleteNamespace,
  hasTool,
  installCleanupHandlers,
  lastLines,
  median,
  round,
  runIn,
  sh,
  startIn,
  step,
  stopServer,
  waitForOutput,
} from './harness.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = `${ROOT}dist/cli/main.js`;
const BYTES = 104_857_600;
const PORT = 7000;
const repeatAt = process.argv.indexOf('--repeat');
const REPEAT = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 3;
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const HOST = '10.211.0.1';
const PILHA = '10.211.0.2';

const LINKS = [
  { kind: 'tun', args: ['--link', 'tun', '--device', 'btun0'] },
  { kind: 'tap', args: ['--link', 'tap', '--device', 'btap0'] },
  {
    kind: 'packet',
    args: ['--link', 'packet', '--device', 'bveth-pilha'],
    prepare: (ns) => {
      sh('ip', ['-n', ns, 'link', 'add', 'bveth-pilha', 'type', 'veth', 'peer', 'name', 'bveth-host']);
      sh('ip', ['-n', ns, 'addr', 'add', `${HOST}/24`, 'dev', 'bveth-host']);
      sh('ip', ['-n', ns, 'link', 'set', 'bveth-host', 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'bveth-pilha', 'up']);
    },
  },
];

async function measure(link) {
  const ns = `pilha-bench-links-${process.pid}-${link.kind}`;
  createNamespace(ns);
  try {
    link.prepare?.(ns);
    const child = startIn(ns, process.execPath, [
      CLI,
      'http',
      ...link.args,
      '--address',
      PILHA,
      '--host-address',
      `${HOST}/24`,
      '--port',
      String(PORT),
    ]);
    await waitForOutput(child, /listening/, 15_000, `pilha http --link ${link.kind}`);
    const runs = [];
    for (let i = 0; i < REPEAT; i++) {
      const r = await runIn(
        ns,
        'wget',
        ['-q', '-O', '/dev/null', `http://${PILHA}:${PORT}/bytes/${BYTES}`],
        120_000,
      );
      if (r.code !== 0) throw new Error(`wget exited ${r.code ?? r.signal}: ${lastLines(r.stderr)}`);
      runs.push({ mbPerSecond: round(BYTES / 1e6 / (r.ms / 1000), 1) });
    }
    const { stats } = await stopServer({ child });
    return {
      link: link.kind,
      mbPerSecond: median(runs.map((r) => r.mbPerSecond)),
      runs,
      linkStats: stats?.link,
    };
  } finally {
    deleteNamespace(ns);
  }
}

installCleanupHandlers(15 * 60_000);
if (process.getuid?.() !== 0 || !hasTool('wget') || !hasTool('ip')) {
  console.error('bench/links.mjs: needs root, ip and wget');
  process.exit(1);
}
const results = [];
for (const link of LINKS.filter((l) => ONLY === undefined || l.kind === ONLY))
  await step(results, `wget of 100 MiB, --link ${link.kind}, MTU 1500`, () => measure(link));
const report = {
  date: new Date().toISOString(),
  machine: `${cpus()[0]?.model} (${cpus().length} CPUs), Linux ${release()}, Node ${process.version}`,
  repeat: REPEAT,
  results,
};
mkdirSync(`${ROOT}bench/results`, { recursive: true });
writeFileSync(`${ROOT}bench/results/links.json`, `${JSON.stringify(report, null, 2)}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
