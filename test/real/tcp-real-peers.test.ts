/**
 * Stage 2 against the kernel's own programs: wget, curl and ab download from `pilha http` over pilha's TCP
 * on a TUN device, and `pilha get` downloads from a kernel node:http server, all inside namespaces this file
 * creates and deletes. Every body is checked by SHA-256 against what was served.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloPomboPage } from '../../src/app/hello-pombo.js';
import {
  Namespace,
  PILHA_CLI,
  type PilhaProcess,
  realPeerSkipReason,
  tsharkCount,
  tsharkLines,
  tsharkProblems,
} from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'wget', 'curl', 'ab', 'tshark', 'python3']);
const PILHA = '10.77.0.2';
const BIG = 104_857_600;

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe.skipIf(skip !== undefined)('TCP against real peers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pilha-tcp-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('wget, curl and ab against pilha http', () => {
    let ns: Namespace;
    let pilha: PilhaProcess;
    const url = (path: string) => `http://${PILHA}:7000${path}`;

    beforeAll(async () => {
      ns = Namespace.create('http');
      pilha = await ns.startPilha(['http', '--tun', 'pt0', '--port', '7000']);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    it('wget downloads 100 MB from /bytes/N, SHA-256 equal to what was served', async () => {
      const out = join(dir, 'wget-big');
      const r = await ns.runAsync('wget', ['-q', '-O', out, url(`/bytes/${BIG}`)], 120_000);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(BIG));
      rmSync(out);
    });

    it("wget downloads the course's 12 MB page at /", async () => {
      const out = join(dir, 'wget-page');
      const r = await ns.runAsync('wget', ['-q', '-O', out, url('/')], 60_000);
      expect(r.status).toBe(0);
      expect(sha256File(out)).toBe(createHash('sha256').update(helloPomboPage()).digest('hex'));
    });

    it('curl downloads 100 MB from /bytes/N and the page at /, SHA-256 equal', async () => {
      const big = join(dir, 'curl-big');
      const page = join(dir, 'curl-page');
      const r = await ns.runAsync(
        'curl',
        ['-sS', '--fail', '-o', big, url(`/bytes/${BIG}`), '-o', page, url('/')],
        120_000,
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(sha256File(big)).toBe(sha256OfServedBytes(BIG));
      expect(sha256File(page)).toBe(createHash('sha256').update(helloPomboPage()).digest('hex'));
      rmSync(big);
    });

    it('curl does three requests on one keep-alive connection', async () => {
      const r = await ns.runAsync('curl', [
        '-sS',
        '-v',
        '--fail',
        '-o',
        '/dev/null',
        url('/bytes/1000'),
        '-o',
        '/dev/null',
        url('/bytes/2000'),
        '-o',
        '/dev/null',
        url('/bytes/3000'),
      ]);
      expect(r.status).toBe(0);
      expect(r.stderr.match(/Re-using existing connection/gi)?.length).toBe(2);
      expect(r.stderr.match(/Connected to /g)?.length ?? 0).toBeLessThanOrEqual(1);
    });

    it('ab -n 2000 -c 20 finishes with zero failed requests', async () => {
      const r = await ns.runAsync('ab', ['-q', '-n', '2000', '-c', '20', url('/bytes/100')], 120_000);
      expect(r.stdout).toMatch(/Complete requests:\s+2000/);
      expect(r.stdout).toMatch(/Failed requests:\s+0/);
      expect(r.status).toBe(0);
    });

    it('four wgets at once all complete and match', async () => {
      const length = 20 * 1024 * 1024;
      const runs = [0, 1, 2, 3].map((i) =>
        ns.runAsync('wget', ['-q', '-O', join(dir, `par-${i}`), url(`/bytes/${length}`)], 120_000),
      );
      const results = await Promise.all(runs);
      const expected = sha256OfServedBytes(length);
      for (const [i, r] of results.entries()) {
        expect(r.status).toBe(0);
        expect(sha256File(join(dir, `par-${i}`))).toBe(expected);
      }
    });

    it('pilha http prints its counters on SIGUSR2 while it runs, then stops cleanly with its totals', async () => {
      pilha.child.kill('SIGUSR2');
      const m = await pilha.waitFor(/^counters 1 (.*)$/m, 10_000);
      const now = JSON.parse(m[1]!);
      expect(now.totals.requests).toBeGreaterThan(0);
      expect(now.tcp.bytesSent).toBeGreaterThan(2 * BIG);
      expect(now.stats.link.txPackets).toBeGreaterThan(0);
      expect(pilha.child.exitCode).toBe(null); // still serving
      expect(await pilha.stop()).toBe(0);
      const line = (name: string) => JSON.parse(pilha.stdout.match(new RegExp(`^${name} (.*)$`, 'm'))![1]!);
      expect(line('totals').requests).toBe(now.totals.requests);
      expect(line('tcp').bytesSent).toBeGreaterThanOrEqual(now.tcp.bytesSent);
    });
  });

  describe('clients that reset right after their request', () => {
    let ns: Namespace;
    let pilha: PilhaProcess;
    beforeAll(async () => {
      ns = Namespace.create('rst');
      pilha = await ns.startPilha(['http', '--tun', 'pt0', '--port', '7000']);
    });
    afterAll(async () => {
      await ns?.destroy();
    });

    it('every request sent just before an abortive close (SO_LINGER 0) is served, as Linux serves it', async () => {
      // The kernel sends the request and its RST back to back: pilha reads the request, then the reset.
      const script = [
        'import socket, struct',
        'for i in range(20):',
        `    s = socket.create_connection(('${PILHA}', 7000))`,
        "    s.sendall(b'GET /bytes/100 HTTP/1.1\\r\\nHost: pilha\\r\\n\\r\\n')",
        "    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
        '    s.close()',
      ].join('\n');
      const r = await ns.runAsync('python3', ['-c', script], 30_000);
      expect(r.status, r.stderr).toBe(0);
      expect(await pilha.stop()).toBe(0);
      const totals = JSON.parse(pilha.stdout.match(/^totals (.*)$/m)![1]!);
      expect(totals).toMatchObject({ connections: 20, requests: 20, bytesReceived: 20 * 40 });
    });
  });

  describe('pilha get from a kernel node:http server', () => {
    let ns: Namespace;
    /** pilha get of `length` bytes from the server on port 8080 into `out`, over its own TUN device `tun`. */
    const get = (out: string, length: number, tun: string, ...extra: string[]) =>
      ns.runAsync(process.execPath, [
        PILHA_CLI,
        'get',
        `http://10.77.0.1:8080/bytes/${length}`,
        '-o',
        out,
        ...extra,
        '--tun',
        tun,
      ]);
    afterAll(async () => {
      await ns?.destroy();
    });

    it('downloads 10 MB over pilha TCP, SHA-256 equal', async () => {
      ns = Namespace.create('get');
      // The kernel's TCP serves; its address is the kernel side of pilha's TUN device, created next.
      await ns.startPilha(['http', '--transport', 'kernel', '--listen-host', '0.0.0.0', '--port', '8080']);
      const out = join(dir, 'get-10m');
      const length = 10 * 1024 * 1024;
      const r = await get(out, length, 'pt1');
      expect(r.status, r.stderr).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(length));
      expect(r.stderr).toMatch(
        new RegExp(
          `^pilha get: 200 OK, ${length} bytes in [0-9.]+ s \\([0-9.]+ MB/s\\), sha256 ${sha256OfServedBytes(length)}$`,
          'm',
        ),
      );
    });

    it('--no-hash: the file byte-exact, the result line without a digest', async () => {
      // The same server as the test before (port 8080 in this namespace).
      const out = join(dir, 'get-10m-no-hash');
      const length = 10 * 1024 * 1024;
      const r = await get(out, length, 'pt5', '--no-hash');
      expect(r.status, r.stderr).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(length));
      expect(r.stderr).toMatch(
        new RegExp(`^pilha get: 200 OK, ${length} bytes in [0-9.]+ s \\([0-9.]+ MB/s\\)$`, 'm'),
      );
      expect(r.stderr).not.toContain('sha256');
    });

    it('reports a connection that dies mid-transfer, with how far it got, and exits 1', async () => {
      const server = await ns.startPilha([
        'http',
        '--transport',
        'kernel',
        '--listen-host',
        '0.0.0.0',
        '--port',
        '8081',
      ]);
      const download = ns.runAsync(process.execPath, [
        PILHA_CLI,
        'get',
        'http://10.77.0.1:8081/bytes/10000000000',
        '-o',
        '/dev/null',
        '--tun',
        'pt4',
        '--timeout',
        '5',
      ]);
      // Long enough for pilha to start and the body to flow, far too short for 10 GB to finish.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      server.child.kill('SIGKILL');
      const r = await download;
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^pilha: .*broke after \d+ of 10000000000 body bytes: .+\n$/);
    });
  });

  describe('through an impaired link', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('wget still gets every byte through loss, reordering, duplication and corruption', async () => {
      ns = Namespace.create('impair');
      const pilha = await ns.startPilha([
        'http',
        '--tun',
        'pt3',
        '--impair',
        'loss=0.01,reorder=0.01,duplicate=0.01,corrupt=0.002,seed=5',
      ]);
      const length = 4 * 1024 * 1024;
      const out = join(dir, 'impaired');
      const r = await ns.runAsync('wget', ['-q', '-O', out, `http://${PILHA}:7000/bytes/${length}`], 120_000);
      expect(r.status).toBe(0);
      expect(sha256File(out)).toBe(sha256OfServedBytes(length));
      expect(await pilha.stop()).toBe(0);
      const tcp = JSON.parse(pilha.stdout.match(/^tcp (.*)$/m)![1]!);
      const link = pilha.stats().link;
      expect(link.dropLoss).toBeGreaterThan(0);
      expect(link.corrupted).toBeGreaterThan(0);
      expect(tcp.retransmitted).toBeGreaterThan(0);
    });
  });

  describe('a capture of pilha TCP', () => {
    let ns: Namespace;
    afterAll(async () => {
      await ns?.destroy();
    });

    it('tshark finds no malformed packet and no bad checksum', async () => {
      ns = Namespace.create('tcpcap');
      const pcap = join(dir, 'tcp.pcap');
      const pilha = await ns.startPilha(['http', '--tun', 'pt2', '--port', '7000', '--pcap', pcap]);
      const r = await ns.runAsync('curl', [
        '-sS',
        '--fail',
        '-o',
        '/dev/null',
        `http://${PILHA}:7000/bytes/5000000`,
        '-o',
        '/dev/null',
        `http://${PILHA}:7000/bytes/10`,
      ]);
      expect(r.status).toBe(0);
      expect(await pilha.stop()).toBe(0);
      const handshakes = tsharkLines(
        pcap,
        'tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1',
      );
      expect(tsharkCount(pcap, 'tcp.flags.syn == 1 && tcp.flags.ack == 1'), handshakes).toBe(1);
      expect(tsharkCount(pcap, 'tcp.flags.fin == 1'), handshakes).toBeGreaterThanOrEqual(2);
      expect(tsharkProblems(pcap, ['tcp.port==7000,http'])).toEqual({ count: 0, lines: '' });
    });
  });
});
