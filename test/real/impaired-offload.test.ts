/**
 * Segmentation offload under `--impair` and `--pcap`, inside namespaces this file creates and deletes (named
 * impoff): pilha keeps writing super-segments, ImpairedLink impairs them segment by segment and hands the
 * untouched runs on as smaller super-segments, PcapLink records the segments as on the wire, and the TUN
 * device gives wire-sized reads (receive offload off). wget downloads byte-exact through a lossy link; the
 * capture is clean in tshark; and where the kernel forwards pilha's (sub-range) super-segments to a veth
 * without offloads, it cuts them into segments whose checksums tshark verifies one by one.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadOverForwardedPath,
  expectForwardedSegmentsVerified,
  makeForwardedPath,
  sha256File,
} from '../helpers/forwarded-path.js';
import { Namespace, realPeerSkipReason, tsharkProblems } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';
import { tsharkFields } from '../helpers/tshark.js';

const skip = realPeerSkipReason(['ip', 'wget', 'curl', 'tshark', 'ethtool']);
const PILHA = '10.77.0.2';
const LENGTH = 20_000_000;

describe.skipIf(skip !== undefined)('segmentation offload with --impair and --pcap', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-impoff-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('wget from pilha http --impair loss=0.01,... --pcap', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('byte-exact, super-segments written, segments lost, the capture clean and wire-sized', async () => {
      ns = Namespace.create('impoff-wget');
      const pcap = join(dir, 'impaired.pcap');
      const pilha = await ns.startPilha([
        'http',
        '--tun',
        'pimp0',
        '--port',
        '7000',
        '--impair',
        'loss=0.01,duplicate=0.005,reorder=0.005,seed=5',
        '--pcap',
        pcap,
      ]);
      const out = join(dir, 'wget');
      const w = await ns.runAsync('wget', ['-q', '-O', out, `http://${PILHA}:7000/bytes/${LENGTH}`], 120_000);
      expect(w.status, w.stderr).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(LENGTH));
      expect(await pilha.stop()).toBe(0);
      // PcapLink(ImpairedLink(TunLink)): the capture's counters, `inner.` the impairment's, `inner.inner.` the device's.
      const { link, ip } = pilha.stats();
      expect(link['inner.inner.offload']).toBe(1);
      expect(link['inner.inner.rxOffload']).toBe(0);
      expect(link['inner.inner.txGsoPackets']).toBeGreaterThan(0);
      // The kernel took every GSO write although pilha takes no GSO reads (no fallback to cutting here).
      expect(link['inner.inner.txGsoFallbacks'] ?? 0).toBe(0);
      expect(link['inner.inner.rxGsoPackets'] ?? 0).toBe(0);
      expect(ip.txSegmented).toBeGreaterThan(0);
      expect(link['inner.dropLoss']).toBeGreaterThan(0);
      expect(link['inner.duplicated']).toBeGreaterThan(0);
      expect(link['inner.reordered']).toBeGreaterThan(0);
      expect(link.captureErrors).toBe(0);
      // Counted as segments on both decorators: what the capture saw sent is what the impairment took.
      expect(link.txPackets).toBe(link['inner.txPackets']);
      expect(link.txPackets).toBeGreaterThan(LENGTH / 1448);

      expect(tsharkProblems(pcap, ['tcp.port==7000,http'])).toEqual({ count: 0, lines: '' });
      const frames = tsharkFields(pcap, 'tcp', ['frame.len']).map(([n]) => Number(n));
      expect(frames.length).toBeGreaterThan(LENGTH / 1448);
      expect(Math.max(...frames)).toBeLessThanOrEqual(1500);
    }, 300_000);
  });

  describe('a path the kernel forwards', () => {
    let router: Namespace;
    let client: Namespace;
    afterAll(async () => {
      await client?.destroy();
      await router?.destroy();
    });

    it('the kernel cuts the impaired super-segments for a veth without offloads: every checksum verifies', async () => {
      router = Namespace.create('impoff-router');
      client = Namespace.create('impoff-client');
      const peer = makeForwardedPath(router, client, 'pim');
      const pilha = await router.startPilha([
        'http',
        '--tun',
        'pimp1',
        '--port',
        '7000',
        '--impair',
        'loss=0.02,seed=9',
      ]);
      const { seen } = await downloadOverForwardedPath(client, peer, pilha, PILHA, LENGTH, dir);
      const { link } = pilha.stats();
      expect(link['inner.txGsoPackets']).toBeGreaterThan(10);
      expect(link.dropLoss).toBeGreaterThan(0);

      expectForwardedSegmentsVerified(seen, LENGTH);
    }, 300_000);
  });
});
