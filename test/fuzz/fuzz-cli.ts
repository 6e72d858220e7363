/**
 * `npm run fuzz -- [--packets N | --seconds S] [--seed N] [--steps N] [--session I] [--strict]`: fuzzes whole stacks
 * until the budget is spent (a million packets by default), printing progress and packets per second.
 * On a finding: the seed, the session, the step, what was violated and the steps before it; exit 1.
 */

import { DEFAULT_STEPS, Fuzzer, type FuzzTotals } from './fuzzer.js';

function usage(message: string): never {
  process.stderr.write(
    `fuzz: ${message}\nusage: npm run fuzz -- [--packets N | --seconds S] [--seed N] [--steps N] [--session I] [--strict]\n`,
  );
  process.exit(2);
}

function integer(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^[0-9]+$/.test(text)) usage(`${name} needs a decimal integer`);
  const v = Number(text);
  if (v < min || v > max) usage(`${name} must be within ${min}–${max}, got ${text}`);
  return v;
}

const args = process.argv.slice(2);
let packets: number | undefined;
let seconds: number | undefined;
let seed = 1;
let steps = DEFAULT_STEPS;
let session: number | undefined;
let strict = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--strict') {
    strict = true;
    continue;
  }
  const value = args[++i];
  switch (arg) {
    case '--packets':
      packets = integer(arg, value, 1, 1e12);
      break;
    case '--seconds':
      seconds = integer(arg, value, 1, 7 * 86_400);
      break;
    case '--seed':
      seed = integer(arg, value, 0, 0xffffffff);
      break;
    case '--steps':
      steps = integer(arg, value, 1, 10_000_000);
      break;
    case '--session':
      session = integer(arg, value, 0, 1e9);
      break;
    default:
      usage(`unknown argument ${arg}`);
  }
}
if (packets === undefined && seconds === undefined && session === undefined) packets = 1_000_000;

function line(t: FuzzTotals): string {
  const rate = t.elapsedMs > 0 ? Math.round((t.packets * 1000) / t.elapsedMs) : 0;
  const cpuRate = t.cpuMs > 0 ? Math.round((t.packets * 1000) / t.cpuMs) : 0;
  return (
    `${t.sessions} sessions, ${t.steps} steps, ${t.packets} packets in ${(t.elapsedMs / 1000).toFixed(1)} s: ` +
    `${rate} packets/s (${cpuRate} per CPU second)`
  );
}

let lastPrint = 0;
const fuzzer = new Fuzzer({
  seed,
  steps,
  strict,
  ...(packets !== undefined ? { packets } : {}),
  ...(seconds !== undefined ? { seconds } : {}),
  ...(session !== undefined ? { session } : {}),
  progress: (t) => {
    if (t.elapsedMs - lastPrint >= 10_000) {
      lastPrint = t.elapsedMs;
      process.stdout.write(`${line(t)}\n`);
    }
  },
});
process.stdout.write(`fuzz: seed ${seed}, ${steps} steps per session\n`);
const report = await fuzzer.run();
const t = fuzzer.totals;
if (report !== undefined) {
  process.stdout.write(
    `FINDING after ${line(t)}\n  seed ${report.seed}, session ${report.session} (session seed ${report.finding.sessionSeed}), step ${report.finding.step}\n  ${report.finding.description}\n  replay: npm run fuzz -- --seed ${report.seed} --session ${report.session} --steps ${steps}${strict ? ' --strict' : ''}\n  last steps:\n    ${report.trace.join('\n    ')}\n`,
  );
  process.exit(1);
}
const c = t.counters;
process.stdout.write(
  `no finding: ${line(t)}\n` +
    `  TCP states reached: ${[...t.statesSeen].sort().join(' ')}\n` +
    `  IP: ${c['ip.reassembled'] ?? 0} datagrams reassembled, ${c['ip.rxFragments'] ?? 0} fragments; ` +
    `TCP: ${c['tcp.rxSegments'] ?? 0} segments in, ${c['tcp.passiveOpens'] ?? 0} passive and ${c['tcp.activeOpens'] ?? 0} active opens; ` +
    `application: ${t.bytesRead} bytes read, ${t.bytesWritten} written\n` +
    `  known findings (known-findings.ts; --strict makes them fatal), failed checks: ${JSON.stringify(t.known)}\n` +
    `  mutations: ${Object.entries(t.mutations)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}\n`,
);
