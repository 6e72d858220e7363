/**
 * Stage 3 against the kernel's own programs, inside network namespaces this file creates and deletes:
 * ping -s 20000 to pilha, pilha ping to the kernel, scapy-crafted fragments, and tshark over pilha's capture.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIcmp, ICMP_ECHO_REQUEST } from '../../src/layers/icmp/icmp-message.js';
import { encodeIpv4, IP_PROTOCOL_ICMP } from '../../src/layers/ip/ipv4-header.js';
import { PcapWriter } from '../../src/layers/link/pcap-writer.js';
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

const skip = realPeerSkipReason(['ip', 'ping', 'tshark', 'scapy']);
const PILHA = '10.77.0.2';
const HOST = '10.77.0.1';
const SCAPY = join(ROOT, 'test/real/scapy/fragments.py');

interface ScapyResult {
  mode: string;
  sent: number;
  replies: number;
  replyDataOk: boolean;
  errors: Array<{ type: number; code: number; ours: boolean }>;
}

describe.skipIf(skip !== undefined)('IPv4 and ICMP against real peers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-real-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the kernel pings pilha', () => {
    let ns: Namespace;
    let pilha: PilhaProcess;
    beforeAll(async () => {
      ns = Namespace.create('ping');
      pilha = await ns.startPilha(['up', '--tun', 'pl0', '--pcap', join(dir, 'ping.pcap')]);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    it('ping -c 5 -s 20000 gets every reply (fragmented both ways)', async () => {
      const r = await ns.runAsync('ping', ['-c', '5', '-i', '0.2', '-W', '2', '-s', '20000', PILHA]);
      expect(r.stdout).toMatch(/5 packets transmitted, 5 received, 0% packet loss/);
      expect(r.stdout.match(/20008 bytes from 10\.77\.0\.2/g)?.length).toBe(5);
      expect(r.status).toBe(0);
      expect(await pilha.stop()).toBe(0);
      const stats = pilha.stats();
      expect(stats.ip.reassembled).toBe(5);
      expect(stats.ip.txFragmented).toBe(5);
      expect(stats.icmp.txEchoReplies).toBe(5);
      // One line per reassembled datagram, with what the course asked to show.
      const lines = pilha.stdout.match(/^reassembled .*$/gm) ?? [];
      expect(lines.length).toBe(5);
      expect(JSON.parse(lines[0]!.slice('reassembled '.length))).toMatchObject({
        src: HOST,
        dst: PILHA,
        protocol: 1,
        fragments: 14,
        totalLength: 20_028,
      });
    });

    it('tshark finds nothing malformed and no bad checksum in the capture', () => {
      const pcap = join(dir, 'ping.pcap');
      expect(tsharkCount(pcap, 'icmp.type == 0')).toBeGreaterThanOrEqual(5);
      expect(tsharkProblems(pcap)).toEqual({ count: 0, lines: '' });
    });
  });

  describe('pilha pings the kernel', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('pilha ping --size 20000 --count 3 shows three reassembled replies', async () => {
      ns = Namespace.create('pilhaping');
      const r = await ns.runAsync(process.execPath, [
        PILHA_CLI,
        'ping',
        HOST,
        '--tun',
        'pl1',
        '--size',
        '20000',
        '--count',
        '3',
        '--interval',
        '0.2',
        '--pcap',
        join(dir, 'pilha-ping.pcap'),
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const replies =
        r.stdout.match(/^20008 bytes from 10\.77\.0\.1: icmp_seq=\d .* reassembled .*$/gm) ?? [];
      expect(replies.length).toBe(3);
      expect(replies[0]).toMatch(/fragments=14 length=20028 order=\[[\d,]+\]/);
      expect(r.stdout).toMatch(/3 packets transmitted, 3 received, 0% packet loss/);
      expect(tsharkProblems(join(dir, 'pilha-ping.pcap')).count).toBe(0);
    });
  });

  describe('through a reordering link', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('fragments that arrive out of order (--impair reorder) are reassembled and answered', async () => {
      ns = Namespace.create('reorder');
      const pilha = await ns.startPilha(['up', '--tun', 'pl3', '--impair', 'reorder=0.4,seed=11']);
      const r = await ns.runAsync('ping', ['-c', '4', '-i', '0.2', '-W', '2', '-s', '20000', PILHA]);
      expect(r.stdout).toMatch(/4 packets transmitted, 4 received, 0% packet loss/);
      expect(await pilha.stop()).toBe(0);
      const orders = (pilha.stdout.match(/^reassembled .*$/gm) ?? []).map(
        (line) => JSON.parse(line.slice('reassembled '.length)).arrivalOrder as number[],
      );
      expect(orders.length).toBe(4);
      const inOrder = (o: number[]) => o.every((p, i) => p === i);
      expect(orders.some((o) => !inOrder(o))).toBe(true);
      expect(pilha.stats().link.reordered).toBeGreaterThan(0);
    });
  });

  describe('crafted fragments from scapy', () => {
    let ns: Namespace;
    let pilha: PilhaProcess;
    const pcap = () => join(dir, 'scapy.pcap');
    const scapy = async (mode: string, waitSeconds = 1.5): Promise<ScapyResult> => {
      const r = await ns.runAsync(SYSTEM_PYTHON, [SCAPY, PILHA, mode, String(waitSeconds)]);
      if (r.status !== 0) throw new Error(`scapy ${mode} failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!);
    };

    beforeAll(async () => {
      ns = Namespace.create('scapy');
      pilha = await ns.startPilha(['up', '--tun', 'pl2', '--reassembly-timeout', '1', '--pcap', pcap()]);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    it('an 8 KB echo request sent as fragments in reverse order is answered', async () => {
      expect(await scapy('reverse')).toMatchObject({ sent: 6, replies: 1, replyDataOk: true, errors: [] });
    });

    it('fragments in random order are answered', async () => {
      expect(await scapy('random')).toMatchObject({ replies: 1, replyDataOk: true, errors: [] });
    });

    it('duplicated fragments get exactly one reply', async () => {
      expect(await scapy('duplicate')).toMatchObject({ sent: 11, replies: 1, replyDataOk: true, errors: [] });
    });

    it('overlapping fragments with different bytes get no reply', async () => {
      expect(await scapy('overlap')).toMatchObject({ replies: 0, errors: [] });
    });

    it('a missing middle fragment brings back ICMP Time Exceeded, code 1, after the timeout', async () => {
      const r = await scapy('missing', 2.5);
      expect(r.replies).toBe(0);
      expect(r.errors).toEqual([{ type: 11, code: 1, quotedId: expect.any(Number), ours: true }]);
    });

    it('fragments adding up to more than 65,535 bytes are dropped, and pilha keeps answering', async () => {
      expect(await scapy('toobig', 0.5)).toMatchObject({ replies: 0 });
      expect(await scapy('reverse')).toMatchObject({ replies: 1, replyDataOk: true });
      const ping = await ns.runAsync('ping', ['-c', '1', '-W', '2', '-s', '3000', PILHA]);
      expect(ping.status).toBe(0);
    });

    it('counted every drop by its reason', async () => {
      expect(await pilha.stop()).toBe(0);
      const ip = pilha.stats().ip;
      expect(ip.dropReassemblyDuplicate).toBe(5);
      expect(ip.dropReassemblyOverlap).toBe(1);
      expect(ip.dropReassemblyTooBig).toBe(1);
      // The missing-fragment datagram, and the overlap's remaining fragments (no first fragment: no ICMP).
      expect(ip.dropReassemblyTimeout).toBe(2);
      expect(ip.reassembled).toBe(5);
    });

    it('tshark finds nothing malformed and no bad checksum in pilha capture of these runs', () => {
      expect(tsharkCount(pcap(), 'icmp.type == 11 && icmp.code == 1')).toBe(1);
      expect(tsharkProblems(pcap())).toEqual({ count: 0, lines: '' });
    });
  });

  it('the tshark check does catch a bad checksum (positive control)', () => {
    const file = join(dir, 'control.pcap');
    const writer = new PcapWriter(file);
    const icmp = encodeIcmp({ type: ICMP_ECHO_REQUEST, code: 0, rest: 1, body: new Uint8Array(8) });
    const good = encodeIpv4(
      { id: 1, ttl: 64, protocol: IP_PROTOCOL_ICMP, src: 0x0a000001, dst: 0x0a000002 },
      icmp,
    );
    const bad = good.slice();
    bad[10] ^= 0x55;
    writer.write(good);
    writer.write(bad);
    writer.close();
    expect(tsharkProblems(file).count).toBe(1);
  });
});
