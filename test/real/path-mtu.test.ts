/**
 * Path MTU discovery (RFC 1191) against the kernel as a router, inside namespaces this file creates and deletes
 * (named pmtu-*): pilha serves on its TUN device (MTU 1500) in `router`, whose kernel forwards to `client` over
 * a veth pair with a smaller MTU on both ends. The client's route to pilha announces MSS 1460 (advmss), so
 * neither end's MSS covers the small link: only the router in the middle is smaller. Every TCP datagram pilha
 * sends carries DF, so the router refuses the 1500-byte ones with an ICMP fragmentation-needed (next-hop MTU)
 * into the TUN, pilha lowers its path MTU for the client and resends at the new size; a second download from the
 * same client (wget after curl) starts at the learned size. Below the 552-byte floor pilha uses 552 without DF
 * and the router fragments. With --pmtu-expires 3 and the router's link widened again mid-download, the same
 * connection goes back to 1500-byte datagrams once what was learned expires.
 *
 * With TUN offload on, pilha's DF super-segments meet the router whole: the kernel checks each segment's size
 * (gso_size) against the next hop, refuses the whole super-segment with one report that quotes its header (a
 * total length of up to 64 KB), and cuts the ones that fit. On the TUN, then, a write's length says nothing of
 * its segments' (a 1500-byte write after the report is a 1228 + 220 pair): sizes are judged on the client's
 * side, and on the TUN only without offload.
 *
 * Captures: dumpcap on the client's veth (what reached the client, after the router) and on pilha's TUN in
 * `router` (what pilha wrote and the router's ICMP answers), read with tshark. Counters: pilha's TCP stats
 * (SIGUSR2 mid-run, the `tcp` line at exit).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedPathDevices, makeForwardedPath, sha256File } from '../helpers/forwarded-path.js';
import { Namespace, type PilhaProcess, realPeerSkipReason, tsharkProblems } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';
import { startDumpcap } from '../helpers/tshark.js';

const skip = realPeerSkipReason(['ip', 'wget', 'curl', 'tshark', 'dumpcap', 'ethtool']);
const PILHA = '10.77.0.2';
const TUN = 'pmtu0';
/** Linux's min_pmtu, pilha's floor: a smaller reported MTU makes it send 552-byte datagrams without DF. */
const FLOOR = 552;
const DATA = ['tcp.port==7000,data'];
/** Bytes kept of each frame on the TUN: the headers (a super-segment is up to 64 KB). */
const HEADERS = 128;
/** tshark judges pilha's datagrams only: the client's own leave its veth with checksums for the device to finish. */
const FROM_PILHA = `ip.src == ${PILHA}`;

type Counters = Record<string, number>;

/** `tool` (curl or wget) in `client` downloads `length` bytes from pilha; checks the body byte-exact. */
async function download(
  client: Namespace,
  tool: 'curl' | 'wget',
  length: number,
  dir: string,
): Promise<void> {
  const url = `http://${PILHA}:7000/bytes/${length}`;
  const out = join(dir, tool);
  const args = tool === 'curl' ? ['-sS', '--fail', '-o', out, url] : ['-q', '-O', out, url];
  const r = await client.runAsync(tool, args, 60_000);
  expect(r.status, `${tool}: ${r.stderr}`).toBe(0);
  expect(sha256File(out), `${tool}'s body`).toBe(sha256OfServedBytes(length));
  rmSync(out);
}

/** Runs a download while capturing on both sides; returns the client's capture and both read. */
async function captured(
  router: Namespace,
  client: Namespace,
  clientDevice: string,
  dir: string,
  name: string,
  run: () => Promise<void>,
): Promise<{ clientPcap: string; atClient: Frame[]; onTun: Frame[] }> {
  const clientPcap = join(dir, `${name}-client.pcap`);
  const tunPcap = join(dir, `${name}-tun.pcap`);
  // On the client's side only what involves pilha; on the TUN also the router's ICMP answers to it.
  const [stopClient, stopTun] = await Promise.all([
    startDumpcap(client, clientDevice, `host ${PILHA}`, clientPcap),
    startDumpcap(router, TUN, `host ${PILHA}`, tunPcap, HEADERS),
  ]);
  try {
    await run();
  } finally {
    await Promise.all([stopClient(), stopTun()]);
  }
  return { clientPcap, atClient: readCapture(clientPcap), onTun: readCapture(tunPcap) };
}

const flag = (v: string | undefined) => v === '1' || v === 'True';

/** One IPv4 frame of a capture, as the fields of its outer header (an ICMP error's quote left aside). */
interface Frame {
  frame: number;
  src: string;
  dst: string;
  df: boolean;
  /** A fragment: MF set or a nonzero offset. */
  fragment: boolean;
  /** The IP total length of this frame's datagram (or fragment). */
  length: number;
  /** Where this frame completes a fragmented datagram, the whole datagram's length (header included). */
  reassembled: number | undefined;
  icmp: { type: number; code: number; mtu: number } | undefined;
  /** A TCP SYN without ACK: the MSS it announced ('' for none). */
  synMss: string | undefined;
}

const FIELDS = [
  'frame.number',
  'ip.src',
  'ip.dst',
  'ip.flags.df',
  'ip.flags.mf',
  'ip.frag_offset',
  'ip.len',
  'ip.reassembled.length',
  'ip.hdr_len',
  'icmp.type',
  'icmp.code',
  'icmp.mtu',
  'tcp.flags.syn',
  'tcp.flags.ack',
  'tcp.options.mss_val',
];

/**
 * Every IPv4 frame of a capture, in one tshark pass (IP reassembly on, TCP reassembly off, port 7000 as plain
 * data: the HTTP body is not dissected). Each field's first occurrence, so an ICMP error's own header rather
 * than the one it quotes.
 */
function readCapture(pcap: string): Frame[] {
  const args = ['-n', '-r', pcap, '-d', 'tcp.port==7000,data', '-o', 'tcp.desegment_tcp_streams:FALSE'];
  args.push('-Y', 'ip', '-T', 'fields', '-E', 'occurrence=f', ...FIELDS.flatMap((f) => ['-e', f]));
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [
        frame,
        src,
        dst,
        df,
        mf,
        offset,
        length,
        reassembled,
        headerLength,
        type,
        code,
        mtu,
        syn,
        ack,
        mss,
      ] = line.split('\t');
      return {
        frame: Number(frame),
        src: src!,
        dst: dst!,
        df: flag(df),
        fragment: flag(mf) || Number(offset) !== 0,
        length: Number(length),
        reassembled: reassembled ? Number(reassembled) + Number(headerLength) : undefined,
        icmp: type ? { type: Number(type), code: Number(code), mtu: Number(mtu) } : undefined,
        synMss: !type && flag(syn) && !flag(ack) ? (mss ?? '') : undefined,
      };
    });
}

/** Every IPv4 datagram (or fragment) pilha sent, in capture order: TCP (the router's ICMP errors quote it). */
function fromPilha(frames: readonly Frame[]): Frame[] {
  return frames.filter((f) => f.src === PILHA && f.icmp === undefined);
}

/** The ICMP fragmentation-needed reports the router sent pilha: their next-hop MTUs. */
function fragmentationNeeded(frames: readonly Frame[]): number[] {
  return frames
    .filter((f) => f.dst === PILHA && f.icmp?.type === 3 && f.icmp.code === 4)
    .map((f) => f.icmp!.mtu);
}

/** The MSS values the client's SYNs to pilha announced (once each: a SYN may be retransmitted). */
function clientSynMss(frames: readonly Frame[]): string[] {
  return [...new Set(frames.filter((f) => f.dst === PILHA && f.synMss !== undefined).map((f) => f.synMss!))];
}

/** Asserts (softly: every such check of a test reports) that no datagram of `all` is `what`. */
function none(all: readonly Frame[], what: string, offending: (d: Frame) => boolean): void {
  const found = all.filter(offending);
  const frames = found
    .slice(0, 5)
    .map((d) => `${d.frame} (${d.length} bytes${d.reassembled ? `, reassembled ${d.reassembled}` : ''})`);
  expect
    .soft(
      found.length,
      `${found.length} of ${all.length} datagrams from pilha ${what}, e.g. frames ${frames.join(', ')}`,
    )
    .toBe(0);
}

/**
 * What reached the client of a `length`-byte download through a router of `mtu`: pilha's datagrams, every one
 * with DF, none a fragment (those larger were refused, not fragmented), none larger than `mtu`; and tshark
 * finds no malformed packet or bad checksum among them.
 */
function expectWholeDfAtClient(atClient: readonly Frame[], pcap: string, mtu: number, length: number): void {
  const sent = fromPilha(atClient);
  expect(sent.length).toBeGreaterThan((0.9 * length) / (mtu - 40));
  none(sent, 'without DF', (d) => !d.df);
  none(sent, 'fragmented by the router', (d) => d.fragment);
  none(sent, `larger than ${mtu} bytes`, (d) => d.length > mtu || (d.reassembled ?? 0) > mtu);
  expect(tsharkProblems(pcap, DATA, FROM_PILHA)).toEqual({ count: 0, lines: '' });
}

/** pilha's TCP counters now (SIGUSR2 prints them as `counters N {...}`). */
async function tcpCountersNow(pilha: PilhaProcess, report: number): Promise<Counters> {
  pilha.child.kill('SIGUSR2');
  const m = await pilha.waitFor(new RegExp(`^counters ${report} (.*)$`, 'm'), 10_000);
  return JSON.parse(m[1]!).tcp as Counters;
}

/** pilha's TCP counters from the `tcp` line it printed at exit. */
function tcpCountersAtExit(pilha: PilhaProcess): Counters {
  const m = pilha.stdout.match(/^tcp (.*)$/m);
  if (m === null) throw new Error(`no tcp line in pilha's output: ${pilha.stdout.slice(-500)}`);
  return JSON.parse(m[1]!) as Counters;
}

/** pilha http on its TUN device in `router`, port 7000, with TUN offload or without, and `more` options. */
function startServer(
  router: Namespace,
  offload: boolean,
  more: readonly string[] = [],
): Promise<PilhaProcess> {
  return router.startPilha([
    'http',
    '--tun',
    TUN,
    '--port',
    '7000',
    ...(offload ? [] : ['--no-offload']),
    ...more,
  ]);
}

/**
 * Stops pilha after its last download (exit 0) and returns the TCP counters it printed, logged under `label`;
 * checks that the client's SYN in `atClient` announced MSS 1460 (the router, not the client, is smaller).
 */
async function stopServer(pilha: PilhaProcess, atClient: readonly Frame[], label: string): Promise<Counters> {
  expect(await pilha.stop()).toBe(0);
  const tcp = tcpCountersAtExit(pilha);
  console.log(`${label}: ${pmtuSummary(tcp)}`);
  expect(clientSynMss(atClient)).toEqual(['1460']);
  return tcp;
}

/** The router sent pilha fragmentation-needed reports (on the TUN side), all of next-hop MTU `mtu` (soft). */
function expectRouterReported(onTun: readonly Frame[], mtu: number): void {
  const reports = fragmentationNeeded(onTun);
  expect.soft(reports.length, 'ICMP fragmentation-needed sent to pilha').toBeGreaterThan(0);
  expect.soft(new Set(reports), 'their next-hop MTU').toEqual(new Set(reports.length > 0 ? [mtu] : []));
}

/** The path MTU counters a fragmentation-needed report must have moved (soft: all of them report). */
function expectReportActedOn(tcp: Counters): void {
  expect.soft(tcp.icmpFragmentationNeeded, 'tcp.icmpFragmentationNeeded').toBeTypeOf('number');
  expect.soft(tcp.pathMtuReductions, 'tcp.pathMtuReductions').toBeTypeOf('number');
  expect.soft(tcp.icmpOutOfWindow, 'tcp.icmpOutOfWindow').toBeTypeOf('number');
  expect.soft(tcp.icmpFragmentationNeeded ?? 0, 'tcp.icmpFragmentationNeeded').toBeGreaterThanOrEqual(1);
  expect.soft(tcp.pathMtuReductions ?? 0, 'tcp.pathMtuReductions').toBeGreaterThanOrEqual(1);
}

function pmtuSummary(tcp: Counters): string {
  return `icmpFragmentationNeeded ${tcp.icmpFragmentationNeeded}, pathMtuReductions ${tcp.pathMtuReductions}, icmpOutOfWindow ${tcp.icmpOutOfWindow}, retransmitted ${tcp.retransmitted}, timeouts ${tcp.timeouts}`;
}

describe.skipIf(skip !== undefined)('path MTU discovery through a kernel router with a smaller MTU', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-pmtu-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const offload of [true, false]) {
    const mode = offload ? 'offload on' : 'offload off';
    // The two tests share pilha and its learned path MTU: the second one runs after the first.
    describe(`MTU 1280 in the middle, ${mode}`, () => {
      const MTU = 1280;
      const LENGTH = 20 * 1024 * 1024;
      let router: Namespace;
      let client: Namespace;
      let clientDevice: string;
      let pilha: PilhaProcess;
      let afterFirst: Counters | undefined;
      beforeAll(async () => {
        router = Namespace.create(`pmtu-router-${offload ? 'on' : 'off'}`);
        client = Namespace.create(`pmtu-client-${offload ? 'on' : 'off'}`);
        clientDevice = makeForwardedPath(router, client, offload ? 'pmo' : 'pmn', { mtu: MTU, advmss: 1460 });
        pilha = await startServer(router, offload);
      });
      afterAll(async () => {
        await client?.destroy();
        await router?.destroy();
      });

      it('curl: byte-exact; the router reports MTU 1280 and pilha sends DF datagrams of at most 1280 bytes', async () => {
        const { clientPcap, atClient, onTun } = await captured(
          router,
          client,
          clientDevice,
          dir,
          `first-${mode}`,
          () => download(client, 'curl', LENGTH, dir),
        );
        afterFirst = await tcpCountersNow(pilha, 1);
        console.log(`PMTU ${MTU}, ${mode}, first download: ${pmtuSummary(afterFirst)}`);

        // The topology: the client announced MSS 1460 over its 1280-byte link, so only the router is smaller.
        expect(clientSynMss(atClient)).toEqual(['1460']);

        expectWholeDfAtClient(atClient, clientPcap, MTU, LENGTH);

        // What the router told pilha: fragmentation needed, next-hop MTU 1280.
        expectRouterReported(onTun, MTU);
        expectReportActedOn(afterFirst);
      });

      it('wget from the same client next: at most 1280 bytes from the start, no new report, no new reduction', async () => {
        expect(afterFirst, "the first download's counters (that test runs first)").toBeDefined();
        const { clientPcap, atClient, onTun } = await captured(
          router,
          client,
          clientDevice,
          dir,
          `second-${mode}`,
          () => download(client, 'wget', LENGTH, dir),
        );
        const tcp = await stopServer(pilha, atClient, `PMTU ${MTU}, ${mode}, after the second download`);

        expectWholeDfAtClient(atClient, clientPcap, MTU, LENGTH);

        // On the TUN, pilha's own writes: every one with DF, and none the router had to refuse.
        const written = fromPilha(onTun);
        none(written, 'written without DF', (d) => !d.df);
        // Without offload each write is one datagram; with it, a super-segment (its segment size is not in the
        // capture: that none was too large shows in the router's silence).
        if (!offload) none(written, `written larger than ${MTU} bytes`, (d) => d.length > MTU);
        expect
          .soft(fragmentationNeeded(onTun), 'ICMP fragmentation-needed during the second download')
          .toEqual([]);
        expect
          .soft(tcp.pathMtuReductions, 'pathMtuReductions since the first download')
          .toBe(afterFirst?.pathMtuReductions);
        expect
          .soft(tcp.icmpFragmentationNeeded, 'icmpFragmentationNeeded since the first download')
          .toBe(afterFirst?.icmpFragmentationNeeded);
      });
    });
  }

  // RFC 1191 §6.3: what a report taught is forgotten after a while (Linux's mtu_expires, 600 s; 3 s here), and a
  // connection open all along goes back to full-sized segments once the path carries them again.
  describe('the learned path MTU expires (--pmtu-expires 3) during a long download', () => {
    const EXPIRES_S = 3;
    const LENGTH = 16 * 1024 * 1024;
    let router: Namespace;
    let client: Namespace;
    afterAll(async () => {
      await client?.destroy();
      await router?.destroy();
    });

    it('curl at 2 MB/s, the router back at 1500 bytes after 1.5 s: the same connection then sends 1500-byte datagrams', async () => {
      router = Namespace.create('pmtu-expiry-router');
      client = Namespace.create('pmtu-expiry-client');
      const tag = 'pmex';
      const clientDevice = makeForwardedPath(router, client, tag, { mtu: 1280, advmss: 1460 });
      // A small receive buffer, so that curl's reading paces the transfer: with the usual 6-32 MB one, the
      // whole body can arrive in the first second and wait there, nothing left to send after the expiry.
      expect(client.run('sysctl', ['-qw', 'net.ipv4.tcp_rmem=4096 65536 262144']).status).toBe(0);
      const pilha = await startServer(router, true, ['--pmtu-expires', String(EXPIRES_S)]);
      const out = join(dir, 'expiry');
      let widenedAt = 0;
      let curlTook = 0;
      const { clientPcap, atClient, onTun } = await captured(
        router,
        client,
        clientDevice,
        dir,
        'expiry',
        async () => {
          const url = `http://${PILHA}:7000/bytes/${LENGTH}`;
          const curlStart = Date.now();
          const curl = client.runAsync(
            'curl',
            ['-sS', '--fail', '--limit-rate', '2M', '-o', out, url],
            60_000,
          );
          await new Promise((resolve) => setTimeout(resolve, 1500));
          widenedAt = Date.now() - curlStart;
          // The route is wide again: only the learned path MTU (until it expires) keeps pilha's segments small.
          const { veth, peer } = forwardedPathDevices(tag);
          expect(router.run('ip', ['link', 'set', veth, 'mtu', '1500']).status).toBe(0);
          expect(client.run('ip', ['link', 'set', peer, 'mtu', '1500']).status).toBe(0);
          const r = await curl;
          curlTook = Date.now() - curlStart;
          expect(r.status, `curl: ${r.stderr}`).toBe(0);
        },
      );
      expect(sha256File(out), "curl's body").toBe(sha256OfServedBytes(LENGTH));
      rmSync(out);
      const tcp = await stopServer(pilha, atClient, 'PMTU expiry');
      const stats = pilha.stdout.match(/^stats (.*)$/m);
      const ip = JSON.parse(stats?.[1] ?? '{}').ip as Counters | undefined;

      // One connection; first at most 1280 bytes (the router's report, at the start), then 1500-byte datagrams.
      const sent = fromPilha(atClient);
      const sizes = new Map<number, number>();
      for (const d of sent) sizes.set(d.length, (sizes.get(d.length) ?? 0) + 1);
      const common = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5);
      console.log(
        `PMTU expiry: curl took ${curlTook} ms, the router widened at ${widenedAt} ms; pathMtuIncreases ` +
          `${tcp.pathMtuIncreases}, pathMtuExpired ${ip?.pathMtuExpired}; sizes at the client ${JSON.stringify(common)}`,
      );
      none(sent, 'without DF', (d) => !d.df);
      none(sent, 'fragmented by the router', (d) => d.fragment);
      none(sent, 'larger than 1500 bytes', (d) => d.length > 1500);
      const firstFull = sent.findIndex((d) => d.length === 1500);
      expect(firstFull, 'a 1500-byte datagram from pilha after the expiry').toBeGreaterThan(0);
      expect(sent.slice(0, firstFull).filter((d) => d.length === 1280).length).toBeGreaterThan(1000);
      expect(sent.slice(firstFull).filter((d) => d.length === 1500).length).toBeGreaterThan(1000);
      expect(tsharkProblems(clientPcap, DATA, FROM_PILHA)).toEqual({ count: 0, lines: '' });
      expectRouterReported(onTun, 1280);
      expectReportActedOn(tcp);
      expect.soft(tcp.pathMtuIncreases, 'tcp.pathMtuIncreases').toBe(1);
      expect.soft(ip?.pathMtuExpired, 'ip.pathMtuExpired').toBe(1);
    });
  });

  for (const offload of [true, false]) {
    const mode = offload ? 'offload on' : 'offload off';
    describe(`MTU 400 in the middle, below the ${FLOOR}-byte floor, ${mode}`, () => {
      const MTU = 400;
      const LENGTH = 4 * 1024 * 1024;
      let router: Namespace;
      let client: Namespace;
      afterAll(async () => {
        await client?.destroy();
        await router?.destroy();
      });

      it(`curl: byte-exact; pilha sends ${FLOOR}-byte datagrams without DF and the router fragments them`, async () => {
        router = Namespace.create(`pmtu-floor-router-${offload ? 'on' : 'off'}`);
        client = Namespace.create(`pmtu-floor-client-${offload ? 'on' : 'off'}`);
        const clientDevice = makeForwardedPath(router, client, offload ? 'pfo' : 'pfn', {
          mtu: MTU,
          advmss: 1460,
        });
        const pilha = await startServer(router, offload);
        const { clientPcap, atClient, onTun } = await captured(
          router,
          client,
          clientDevice,
          dir,
          `floor-${mode}`,
          () => download(client, 'curl', LENGTH, dir),
        );
        const tcp = await stopServer(pilha, atClient, `PMTU ${MTU}, ${mode}`);

        // What reached the client: fragments, which reassemble to datagrams of at most the floor.
        const sent = fromPilha(atClient);
        expect(sent.filter((d) => d.fragment).length, 'fragments from pilha at the client').toBeGreaterThan(
          0,
        );
        none(sent, `larger than ${MTU} bytes on the client's link`, (d) => d.length > MTU);
        none(
          sent,
          `larger than ${FLOOR} bytes before the router fragmented them`,
          (d) => (d.reassembled ?? (d.fragment ? 0 : d.length)) > FLOOR,
        );
        expect(tsharkProblems(clientPcap, DATA, FROM_PILHA)).toEqual({ count: 0, lines: '' });

        // What the router told pilha: fragmentation needed, next-hop MTU 400.
        expectRouterReported(onTun, MTU);

        // On the TUN: pilha's first datagrams carried DF (until the report), all later ones none. Without offload
        // each write is one datagram, and each of those without DF is at most the floor.
        const written = fromPilha(onTun);
        const firstWithoutDf = written.findIndex((d) => !d.df);
        expect(firstWithoutDf, 'datagrams from pilha without DF on the TUN').toBeGreaterThanOrEqual(0);
        expect.soft(firstWithoutDf, 'datagrams from pilha with DF before the report').toBeGreaterThan(0);
        none(written.slice(firstWithoutDf), 'written with DF after one without', (d) => d.df);
        if (!offload) {
          none(written, `written without DF larger than ${FLOOR} bytes`, (d) => !d.df && d.length > FLOOR);
        }
        expectReportActedOn(tcp);
      });
    });
  }
});
