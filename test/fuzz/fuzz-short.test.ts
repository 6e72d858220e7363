/**
 * The fuzzer in `npm test`: a short run with a fixed seed and a fixed number of sessions (so it is the
 * same run every time, whatever the machine's speed), which must find nothing new and must reach what
 * it claims to reach; and the fuzzer's own checks, each shown to fire on a datagram or a connection
 * that breaks it (a check that cannot fail proves nothing).
 */

import { describe, expect, it } from 'vitest';
import { TCP_STATE_NAMES, TcpState } from '../../src/transport/tcp/connection/tcp-state.js';
import { seq } from '../../src/transport/tcp/wire/seq.js';
import { pattern, twoTcpStacks } from '../helpers/tcp-stacks.js';
import { stackStreamByte, streamBytes } from './byte-pattern.js';
import { InvariantChecker } from './checks/invariant-checker.js';
import { StackOutputChecker } from './checks/stack-output-checker.js';
import { FuzzRandom } from './fuzz-random.js';
import { PEER_ADDRESS, STACK_ADDRESS } from './fuzz-session.js';
import { ACK, buildIcmp, buildIpv4, buildTcpDatagram, PROTO_ICMP, SYN } from './fuzz-wire.js';
import { Fuzzer } from './fuzzer.js';
import { KNOWN_FINDINGS } from './known-findings.js';
import { MUTATIONS } from './peer/mutator.js';
import { PeerModel } from './peer/peer-model.js';

/** Every state a connection can be in while it exists (CLOSED and LISTEN are not a connection's). */
const CONNECTION_STATES = TCP_STATE_NAMES.filter((name) => name !== 'CLOSED' && name !== 'LISTEN');

describe('fuzzer, fixed seed', () => {
  it('12 sessions of 4000 steps: no finding, every TCP state reached, the reassembler exercised', async () => {
    const fuzzer = new Fuzzer({ seed: 20_261_202, sessions: 12, steps: 4000 });
    const report = await fuzzer.run();
    const t = fuzzer.totals;
    console.log(
      `fuzz: ${t.sessions} sessions, ${t.packets} packets in ${(t.elapsedMs / 1000).toFixed(1)} s; ` +
        `known findings (failed checks): ${JSON.stringify(t.known)}`,
    );
    expect(report?.finding.message, report?.trace.join('\n')).toBeUndefined();
    expect(t.sessions).toBe(12);
    expect([...t.statesSeen].sort()).toEqual([...CONNECTION_STATES].sort());
    for (const m of MUTATIONS) expect(t.mutations[m], m).toBeGreaterThan(0);
    const c = t.counters;
    expect(c['ip.reassembled']).toBeGreaterThan(0);
    for (const drop of ['dropReassemblyDuplicate', 'dropReassemblyOverlap', 'dropReassemblyTimeout']) {
      expect(c[`ip.${drop}`], drop).toBeGreaterThan(0);
    }
    for (const drop of ['dropBadChecksum', 'rxBadOptions', 'dropTruncated']) {
      expect(c[`tcp.${drop}`], drop).toBeGreaterThan(0);
    }
    expect(c['icmp.txTimeExceeded']).toBeGreaterThan(0);
    expect(c['tcp.passiveOpens']).toBeGreaterThan(100);
    expect(c['tcp.activeOpens']).toBeGreaterThan(20);
    expect(t.bytesRead).toBeGreaterThan(100_000);
    expect(t.bytesWritten).toBeGreaterThan(100_000);
    // Known findings are only those listed, each with its summary.
    for (const id of Object.keys(t.known)) expect(KNOWN_FINDINGS.map((k) => k.id)).toContain(id);
  });

  it('replays a session once taken for a finding (a mutated segment that fragmentation mended)', async () => {
    // Seed 42, session 392: a bad IP total length plus option soup on a data segment; the fragments carried
    // it to the stack with the length mended, and the flow was not marked as carrying foreign bytes.
    const fuzzer = new Fuzzer({ seed: 42, session: 392, steps: 1000 });
    const report = await fuzzer.run();
    expect(report?.finding.message, report?.trace.join('\n')).toBeUndefined();
  });

  it("replays a session once taken for a finding (the stack's SYN again after the peer answered)", async () => {
    // Seed 44, session 342: the peer forgot a flow when the stack sent its SYN again, and its held-back
    // SYN-ACK, released later, opened the connection with the old sequence numbers.
    const fuzzer = new Fuzzer({ seed: 44, session: 342, steps: 400 });
    const report = await fuzzer.run();
    expect(report?.finding.message, report?.trace.join('\n')).toBeUndefined();
  });

  it('replays a session once taken for a finding (a stray SYN-ACK that completed an active open)', async () => {
    // Seed 45, session 1094: the peer's simultaneous-open SYN was mangled; a stray SYN-ACK with another
    // sequence number then (rightly) completed the stack's active open, on offsets the peer did not use.
    const fuzzer = new Fuzzer({ seed: 45, session: 1094, steps: 1100 });
    const report = await fuzzer.run();
    expect(report?.finding.message, report?.trace.join('\n')).toBeUndefined();
  });

  it('replays a session once taken for a finding (SYN cookies that answered two SYNs of one flow)', async () => {
    // Seed 1, session 576: the listener's SYN queue was full; the peer's SYN and a mangled SYN+FIN on the same
    // 4-tuple each got a cookie SYN-ACK with its own ISS. The peer's ACK returned the first cookie, so the
    // stack (rightly, as Linux) established that one, while the peer had taken the second SYN-ACK's ISS.
    const fuzzer = new Fuzzer({ seed: 1, session: 576, steps: 3200 });
    const report = await fuzzer.run();
    expect(report?.finding.message, report?.trace.join('\n')).toBeUndefined();
  });

  it('the same seed gives the same run', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const fuzzer = new Fuzzer({ seed: 7, sessions: 2, steps: 1500 });
      expect(await fuzzer.run()).toBeUndefined();
      const { packets, steps, bytesRead, bytesWritten, mutations, counters } = fuzzer.totals;
      runs.push({ packets, steps, bytesRead, bytesWritten, mutations, counters });
    }
    expect(runs[1]).toEqual(runs[0]);
  });
});

describe("the fuzzer's checks fire", () => {
  const checker = new StackOutputChecker(STACK_ADDRESS, 1500);
  const segment = (payload: Uint8Array, flags = ACK) =>
    buildTcpDatagram(
      { src: STACK_ADDRESS, dst: PEER_ADDRESS },
      { srcPort: 80, dstPort: 1024, seq: 1001, ack: 1, flags, window: 1000, payload },
    );

  it('on a bad checksum, a bad flag combination, an oversized datagram, an ICMP error about an error', () => {
    const good = segment(new Uint8Array(10));
    expect(checker.check(good)).toBeUndefined();
    const flipped = good.slice();
    flipped[good.length - 1]! ^= 1;
    expect(checker.check(flipped)).toBe('bad TCP checksum');
    expect(checker.check(segment(new Uint8Array(0), SYN | 0x01))).toMatch(/SYN with FIN/);
    expect(checker.check(segment(new Uint8Array(1500)))).toMatch(/MTU/);
    const quoted = buildIpv4(
      { src: PEER_ADDRESS, dst: STACK_ADDRESS, protocol: PROTO_ICMP },
      buildIcmp(3, 3, 0, new Uint8Array(8)),
    );
    const error = buildIpv4(
      { src: STACK_ADDRESS, dst: PEER_ADDRESS, protocol: PROTO_ICMP },
      buildIcmp(11, 1, 0, quoted.subarray(0, 28)),
    );
    expect(checker.check(error)).toBe('ICMP error about an ICMP error');
  });

  it('on a datagram to a martian address (ours, network 0, loopback, multicast, broadcast)', () => {
    const to = (dst: number) =>
      buildTcpDatagram(
        { src: STACK_ADDRESS, dst },
        {
          srcPort: 80,
          dstPort: 1024,
          seq: 1001,
          ack: 1,
          flags: ACK,
          window: 1000,
          payload: new Uint8Array(0),
        },
      );
    expect(checker.check(to(PEER_ADDRESS))).toBeUndefined();
    for (const dst of [STACK_ADDRESS, 0, 0x7f000001, 0xe0000001, 0xffffffff, (STACK_ADDRESS | 0xff) >>> 0]) {
      expect(checker.check(to(dst))).toMatch(/^sent to a martian address/);
    }
  });

  it('on wrong stream bytes, and on bytes the application never wrote', () => {
    const peer = new PeerModel(new FuzzRandom(1), PEER_ADDRESS, STACK_ADDRESS, 8);
    const syn = buildTcpDatagram(
      { src: STACK_ADDRESS, dst: PEER_ADDRESS },
      { srcPort: 20_000, dstPort: 5000, seq: 1000, ack: 0, flags: SYN, window: 1000 },
    );
    expect(peer.observe(syn, () => 0)).toBeUndefined();
    const data = (bytes: Uint8Array) =>
      buildTcpDatagram(
        { src: STACK_ADDRESS, dst: PEER_ADDRESS },
        { srcPort: 20_000, dstPort: 5000, seq: 1001, ack: 1, flags: ACK, window: 1000, payload: bytes },
      );
    const right = streamBytes(stackStreamByte, 0, 10);
    expect(peer.observe(data(right), () => 10)).toBeUndefined();
    const wrong = right.slice();
    wrong[4]! ^= 0x80;
    expect(peer.observe(data(wrong), () => 10)).toMatch(/wrong byte at stream offset 4/);
    expect(peer.observe(data(right), () => 5)).toMatch(/wrote 5 bytes/);
  });

  it('after SYN-ACKs with two ISSs (SYN cookies): takes the one the stack goes on with, catches the other', () => {
    const peer = new PeerModel(new FuzzRandom(1), PEER_ADDRESS, STACK_ADDRESS, 8);
    expect(peer.open(80)).toBeDefined(); // peer port 1024
    const from80 = (seq: number, flags: number, payload: Uint8Array = new Uint8Array(0)) =>
      buildTcpDatagram(
        { src: STACK_ADDRESS, dst: PEER_ADDRESS },
        { srcPort: 80, dstPort: 1024, seq, ack: 1, flags, window: 1000, payload },
      );
    // Cookie SYN-ACKs for the SYN and for another SYN on the same 4-tuple; the peer's ACK returned the first.
    expect(peer.observe(from80(5000, SYN | ACK), () => 0)).toBeUndefined();
    expect(peer.observe(from80(1000, SYN | ACK), () => 0)).toBeUndefined();
    const right = streamBytes(stackStreamByte, 0, 10);
    expect(peer.observe(from80(5001, ACK), () => 10)).toBeUndefined();
    expect(peer.observe(from80(5001, ACK, right), () => 10)).toBeUndefined();
    // Settled: data on the other ISS is another incarnation's.
    expect(peer.observe(from80(1001, ACK, right), () => 10)).toMatch(/before its ISS\+1/);
  });

  it('on sequence variables out of order, and on unacknowledged data without a timer', async () => {
    const s = await twoTcpStacks();
    try {
      const server = s.b.transport.createServer(() => {});
      await server.listen(80);
      const client = await connectDriven(s);
      client.write(pattern(5000));
      const config = s.a.tcp.config;
      const checker = new InvariantChecker(s.a, config, 4 * 1024 * 1024);
      const violations: string[] = [];
      checker.check((v) => violations.push(v));
      expect(violations).toEqual([]);
      const c = s.a.tcp.connections().find((x) => x.state === TcpState.ESTABLISHED)!;
      const bag = c as unknown as {
        tcb: { sndNxt: number; sndUna: number };
        timers: { clear(kind: number): void };
      };
      bag.timers.clear(0); // the retransmission timer, with data in flight
      checker.check((v) => violations.push(v));
      expect(violations.join('\n')).toMatch(/neither retransmission nor persist timer/);
      bag.tcb.sndNxt = seq(bag.tcb.sndUna - 1);
      checker.check((v) => violations.push(v));
      expect(violations.join('\n')).toMatch(/SND\.NXT \d+ < SND\.UNA/);
    } finally {
      await s.close();
    }
  });
});

async function connectDriven(s: Awaited<ReturnType<typeof twoTcpStacks>>) {
  const { setImmediate: yieldToLoop } = await import('node:timers/promises');
  const socket = s.a.transport.createConnection(80, '10.9.0.2');
  let connected = false;
  socket.once('connect', () => {
    connected = true;
  });
  for (let i = 0; i < 1000 && !connected; i++) {
    await yieldToLoop();
    s.clock.advance(1);
  }
  expect(connected).toBe(true);
  return socket;
}
