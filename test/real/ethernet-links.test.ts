/**
 * Stages 4 and 5 against the kernel's own programs: pilha's Ethernet layer and ARP on a TAP device
 * (--link tap) and on an AF_PACKET socket bound to a veth end (--link packet), each inside a network
 * namespace this file creates and deletes. The kernel's arping gets pilha's MAC, its ping -s 20000 is
 * answered, pilha pings the kernel, pilha get and framed serve work on the link, wget fetches the 12 MB page and 100 MB byte-exact, frames for another MAC
 * and of another EtherType are dropped under their counters, an ARP flood of 100,000 made-up senders leaves
 * memory bounded and the service working, and tshark finds nothing malformed in the Ethernet capture.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloPomboPage } from '../../src/app/hello-pombo.js';
import {
  Namespace,
  PILHA_CLI,
  type PilhaProcess,
  ROOT,
  realPeerSkipReason,
  SYSTEM_PYTHON,
  tsharkCount,
  tsharkProblems,
} from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'ping', 'arping', 'ethtool', 'wget', 'tshark', 'scapy']);
const PILHA = '10.79.0.2';
const HOST = '10.79.0.1';
const BIG = 104_857_600;
const FLOOD = 100_000;
const FRAMES = join(ROOT, 'test/real/scapy/ethernet-frames.py');

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** A counter of the Ethernet layer or its link, wherever the stats line nests it (`x` or `inner.x`). */
function linkCounter(link: Record<string, number>, name: string): number {
  if (name in link) return link[name]!;
  const key = Object.keys(link).find((k) => k.endsWith(`.${name}`));
  if (key === undefined) throw new Error(`no counter ${name} in ${JSON.stringify(link)}`);
  return link[key]!;
}

interface LinkCase {
  readonly kind: 'tap' | 'packet';
  /** pilha's device (TAP created by pilha, or the veth end it binds to). */
  readonly device: string;
  /** The kernel's side: the TAP device itself, or the other veth end. */
  readonly hostDevice: string;
  /** Sets up what pilha needs before it starts; returns pilha's MAC when it is known in advance. */
  prepare(ns: Namespace): string;
  readonly extraArgs: readonly string[];
}

const TAP_MAC = '02:00:00:79:00:02';

const CASES: readonly LinkCase[] = [
  {
    kind: 'tap',
    device: 'ptap1',
    hostDevice: 'ptap1',
    prepare: () => TAP_MAC,
    extraArgs: ['--mac', TAP_MAC],
  },
  {
    kind: 'packet',
    device: 'veth-pilha',
    hostDevice: 'veth-host',
    prepare: (ns) => {
      ns.run('ip', ['link', 'add', 'veth-pilha', 'type', 'veth', 'peer', 'name', 'veth-host']);
      ns.run('ip', ['addr', 'add', `${HOST}/24`, 'dev', 'veth-host']);
      ns.run('ip', ['link', 'set', 'veth-host', 'up']);
      ns.run('ip', ['link', 'set', 'veth-pilha', 'up']);
      return ns.run('cat', ['/sys/class/net/veth-pilha/address']).stdout.trim();
    },
    extraArgs: [],
  },
];

describe.skipIf(skip !== undefined)('Ethernet and ARP against real peers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-ether-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(CASES)('--link $kind', (c) => {
    let ns: Namespace;
    let mac: string;
    const linkArgs = () => [
      '--link',
      c.kind,
      '--device',
      c.device,
      '--address',
      PILHA,
      '--host-address',
      `${HOST}/24`,
      ...c.extraArgs,
    ];
    const inject = async (mode: string, count: number) => {
      const r = await ns.runAsync(
        SYSTEM_PYTHON,
        [FRAMES, c.hostDevice, PILHA, mac, mode, String(count)],
        120_000,
      );
      if (r.status !== 0) throw new Error(`ethernet-frames.py ${mode} failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { sent: number; rate: number };
    };

    beforeAll(() => {
      ns = Namespace.create(`taplink-${c.kind}`);
      mac = c.prepare(ns);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    describe('stage 4: pilha up', () => {
      let pilha: PilhaProcess;
      const pcap = () => join(dir, `${c.kind}-up.pcap`);
      beforeAll(async () => {
        pilha = await ns.startPilha(['up', ...linkArgs(), '--pcap', pcap()]);
      });

      it("the kernel's arping gets pilha's MAC", async () => {
        if (c.kind === 'packet') {
          // Under --pcap the socket has no virtio_net_hdr: the kernel's end sends no super-frames meanwhile.
          expect(ns.run('ethtool', ['-k', c.hostDevice]).stdout).toMatch(/^tcp-segmentation-offload: off/m);
        }
        const r = await ns.runAsync('arping', ['-c', '2', '-w', '4', '-I', c.hostDevice, PILHA]);
        expect(r.stdout).toMatch(new RegExp(`reply from ${PILHA.replace(/\./g, '\\.')} \\[${mac}\\]`, 'i'));
        expect(r.status).toBe(0);
      });

      it('ping -s 20000 is answered, each request reassembled from 14 fragments', async () => {
        const r = await ns.runAsync('ping', ['-c', '3', '-i', '0.2', '-W', '2', '-s', '20000', PILHA]);
        expect(r.stdout).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
        const lines = pilha.stdout.match(/^reassembled .*$/gm) ?? [];
        expect(lines.length).toBe(3);
        expect(JSON.parse(lines[0]!.slice('reassembled '.length))).toMatchObject({
          src: HOST,
          dst: PILHA,
          fragments: 14,
        });
      });

      it('frames for another MAC, of another EtherType or tagged for a VLAN are dropped (under their counters)', async () => {
        // Read now: a TAP device goes away with pilha.
        const hostMac = ns.run('cat', [`/sys/class/net/${c.hostDevice}/address`]).stdout.trim();
        expect((await inject('other-mac', 20)).sent).toBe(20);
        expect((await inject('ethertype', 30)).sent).toBe(30);
        // A packet socket sees a tagged frame untagged (the kernel moves the tag to its metadata): its socket
        // filter drops them, uncounted; a TAP device gives them whole, and the Ethernet layer counts them.
        expect((await inject('vlan', 10)).sent).toBe(10);
        // A datagram to pilha's address in a broadcast frame: dropped (no UDP), and no ICMP error answers it.
        expect((await inject('broadcast-udp', 5)).sent).toBe(5);
        // Two MACs for one neighbour 10 ms apart: the second, in a request for another address, comes within
        // the locktime of the first (which pilha learnt from a request to it), so the first stands, as on Linux.
        await inject('arp-locktime', 1);
        const ping = await ns.runAsync('ping', ['-c', '1', '-W', '2', PILHA]);
        expect(ping.status).toBe(0); // and pilha still answers
        expect(await pilha.stop()).toBe(0);
        if (c.kind === 'packet') {
          // ...and they are on again once pilha is done (tx-checksumming and segmentation offload both).
          const features = ns.run('ethtool', ['-k', c.hostDevice]).stdout;
          expect(features).toMatch(/^tcp-segmentation-offload: on/m);
          expect(features).toMatch(/^tx-checksumming: on/m);
        }
        const link = pilha.stats().link;
        expect(linkCounter(link, 'dropNotOurMac')).toBeGreaterThanOrEqual(20);
        expect(linkCounter(link, 'dropEtherType')).toBeGreaterThanOrEqual(30);
        if (c.kind === 'tap') expect(linkCounter(link, 'dropVlan')).toBeGreaterThanOrEqual(10);
        // The scapy echo requests to the other MAC and on VLAN 5 got no reply: only the pings and arpings were answered.
        expect(pilha.stats().icmp.txEchoReplies).toBe(4);
        expect(pilha.stats().ip.dropUnknownProtocol).toBeGreaterThanOrEqual(5);
        expect(pilha.stats().icmp.txDestUnreachable).toBe(0);
        // The ARP cache printed at stop holds the kernel's address with its MAC.
        expect(pilha.stdout).toMatch(/^arp cache: \d+ entr/m);
        expect(pilha.stdout).toMatch(
          new RegExp(`^arp ${HOST.replace(/\./g, '\\.')} lladdr ${hostMac} `, 'm'),
        );
        expect(pilha.stdout).toMatch(/^arp 10\.79\.0\.9 lladdr 02:00:00:00:0a:01 STALE /m);
        expect(linkCounter(pilha.stats().link, 'arpLockedOut')).toBe(1);
      });

      it('tshark finds nothing malformed in the Ethernet capture', () => {
        expect(
          tsharkCount(pcap(), 'arp.opcode == 2 && arp.src.proto_ipv4 == 10.79.0.2'),
        ).toBeGreaterThanOrEqual(2);
        expect(tsharkCount(pcap(), 'eth.type == 0x88b5')).toBe(30);
        expect(tsharkCount(pcap(), 'icmp.type == 0')).toBeGreaterThanOrEqual(4);
        expect(tsharkProblems(pcap())).toEqual({ count: 0, lines: '' });
      });
    });

    it('pilha ping reaches the kernel with 20,000-byte datagrams', async () => {
      const r = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'ping',
        HOST,
        ...linkArgs(),
        '--size',
        '20000',
        '--count',
        '3',
        '--interval',
        '0.2',
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
      expect(r.stdout.match(/^20008 bytes from 10\.79\.0\.1: .* reassembled .*fragments=14/gm)?.length).toBe(
        3,
      );
    });

    it('pilha get downloads from a kernel HTTP server across the link, byte-exact', async () => {
      const served = join(dir, `${c.kind}-served`);
      writeFileSync(served, randomBytes(3_000_000));
      // On every address: a TAP device, and the kernel's address on it, exist only while pilha runs.
      const server = ns.spawn(SYSTEM_PYTHON, [
        '-m',
        'http.server',
        '8000',
        '--bind',
        '0.0.0.0',
        '--directory',
        dir,
      ]);
      let serverErr = '';
      server.stderr?.on('data', (d: Buffer) => (serverErr += d.toString()));
      try {
        const up = async () =>
          (await ns.runAsync('wget', ['-q', '-O', '/dev/null', 'http://127.0.0.1:8000/'])).status;
        for (let i = 0; i < 50 && (await up()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
        const out = join(dir, `${c.kind}-got`);
        const r = await ns.runAsync(process.execPath, [
          PILHA_CLI,
          'get',
          `http://${HOST}:8000/${c.kind}-served`,
          ...linkArgs(),
          '-o',
          out,
        ]);
        expect(r.status, `${r.stderr} ${serverErr}`).toBe(0);
        expect(sha256File(out)).toBe(sha256File(served));
      } finally {
        server.kill('SIGKILL');
      }
    });

    it("pilha framed serve on the link confirms a kernel client's message", async () => {
      const server = await ns.startPilha(['framed', 'serve', ...linkArgs(), '--port', '7000']);
      const r = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'framed',
        'send',
        join(ROOT, 'examples/input.txt'),
        '--to',
        `${PILHA}:7000`,
        '--transport',
        'kernel',
      ]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^pilha framed send: confirmed 16385 bytes /m);
      expect(await server.stop()).toBe(0);
    });

    describe('stage 5: pilha http', () => {
      let pilha: PilhaProcess;
      const url = (path: string) => `http://${PILHA}:7000${path}`;
      beforeAll(async () => {
        pilha = await ns.startPilha(['http', ...linkArgs(), '--port', '7000']);
      });

      it("wget downloads the course's 12 MB page", async () => {
        const out = join(dir, `${c.kind}-page`);
        const r = await ns.runAsync('wget', ['-q', '-O', out, url('/')], 60_000);
        expect(r.status).toBe(0);
        expect(sha256File(out)).toBe(createHash('sha256').update(helloPomboPage()).digest('hex'));
        rmSync(out);
      });

      it('wget downloads 100 MB byte-exact', async () => {
        const out = join(dir, `${c.kind}-big`);
        const r = await ns.runAsync('wget', ['-q', '-O', out, url(`/bytes/${BIG}`)], 120_000);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(sha256File(out)).toBe(sha256OfServedBytes(BIG));
        rmSync(out);
      });

      it('an ARP flood of 100,000 made-up senders leaves memory bounded and the service working', async () => {
        const pid = pilha.child.pid!;
        const before = rssBytes(pid);
        expect((await inject('arp-flood', FLOOD)).sent).toBe(FLOOD);
        const after = rssBytes(pid);
        // 100,000 entries kept would cost far more than this (each a Map slot and an object).
        expect(after - before).toBeLessThan(48 * 1024 * 1024);
        const out = join(dir, `${c.kind}-after-flood`);
        const r = await ns.runAsync('wget', ['-q', '-O', out, url('/bytes/1000000')], 60_000);
        expect(r.status).toBe(0);
        expect(sha256File(out)).toBe(sha256OfServedBytes(1_000_000));
        const ping = await ns.runAsync('ping', ['-c', '2', '-i', '0.2', '-W', '2', PILHA]);
        expect(ping.status).toBe(0);
        expect(await pilha.stop()).toBe(0);
        const link = pilha.stats().link;
        // Every frame of the flood reached ARP or was dropped, counted, below it: at the TAP device's queue
        // (deviceTxDropped), the packet socket's (rxSocketDrops) or pilha's reader backlog (rxBacklogDrops).
        // How many reach ARP depends on how fast the flood comes; far more than the cache holds do.
        const below =
          (c.kind === 'tap' ? linkCounter(link, 'deviceTxDropped') : linkCounter(link, 'rxSocketDrops')) +
          linkCounter(link, 'rxBacklogDrops');
        expect(linkCounter(link, 'rxArp') + below).toBeGreaterThanOrEqual(FLOOD);
        expect(linkCounter(link, 'rxArp')).toBeGreaterThanOrEqual(10_000);
        // Bounded: the cache never passes its 1,024 entries (Linux's gc_thresh3), however many senders.
        expect(linkCounter(link, 'arpEntries')).toBeLessThanOrEqual(1024);
        expect(Number(/^arp cache: (\d+) entr/m.exec(pilha.stdout)?.[1])).toBeLessThanOrEqual(1024);
        // Both links offload segmentation (IFF_VNET_HDR, PACKET_VNET_HDR): the downloads left as super-frames.
        expect(linkCounter(link, 'offload')).toBe(1);
        expect(linkCounter(link, 'txGsoPackets')).toBeGreaterThan(100);
        expect(linkCounter(link, 'txGsoFallbacks')).toBe(0);
      }, 180_000);
    });
  });
});
