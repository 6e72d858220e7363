/**
 * A SYN flood against a whole stack on a VirtualClock: 100,000 SYNs from random spoofed sources and ports
 * are injected into the server's link at 100 per virtual millisecond, while legitimate clients on the
 * other stack connect and download. The SYN queue fills with the first 1,024; every later SYN is answered
 * with a SYN cookie and leaves no state, so a legitimate client's handshake completes on its first SYN
 * (no retransmission, well under 1 s of virtual time) and its download is byte-exact, during the flood and
 * after it. Memory stays bounded: the SYN queue at its limit, the connection table no larger.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../../src/core/ipv4-address.js';
import { silentLoggers } from '../../src/core/logger.js';
import { SeededRandom } from '../../src/core/seeded-random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { buildTcpStack, type TcpStack } from '../../src/di/compositions.js';
import { encodeIpv4, IP_PROTOCOL_TCP } from '../../src/layers/ip/ipv4-header.js';
import { MemoryLink } from '../../src/layers/link/memory-link.js';
import type { TcpSocket } from '../../src/transport/socket/tcp-socket.js';
import { TcpState } from '../../src/transport/tcp/connection/tcp-state.js';
import type { TcpConfig } from '../../src/transport/tcp/tcp-config.js';
import { seq } from '../../src/transport/tcp/wire/seq.js';
import { encodeTcpSegment, TcpFlags, type TcpOptions } from '../../src/transport/tcp/wire/tcp-header.js';
import { memoryConfig } from '../helpers/memory-stacks.js';
import { drive, pattern } from '../helpers/tcp-stacks.js';

const SERVER = parseIpv4('10.9.0.2');
const CLIENT = parseIpv4('10.9.0.1');
const PORT = 80;
const FLOOD = 100_000;
/** SYNs per virtual millisecond: 100,000 in one second. */
const RATE = 100;
const BODY = 256 * 1024;
const SYN_BACKLOG = 1024;

interface Stacks {
  readonly clock: VirtualClock;
  readonly server: TcpStack;
  readonly client: TcpStack;
  /** The server's end of the link: `receive` injects a datagram as if from the wire. */
  readonly serverLink: MemoryLink;
}

async function stacks(tcp: Partial<TcpConfig> = {}): Promise<Stacks> {
  const clock = new VirtualClock();
  const [serverLink, clientLink] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
  const server = await buildTcpStack(memoryConfig(SERVER, { tcp }), {
    baseLink: serverLink,
    clock,
    loggers: silentLoggers(),
  });
  const client = await buildTcpStack(memoryConfig(CLIENT), {
    baseLink: clientLink,
    clock,
    loggers: silentLoggers(),
  });
  return { clock, server, client, serverLink };
}

/**
 * Spoofed SYNs: random sources in 10.66.0.0/16 (nobody there answers), random ports, half with Linux's
 * options and half bare; built before the flood, so that sending measures the server alone.
 */
class Flood {
  private readonly datagrams: Uint8Array[] = [];
  sent = 0;

  constructor(private readonly link: MemoryLink) {
    const r = new SeededRandom(6);
    for (let i = 0; i < FLOOD; i++) {
      const src = (parseIpv4('10.66.0.0') | (r.nextUint32() & 0xffff)) >>> 0;
      const options: TcpOptions =
        (i & 1) === 0
          ? { mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: r.nextUint32(), echo: 0 } }
          : { mss: 536 };
      const tcp = encodeTcpSegment(
        {
          srcPort: 1024 + (r.nextUint32() % 64_000),
          dstPort: PORT,
          seq: seq(r.nextUint32()),
          ack: seq(0),
          flags: TcpFlags.SYN,
          window: 64_240,
          urgentPointer: 0,
          options,
          payload: new Uint8Array(0),
        },
        src,
        SERVER,
      );
      this.datagrams.push(
        encodeIpv4({ id: i & 0xffff, ttl: 64, protocol: IP_PROTOCOL_TCP, src, dst: SERVER }, tcp),
      );
    }
  }

  send(count: number): void {
    const end = Math.min(this.sent + count, FLOOD);
    for (; this.sent < end; this.sent++) this.link.receive(this.datagrams[this.sent]!);
  }

  get done(): boolean {
    return this.sent >= FLOOD;
  }
}

/** A legitimate client: connect, read BODY bytes to the end; when it connected, and what it got. */
class Download {
  readonly startedAt: number;
  connectedAt = -1;
  readonly chunks: Buffer[] = [];
  ended = false;
  readonly socket: TcpSocket;

  constructor(s: Stacks) {
    this.startedAt = s.clock.now();
    this.socket = s.client.transport.createConnection(PORT, formatIpv4(SERVER));
    this.socket.on('connect', () => {
      this.connectedAt = s.clock.now();
    });
    this.socket.on('data', (c: Buffer) => this.chunks.push(c));
    this.socket.on('end', () => {
      this.ended = true;
    });
  }

  check(): void {
    expect(this.ended).toBe(true);
    expect(Buffer.concat(this.chunks).equals(pattern(BODY))).toBe(true);
    // Connected on the first SYN: no SYN retransmission (the first would come after 1 s).
    expect(this.connectedAt - this.startedAt).toBeLessThan(1000);
    expect(this.socket.stats().timeouts).toBe(0);
  }
}

function halfOpen(stack: TcpStack): number {
  let n = 0;
  for (const c of stack.tcp.connections()) if (c.state === TcpState.SYN_RECEIVED) n++;
  return n;
}

describe('SYN flood: 100,000 spoofed SYNs at full speed', () => {
  it('legitimate clients connect at once and download byte-exact, during and after; memory bounded', async () => {
    const s = await stacks();
    const server = s.server.transport.createServer((socket) => {
      socket.on('error', () => {});
      socket.end(pattern(BODY));
    });
    await server.listen(PORT);
    const flood = new Flood(s.serverLink);
    const downloads: Download[] = [];
    let maxHalfOpen = 0;
    let maxConnections = 0;
    const started = performance.now();
    let floodMs = 0;
    // The flood, with legitimate clients starting at 50 ms, 300 ms and 700 ms into it.
    const startsAt = new Set([50, 300, 700]);
    for (let ms = 0; !flood.done; ms++) {
      if (startsAt.has(ms)) downloads.push(new Download(s));
      const t0 = performance.now();
      flood.send(RATE);
      floodMs += performance.now() - t0;
      await drive(s.clock, () => true);
      s.clock.advance(1);
      if (ms % 50 === 0) {
        maxHalfOpen = Math.max(maxHalfOpen, halfOpen(s.server));
        maxConnections = Math.max(maxConnections, s.server.tcp.connections().length);
      }
    }
    const during = downloads.slice();
    await drive(s.clock, () => during.every((d) => d.ended), { limitMs: 10_000 });
    for (const d of during) d.check();

    // Right after the flood (the SYN queue still full: cookies) and once its entries have expired.
    const after = new Download(s);
    await drive(s.clock, () => after.ended, { limitMs: 10_000 });
    after.check();
    await drive(s.clock, () => halfOpen(s.server) === 0, { limitMs: 120_000 });
    const later = new Download(s);
    await drive(s.clock, () => later.ended, { limitMs: 10_000 });
    later.check();

    const stats = s.server.tcp.stats();
    console.log(
      `SYN flood (simulation): the server took ${FLOOD} SYNs in ${floodMs.toFixed(0)} ms real ` +
        `(${((FLOOD / floodMs) * 1000).toFixed(0)} SYNs/s: IPv4 and TCP parse, cookie, SYN-ACK out); ` +
        `syncookiesSent ${stats.syncookiesSent}, syncookiesValid ${stats.syncookiesValid}, ` +
        `half-open at most ${maxHalfOpen}, connections at most ${maxConnections}, ` +
        `${(performance.now() - started).toFixed(0)} ms real in all`,
    );
    expect(maxHalfOpen).toBeLessThanOrEqual(SYN_BACKLOG);
    expect(maxConnections).toBeLessThanOrEqual(SYN_BACKLOG + downloads.length + 2);
    // Every SYN beyond the queue got a cookie (a few random 4-tuples may repeat one already queued).
    expect(stats.syncookiesSent).toBeGreaterThan(FLOOD - SYN_BACKLOG - 100);
    expect(stats.syncookiesValid).toBeGreaterThanOrEqual(during.length + 1);
    expect(stats.syncookiesFailed).toBe(0);
    expect(stats.internalErrors).toBe(0);
    expect(stats.listenSynQueueFull).toBe(0);
    await s.server.close();
    await s.client.close();
  }, 120_000);
});
