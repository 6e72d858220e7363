/**
 * Runs fuzzing sessions one after another until a packet count or a wall-clock budget is reached: each
 * session's seed follows from the run's seed and the session's index, so a finding is replayed from the
 * two numbers alone (`--seed S --session I`). Sums what the sessions did: packets, steps, TCP states
 * reached, mutations applied, reassemblies and drops.
 */

import { FuzzRandom } from './fuzz-random.js';
import { FuzzFinding, FuzzSession, PEER_ADDRESS, type SessionResult, STACK_ADDRESS } from './fuzz-session.js';
import { buildSeedCorpus } from './peer/seed-corpus.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Stop after this many packets (checked between sessions). */
  readonly packets?: number;
  /** Stop after this many seconds of wall time (checked between sessions). */
  readonly seconds?: number;
  /** Steps per session. */
  readonly steps?: number;
  /** Run only this session (a replay). */
  readonly session?: number;
  /** Stop after this many sessions (a deterministic budget, for tests). */
  readonly sessions?: number;
  /** Known findings (known-findings.ts) count as findings too. */
  readonly strict?: boolean;
  /** Called after each session. */
  readonly progress?: (totals: FuzzTotals) => void;
}

export interface FuzzTotals {
  packets: number;
  steps: number;
  sessions: number;
  elapsedMs: number;
  /** CPU time the process used (user + system), for a rate that does not depend on a shared machine's load. */
  cpuMs: number;
  readonly statesSeen: Set<string>;
  readonly mutations: Record<string, number>;
  /** Sums of the IP, ICMP and TCP layer counters over the sessions. */
  readonly counters: Record<string, number>;
  bytesRead: number;
  bytesWritten: number;
  /** Checks failed with a known finding (known-findings.ts), by id: counted, not fatal unless strict. */
  readonly known: Record<string, number>;
}

export interface FuzzFindingReport {
  readonly seed: number;
  readonly session: number;
  readonly finding: FuzzFinding;
  /** The last steps before the finding, from a traced replay. */
  readonly trace: readonly string[];
}

export const DEFAULT_STEPS = 4000;

/** The seed of session `index` of a run seeded `seed`. */
export function sessionSeed(seed: number, index: number): number {
  const rng = new FuzzRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  return rng.nextUint32();
}

export class Fuzzer {
  readonly totals: FuzzTotals = {
    packets: 0,
    steps: 0,
    sessions: 0,
    elapsedMs: 0,
    cpuMs: 0,
    statesSeen: new Set(),
    mutations: {},
    counters: {},
    bytesRead: 0,
    bytesWritten: 0,
    known: {},
  };

  constructor(private readonly options: FuzzOptions) {}

  /** Runs to the budget; resolves with the first finding, or undefined if there was none. */
  async run(): Promise<FuzzFindingReport | undefined> {
    const o = this.options;
    const steps = o.steps ?? DEFAULT_STEPS;
    const corpus = await buildSeedCorpus(PEER_ADDRESS, STACK_ADDRESS);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const first = o.session ?? 0;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      for (let index = first; ; index++) {
        if (o.session !== undefined && index > o.session) break;
        const seed = sessionSeed(o.seed, index);
        const session = await FuzzSession.create(seed, corpus, { strict: o.strict ?? false });
        let result: SessionResult;
        try {
          result = await session.run(steps);
          if (uncaught.length > 0) throw new FuzzFinding(seed, steps, `uncaught: ${String(uncaught[0])}`);
        } catch (error) {
          if (!(error instanceof FuzzFinding)) throw error;
          return {
            seed: o.seed,
            session: index,
            finding: error,
            trace: await this.trace(seed, corpus, steps),
          };
        }
        this.add(result);
        this.totals.elapsedMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuStarted);
        this.totals.cpuMs = (cpu.user + cpu.system) / 1000;
        o.progress?.(this.totals);
        if (o.sessions !== undefined && this.totals.sessions >= o.sessions) break;
        if (o.packets !== undefined && this.totals.packets >= o.packets) break;
        if (o.seconds !== undefined && this.totals.elapsedMs >= o.seconds * 1000) break;
      }
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    return undefined;
  }

  /** Replays a failing session with tracing on; its last steps say what led to the finding. */
  private async trace(seed: number, corpus: readonly Uint8Array[], steps: number): Promise<string[]> {
    const session = await FuzzSession.create(seed, corpus, {
      trace: true,
      strict: this.options.strict ?? false,
    });
    try {
      await session.run(steps);
    } catch {
      // The same finding again, expected.
    }
    return (session.trace ?? []).slice(-25);
  }

  private add(r: SessionResult): void {
    const t = this.totals;
    t.packets += r.packets;
    t.steps += r.steps;
    t.sessions++;
    t.bytesRead += r.bytesRead;
    t.bytesWritten += r.bytesWritten;
    for (const s of r.statesSeen) t.statesSeen.add(s);
    for (const [k, v] of Object.entries(r.known)) t.known[k] = (t.known[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.mutations)) t.mutations[k] = (t.mutations[k] ?? 0) + v;
    const sum = (prefix: string, stats: Record<string, number>): void => {
      for (const [k, v] of Object.entries(stats))
        t.counters[`${prefix}.${k}`] = (t.counters[`${prefix}.${k}`] ?? 0) + v;
    };
    sum('ip', r.ipStats);
    sum('icmp', r.icmpStats);
    sum('tcp', r.tcpStats);
  }
}
