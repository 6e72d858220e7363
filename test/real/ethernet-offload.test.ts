/**
 * Segmentation offload on the two links of frames against the kernel, inside namespaces this file creates and
 * deletes: a TAP device (IFF_VNET_HDR) and an AF_PACKET socket on a veth end (PACKET_VNET_HDR). pilha http
 * writes its TCP super-segments as frames, which the kernel passes on or cuts; wget and curl get 100 MB
 * byte-exact with offload on and off; pilha get receives 100 MB as GSO frames from a kernel server; the kernel
 * forwards pilha's super-frames to a second namespace over a veth pair without offloads (answering pilha's
 * ARP for the client by proxy ARP), so it cuts and finishes every segment in software, and tshark there
 * verifies every one.
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
const HOST = '10.77.0.1';
const BIG = 104_857_600;

interface FrameLink {
  readonly kind: 'tap' | 'packet';
  /** pilha's options for its device `name` (pilha's address and the kernel's are the defaults' for TAP). */
  args(name: string): string[];
  /** What must exist in `ns` before pilha starts on device `name`. */
  prepare(ns: Namespace, name: string): void;
}

const LINKS: readonly FrameLink[] = [
  { kind: 'tap', args: (name) => ['--link', 'tap', '--device', name], prepare: () => {} },
  {
    kind: 'packet',
    args: (name) => [
      '--link',
      'packet',
      '--device',
      name,
      '--address',
      PILHA,
      '--host-address',
      `${HOST}/24`,
    ],
    // A veth pair: pilha's end `name`, the kernel's end `name`h with the kernel's address. The kernel still
    // receives on pilha's end: in a namespace that forwards, it must not forward what it gets there (a copy
    // of every datagram to pilha, sent back out to pilha).
    prepare: (ns, name) => {
      for (const [cmd, ...args] of [
        ['ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}h`],
        ['ip', 'addr', 'add', `${HOST}/24`, 'dev', `${name}h`],
        ['ip', 'link', 'set', `${name}h`, 'up'],
        ['ip', 'link', 'set', name, 'up'],
        ['sysctl', '-qw', `net.ipv4.conf.${name}.forwarding=0`],
      ] as const) {
        const r = ns.run(cmd, args);
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
      }
    },
  },
];

describe.skipIf(skip !== undefined).each(LINKS)(
  'segmentation offload over --link $kind against the kernel',
  (l) => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'pilha-ethernet-offload-'));
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

        it('both byte-exact; the frames went as super-frames only with offload', async () => {
          ns = Namespace.create(`${l.kind}off-${offload ? 'on' : 'off'}`);
          l.prepare(ns, 'ptof0');
          const pilha = await ns.startPilha([
            'http',
            ...l.args('ptof0'),
            '--port',
            '7000',
            ...(offload ? [] : ['--no-offload']),
          ]);
          const url = `http://${PILHA}:7000/bytes/${BIG}`;
          await expectWgetAndCurlByteExact(ns, url, BIG, dir);
          expect(await pilha.stop()).toBe(0);
          const { link, ip } = pilha.stats();
          expect(link['inner.offload']).toBe(offload ? 1 : 0);
          expect(link['inner.rxOffload']).toBe(offload ? 1 : 0);
          if (offload) {
            // Most of the 200 MB left as super-frames, each counted once by the Ethernet layer and the device.
            expect(link['inner.txGsoSegments']).toBeGreaterThan((2 * BIG) / 1448 / 2);
            expect(link['inner.txGsoPackets']).toBeLessThan(link['inner.txGsoSegments']! / 4);
            expect(link.txSuperSegments).toBeGreaterThanOrEqual(link['inner.txGsoPackets']!);
            expect(ip.txSegmented).toBe(link.txSuperSegments);
          } else {
            expect(link.txSuperSegments).toBe(0);
            expect(ip.txSegmented).toBe(0);
            expect(link['inner.txPackets']).toBeGreaterThan((2 * BIG) / 1448);
          }
          expect(link['inner.txDrops']).toBe(0);
          expect(link.dropTxMalformed).toBe(0);
        }, 300_000);
      });
    }

    describe('pilha get from a kernel server, GSO reads on', () => {
      let ns: Namespace;
      afterAll(async () => {
        await ns?.destroy();
      });

      it('receives 100 MB byte-exact as GSO frames, their checksums taken on the kernel word', async () => {
        ns = Namespace.create(`${l.kind}off-get`);
        l.prepare(ns, 'ptof2');
        const { link, tcp } = await pilhaGetFromKernelServer(ns, l.args('ptof2'), BIG, dir);
        expect(link['inner.offload']).toBe(1);
        expect(link['inner.rxOffload']).toBe(1);
        // Large GSO frames, each taken whole through the Ethernet layer (far fewer reads than segments).
        expect(link['inner.rxGsoPackets']).toBeGreaterThan(0);
        expect(link.rxIpv4).toBeLessThan(BIG / 1448);
        expect(link['inner.rxVnetHeaderDrops']).toBe(0);
        // A TAP device is read on the main thread (its reads are GSO frames); a packet socket keeps its reader
        // thread, since whether its frames come as GSO frames is the far end's choice.
        if (l.kind === 'tap') expect(link['inner.rxReadPasses']).toBeGreaterThan(0);
        else expect(link).not.toHaveProperty('inner.rxReadPasses');
        expect(tcp.rxChecksumsVouched).toBeGreaterThan(0);
        expect(tcp.dropBadChecksum).toBe(0);
      }, 300_000);
    });

    describe('a path the kernel forwards', () => {
      let router: Namespace;
      let client: Namespace;
      afterAll(async () => {
        await client?.destroy();
        await router?.destroy();
      });

      it('the kernel cuts pilha super-frames for a veth without offloads: every segment checksum verifies', async () => {
        router = Namespace.create(`${l.kind}off-router`);
        client = Namespace.create(`${l.kind}off-client`);
        const peer = makeForwardedPath(router, client, 'ptf');
        // pilha does not route: it asks ARP for the client itself, which the router answers for it.
        expect(router.run('sysctl', ['-qw', 'net.ipv4.conf.all.proxy_arp=1']).status).toBe(0);
        l.prepare(router, 'ptof1');
        const pilha = await router.startPilha(['http', ...l.args('ptof1'), '--port', '7000']);
        const length = 20_000_000;
        const { pcap, seen } = await downloadOverForwardedPath(client, peer, pilha, PILHA, length, dir);
        expect(pilha.stats().link['inner.txGsoPackets']).toBeGreaterThan(10);

        expectForwardedSegmentsVerified(seen, length, pcap);
      }, 300_000);
    });
  },
);
