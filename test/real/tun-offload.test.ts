/**
 * TUN segmentation offload against the kernel, inside namespaces this file creates and deletes: wget and curl
 * download 100 MB from `pilha http` byte-exact with offload on (pilha writes 64 KB super-segments) and off;
 * the kernel forwards pilha's super-segments to a second namespace over a veth pair whose offloads are off,
 * so it cuts and finishes every segment in software from the checksum field pilha wrote, and tshark there
 * verifies every one; `pilha get` receives 100 MB from the kernel's TCP as GSO reads.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadOverForwardedPath,
  expectForwardedSegmentsVerified,
  expectWgetAndCurlByteExact,
  makeForwardedPath,
  pilhaGetFromKernelServer,
} from '../helpers/forwarded-path.js';
import { Namespace, realPeerSkipReason } from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'wget', 'curl', 'tshark', 'ethtool']);
const PILHA = '10.77.0.2';
const BIG = 104_857_600;

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
        await expectWgetAndCurlByteExact(ns, url, BIG, dir);
        expect(await pilha.stop()).toBe(0);
        const { link, ip } = pilha.stats();
        expect(link.offload).toBe(offload ? 1 : 0);
        // A server's reader thread runs ahead of ordinary processes only under pressure, as a flood makes it
        // (syn-flood.test.ts checks that); pilha get's never does (below). Here only the counter's presence.
        expect(link.rxReaderNiceRaises).toBeTypeOf('number');
        if (offload) {
          // Most of the 200 MB left in super-segments, and the ACKs from the kernel came with a partial
          // checksum that the reader left unfinished and TCP took on the kernel's word.
          expect(link.txGsoSegments).toBeGreaterThan((2 * BIG) / 1448 / 2);
          expect(link.txGsoPackets).toBeLessThan(link.txGsoSegments! / 4);
          expect(link.rxChecksumsTrusted).toBeGreaterThan(0);
          expect(link.rxChecksumsCompleted).toBe(0);
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
      const peer = makeForwardedPath(router, client, 'pof');
      const pilha = await router.startPilha(['http', '--tun', 'poff1', '--port', '7000']);
      const length = 20_000_000;
      const { pcap, seen } = await downloadOverForwardedPath(client, peer, pilha, PILHA, length, dir);
      expect(pilha.stats().link.txGsoPackets).toBeGreaterThan(10);

      expectForwardedSegmentsVerified(seen, length, pcap);
    }, 300_000);
  });

  describe('pilha get from a kernel server, GSO reads on', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('receives 100 MB byte-exact, the kernel handing pilha GSO packets', async () => {
      ns = Namespace.create('offload-get');
      const { link, tcp } = await pilhaGetFromKernelServer(ns, ['--tun', 'poff2'], BIG, dir);
      expect(link.offload).toBe(1);
      // Its reads on the main thread (MainThreadFdReader), a doorbell (a thread-pool poll) waking it when the
      // device was quiet.
      expect(link.rxReadPasses).toBeGreaterThan(0);
      expect(link.rxDoorbellRings).toBeGreaterThan(0);
      expect(link.rxReaderNiceRaises).toBe(0);
      // The kernel sent large GSO packets, each taken whole (far fewer reads than 1448-byte segments).
      expect(link.rxGsoPackets).toBeGreaterThan(0);
      expect(link.rxPackets).toBeLessThan(BIG / 1448);
      expect(link.rxVnetHeaderDrops).toBe(0);
      expect(tcp.dropBadChecksum).toBe(0);
      // Reads that continued the one before went up with it (TcpReadCoalescer): TCP took fewer segments than
      // the device gave packets.
      expect(link.rxCoalescedReads).toBeGreaterThan(0);
      expect(tcp.rxSegments).toBeLessThanOrEqual(link.rxPackets! - link.rxCoalescedReads!);
      // One ACK per read batch: ACKs waited for batch ends, and fewer went out than segments came in.
      expect(tcp.ackBatchFlushes).toBeGreaterThan(0);
      expect(link.txPackets).toBeLessThan(link.rxPackets!);
    }, 300_000);
  });
});
