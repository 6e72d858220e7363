import type { Writable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { silentLoggers } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { buildTcpStack, type StackOverrides, type TcpStack } from '../../src/di/compositions.js';
import type { StackConfig } from '../../src/di/stack-config.js';
import { ImpairedLink } from '../../src/layers/link/decorators/impaired-link.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import type { RawLink } from '../../src/layers/link/raw-link.js';
import type { CongestionControllerFactory } from '../../src/transport/congestion/congestion-controller.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import type { TcpConfig } from '../../src/transport/tcp/tcp-config.js';
import { ethernetMemoryPair } from './ethernet-stacks.js';
import { ADDRESS_A, ADDRESS_B, memoryConfig } from './memory-stacks.js';
import { SegmentingLink } from './segmenting-link.js';

export { ADDRESS_A, ADDRESS_B };

export interface TwoTcpStacksOptions {
  readonly mtu?: number;
  readonly tcp?: Partial<TcpConfig>;
  /** Applied to both directions of A's link (so each datagram crosses one impaired hop). */
  readonly impairment?: Impairment;
  /**
   * When given, the two directions differ: `impairment` acts only on what A sends (A→B) and this only on
   * what A receives (B→A), each direction with its own queue and random sequence.
   */
  readonly impairmentBack?: Impairment;
  /** Deliver inside send(): every answer arrives within the send that caused it (re-entrancy tests). */
  readonly synchronous?: boolean;
  /** A's congestion controllers (StackOverrides.congestionControllerFactory); B keeps the configured one. */
  readonly congestionA?: CongestionControllerFactory;
  /** A's `--trace` file (A sends in the transfer tests). */
  readonly traceFileA?: string;
  /** Wraps A's tracer (StackOverrides.wrapTcpTracer): the dashboard's tap. */
  readonly wrapTcpTracerA?: StackOverrides['wrapTcpTracer'];
  /** The MemoryLink moves Ethernet frames: each stack gets an EthernetLayer with ARP over its end. */
  readonly ethernet?: boolean;
  /**
   * A's link offers segmentation offload (a SegmentingLink on top of A's link and any impairment, which then
   * applies to the segments as cut): A's TCP sends super-segments.
   */
  readonly segmenting?: boolean;
  /** With `segmenting`: whether the link takes super-segments in parts too (true when absent, as TunLink). */
  readonly segmentingParts?: boolean;
  /**
   * Wraps A's end of the link, under A's impairment (so the wrapper sees what A sends after loss, and what
   * B sends before it): a peer's quirks acted out on the wire.
   */
  readonly wrapLinkA?: (link: RawLink) => RawLink;
}

export interface TwoTcpStacks {
  readonly clock: VirtualClock;
  readonly a: TcpStack;
  readonly b: TcpStack;
  /** A's and B's ends of the MemoryLink, under any impairment. */
  readonly links: readonly [MemoryLink, MemoryLink];
  /** A's SegmentingLink, with `segmenting`. */
  readonly segmentingLink?: SegmentingLink;
  close(): Promise<void>;
}

/** Two complete stacks with pilha's TCP, built by the real container, joined by a MemoryLink on one VirtualClock. */
export async function twoTcpStacks(options: TwoTcpStacksOptions = {}): Promise<TwoTcpStacks> {
  const mtu = options.mtu ?? 1500;
  const clock = new VirtualClock();
  // Deliver on the clock (zero delay), so that nothing is processed inside the sender's send() call;
  // or, when asked, synchronously, inside it.
  const [linkA, linkB] = options.ethernet
    ? ethernetMemoryPair(clock, mtu, options.synchronous === true)
    : options.synchronous
      ? MemoryLink.pair(mtu, (run) => run())
      : MemoryLink.pair(mtu, (run) => clock.setTimer(0, run));
  const common: Partial<StackConfig> = { mtu, ...(options.tcp !== undefined ? { tcp: options.tcp } : {}) };
  // One impairment both ways goes through the stack's configuration (as --impair does); two different ones
  // are two one-way ImpairedLinks around A's end of the link.
  const segmenting = options.segmenting === true;
  const back =
    options.impairmentBack ?? (segmenting && options.impairment !== undefined ? NO_IMPAIRMENT : undefined);
  const wrappedA = options.wrapLinkA === undefined ? linkA : options.wrapLinkA(linkA);
  const underA: RawLink =
    back === undefined
      ? wrappedA
      : new ImpairedLink(
          new ImpairedLink(wrappedA, back, clock, 'rx'),
          options.impairment ?? NO_IMPAIRMENT,
          clock,
          'tx',
        );
  const segmentingLink = segmenting
    ? new SegmentingLink(underA, 65535, options.segmentingParts !== false)
    : undefined;
  const baseA: RawLink = segmentingLink ?? underA;
  const a = await buildTcpStack(
    memoryConfig(ADDRESS_A, {
      ...common,
      ...(options.impairment !== undefined && back === undefined ? { impairment: options.impairment } : {}),
      ...(options.traceFileA !== undefined ? { traceFile: options.traceFileA } : {}),
    }),
    {
      baseLink: baseA,
      clock,
      loggers: silentLoggers(),
      ...(options.congestionA !== undefined ? { congestionControllerFactory: options.congestionA } : {}),
      ...(options.wrapTcpTracerA !== undefined ? { wrapTcpTracer: options.wrapTcpTracerA } : {}),
    },
  );
  const b = await buildTcpStack(memoryConfig(ADDRESS_B, common), {
    baseLink: linkB,
    clock,
    loggers: silentLoggers(),
  });
  return {
    clock,
    a,
    b,
    links: [linkA, linkB],
    ...(segmentingLink !== undefined ? { segmentingLink } : {}),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

/**
 * Runs virtual time and the event loop together until `done()` holds: each step fires the clock's due
 * timers (up to `stepMs` ahead), then lets Node run its ticks and microtasks (stream events, callbacks).
 * Throws when `limitMs` of virtual time pass first.
 */
export async function drive(
  clock: VirtualClock,
  done: () => boolean,
  { stepMs = 1, limitMs = 600_000 }: { stepMs?: number; limitMs?: number } = {},
): Promise<void> {
  const end = clock.now() + limitMs;
  for (;;) {
    await yieldToLoop();
    if (done()) return;
    if (clock.now() >= end) throw new Error(`drive: not done after ${limitMs} ms of virtual time`);
    clock.advance(stepMs);
  }
}

/**
 * Writes `data` in `chunk`-byte writes with backpressure, as an application would: until write() returns
 * false, then again on 'drain'; end() after the last.
 */
export function writeAll(socket: Writable, data: Uint8Array, chunk: number): void {
  let offset = 0;
  const pump = (): void => {
    while (offset < data.length) {
      const end = Math.min(offset + chunk, data.length);
      const more = socket.write(data.subarray(offset, end));
      offset = end;
      if (!more) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

/** A deterministic pattern: byte i of a stream is a function of i (catches reordering and duplication). */
export function pattern(length: number, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const n = offset + i;
    out[i] = (n * 31 + (n >>> 8) * 7 + (n >>> 16)) & 0xff;
  }
  return out;
}

/** What a one-way transfer from A to B gives back: the bytes B read, the virtual time, both sockets. */
export interface TransferResult {
  readonly body: Buffer;
  readonly virtualMs: number;
  readonly sender: TcpSocket;
  readonly receiver: TcpSocket;
}

/**
 * B listens on `port`, A connects and writes `data` with backpressure (64 KiB writes, as an application) and
 * ends; virtual time runs until B has read the end. The caller checks the body and the sockets' stats.
 */
export async function transferAtoB(
  stacks: TwoTcpStacks,
  data: Uint8Array,
  port = 5001,
): Promise<TransferResult> {
  const { clock, a, b } = stacks;
  const received: Buffer[] = [];
  let ended = false;
  let receiver: TcpSocket | undefined;
  const server = b.transport.createServer((socket) => {
    receiver = socket;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => {
      ended = true;
    });
  });
  await server.listen(port);
  const sender = a.transport.createConnection(port, formatIpv4(ADDRESS_B));
  const start = clock.now();
  writeAll(sender, data, 64 * 1024);
  await drive(clock, () => ended, { limitMs: 3_600_000 });
  return { body: Buffer.concat(received), virtualMs: clock.now() - start, sender, receiver: receiver! };
}
