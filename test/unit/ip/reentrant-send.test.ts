/**
 * The IP layer lends one transmit buffer (allocateDatagram) to whoever sends. A link may still read that buffer
 * after a nested send: with synchronous delivery, the peer's answer is processed, and answered, inside the
 * send of the datagram it answers. These tests send over a synchronous MemoryLink pair ((run) => run()) with
 * an ImpairedLink that duplicates every datagram: the duplicate is sent after the nested send has returned.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../../src/core/ipv4-address.js';
import { silentLoggers } from '../../../src/core/logger.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';
import { IPV4_MIN_HEADER, type Ipv4Datagram } from '../../../src/layers/ip/ipv4-header.js';
import { Ipv4Layer } from '../../../src/layers/ip/ipv4-layer.js';
import { ImpairedLink } from '../../../src/layers/link/decorators/impaired-link.js';
import { NO_IMPAIRMENT } from '../../../src/layers/link/decorators/impairment.js';
import { MemoryLink } from '../../../src/layers/link/memory-link.js';
import { ADDRESS_A, ADDRESS_B } from '../../helpers/memory-stacks.js';
import { drive, pattern, twoTcpStacks } from '../../helpers/tcp-stacks.js';

const PROTOCOL = 253;
const ALWAYS_TWICE = { ...NO_IMPAIRMENT, duplicate: 1 };

/** Sends one byte through allocateDatagram/sendDatagram, the path that writes into the lent buffer. */
function sendByte(ip: Ipv4Layer, dst: number, value: number): void {
  const d = ip.allocateDatagram(1);
  d[IPV4_MIN_HEADER] = value;
  ip.sendDatagram(dst, PROTOCOL, d);
}

describe('re-entrant sends over a synchronous link', () => {
  it('a datagram sent inside the send of another does not overwrite it (IP layer)', () => {
    const clock = new VirtualClock();
    const [linkA, linkB] = MemoryLink.pair(1500, (run) => run());
    const log = silentLoggers().for('ip');
    const a = new Ipv4Layer(new ImpairedLink(linkA, ALWAYS_TWICE, clock, 'tx'), clock, log, {
      address: ADDRESS_A,
    });
    const b = new Ipv4Layer(linkB, clock, log, { address: ADDRESS_B });
    const seenByB: number[] = [];
    b.registerProtocol(PROTOCOL, (d: Ipv4Datagram) => {
      seenByB.push(d.payload[0]!);
      if (d.payload[0] === 1 && seenByB.length === 1) sendByte(b, ADDRESS_A, 2);
    });
    // A answers B's 2 with a 3, inside its own send of the 1.
    a.registerProtocol(PROTOCOL, (d: Ipv4Datagram) => {
      if (d.payload[0] === 2) sendByte(a, ADDRESS_B, 3);
    });
    sendByte(a, ADDRESS_B, 1);
    // Each datagram twice: the 1 (its copy after the nested 3s), and the 3.
    expect(seenByB).toEqual([1, 3, 3, 1]);
  });

  it('a buffer taken but not yet sent is not handed out again', () => {
    const clock = new VirtualClock();
    const [linkA, linkB] = MemoryLink.pair(1500, (run) => run());
    const a = new Ipv4Layer(linkA, clock, silentLoggers().for('ip'), { address: ADDRESS_A });
    const got: number[] = [];
    linkB.onReceive((d) => got.push(d[IPV4_MIN_HEADER]!));
    const outer = a.allocateDatagram(1);
    outer[IPV4_MIN_HEADER] = 7;
    sendByte(a, ADDRESS_B, 8);
    a.sendDatagram(ADDRESS_B, PROTOCOL, outer);
    expect(got).toEqual([8, 7]);
    expect(a.stats().txReentrantAllocations).toBe(1);
    // Once the lent buffer is back, it is lent again: no allocation on the common path.
    const first = a.allocateDatagram(4);
    a.sendDatagram(ADDRESS_B, PROTOCOL, first);
    expect(a.allocateDatagram(4).buffer).toBe(first.buffer);
    expect(a.stats().txReentrantAllocations).toBe(1);
  });

  it("two TCP stacks exchange data byte-exact, and the peer sees each of A's datagrams exactly twice", async () => {
    const { clock, a, b, links, close } = await twoTcpStacks({ synchronous: true, impairment: ALWAYS_TWICE });
    const linkB = links[1];
    const arrivals = new Map<string, number>();
    const receive = linkB.receive.bind(linkB);
    linkB.receive = (d: Uint8Array) => {
      const key = Buffer.from(d).toString('hex');
      arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
      receive(d);
    };
    const size = 300_000;
    const data = pattern(size);
    const got: Buffer[] = [];
    const echoed: Buffer[] = [];
    let ended = false;
    const server = b.transport.createServer((s) => {
      s.on('data', (c: Buffer) => {
        got.push(c);
        s.write(c.subarray(0, 16)); // Something back on every chunk: more sends inside sends.
      });
      s.on('end', () => s.end());
    });
    await server.listen(80);
    const socket = a.transport.createConnection(80, formatIpv4(ADDRESS_B));
    socket.on('data', (c: Buffer) => echoed.push(c));
    socket.on('close', () => {
      ended = true;
    });
    socket.write(data);
    socket.end();
    await drive(clock, () => ended, { limitMs: 120_000 });
    expect(Buffer.concat(got).equals(data)).toBe(true);
    const counts = [...arrivals.values()];
    expect(counts.length).toBeGreaterThan(100);
    expect(counts.filter((n) => n !== 2)).toEqual([]);
    // Answers that came back inside a send were processed after the datagram in hand, not nested in it
    // (nesting one call chain per round trip overflowed the stack mid-segment: internal errors).
    expect(a.ip.stats().rxReentrantDeferred).toBeGreaterThan(0);
    expect(a.tcp.stats().internalErrors).toBe(0);
    expect(b.tcp.stats().internalErrors).toBe(0);
    await close();
  });
});
