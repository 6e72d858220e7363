/**
 * pilha's loss recovery and flow control against the kernel's wget, each test in a namespace of its own
 * (created here and always deleted), run concurrently to keep the file's wall clock down:
 *
 * - 100 MB byte-exact through `--impair` loss with reordering, duplication and corruption on both
 *   directions of pilha's link;
 * - a wget suspended with SIGSTOP for 15 s mid-transfer and resumed: byte-exact; in pilha's capture the
 *   kernel closes its window, pilha probes it (SEQ = SND.UNA − 1, no data, as Linux does; tshark calls
 *   these keep-alives) and neither side sends a RST;
 * - the capture of a lossy transfer served by pilha shows SACK blocks in the kernel's ACKs, and tshark
 *   finds nothing malformed. (The other way, pilha's SACK blocks as a receiver, is tcp-sack.test.ts.)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Namespace, realPeerSkipReason, tsharkCount, tsharkLines, tsharkProblems } from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'wget', 'bash', 'sha256sum', 'tshark']);
const PILHA = '10.77.0.2';
const KERNEL = '10.77.0.1';
const BIG = 104_857_600;

/**
 * Issue 8 asks for 100 MB at 1%, 5% and 10% loss. Before SACK-based recovery and RACK-TLP (2-core machine):
 * 1% in about 70 s, 5% about 11 min, 10% about 40 min. With them: 1% in about 10 s, 5% about 30 s, 10%
 * about 3–4 min, mostly retransmission timeouts of 200 ms: the kernel at times holds its ACK until a
 * segment it already has arrives, and no probe may run during recovery (RFC 8985 §7.2). With silence
 * probes (tcp-sack-output.ts), which send that segment after a PTO without an ACK: each in 2–4 s, with no
 * timeouts. The three run at once.
 */
const LOSSES = [0.01, 0.05, 0.1];

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Runs `body` with a namespace of its own, deleted afterwards whatever happens. */
async function inNamespace<T>(label: string, body: (ns: Namespace) => Promise<T>): Promise<T> {
  const ns = Namespace.create(label);
  try {
    return await body(ns);
  } finally {
    await ns.destroy();
  }
}

function tcpCounters(stdout: string): Record<string, number> {
  const m = stdout.match(/^tcp (.*)$/m);
  if (m === null) throw new Error(`no tcp line in pilha's output: ${stdout.slice(-500)}`);
  return JSON.parse(m[1]!);
}

describe.skipIf(skip !== undefined).concurrent('loss recovery and flow control with wget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pilha-loss-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(LOSSES)(
    'wget of 100 MB through loss=%f with reordering, duplication and corruption: byte-exact',
    async (loss) =>
      inNamespace('lossy', async (ns) => {
        const wall = Date.now();
        const pilha = await ns.startPilha([
          'http',
          '--tun',
          'ploss0',
          '--impair',
          `loss=${loss},reorder=0.02,duplicate=0.01,corrupt=0.005,seed=3`,
        ]);
        // Hashed as it arrives: nothing on disk.
        const script = `set -o pipefail; wget -q -O - http://${PILHA}:7000/bytes/${BIG} | sha256sum`;
        const r = await ns.runAsync('bash', ['-c', script], 560_000);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.split(/\s/)[0]).toBe(sha256OfServedBytes(BIG));
        expect(await pilha.stop()).toBe(0);
        const link = pilha.stats().link;
        const tcp = tcpCounters(pilha.stdout);
        console.log(
          `100 MB at loss ${loss}: ${((Date.now() - wall) / 1000).toFixed(1)} s wall; retransmitted ${tcp.retransmitted}, ` +
            `fast retransmits ${tcp.fastRetransmits}, timeouts ${tcp.timeouts}, probes ${tcp.tlpProbes}, undos ${tcp.undos}; ` +
            `link dropped ${link.dropLoss}, duplicated ${link.duplicated}, reordered ${link.reordered}, corrupted ${link.corrupted}`,
        );
        expect(link.dropLoss).toBeGreaterThan(0);
        expect(link.duplicated).toBeGreaterThan(0);
        expect(link.reordered).toBeGreaterThan(0);
        expect(link.corrupted).toBeGreaterThan(0);
        expect(tcp.retransmitted).toBeGreaterThan(0);
      }),
    600_000,
  );

  it(
    'wget stopped (SIGSTOP) for 15 s mid-transfer and resumed: byte-exact, zero-window probes, no RST',
    async () =>
      inNamespace('stop', async (ns) => {
        const wall = Date.now();
        const pcap = join(dir, 'stopped.pcap');
        const out = join(dir, 'stopped.bin');
        const length = 16_000_000;
        // The kernel's receive buffer at 1 MB at most (6 MB by default): what it takes in while wget sleeps must
        // leave pilha data unsent, to probe the window with, even if the stop below comes seconds late (a CI run
        // with a SYN flood test beside it once stopped wget at 11.3 MB of 16).
        const rmem = ns.run('sh', ['-c', "echo '4096 131072 1048576' > /proc/sys/net/ipv4/tcp_rmem"]);
        expect(rmem.status, rmem.stderr).toBe(0);
        const pilha = await ns.startPilha(['http', '--tun', 'pstop0', '--pcap', pcap]);
        // Rate-limited so that the stop below catches it early even when a loaded machine delays this test's
        // polling by seconds (at 8 MB/s a CI run once saw the whole 16 MB arrive first, and at 2 MB/s another,
        // its polling held up for over 8 s); at 1 MB/s it has 16 s. `ip netns exec` execs wget, so the child's
        // PID is wget's.
        const wget = ns.spawn('wget', [
          '-q',
          '--limit-rate=1m',
          '-O',
          out,
          `http://${PILHA}:7000/bytes/${length}`,
        ]);
        const exited = new Promise<number>((resolve) => wget.on('close', (code) => resolve(code ?? -1)));
        // Stopped once the first megabyte is on disk: well under way, far from the end.
        const sizeNow = () => (existsSync(out) ? statSync(out).size : 0);
        for (let i = 0; i < 500 && sizeNow() < 1_000_000 && wget.exitCode === null; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(readFileSync(`/proc/${wget.pid}/comm`, 'utf8').trim()).toBe('wget');
        const before = sizeNow();
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(length);
        wget.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, 15_000));
        wget.kill('SIGCONT');
        expect(await exited).toBe(0);
        expect(await pilha.stop()).toBe(0);
        expect(sha256File(out)).toBe(sha256OfServedBytes(length));
        rmSync(out);

        // The kernel closed its window while wget slept...
        const zeroWindows = tsharkCount(
          pcap,
          `ip.src == ${KERNEL} && tcp.window_size == 0 && tcp.flags.syn == 0`,
        );
        // ...and pilha probed it: no data, SEQ one below the next byte the kernel expects (tshark's keep-alive).
        const probes = tsharkCount(pcap, `ip.src == ${PILHA} && tcp.len == 0 && tcp.analysis.keep_alive`);
        const resets = tsharkCount(pcap, 'tcp.flags.reset == 1');
        console.log(
          `SIGSTOP 15 s: ${((Date.now() - wall) / 1000).toFixed(1)} s wall; ${before} bytes before the stop; ` +
            `kernel zero windows ${zeroWindows}, pilha's probes ${probes}, resets ${resets}`,
        );
        expect(zeroWindows).toBeGreaterThan(0);
        // Backed off from the RTO (200 ms at least) and doubling: 4–6 in 15 s were seen; several, not one.
        expect(probes).toBeGreaterThanOrEqual(3);
        expect(resets, tsharkLines(pcap, 'tcp.flags.reset == 1')).toBe(0);
        expect(tsharkProblems(pcap, ['tcp.port==7000,http'])).toEqual({ count: 0, lines: '' });
      }),
    60_000,
  );

  it(
    'the capture of a lossy transfer pilha serves: SACK blocks in the kernel’s ACKs, nothing malformed',
    async () =>
      inNamespace('sackcap', async (ns) => {
        const wall = Date.now();
        const pcap = join(dir, 'lossy.pcap');
        const length = 4_000_000;
        // No corruption here: the capture sits above the impairment, so a corrupted datagram received would be
        // in it with a bad checksum.
        const pilha = await ns.startPilha([
          'http',
          '--tun',
          'psack0',
          '--pcap',
          pcap,
          '--impair',
          'loss=0.01,reorder=0.02,duplicate=0.01,seed=9',
        ]);
        const script = `set -o pipefail; wget -q -O - http://${PILHA}:7000/bytes/${length} | sha256sum`;
        const r = await ns.runAsync('bash', ['-c', script], 50_000);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout.split(/\s/)[0]).toBe(sha256OfServedBytes(length));
        expect(await pilha.stop()).toBe(0);
        // Negotiated both ways.
        expect(tsharkCount(pcap, `ip.src == ${KERNEL} && tcp.flags.syn == 1 && tcp.options.sack_perm`)).toBe(
          1,
        );
        expect(tsharkCount(pcap, `ip.src == ${PILHA} && tcp.flags.syn == 1 && tcp.options.sack_perm`)).toBe(
          1,
        );
        const sackAcks = tsharkCount(pcap, `ip.src == ${KERNEL} && tcp.options.sack_le`);
        const dsacks = tsharkCount(pcap, `ip.src == ${KERNEL} && tcp.options.sack.dsack`);
        console.log(
          `lossy capture: ${((Date.now() - wall) / 1000).toFixed(1)} s wall; kernel ACKs with SACK blocks ${sackAcks}, with a D-SACK ${dsacks}`,
        );
        expect(sackAcks).toBeGreaterThan(10);
        expect(tsharkProblems(pcap, ['tcp.port==7000,http'])).toEqual({ count: 0, lines: '' });
      }),
    60_000,
  );
});
