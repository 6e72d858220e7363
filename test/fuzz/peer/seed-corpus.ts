/**
 * The seed corpus of "real captures": a normal exchange between two pilha stacks (handshake with
 * options, a request, a 6 KB answer, both FINs, a 3,000-byte ping that travels in fragments), recorded
 * on the link and rewritten so each datagram comes from the fuzzing peer to the stack under test; plus
 * the fragments of a Linux ping captured with tshark (test/fixtures/linux-ping-fragments.json).
 */

import { existsSync, readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import type { RawLink } from '../../../src/layers/link/raw-link.js';
import type { TcpSocket } from '../../../src/transport/socket/tcp-socket.js';
import { FuzzRandom } from '../fuzz-random.js';
import { buildFuzzStack } from '../fuzz-stack.js';
import { fixChecksums, read32, write32 } from '../fuzz-wire.js';
import { fuzzStackConfig } from '../session-variant.js';

/** From test/fuzz, or from dist-fuzz/test/fuzz when compiled for `npm run fuzz`. */
const FIXTURES = [
  new URL('../../fixtures/linux-ping-fragments.json', import.meta.url),
  new URL('../../../../test/fixtures/linux-ping-fragments.json', import.meta.url),
];

/** Records what passes through a link, both ways. */
class RecordingLink implements RawLink {
  readonly seen: Uint8Array[] = [];
  constructor(private readonly inner: MemoryLink) {}
  get mtu(): number {
    return this.inner.mtu;
  }
  send(d: Uint8Array): void {
    this.seen.push(d.slice());
    this.inner.send(d);
  }
  onReceive(handler: (d: Uint8Array) => void): void {
    this.inner.onReceive((d) => {
      this.seen.push(d.slice());
      handler(d);
    });
  }
  stats(): Record<string, number> {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Datagrams from `peer` to `stack`: the capture's own direction, and the other one with addresses swapped. */
export async function buildSeedCorpus(peer: number, stack: number): Promise<Uint8Array[]> {
  const rng = new FuzzRandom(0x5eed);
  const clock = new VirtualClock();
  const [linkPeer, linkStack] = MemoryLink.pair(1500, (run) => clock.setTimer(0, run));
  const recorder = new RecordingLink(linkPeer);
  const a = await buildFuzzStack(fuzzStackConfig(peer, 1500), recorder, clock, silentLoggers(), rng);
  const b = await buildFuzzStack(fuzzStackConfig(stack, 1500), linkStack, clock, silentLoggers(), rng);
  let served = false;
  const server = b.transport.createServer((socket: TcpSocket) => {
    let request = 0;
    socket.on('data', (chunk: Buffer) => {
      request += chunk.length;
      if (request >= 300 && !served) {
        served = true;
        socket.end(Buffer.alloc(6000, 0x61));
      }
    });
  });
  await server.listen(80);
  let done = false;
  const client = a.transport.createConnection(80, formatDotted(stack));
  client.on('data', () => {});
  client.on('end', () => {
    client.end();
    done = true;
  });
  client.write(Buffer.alloc(300, 0x47));
  for (let i = 0; i < 10_000 && !done; i++) {
    await yieldToLoop();
    clock.advance(1);
  }
  a.icmp.sendEchoRequest(stack, 0x1234, 1, new Uint8Array(3000).fill(0x70));
  for (let i = 0; i < 200; i++) {
    await yieldToLoop();
    clock.advance(50);
  }
  await server.close();
  await a.close();
  await b.close();

  const out: Uint8Array[] = [];
  for (const d of recorder.seen) out.push(toStack(d, peer, stack));
  const path = FIXTURES.find((url) => existsSync(url)) ?? FIXTURES[0]!;
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as { datagrams: string[] };
  for (const hex of fixture.datagrams)
    out.push(toStack(Uint8Array.from(Buffer.from(hex, 'hex')), peer, stack));
  return out;
}

/** The datagram as if sent by the peer to the stack (addresses rewritten, checksums fixed). */
function toStack(d: Uint8Array, peer: number, stack: number): Uint8Array {
  const out = d.slice();
  if (out.length < 20) return out;
  if (read32(out, 12) !== peer) {
    write32(out, 12, peer);
    write32(out, 16, stack);
  }
  fixChecksums(out);
  return out;
}

function formatDotted(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}
