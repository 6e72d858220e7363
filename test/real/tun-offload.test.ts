/**
 * TUN segmentation offload against the kernel, inside namespaces this file creates and deletes: wget and curl
 * download 100 MB from `pilha http` byte-exact with offload on (pilha writes 64 KB super-segments) and off;
 * the kernel forwards pilha's super-segments to a second namespace over a veth pair whose offloads are off,
 * so it cuts and finishes every segment in software from the checksum field pilha wrote, and tshark there
 * verifies every one; `pilha get` receives 100 MB from the kernel's TCP as GSO reads.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Namespace, PILHA_CLI, realPeerSkipReason } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';
import { tsharkCapturing } from '../helpers/tshark.js';

const skip = realPeerSkipReason(['ip', 'wget', 'curl', 'tshark', 'ethtool']);
const PILHA = '10.77.0.2';
const BIG = 104_857_600;

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The fields of the packets of a capture that match a display filter, TCP checksums verified (no output limit). */
function tsharkFields(pcap: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-n', '-r', pcap, '-o', 'tcp.check_checksum:TRUE', '-Y', filter, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.error?.message ?? r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

describe.skipIf(skip !== undefined)('TUN segmentation offload against the kernel', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-offload-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const offload of [true, false]) {
    describe(`wget and curl of 100 MB with offload ${offload ? 'on' : 'off'}`, () => {
      let ns: Namespace;
      afterAll(async () => {
        await ns?.destroy();
      });

      it('both byte-exact; the link reports the offload state and what it batched', async () => {
        ns = Namespace.create(`offload-${offload ? 'on' : 'off'}`);
        const pilha = await ns.startPilha([
          'http',
          '--tun',
          'poff0',
          '--port',
          '7000',
          ...(offload ? [] : ['--no-offload']),
        ]);
        const url = `http://${PILHA}:7000/bytes/${BIG}`;
        const wgetOut = join(dir, 'wget');
        const w = await ns.runAsync('wget', ['-q', '-O', wgetOut, url], 120_000);
        expect(w.status, w.stderr).toBe(0);
        expect(sha256File(wgetOut)).toBe(sha256OfServedBytes(BIG));
        rmSync(wgetOut);
        const curlOut = join(dir, 'curl');
        const c = await ns.runAsync('curl', ['-sS', '--fail', '-o', curlOut, url], 120_000);
        expect(c.status, c.stderr).toBe(0);
        expect(sha256File(curlOut)).toBe(sha256OfServedBytes(BIG));
        rmSync(curlOut);
        expect(await pilha.stop()).toBe(0);
        const { link, ip } = pilha.stats();
        expect(link.offload).toBe(offload ? 1 : 0);
        if (offload) {
          // Most of the 200 MB left in super-segments, and every ACK from the kernel came with a partial
          // checksum that the reader finished.
          expect(link.txGsoSegments).toBeGreaterThan((2 * BIG) / 1448 / 2);
          expect(link.txGsoPackets).toBeLessThan(link.txGsoSegments! / 4);
          expect(link.rxChecksumsCompleted).toBeGreaterThan(0);
          expect(ip.txSegmented).toBe(link.txGsoPackets);
        } else {
          expect(link.txGsoPackets ?? 0).toBe(0);
          expect(ip.txSegmented).toBe(0);
          expect(link.txPackets).toBeGreaterThan((2 * BIG) / 1448);
        }
        expect(link.txDrops).toBe(0);
      }, 300_000);
    });
  }

  describe('a path the kernel forwards', () => {
    let router: Namespace;
    let client: Namespace;
    afterAll(async () => {
      await client?.destroy();
      await router?.destroy();
    });

    it('the kernel cuts pilha super-segments for a veth without offloads: every segment checksum verifies', async () => {
      router = Namespace.create('offload-router');
      client = Namespace.create('offload-client');
      const veth = `pofr${process.pid % 10000}`;
      const peer = `pofc${process.pid % 10000}`;
      const sh = (ns: Namespace, cmd: string, args: string[]) => {
        const r = ns.run(cmd, args);
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
      };
      sh(router, 'ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
      sh(router, 'ip', ['link', 'set', peer, 'netns', client.name]);
      sh(router, 'ip', ['addr', 'add', '10.88.0.1/24', 'dev', veth]);
      sh(router, 'ip', ['link', 'set', veth, 'up']);
      sh(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      // No segmentation or checksum offload on the way out: the kernel cuts each super-segment and finishes
      // each segment's checksum in software, from the field pilha wrote.
      sh(router, 'ethtool', ['-K', veth, 'tso', 'off', 'gso', 'off', 'tx', 'off']);
      sh(client, 'ip', ['addr', 'add', '10.88.0.2/24', 'dev', peer]);
      sh(client, 'ip', ['link', 'set', peer, 'up']);
      sh(client, 'ip', ['route', 'add', '10.77.0.0/24', 'via', '10.88.0.1']);
      const pilha = await router.startPilha(['http', '--tun', 'poff1', '--port', '7000']);

      const pcap = join(dir, 'forwarded.pcap');
      const tshark = client.spawn('tshark', [
        '-i',
        peer,
        '-B',
        '256',
        '-n',
        '-q',
        '-f',
        'tcp port 7000',
        '-w',
        pcap,
      ]);
      await tsharkCapturing(tshark);
      const length = 20_000_000;
      const out = join(dir, 'forwarded');
      const r = await client.runAsync(
        'curl',
        ['-sS', '--fail', '-o', out, `http://${PILHA}:7000/bytes/${length}`],
        120_000,
      );
      expect(r.status, r.stderr).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(length));
      tshark.kill('SIGINT');
      await new Promise((resolve) => tshark.once('close', resolve));
      expect(await pilha.stop()).toBe(0);
      expect(pilha.stats().link.txGsoPackets).toBeGreaterThan(10);

      // Every data segment from pilha arrived cut to the MTU, with a checksum tshark verified good
      // (tcp.checksum.status: 1 good, 0 bad, 2 unverified).
      const seen = tsharkFields(pcap, 'tcp.srcport == 7000 && tcp.len > 0', [
        'frame.len',
        'tcp.checksum.status',
      ]);
      // (A loaded machine's capture may miss a few; the verdict is on every segment it has.)
      expect(seen.length).toBeGreaterThan(0.9 * Math.ceil(length / 1448));
      expect(seen.filter(([frameLength]) => Number(frameLength) > 1514)).toEqual([]);
      expect(seen.filter(([, checksum]) => checksum !== '1')).toEqual([]);
      const incorrect = tsharkFields(pcap, 'tcp.srcport == 7000 && _ws.expert.message contains "CHECKSUM"', [
        'frame.number',
      ]);
      expect(incorrect).toEqual([]);
    }, 300_000);
  });

  describe('pilha get from a kernel server, GSO reads on', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('receives 100 MB byte-exact, the kernel handing pilha GSO packets', async () => {
      ns = Namespace.create('offload-get');
      await ns.startPilha(['http', '--transport', 'kernel', '--listen-host', '0.0.0.0', '--port', '8080']);
      const out = join(dir, 'get');
      const r = await ns.runAsync(
        process.execPath,
        [PILHA_CLI, 'get', `http://10.77.0.1:8080/bytes/${BIG}`, '-o', out, '--tun', 'poff2', '--stats'],
        180_000,
      );
      expect(r.status, r.stderr).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(BIG));
      rmSync(out);
      const line = r.stderr.match(/^stats (.*)$/m);
      expect(line, r.stderr).not.toBeNull();
      const { link, tcp } = JSON.parse(line![1]!) as {
        link: Record<string, number>;
        tcp: Record<string, number>;
      };
      expect(link.offload).toBe(1);
      // The kernel sent large GSO packets, each taken whole (far fewer reads than 1448-byte segments).
      expect(link.rxGsoPackets).toBeGreaterThan(0);
      expect(link.rxPackets).toBeLessThan(BIG / 1448);
      expect(link.rxVnetHeaderDrops).toBe(0);
      expect(tcp.dropBadChecksum).toBe(0);
      // One ACK per read batch: ACKs waited for batch ends, and fewer went out than segments came in.
      expect(tcp.ackBatchFlushes).toBeGreaterThan(0);
      expect(link.txPackets).toBeLessThan(link.rxPackets!);
    }, 300_000);
  });
});
