/**
 * Path MTU discovery (RFC 1191) between two complete stacks whose path has a narrower hop in the middle
 * (NarrowHopLink on A's side): both links are 1500 bytes, so the MSS each SYN announces is 1460, and only the
 * router's "fragmentation needed" can tell A that its 1500-byte DF segments do not get through.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../src/core/ipv4-address.js';
import { PATH_MTU_EXPIRY_MS } from '../../src/layers/ip/path-mtu-cache.js';
import { type Impairment, NO_IMPAIRMENT } from '../../src/layers/link/decorators/impairment.js';
import type { TcpConfig } from '../../src/transport/tcp/tcp-config.js';
import { fragmentationNeeded, NarrowHopLink } from '../helpers/narrow-hop-link.js';
import {
  ADDRESS_B,
  drive,
  pattern,
  type TwoTcpStacks,
  transferAtoB,
  twoTcpStacks,
} from '../helpers/tcp-stacks.js';

const SIZE = 2 * 1024 * 1024;
/** IPv4 + TCP headers with the timestamp option (negotiated by default). */
const HEADERS = 52;

interface Run {
  readonly stacks: TwoTcpStacks;
  readonly hop: NarrowHopLink;
}

async function narrowPath(
  hopMtu: number,
  options: {
    tcp?: Partial<TcpConfig>;
    segmenting?: boolean;
    reportsMtu?: boolean;
    impairment?: Impairment;
  } = {},
): Promise<Run> {
  let hop: NarrowHopLink | undefined;
  const stacks = await twoTcpStacks({
    ...(options.tcp !== undefined ? { tcp: options.tcp } : {}),
    ...(options.segmenting === true ? { segmenting: true } : {}),
    ...(options.impairment !== undefined ? { impairment: options.impairment } : {}),
    wrapLinkA: (inner) => {
      hop = new NarrowHopLink(inner, hopMtu, (run) => stacks.clock.setTimer(0, run), options.reportsMtu);
      return hop;
    },
  });
  return { stacks, hop: hop! };
}

async function transfer(run: Run, port = 5001) {
  const data = pattern(SIZE);
  const result = await transferAtoB(run.stacks, data, port);
  expect(result.body.equals(data)).toBe(true);
  return result;
}

/** What A sent after the first refusal, up to `end` (exclusive). */
function sentAfterFirstReport(hop: NarrowHopLink) {
  const first = hop.sent.findIndex((d) => d.length > hop.hopMtu);
  expect(first).toBeGreaterThanOrEqual(0);
  return { first, after: hop.sent.slice(first + 1) };
}

describe('path MTU discovery through a narrower hop', () => {
  for (const [label, options] of [
    ['with SACK', {}],
    ['without SACK (back to SND.UNA)', { tcp: { sack: false } }],
    ['with super-segments cut by the link', { segmenting: true }],
  ] as const) {
    it(`${label}: every segment carries DF; one report lowers the MSS, the flight goes again at the new size, byte-exact`, async () => {
      const run = await narrowPath(1000, options);
      const { sender } = await transfer(run);
      const { hop, stacks } = run;
      expect(hop.sent.every((d) => d.dontFragment)).toBe(true);
      expect(hop.reports.length).toBeGreaterThanOrEqual(1);
      expect(hop.reports.every((mtu) => mtu === 1000)).toBe(true);
      // Reports come back after a delay: what was sent before the first arrived is refused too, nothing after.
      const { after } = sentAfterFirstReport(hop);
      let lastRefused = hop.sent.length - 1;
      while (hop.sent[lastRefused]!.length <= 1000) lastRefused--;
      expect(hop.sent.slice(lastRefused + 1).length).toBeGreaterThan(after.length * 0.9);
      expect(hop.fragmented).toBe(0);
      const s = sender.stats();
      expect(s.mss).toBe(1000 - HEADERS);
      // A repair, not congestion: no timeout, no fast retransmit, the window not reduced; each refused
      // segment goes again as the pieces that fit.
      expect(s.timeouts).toBe(0);
      expect(s.fastRetransmits).toBe(0);
      expect(s.ssthresh).toBeGreaterThan(1e9);
      expect(s.retransmitted).toBeLessThanOrEqual(2 * hop.reports.length);
      const tcp = stacks.a.tcp.stats();
      expect(tcp.icmpFragmentationNeeded).toBeGreaterThanOrEqual(1);
      expect(tcp.pathMtuReductions).toBe(1);
      expect(tcp.icmpOutOfWindow).toBe(hop.reports.length - tcp.icmpFragmentationNeeded);
      expect(stacks.a.ip.stats().pathMtuLowered).toBe(1);
      await stacks.close();
    });
  }

  // Without SACK there is no tail loss probe: a lost last segment ends in a timeout whatever the path, so
  // that run has no loss.
  for (const [label, tcp, loss] of [
    ['SACK, 1% loss', {}, 0.01],
    ['no SACK', { sack: false }, 0],
  ] as const) {
    it(`a full window in flight when the path narrows (5 ms each way, ${label}): byte-exact, no timeout`, async () => {
      const run = await narrowPath(1500, {
        tcp,
        impairment: { ...NO_IMPAIRMENT, delayMs: 5, loss, seed: 3 },
      });
      run.hop.narrowing = { after: 1200, mtu: 1000 };
      const { sender } = await transfer(run);
      const s = sender.stats();
      expect(s.mss).toBe(1000 - HEADERS);
      // Every segment of the window in flight is refused, each with its report; one lowers the MSS.
      expect(run.hop.reports.length).toBeGreaterThan(5);
      expect(run.stacks.a.tcp.stats().pathMtuReductions).toBe(1);
      expect(run.hop.sent.every((d) => d.dontFragment)).toBe(true);
      expect(s.timeouts).toBe(0);
      // Without loss nothing calls for a fast retransmit: not even the duplicate ACKs that going back to
      // SND.UNA draws from what the peer had of the old flight.
      if (loss === 0) expect(s.fastRetransmits).toBe(0);
      await run.stacks.close();
    });
  }

  it('a second connection to the same host starts at the path MTU learned, and nothing is refused', async () => {
    const run = await narrowPath(1200);
    await transfer(run, 5001);
    const refused = run.hop.reports.length;
    const sentBefore = run.hop.sent.length;
    const { sender } = await transfer(run, 5002);
    expect(run.hop.reports.length).toBe(refused);
    expect(run.hop.sent.slice(sentBefore).every((d) => d.length <= 1200 && d.dontFragment)).toBe(true);
    expect(sender.stats().mss).toBe(1200 - HEADERS);
    await run.stacks.close();
  });

  it('a report below 552 bytes: the MSS stops at 552 − 40, DF is cleared and the hop fragments', async () => {
    const run = await narrowPath(400);
    const { sender } = await transfer(run);
    const { after } = sentAfterFirstReport(run.hop);
    const later = after.slice(after.length / 2);
    expect(later.every((d) => d.length <= 552 && !d.dontFragment)).toBe(true);
    expect(run.hop.fragmented).toBeGreaterThan(0);
    expect(sender.stats().mss).toBe(552 - HEADERS);
    await run.stacks.close();
  });

  it('a router that reports no MTU (an RFC 792 one): the plateaus of RFC 1191 §7, 1492 then 1006', async () => {
    const run = await narrowPath(1200, { reportsMtu: false });
    const { sender } = await transfer(run);
    expect(run.hop.reports.every((mtu) => mtu === 0)).toBe(true);
    expect(sender.stats().mss).toBe(1006 - HEADERS);
    expect(run.stacks.a.tcp.stats().pathMtuReductions).toBe(2);
    await run.stacks.close();
  });

  it('the hop narrows mid-transfer (a route change): the connection follows, byte-exact, without a timeout', async () => {
    const run = await narrowPath(1500);
    run.hop.narrowing = { after: 400, mtu: 900 };
    const { sender } = await transfer(run);
    expect(run.hop.reports.length).toBeGreaterThan(0);
    const s = sender.stats();
    expect(s.mss).toBe(900 - HEADERS);
    expect(s.timeouts).toBe(0);
    await run.stacks.close();
  });

  it('ten minutes after the last fall the learned MTU expires: a long-lived connection sends full-sized segments again', async () => {
    const run = await narrowPath(1000);
    const { stacks, hop } = run;
    const received: Buffer[] = [];
    let bytes = 0;
    const server = stacks.b.transport.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        bytes += chunk.length;
      });
    });
    await server.listen(5001);
    const sender = stacks.a.transport.createConnection(5001, formatIpv4(ADDRESS_B));
    const first = pattern(256 * 1024);
    sender.write(first); // and the connection stays open
    await drive(stacks.clock, () => bytes === first.length, { limitMs: 60_000 });
    const narrow = sender.stats();
    expect(narrow.mss).toBe(1000 - HEADERS);
    // The route changes back; the connection stays open and idle past the path MTU's expiry (RFC 1191 §6.3).
    hop.hopMtu = 1500;
    stacks.clock.advance(PATH_MTU_EXPIRY_MS);
    // The congestion window keeps its size in segments (the controller was told the new MSS).
    const wide = sender.stats();
    expect(wide.cwnd / wide.mss).toBeCloseTo(narrow.cwnd / narrow.mss, 1);
    expect(stacks.a.ip.pathMtu(ADDRESS_B)).toBe(1500);
    expect(stacks.a.ip.stats().pathMtuExpired).toBe(1);
    expect(stacks.a.tcp.stats().pathMtuIncreases).toBe(1);
    expect(sender.stats().mss).toBe(1500 - HEADERS);
    const reports = hop.reports.length;
    const sentBefore = hop.sent.length;
    const second = pattern(256 * 1024, first.length);
    sender.write(second);
    await drive(stacks.clock, () => bytes === first.length + second.length, { limitMs: 60_000 });
    expect(Buffer.concat(received).equals(Buffer.concat([first, second]))).toBe(true);
    const after = hop.sent.slice(sentBefore);
    expect(after.filter((d) => d.length === 1500).length).toBeGreaterThan(100);
    expect(hop.reports.length).toBe(reports);
    sender.destroy();
    await stacks.close();
  });

  it('a path MTU that falls a byte at each report (flapping, or forged): byte-exact, the falls rate-limited, few short segments', async () => {
    const run = await narrowPath(1400, { impairment: { ...NO_IMPAIRMENT, delayMs: 2, seed: 5 } });
    run.hop.afterReport = (hop) => {
      hop.hopMtu = Math.max(1370, hop.hopMtu - 1);
    };
    const { sender, virtualMs } = await transfer(run);
    const s = sender.stats();
    const reductions = run.stacks.a.tcp.stats().pathMtuReductions;
    // At most 4 falls at once, then 10 a second; each one takes what the hop reported last.
    expect(reductions).toBeGreaterThanOrEqual(4);
    expect(reductions).toBeLessThanOrEqual(4 + Math.ceil(virtualMs / 100));
    expect(run.stacks.a.ip.stats().pathMtuLimited).toBeGreaterThan(0);
    expect(s.mss).toBeLessThanOrEqual(1400 - 4 - HEADERS);
    // Each fall cuts the flight anew into full pieces: one short piece per run, not a sliver per segment.
    const short = run.hop.sent.filter((d) => d.length < 200).length;
    expect(short).toBeLessThan(2 * reductions + 10);
    // A report held back by the rate leaves the segments it refused to the retransmission timer: timeouts
    // are the price here, and the transfer still completes.
    await run.stacks.close();
  });

  it('a report quoting a sequence number not in flight, or a datagram that is not ours, changes nothing', async () => {
    const run = await narrowPath(1500);
    const { sender } = await transfer(run);
    const before = sender.stats();
    expect(before.bytesInFlight).toBe(0);
    // The header of a segment A might have sent: A → B, TCP, A's port → 5001, sequence number 12345.
    const quoted = new Uint8Array(28);
    quoted.set([0x45, 0, 0x05, 0xdc, 0, 1, 0x40, 0, 64, 6]);
    new DataView(quoted.buffer).setUint32(12, run.stacks.a.ip.address);
    new DataView(quoted.buffer).setUint32(16, ADDRESS_B);
    new DataView(quoted.buffer).setUint16(20, before.localPort);
    new DataView(quoted.buffer).setUint16(22, 5001);
    new DataView(quoted.buffer).setUint32(24, 12345);
    run.hop.inject(fragmentationNeeded(quoted, 600));
    // From another source address: not a segment of ours.
    const foreign = quoted.slice();
    new DataView(foreign.buffer).setUint32(12, ADDRESS_B);
    run.hop.inject(fragmentationNeeded(foreign, 600));
    await drive(run.stacks.clock, () => run.stacks.a.tcp.stats().icmpErrors === 1, { limitMs: 1000 });
    run.stacks.clock.advance(10);
    const tcp = run.stacks.a.tcp.stats();
    expect(tcp).toMatchObject({
      icmpErrors: 1,
      icmpOutOfWindow: 1,
      icmpFragmentationNeeded: 0,
      pathMtuReductions: 0,
    });
    expect(run.stacks.a.ip.stats().pathMtuLowered).toBe(0);
    expect(run.stacks.a.ip.pathMtu(ADDRESS_B)).toBe(1500);
    expect(sender.stats().mss).toBe(before.mss);
    await run.stacks.close();
  });
});
