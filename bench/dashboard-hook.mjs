#!/usr/bin/env node
// The dashboard's hook cost in isolation, without the noise of a shared machine's TUN device and wget: two
// pilha stacks over a MemoryLink on a VirtualClock (no network at all), 64 MiB sent from A to B, A's tracer
// either the default no-op one or the dashboard's (no page open: every hook is one field check). Runs
// alternate; prints the wall time per run (median, range) for each and their ratio.
//
// usage (after `npm run build`): node bench/dashboard-hook.mjs [--runs 10] [--bytes 67108864]

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DashboardHub } from '../dist/app/dashboard/dashboard-hub.js';
import { DashboardTcpTracer } from '../dist/app/dashboard/dashboard-tcp-tracer.js';
import { formatIpv4, parseIpv4 } from '../dist/core/ipv4-address.js';
import { silentLoggers } from '../dist/core/logger.js';
import { VirtualClock } from '../dist/core/virtual-clock.js';
import { buildTcpStack } from '../dist/di/compositions.js';
import { MemoryLink } from '../dist/layers/link/memory-link.js';

const args = { runs: 10, bytes: 64 * 1024 * 1024 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  if (!(key in args)) throw new Error('usage: node bench/dashboard-hook.mjs [--runs 10] [--bytes 67108864]');
  args[key] = Number(process.argv[i + 1]);
}

const A = parseIpv4('10.9.0.1');
const B = parseIpv4('10.9.0.2');
const config = (address) => ({
  link: { kind: 'provided' },
  mtu: 1500,
  address,
  reassemblyTimeoutMs: 30_000,
  reassemblyMaxBytes: 4 * 1024 * 1024,
  log: { defaultLevel: 'silent', layers: {} },
});

async function run(withDashboard) {
  const clock = new VirtualClock();
  const [linkA, linkB] = MemoryLink.pair(1500, (fire) => clock.setTimer(0, fire));
  const hub = new DashboardHub(clock);
  const a = await buildTcpStack(config(A), {
    baseLink: linkA,
    clock,
    loggers: silentLoggers(),
    ...(withDashboard ? { wrapTcpTracer: (inner) => new DashboardTcpTracer(hub, inner) } : {}),
  });
  const b = await buildTcpStack(config(B), { baseLink: linkB, clock, loggers: silentLoggers() });
  let received = 0;
  const server = b.transport.createServer((socket) => {
    socket.on('data', (d) => (received += d.length));
  });
  server.listen(7000);
  const chunk = Buffer.alloc(64 * 1024, 7);
  const start = performance.now();
  let socket;
  a.transport.connect(formatIpv4(B), 7000).then((s) => {
    socket = s;
  });
  while (socket === undefined) {
    await yieldToLoop();
    clock.advance(1);
  }
  let sent = 0;
  const pump = () => {
    while (sent < args.bytes) {
      sent += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
    socket.end();
  };
  pump();
  while (received < args.bytes) {
    await yieldToLoop();
    clock.advance(1);
  }
  const ms = performance.now() - start;
  await a.close();
  await b.close();
  return ms;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const times = { off: [], on: [] };
await run(false); // warm-up
for (let i = 0; i < args.runs; i++) {
  for (const variant of i % 2 === 0 ? ['off', 'on'] : ['on', 'off'])
    times[variant].push(await run(variant === 'on'));
}
const line = (name, xs) =>
  `| ${name} | ${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}) |`;
console.log(`${args.bytes} bytes A→B over a MemoryLink, ${args.runs} runs each, wall ms median (range):\n`);
console.log("| A's tracer | ms |");
console.log('|---|---|');
console.log(line('no-op (no --dashboard)', times.off));
console.log(line('dashboard, no page open', times.on));
console.log(`\nratio dashboard/no-op (medians): ${(median(times.on) / median(times.off)).toFixed(3)}`);
