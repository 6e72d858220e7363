/**
 * The Ethernet-medium devices on their own, without pilha's Ethernet layer: TapLink on a TAP device and
 * PacketLink on a veth pair, each inside a namespace this file creates and deletes. A small script opens the
 * link from dist/ and plays a minimal host by hand: it answers the kernel's ARP request for its address with
 * the link's MAC and reports the ICMP echo request the kernel then sends to that MAC. So frames go both ways
 * through the device, whole, and the kernel's neighbour table ends up with the link's MAC. The CLI's start
 * checks for --link packet (missing device, pilha's address on the device) are checked here too, and what
 * happens when the kernel's end of the veth pair is in another namespace with its offloads on: with
 * PACKET_VNET_HDR its super-frames are taken, without (--no-offload) dropped until its offloads are off.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMac } from '../../src/core/mac-address.js';
import { Namespace, PILHA_CLI, ROOT, realPeerSkipReason } from '../helpers/netns.js';

const HOST = '10.204.0.1';
const PILHA = '10.204.0.2';

function distModule(rel: string): string {
  const path = `${ROOT}dist/${rel}`;
  if (!existsSync(path)) throw new Error(`${rel} is not built: run 'npm run build' first`);
  return pathToFileURL(path).href;
}

/** The script: open the link, answer ARP for PILHA, report the first ICMP frame to the link's MAC. */
function deviceScript(open: string): string {
  return `
    const { parseIpv4 } = await import(${JSON.stringify(distModule('core/ipv4-address.js'))});
    const { readMac, writeMac } = await import(${JSON.stringify(distModule('core/mac-address.js'))});
    const link = await ${open};
    const me = parseIpv4(${JSON.stringify(PILHA)});
    let arpAnswered = 0;
    const { execFileSync } = await import('node:child_process');
    const finish = async (report) => {
      clearTimeout(timer);
      report.neigh = execFileSync('ip', ['neigh', 'show', ${JSON.stringify(PILHA)}], { encoding: 'utf8' });
      await link.close();
      console.log(JSON.stringify({ ...report, arpAnswered, mac: link.mac, medium: link.medium, stats: link.stats() }));
    };
    const timer = setTimeout(() => finish({ timeout: true }), 8000);
    link.onReceive((f) => {
      const type = (f[12] << 8) | f[13];
      const targetIp = f.length >= 42 ? ((f[38] << 24) | (f[39] << 16) | (f[40] << 8) | f[41]) >>> 0 : 0;
      if (type === 0x0806 && f[21] === 1 && targetIp === me) {
        const reply = new Uint8Array(42);
        reply.set(f.subarray(6, 12), 0);            // to the asker
        writeMac(reply, 6, link.mac);
        reply.set([0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2], 12);
        writeMac(reply, 22, link.mac);
        reply.set(f.subarray(38, 42), 28);          // our IP: the one asked for
        reply.set(f.subarray(22, 32), 32);          // the asker's MAC and IP
        link.send(reply);
        arpAnswered++;
      } else if (type === 0x0800 && f[23] === 1 && readMac(f, 0) === link.mac) {
        finish({ frame: Array.from(f.subarray(0, 42)), length: f.length });
      }
    });
    // One byte past the largest frame (MTU + 14 + a 4-byte VLAN tag) is refused and counted.
    link.send(new Uint8Array(link.mtu + 19));
    console.log('READY');
  `;
}

interface Report {
  timeout?: boolean;
  frame?: number[];
  length?: number;
  arpAnswered: number;
  mac: number;
  medium: string;
  neigh: string;
  stats: Record<string, number>;
}

/** Runs the script in `ns`, pings PILHA from the kernel once it is ready, and returns its report. */
async function runDevice(ns: Namespace, open: string, pingSize: number): Promise<Report> {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns.name, process.execPath, '--input-type=module', '-e', deviceScript(open)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c) => (stderr += c));
  child.stdout?.on('data', (c) => {
    const before = stdout;
    stdout += c;
    if (!before.includes('READY\n') && stdout.includes('READY\n')) {
      ns.runAsync('ping', ['-n', '-c', '2', '-W', '1', '-s', String(pingSize), PILHA]);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, `script failed: ${stderr}`).toBe(0);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Report;
}

function expectFramesBothWays(report: Report, peerMacDevice: string): void {
  expect(report.timeout, 'no ICMP frame to the link MAC within 8 s').toBeUndefined();
  expect(report.medium).toBe('ethernet');
  expect(report.arpAnswered).toBeGreaterThanOrEqual(1);
  const f = Uint8Array.from(report.frame!);
  expect(Array.from(f.subarray(26, 30)).join('.')).toBe(HOST); // IPv4 source
  expect(Array.from(f.subarray(30, 34)).join('.')).toBe(PILHA); // IPv4 destination
  expect(f[34]).toBe(8); // ICMP echo request
  expect(report.neigh).toContain(`dev ${peerMacDevice} lladdr ${formatMac(report.mac)}`);
  expect(report.stats.txPackets).toBeGreaterThanOrEqual(1);
  expect(report.stats.txDropTooBig).toBe(1);
  expect(report.stats.rxPackets).toBeGreaterThanOrEqual(2);
}

const reason = realPeerSkipReason(['ip', 'ping', 'ethtool']);

/** A veth pair in `ns`, both ends up: `pilhaEnd` without an address, `kernelEnd` with `kernelAddress`. */
function vethPair(ns: Namespace, pilhaEnd: string, kernelEnd: string, kernelAddress: string): void {
  for (const args of [
    ['link', 'add', pilhaEnd, 'type', 'veth', 'peer', 'name', kernelEnd],
    ['addr', 'add', kernelAddress, 'dev', kernelEnd],
    ['link', 'set', kernelEnd, 'up'],
    ['link', 'set', pilhaEnd, 'up'],
  ]) {
    expect(ns.run('ip', args).status).toBe(0);
  }
}

/** `pilha framed serve` on port 7000 of a packet link on `device` in `ns`, once it listens. */
function framedServeOnPacket(
  ns: Namespace,
  device: string,
  address: string,
  hostAddress: string,
  extra: readonly string[] = [],
) {
  return ns.startPilha(
    [
      'framed',
      'serve',
      '--link',
      'packet',
      '--device',
      device,
      '--address',
      address,
      '--host-address',
      hostAddress,
      '--port',
      '7000',
      ...extra,
    ],
    /listening/,
  );
}

describe.skipIf(reason !== undefined)('Ethernet-medium devices in a namespace', () => {
  let ns: Namespace;

  beforeAll(() => {
    ns = Namespace.create('taplink-dev');
  });
  afterAll(async () => {
    await ns?.destroy();
  });

  it('TapLink: the kernel resolves the link MAC by ARP and sends it a whole 1514-byte frame', async () => {
    const open = `(await import(${JSON.stringify(distModule('layers/link/tun/tap-link.js'))})).TapLink.open({
      name: 'ptap0', mtu: 1500, hostAddress: parseIpv4(${JSON.stringify(HOST)}), prefixLength: 24 })`;
    const report = await runDevice(ns, open, 1472);
    expectFramesBothWays(report, 'ptap0');
    expect(report.length).toBe(1514); // 14 + 1500: a full-sized datagram in one frame
    expect(Math.floor(report.mac / 2 ** 40) & 0x03).toBe(0x02); // locally administered, unicast
    expect(existsSync(`/sys/class/net/ptap0`)).toBe(false); // the device left with the link (and this ns)
  });

  it('PacketLink on a veth end: the same exchange, with the interface MAC as pilha', async () => {
    ns.run('ip', ['link', 'add', 'pv0', 'type', 'veth', 'peer', 'name', 'pv1']);
    ns.run('ip', ['addr', 'add', `${HOST}/24`, 'dev', 'pv1']);
    ns.run('ip', ['link', 'set', 'pv1', 'up']);
    ns.run('ip', ['link', 'set', 'pv0', 'up']);
    const pv0Mac = ns.run('cat', ['/sys/class/net/pv0/address']).stdout.trim();
    const open = `(await import(${JSON.stringify(distModule('layers/link/packet/packet-link.js'))})).PacketLink.open({
      device: 'pv0', address: parseIpv4(${JSON.stringify(PILHA)}) })`;
    const report = await runDevice(ns, open, 1472);
    expectFramesBothWays(report, 'pv1');
    expect(formatMac(report.mac)).toBe(pv0Mac);
    expect(report.length).toBe(1514);
    // PACKET_IGNORE_OUTGOING: the ARP replies it sent were not read back.
    expect(report.stats.ignoredOwnFrames).toBe(0);
  });

  it('pilha up --link packet refuses a missing device and pilha address on the device, in one line', () => {
    const up = (args: string[]) =>
      spawnSync(
        'ip',
        ['netns', 'exec', ns.name, process.execPath, PILHA_CLI, 'up', '--link', 'packet', ...args],
        { encoding: 'utf8', timeout: 20_000 },
      );
    const missing = up(['--device', 'nosuch0', '--address', PILHA, '--host-address', `${HOST}/24`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^pilha: no network interface 'nosuch0' in this network namespace.*\n$/);
    ns.run('ip', ['link', 'add', 'pw0', 'type', 'veth', 'peer', 'name', 'pw1']);
    ns.run('ip', ['addr', 'add', '10.205.0.2/24', 'dev', 'pw0']);
    const taken = up(['--device', 'pw0', '--address', '10.205.0.2', '--host-address', '10.205.0.1/24']);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(
      /^pilha: pilha's address 10\.205\.0\.2 is configured on the device pw0 itself.*\n$/,
    );
    const noDevice = up(['--address', PILHA]);
    expect(noDevice.status).toBe(2);
    expect(noDevice.stderr).toMatch(/^pilha: --link packet needs --device NAME/);
  });

  it("warns when the kernel's end has segmentation offload off or the kernel forwards on pilha's end; turns off and back on what it must without offload", async () => {
    vethPair(ns, 'px0', 'px1', '10.207.0.1/24');
    const tso = () => /^tcp-segmentation-offload: on/m.test(ns.run('ethtool', ['-k', 'px1']).stdout);
    const up = (extra: readonly string[] = []) =>
      ns.startPilha([
        'up',
        '--link',
        'packet',
        '--device',
        'px0',
        '--address',
        '10.207.0.2',
        '--host-address',
        '10.207.0.1/24',
        ...extra,
      ]);
    // Without offload: the kernel's end has segmentation offload turned off while pilha runs, on again after.
    expect(tso()).toBe(true);
    const plain = await up(['--no-offload']);
    expect(tso()).toBe(false);
    expect(await plain.stop()).toBe(0);
    expect(tso()).toBe(true);
    // With offload and the kernel's end left without it (as by ethtool, or an older pilha), and forwarding on.
    expect(ns.run('ethtool', ['-K', 'px1', 'tso', 'off']).status).toBe(0);
    expect(ns.run('sysctl', ['-qw', 'net.ipv4.conf.px0.forwarding=1']).status).toBe(0);
    const warned = await up();
    expect(await warned.stop()).toBe(0);
    expect(warned.stderr).toMatch(/the kernel's end px1 has segmentation offload off.*ethtool -K px1 tso on/);
    expect(warned.stderr).toMatch(/net\.ipv4\.conf\.px0\.forwarding=0/);
    expect(warned.stats().link['inner.offload']).toBe(1);
  }, 60_000);

  it('pilha http on a packet link: a second pilha on its interface refused; it rides out the interface going down and up; its deletion stops it with one line and exit 1', async () => {
    vethPair(ns, 'pd0', 'pd1', '10.208.0.1/24');
    const server = await ns.startPilha(
      [
        'http',
        '--link',
        'packet',
        '--device',
        'pd0',
        '--address',
        '10.208.0.2',
        '--host-address',
        '10.208.0.1/24',
        '--port',
        '7000',
      ],
      /listening/,
    );
    const fetch = () =>
      ns.runAsync('curl', [
        '-sS',
        '--fail',
        '-o',
        '/dev/null',
        '--max-time',
        '10',
        'http://10.208.0.2:7000/bytes/300000',
      ]);
    expect((await fetch()).status).toBe(0);
    // A second pilha on the same interface would answer the same frames (two SYN-ACKs, then resets): refused.
    const second = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        process.execPath,
        PILHA_CLI,
        'up',
        '--link',
        'packet',
        '--device',
        'pd0',
        '--address',
        '10.208.0.3',
        '--host-address',
        '10.208.0.1/24',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      /^pilha: another pilha is running on pd0 \(a packet link on it is open\)\n$/,
    );
    expect((await fetch()).status).toBe(0);
    // Down and up: the socket's one ENETDOWN is counted, and frames come again.
    expect(ns.run('ip', ['link', 'set', 'pd0', 'down']).status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ns.run('ip', ['link', 'set', 'pd0', 'up']).status).toBe(0);
    const again = await fetch();
    expect(again.status, again.stderr).toBe(0);
    // Deleted: its reads say the same as down; pilha looks, finds it gone, and stops as on a signal, but exits 1.
    expect(ns.run('ip', ['link', 'del', 'pd0']).status).toBe(0);
    expect(await server.exit()).toBe(1);
    expect(server.stderr).toMatch(/^pilha http: the interface pd0 is gone; stopping$/m);
    expect(server.stdout).toMatch(/^totals /m);
    expect(server.stats().link['inner.rxLinkDowns']).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('brings a down interface up and puts it down again at close; warns while it has no carrier', async () => {
    ns.run('ip', ['link', 'add', 'pc0', 'type', 'veth', 'peer', 'name', 'pc1']);
    ns.run('ip', ['addr', 'add', '10.210.0.1/24', 'dev', 'pc1']);
    const isUp = (name: string) =>
      (Number.parseInt(ns.run('cat', [`/sys/class/net/${name}/flags`]).stdout, 16) & 1) === 1;
    expect(isUp('pc0')).toBe(false);
    const up = await ns.startPilha([
      'up',
      '--link',
      'packet',
      '--device',
      'pc0',
      '--address',
      '10.210.0.2',
      '--host-address',
      '10.210.0.1/24',
    ]);
    expect(isUp('pc0')).toBe(true);
    // The kernel's end is still down, so nothing can arrive: said once, at start.
    expect(up.stderr).toMatch(/pc0 has no carrier \(the other end of its veth pair, pc1, is down\?\)/);
    expect(ns.run('ip', ['link', 'set', 'pc1', 'up']).status).toBe(0);
    const ping = await ns.runAsync('ping', ['-n', '-c', '1', '-W', '3', '10.210.0.2']);
    expect(ping.status, ping.stdout).toBe(0);
    // SIGUSR2: every layer's counters (the echo answered among them), and it goes on.
    up.child.kill('SIGUSR2');
    await up.waitFor(/^counters 1 \{"stats":\{"link":.*"txEchoReplies":[1-9]/m, 5000);
    expect(await up.stop()).toBe(0);
    expect(isUp('pc0')).toBe(false);
  }, 60_000);

  it('a kernel sending with BIG TCP (GSO packets over 64 KB): they are dropped and counted, said once, and the upload still completes', async () => {
    vethPair(ns, 'pb0', 'pb1', '10.211.0.1/24');
    // iproute2 here cannot set IFLA_GSO_IPV4_MAX_SIZE (63): RTM_NEWLINK by hand, as ip link would.
    const setGsoIpv4MaxSize = `
import socket, struct, sys
index = socket.if_nametoindex(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
body = struct.pack('=BxHiII', 0, 0, index, 0, 0) + struct.pack('=HHI', 8, 63, int(sys.argv[2]))
s.send(struct.pack('=IHHII', 16 + len(body), 16, 0x1 | 0x4, 1, 0) + body)
sys.exit(-struct.unpack('=i', s.recv(4096)[16:20])[0])
`;
    expect(ns.run('ip', ['link', 'set', 'pb1', 'gso_max_size', '185000']).status).toBe(0);
    const set = ns.run('python3', ['-c', setGsoIpv4MaxSize, 'pb1', '185000']);
    expect(set.status, set.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'pilha-bigtcp-'));
    try {
      const file = join(dir, 'upload');
      writeFileSync(file, randomBytes(4 << 20));
      const server = await framedServeOnPacket(ns, 'pb0', '10.211.0.2', '10.211.0.1/24');
      const sent = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'framed',
        'send',
        file,
        '--to',
        '10.211.0.2:7000',
        '--transport',
        'kernel',
      ]);
      expect(sent.status, sent.stderr).toBe(0);
      expect(sent.stdout + sent.stderr).toMatch(/confirmed 4194304 bytes/);
      expect(await server.stop()).toBe(0);
      expect(server.stats().link['inner.rxVnetHeaderDrops']).toBeGreaterThan(0);
      const warnings = server.stderr.match(
        /a packet from the kernel was dropped \(counted as rxVnetHeaderDrops; said once\): a GSO packet over 64 KB, as a sender with BIG TCP makes/g,
      );
      expect(warnings).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('pilha ping on a packet link: SIGHUP ends it with its summary; the interface deleted ends it with one line and exit 1', async () => {
    vethPair(ns, 'pp0', 'pp1', '10.209.0.1/24');
    const ping = () =>
      ns.startPilha(
        [
          'ping',
          '--link',
          'packet',
          '--device',
          'pp0',
          '--address',
          '10.209.0.2',
          '--host-address',
          '10.209.0.1/24',
          '--count',
          '1000',
          '--interval',
          '0.1',
          '--stats',
          '10.209.0.1',
        ],
        /bytes from 10\.209\.0\.1/,
      );
    const hungUp = await ping();
    // SIGUSR2: the counters, and it goes on.
    hungUp.child.kill('SIGUSR2');
    await hungUp.waitFor(/^counters 1 \{"stats":\{"link":/m, 5000);
    hungUp.child.kill('SIGHUP');
    expect(await hungUp.exit()).toBe(0);
    expect(hungUp.stdout).toMatch(/packets transmitted, \d+ received/);
    expect(hungUp.stdout).toMatch(/^stats /m);
    expect(hungUp.stderr).toBe('');

    const orphaned = await ping();
    expect(ns.run('ip', ['link', 'del', 'pp0']).status).toBe(0);
    expect(await orphaned.exit()).toBe(1);
    expect(orphaned.stderr).toMatch(/^pilha ping: the interface pp0 is gone; stopping\n$/);
    expect(orphaned.stdout).toMatch(/packets transmitted, \d+ received/);
    expect(orphaned.stats().link['inner.rxLinkDowns']).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("with the kernel's end in another namespace: its super-frames taken whole; with --no-offload dropped and counted until its offloads are off", async () => {
    const far = Namespace.create('taplink-far');
    try {
      ns.run('ip', ['link', 'add', 'pr0', 'type', 'veth', 'peer', 'name', 'pr1', 'netns', far.name]);
      far.run('ip', ['addr', 'add', '10.206.0.1/24', 'dev', 'pr1']);
      far.run('ip', ['link', 'set', 'pr1', 'up']);
      ns.run('ip', ['link', 'set', 'pr0', 'up']);
      const upload = async (extra: readonly string[] = []) => {
        const server = await framedServeOnPacket(ns, 'pr0', '10.206.0.2', '10.206.0.1/24', extra);
        const sent = await far.runAsync(process.execPath, [
          PILHA_CLI,
          'framed',
          'send',
          `${ROOT}package-lock.json`,
          '--to',
          '10.206.0.2:7000',
          '--transport',
          'kernel',
          '--timeout',
          '3',
        ]);
        await server.stop();
        return { sent, server, link: server.stats().link };
      };
      // PACKET_VNET_HDR: the far end's segmentation offload stays on, and its GSO frames arrive described.
      const offload = await upload();
      expect(offload.sent.status, offload.sent.stderr).toBe(0);
      expect(offload.server.stderr).not.toMatch(/other end of this veth pair/);
      expect(offload.link['inner.offload']).toBe(1);
      expect(offload.link['inner.rxGsoPackets']).toBeGreaterThan(0);
      expect(offload.link['inner.rxDropOversize']).toBe(0);
      expect(offload.link['inner.rxVnetHeaderDrops']).toBe(0);
      expect(far.run('ethtool', ['-k', 'pr1']).stdout).toMatch(/^tcp-segmentation-offload: on/m);

      const before = await upload(['--no-offload']);
      expect(before.server.stderr).toMatch(/other end of this veth pair is in another namespace/);
      expect(before.link['inner.offload']).toBe(0);
      expect(before.link['inner.rxDropOversize']).toBeGreaterThan(0);
      far.run('ethtool', ['-K', 'pr1', 'tso', 'off', 'gso', 'off', 'tx', 'off']);
      const after = await upload(['--no-offload']);
      expect(after.sent.status, after.sent.stderr).toBe(0);
      expect(after.link['inner.rxDropOversize']).toBe(0);
    } finally {
      await far.destroy();
    }
  }, 60_000);
});
