/**
 * One fuzzing session: a fresh stack (the real composition) on a VirtualClock behind a MemoryLink whose
 * other end is the fuzzing peer, a variant of the configuration, and a run of steps drawn from one seed.
 * A step is a peer packet (clean, mutated, fragmented, replayed from the corpus, ICMP, garbage), a user
 * call on a socket, or a step of virtual time; after every step each datagram the stack sent is checked
 * and the invariants are checked. At the end the application closes everything, the peer falls silent
 * for three hours of virtual time, and the stack must have let go of every connection and fragment.
 */

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pino from 'pino';
import { LayerLoggers, silentLoggers } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import type { TcpStack } from '../../src/di/compositions.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import { resolveTcpConfig } from '../../src/transport/tcp/tcp-config.js';
import { InvariantChecker } from './checks/invariant-checker.js';
import { StackOutputChecker } from './checks/stack-output-checker.js';
import { FuzzApp, USER_ACTIONS } from './fuzz-app.js';
import { FuzzRandom } from './fuzz-random.js';
import { buildFuzzStack } from './fuzz-stack.js';
import {
  buildIcmp,
  buildIpv4,
  buildTcpDatagram,
  fixChecksums,
  IP_HEADER,
  PROTO_ICMP,
  read16,
  readTcpDatagram,
  SYN,
  write16,
  write32,
} from './fuzz-wire.js';
import { knownFinding } from './known-findings.js';
import { FragmentShuffler } from './peer/fragment-shuffler.js';
import { Mutator } from './peer/mutator.js';
import { PEER_LISTEN_PORTS, type PeerFlow, PeerModel, STACK_PORTS } from './peer/peer-model.js';
import { fuzzStackConfig, randomVariant, type SessionVariant } from './session-variant.js';

export const STACK_ADDRESS = 0x0a090001; // 10.9.0.1
export const PEER_ADDRESS = 0x0a090002; // 10.9.0.2

/** A violation: what, at which step (for replay with the same seed). */
export class FuzzFinding extends Error {
  constructor(
    readonly sessionSeed: number,
    readonly step: number,
    readonly description: string,
  ) {
    super(`session seed ${sessionSeed}, step ${step}: ${description}`);
    this.name = 'FuzzFinding';
  }
}

export interface SessionResult {
  /** Datagrams injected into the stack. */
  readonly packets: number;
  readonly steps: number;
  readonly statesSeen: ReadonlySet<string>;
  readonly mutations: Record<string, number>;
  readonly ipStats: Record<string, number>;
  readonly tcpStats: Record<string, number>;
  readonly icmpStats: Record<string, number>;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly known: Record<string, number>;
}

const STEP_KINDS = [
  'open',
  'handshake',
  'data',
  'retransmit',
  'ack',
  'fin',
  'rst',
  'stray-syn',
  'replay',
  'answer-syn',
  'corpus',
  'icmp',
  'garbage',
  'frag-flood',
  'user',
  'time',
  'release',
] as const;
type StepKind = (typeof STEP_KINDS)[number];
const STEP_WEIGHTS = [6, 6, 16, 6, 14, 3, 2, 1, 2, 4, 4, 3, 3, 0.3, 14, 12, 2];
const STEP_TOTAL = STEP_WEIGHTS.reduce((a, b) => a + b, 0);
const MAX_FLOWS = 24;
const HELD_MAX = 16;
const DRAIN_MS = 3 * 3600_000;

export class FuzzSession {
  /** Datagrams injected into the stack so far. */
  packets = 0;
  private step = 0;
  private violation: string | undefined;
  private readonly outbox: Uint8Array[] = [];
  private readonly recentOut: Uint8Array[] = [];
  private readonly held: Uint8Array[] = [];
  private ipId = 0x8000;
  /** Trace of the steps (only when replaying a finding). */
  readonly trace: string[] | undefined;
  /** Checks that failed with a known finding (known-findings.ts), by id. */
  readonly known: Record<string, number> = {};

  private constructor(
    readonly seed: number,
    private readonly rng: FuzzRandom,
    private readonly variant: SessionVariant,
    private readonly clock: VirtualClock,
    private readonly link: MemoryLink,
    private readonly stack: TcpStack,
    private readonly peer: PeerModel,
    private readonly app: FuzzApp,
    private readonly mutator: Mutator,
    private readonly shuffler: FragmentShuffler,
    private readonly invariants: InvariantChecker,
    private readonly checkOutput: (d: Uint8Array) => string | undefined,
    private readonly corpus: readonly Uint8Array[],
    trace: boolean,
    private readonly strict: boolean,
  ) {
    this.trace = trace ? [] : undefined;
  }

  /** `strict`: known findings (known-findings.ts) end the session like any other. */
  static async create(
    seed: number,
    corpus: readonly Uint8Array[],
    options: { readonly trace?: boolean; readonly strict?: boolean } = {},
  ): Promise<FuzzSession> {
    const rng = new FuzzRandom(seed);
    const variant = randomVariant(rng);
    const clock = new VirtualClock();
    // Synchronous delivery: what the stack sends lands in the outbox during its send() call.
    const [stackEnd, peerEnd] = MemoryLink.pair(variant.mtu);
    const loggers = variant.verboseLogs
      ? new LayerLoggers({ defaultLevel: 'trace', layers: {} }, pino({ level: 'trace' }, { write() {} }))
      : silentLoggers();
    const config = fuzzStackConfig(STACK_ADDRESS, variant.mtu, variant);
    const stack = await buildFuzzStack(config, stackEnd, clock, loggers, rng);
    const peer = new PeerModel(rng, PEER_ADDRESS, STACK_ADDRESS, MAX_FLOWS);
    const holder: { session?: FuzzSession } = {};
    const app = new FuzzApp(
      stack,
      rng,
      PEER_ADDRESS,
      (key) => peer.isClean(key),
      (v) => holder.session?.fail(v),
      MAX_FLOWS,
    );
    await app.listen();
    const checker = new StackOutputChecker(STACK_ADDRESS, variant.mtu);
    const invariants = new InvariantChecker(stack, resolveTcpConfig(variant.tcp), variant.reassemblyMaxBytes);
    const session = new FuzzSession(
      seed,
      rng,
      variant,
      clock,
      stackEnd,
      stack,
      peer,
      app,
      new Mutator(rng, STACK_ADDRESS),
      new FragmentShuffler(rng),
      invariants,
      (d) => checker.check(d),
      corpus,
      options.trace ?? false,
      options.strict ?? false,
    );
    holder.session = session;
    peerEnd.onReceive((d) => session.outbox.push(d));
    return session;
  }

  /** Runs `steps` steps and the final drain; throws a FuzzFinding on the first violation. */
  async run(steps: number): Promise<SessionResult> {
    try {
      for (this.step = 0; this.step < steps; this.step++) {
        const kind = STEP_KINDS[this.rng.weighted(STEP_WEIGHTS, STEP_TOTAL)]!;
        this.note(kind);
        this.runStep(kind);
        this.afterStep();
        if (kind === 'user' || kind === 'time' || (this.step & 7) === 0) {
          await yieldToLoop();
          this.afterStep();
        }
      }
      await this.drain();
    } catch (error) {
      if (error instanceof FuzzFinding) throw error;
      throw new FuzzFinding(this.seed, this.step, `threw: ${describeError(error)}`);
    } finally {
      await this.stack.close().catch(() => {});
    }
    return {
      packets: this.packets,
      steps,
      statesSeen: this.invariants.statesSeen,
      mutations: this.mutator.counts,
      ipStats: this.stack.ip.stats(),
      tcpStats: this.stack.tcp.stats(),
      icmpStats: this.stack.icmp.stats(),
      bytesRead: this.app.bytesRead,
      bytesWritten: this.app.bytesWritten,
      known: this.known,
    };
  }

  /** A violation: a known finding is counted (unless strict) and the session goes on; anything else ends it. */
  fail(violation: string): void {
    const known = this.strict ? undefined : knownFinding(violation);
    if (known !== undefined) this.known[known.id] = (this.known[known.id] ?? 0) + 1;
    else this.violation ??= violation;
  }

  private readonly report = (violation: string): void => this.fail(violation);

  private note(what: string): void {
    if (this.trace !== undefined) this.trace.push(`${this.step} t=${this.clock.now()} ${what}`);
  }

  private afterStep(): void {
    while (this.outbox.length > 0) {
      const d = this.outbox.shift()!;
      const bad = this.checkOutput(d);
      if (bad !== undefined) this.fail(`the stack sent a bad datagram (${bad}): ${hex(d)}`);
      const stream = this.peer.observe(d, (key) => this.app.written(key));
      if (stream !== undefined) this.fail(stream);
      if (this.recentOut.length >= 8) this.recentOut.splice(this.rng.int(8), 1);
      this.recentOut.push(d);
    }
    if (this.violation === undefined) this.invariants.check(this.report);
    if (this.violation !== undefined) throw new FuzzFinding(this.seed, this.step, this.violation);
  }

  private runStep(kind: StepKind): void {
    const rng = this.rng;
    const peer = this.peer;
    switch (kind) {
      case 'open': {
        const d = peer.open(rng.pick(STACK_PORTS));
        if (d !== undefined) this.send(d);
        return;
      }
      case 'handshake': {
        const f = peer.randomFlow((x) => x.phase === 'syn-sent' && x.stackIss !== undefined);
        if (f !== undefined) this.send(peer.completeHandshake(f));
        return;
      }
      case 'data': {
        const f = this.openFlow();
        if (f === undefined || f.finSent) return;
        const length = rng.chance(0.7) ? rng.range(1, 1460) : rng.length(rng.chance(0.9) ? 9000 : 65_000);
        const hole = rng.chance(0.1) ? rng.range(1, 5000) : 0;
        this.send(peer.data(f, length, hole, rng.chance(0.05)));
        return;
      }
      case 'retransmit': {
        const f = this.openFlow();
        if (f !== undefined) this.send(peer.retransmit(f, rng.range(1, 3000)));
        return;
      }
      case 'ack': {
        const f = this.openFlow();
        if (f === undefined) return;
        const how = rng.pick([
          'full',
          'full',
          'full',
          'partial',
          'duplicate',
          'duplicate',
          'beyond',
        ] as const);
        const window = rng.chance(0.1) ? rng.pick([0, 1, 100]) : undefined;
        const times = how === 'duplicate' ? rng.range(1, 4) : 1;
        for (let i = 0; i < times; i++) this.send(peer.ack(f, how, window));
        return;
      }
      case 'fin': {
        const f = this.openFlow();
        if (f !== undefined && !f.finSent)
          this.send(peer.data(f, rng.chance(0.5) ? 0 : rng.range(1, 500), 0, true));
        return;
      }
      case 'rst': {
        const f = peer.randomFlow();
        if (f !== undefined) this.send(peer.reset(f, rng.pick(['exact', 'in-window', 'anywhere'] as const)));
        return;
      }
      case 'stray-syn': {
        const f = this.openFlow();
        if (f !== undefined) this.send(peer.stray(f));
        return;
      }
      case 'replay': {
        const f = peer.randomFlow();
        const d = f === undefined ? undefined : peer.replay(f);
        if (d !== undefined) this.send(d);
        return;
      }
      case 'answer-syn': {
        const f = peer.randomFlow((x) => x.phase === 'stack-syn');
        if (f !== undefined) {
          const how = rng.pick([
            'accept',
            'accept',
            'accept',
            'accept',
            'refuse',
            'simultaneous',
            'icmp',
          ] as const);
          if (how === 'icmp') this.icmpError(3, rng.pick([2, 3, 1, 4]));
          else this.send(peer.answerSyn(f, how));
        }
        return;
      }
      case 'corpus':
        this.corpusReplay();
        return;
      case 'icmp':
        this.icmp();
        return;
      case 'garbage':
        this.garbage();
        return;
      case 'frag-flood':
        this.fragmentFlood();
        return;
      case 'user':
        this.app.act(rng.pick(USER_ACTIONS), PEER_LISTEN_PORTS);
        return;
      case 'time': {
        const ms = rng.pick([
          rng.range(0, 50),
          rng.range(0, 50),
          rng.range(50, 2000),
          rng.range(2000, 200_000),
          rng.chance(0.1) ? rng.range(200_000, 8_000_000) : 1,
        ]);
        this.note(`advance ${ms} ms`);
        this.peer.advanceTsClock(ms);
        this.advance(ms);
        return;
      }
      case 'release': {
        if (this.held.length > 0) this.inject(this.held.splice(rng.int(this.held.length), 1)[0]!);
        return;
      }
      default:
        kind satisfies never;
    }
  }

  /** Advances virtual time in slices, checking output between slices (a timer may send). */
  private advance(ms: number): void {
    const end = this.clock.now() + ms;
    const slice = Math.max(1000, Math.ceil(ms / 32));
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(end - this.clock.now(), slice));
      this.afterStep();
    }
  }

  /** A flow the peer considers synchronized (or one with the stack's SYN seen). */
  private openFlow(): PeerFlow | undefined {
    return this.peer.randomFlow(
      (f) => f.phase === 'open' || (f.phase === 'syn-sent' && f.stackIss !== undefined),
    );
  }

  /**
   * Sends a clean datagram of the peer, maybe mutated, maybe in fragments, maybe held back for later.
   * `clean` is what the peer vouches for; anything else that reaches a flow's stream taints the flow.
   */
  private send(d: Uint8Array): void {
    const rng = this.rng;
    let out = d;
    if (rng.chance(this.variant.mutationRate)) {
      out = this.mutator.mutate(d);
      this.taintIfChanged(d, out);
    }
    if (rng.chance(this.variant.fragmentRate)) {
      const shuffled = this.shuffler.shuffle(out);
      if (shuffled !== undefined) {
        this.taintIfChanged(d, shuffled.whole);
        if (shuffled.conflicting) this.taintAny(out);
        for (const fragment of shuffled.fragments) this.inject(fragment);
        return;
      }
    }
    if (this.held.length < HELD_MAX && rng.chance(0.03)) {
      this.held.push(out);
      return;
    }
    this.inject(out);
  }

  private inject(d: Uint8Array): void {
    this.packets++;
    this.link.receive(d);
  }

  /**
   * Taints the flow a mutated datagram reaches when its TCP bytes may now put other bytes into the stream:
   * it differs from the clean one outside the ACK number, window, checksum and urgent pointer, or is longer,
   * and it carries data or a SYN (which moves the stream's origin).
   */
  private taintIfChanged(clean: Uint8Array, mutated: Uint8Array): void {
    const m = readTcpDatagram(mutated);
    if (m === undefined || !m.checksumsOk || m.dst !== STACK_ADDRESS) return;
    const c = readTcpDatagram(clean);
    if (m.payload.length === 0 && !(m.flags & SYN) && !(c !== undefined && c.flags & SYN)) return;
    const key = PeerModel.key(m.srcPort, m.dstPort);
    if (c === undefined || c.srcPort !== m.srcPort || c.dstPort !== m.dstPort) {
      this.peer.taint(key);
      return;
    }
    const mh = mutated.subarray((mutated[0]! & 0x0f) * 4);
    const ch = clean.subarray((clean[0]! & 0x0f) * 4);
    const mLength = read16(mutated, 2) - (mutated[0]! & 0x0f) * 4;
    const cLength = read16(clean, 2) - (clean[0]! & 0x0f) * 4;
    if (mLength > cLength || m.headerLength !== c.headerLength) {
      this.peer.taint(key);
      return;
    }
    for (let i = 0; i < mLength; i++) {
      if ((i >= 8 && i < 12) || (i >= 14 && i < 20)) continue;
      if (mh[i] !== ch[i]) {
        this.peer.taint(key);
        return;
      }
    }
  }

  private taintAny(d: Uint8Array): void {
    if (d.length < IP_HEADER + 4) return;
    const h = (d[0]! & 0x0f) * 4;
    if (d.length < h + 4) return;
    this.peer.taint(PeerModel.key(read16(d, h), read16(d, h + 2)));
  }

  /** A corpus datagram as it was, or rebased onto a live flow (its ports and sequence numbers), then mutated. */
  private corpusReplay(): void {
    const rng = this.rng;
    const d = rng.pick(this.corpus).slice();
    const s = readTcpDatagram(d);
    const f = this.openFlow();
    if (s !== undefined && f !== undefined && rng.chance(0.6)) {
      const h = (d[0]! & 0x0f) * 4;
      write16(d, h, f.peerPort);
      write16(d, h + 2, f.stackPort);
      write32(d, h + 4, rng.near32(this.peer.nextSeq(f), 2000));
      write32(d, h + 8, f.acked);
      fixChecksums(d);
      if (s.payload.length > 0 || s.flags & SYN) this.peer.taint(f.key);
    }
    this.send(d);
  }

  /** An ICMP error quoting something the stack sent, an echo request (maybe large, in fragments), or a bad one. */
  private icmp(): void {
    const rng = this.rng;
    switch (rng.int(4)) {
      case 0:
      case 1:
        this.icmpError(rng.pick([3, 3, 11, 4, 12, 5]), rng.int(16));
        return;
      case 2: {
        const body = rng.bytes(rng.pick([0, 56, 1472, 3000, 20_000]));
        const m = buildIcmp(8, 0, rng.nextUint32(), body);
        this.send(
          buildIpv4(
            { src: PEER_ADDRESS, dst: STACK_ADDRESS, protocol: PROTO_ICMP, id: this.ipId++ & 0xffff },
            m,
          ),
        );
        return;
      }
      default: {
        const m = buildIcmp(rng.int(256), rng.int(256), rng.nextUint32(), rng.bytes(rng.length(100)));
        this.send(
          buildIpv4(
            { src: PEER_ADDRESS, dst: STACK_ADDRESS, protocol: PROTO_ICMP, id: this.ipId++ & 0xffff },
            m,
          ),
        );
      }
    }
  }

  private icmpError(type: number, code: number): void {
    const rng = this.rng;
    const quoted = this.recentOut.length > 0 ? rng.pick(this.recentOut) : rng.bytes(28);
    const length = rng.chance(0.7)
      ? Math.min(quoted.length, ((quoted[0]! & 0x0f) * 4 || 20) + 8)
      : rng.length(quoted.length);
    const m = buildIcmp(type, code, rng.chance(0.8) ? 0 : rng.nextUint32(), quoted.subarray(0, length));
    this.send(
      buildIpv4({ src: PEER_ADDRESS, dst: STACK_ADDRESS, protocol: PROTO_ICMP, id: this.ipId++ & 0xffff }, m),
    );
  }

  /** Random bytes; or a valid header around random bytes of a random protocol; or a random TCP header to a port in use. */
  private garbage(): void {
    const rng = this.rng;
    switch (rng.int(3)) {
      case 0:
        this.inject(rng.bytes(rng.length(100)));
        return;
      case 1: {
        const protocol = rng.pick([6, 1, 17, 0, 255, rng.int(256)]);
        const d = buildIpv4(
          { src: PEER_ADDRESS, dst: STACK_ADDRESS, protocol, id: this.ipId++ & 0xffff },
          rng.bytes(rng.length(80)),
        );
        if (rng.chance(0.7)) fixChecksums(d);
        this.taintAny(d);
        this.inject(d);
        return;
      }
      default: {
        const f = this.peer.randomFlow();
        const d = buildTcpDatagram(
          { src: PEER_ADDRESS, dst: STACK_ADDRESS, id: this.ipId++ & 0xffff },
          {
            srcPort: f?.peerPort ?? rng.range(1, 65_535),
            dstPort: f?.stackPort ?? rng.pick(STACK_PORTS),
            seq: f === undefined ? rng.nextUint32() : rng.near32(this.peer.nextSeq(f), 100_000),
            ack: f === undefined ? rng.nextUint32() : rng.near32(f.rcvNxt, 100_000),
            flags: rng.int(256),
            window: rng.int(0x10000),
            urgent: rng.chance(0.9) ? 0 : rng.int(0x10000),
            options: rng.bytes(rng.length(40)),
            payload: rng.bytes(rng.length(100)),
          },
        );
        this.taintAny(d);
        this.inject(d);
      }
    }
  }

  /** Many small fragments of datagrams that never complete: the reassembler's byte cap and timeouts. */
  private fragmentFlood(): void {
    const rng = this.rng;
    const count = rng.range(10, 100);
    const sameId = rng.chance(0.5);
    const id = this.ipId++ & 0xffff;
    for (let i = 0; i < count; i++) {
      const offset = rng.int(8000);
      const d = buildIpv4(
        {
          src: PEER_ADDRESS,
          dst: STACK_ADDRESS,
          protocol: rng.pick([6, 1, 17]),
          id: sameId ? id : this.ipId++ & 0xffff,
          flagsOffset: 0x2000 | offset,
          ...(rng.chance(0.1) ? { options: new Uint8Array(40).fill(1) } : {}),
        },
        rng.bytes(8 * rng.range(1, 4)),
      );
      this.inject(d);
    }
  }

  /** Closes everything the application holds, lets three hours pass in silence, and expects nothing left. */
  private async drain(): Promise<void> {
    this.note('drain');
    this.app.destroyAll();
    await this.app.closeServers();
    await yieldToLoop();
    this.afterStep();
    const end = this.clock.now() + DRAIN_MS;
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(end - this.clock.now(), 60_000));
      // The peer is silent: what the stack sends is checked but never answered.
      this.afterStep();
      await yieldToLoop();
    }
    this.afterStep();
    const snapshots = this.invariants.checkSnapshots();
    if (snapshots !== undefined) throw new FuzzFinding(this.seed, this.step, snapshots);
    const left = this.stack.tcp.connections();
    if (left.length > 0) {
      // Each with what is wrong with it now, if anything (a known finding may explain the leak).
      const states = left.map((c) => {
        const v = this.invariants.checkConnection(c);
        return v === undefined ? c.stats().state : `${c.stats().state} [${v}]`;
      });
      this.fail(`${left.length} connections left after 3 h of silence: ${states.join(', ')}`);
      if (this.violation !== undefined) throw new FuzzFinding(this.seed, this.step, this.violation);
    }
    const ip = this.stack.ip.stats();
    if ((ip.reassemblyPending ?? 0) > 0) {
      throw new FuzzFinding(this.seed, this.step, `${ip.reassemblyPending} partial datagrams left after 3 h`);
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

function hex(d: Uint8Array): string {
  const s = Buffer.from(d.subarray(0, 80)).toString('hex');
  return d.length > 80 ? `${s}…` : s;
}
