/**
 * pilha against kernel peers with TCP features turned off or on by sysctl in their namespace (each test's
 * own, deleted afterwards): without SACK, without timestamps and window scaling, and asking for ECN. pilha must
 * offer only what the peer offered, and recover from loss with what is left. Bodies are checked by SHA-256,
 * captures by tshark.
 *
 * Without SACK over TUN offload, the kernel receives each super-segment as one packet and answers a packet past
 * a hole with one duplicate ACK: before pilha cut its windows into smaller writes then (and sent limited
 * transmit), wget of 32 MiB at 2% loss stopped at 20 MB after 60 s, with 276 timeouts and 20 fast retransmits.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  namespacesPerBlock,
  PILHA_CLI,
  realPeerSkipReason,
  tsharkCount,
  tsharkProblems,
} from '../helpers/netns.js';
import { sha256OfServedBytes } from '../helpers/served-bytes.js';

const skip = realPeerSkipReason(['ip', 'wget', 'tshark', 'sysctl']);
const LENGTH = 16 * 1024 * 1024;
const IMPAIR = 'loss=0.02,reorder=0.01,seed=3';
/** Port 7000 as plain data: tshark's guess (Gryphon), or HTTP reassembly across retransmissions, is not ours. */
const AS_DATA = ['tcp.port==7000,data', 'tcp.port==8080,data'];
const SYN_ACK_FROM_PILHA = 'ip.src==10.77.0.2 && tcp.flags.syn==1 && tcp.flags.ack==1';

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

type TcpCounters = Record<string, number>;

describe.skipIf(skip !== undefined)('kernel peers with TCP features set by sysctl', () => {
  const namespace = namespacesPerBlock();
  const dir = mkdtempSync(join(tmpdir(), 'pilha-sysctl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** wget of LENGTH bytes from `pilha http` in a namespace whose kernel has `sysctls`; pilha's counters after. */
  async function wgetFromPilha(label: string, sysctls: readonly string[], impair?: string) {
    const ns = namespace(label);
    for (const setting of sysctls) expect(ns.run('sysctl', ['-qw', `net.ipv4.${setting}`]).status).toBe(0);
    const pcap = join(dir, `${label}.pcap`);
    const pilha = await ns.startPilha([
      'http',
      '--tun',
      'ks0',
      '--port',
      '7000',
      '--pcap',
      pcap,
      ...(impair === undefined ? [] : ['--impair', impair]),
    ]);
    const out = join(dir, `${label}.bin`);
    const r = await ns.runAsync('wget', ['-q', '-O', out, `http://10.77.0.2:7000/bytes/${LENGTH}`], 120_000);
    expect(await pilha.stop()).toBe(0);
    expect(r.status, r.stderr).toBe(0);
    expect(sha256File(out)).toBe(sha256OfServedBytes(LENGTH));
    rmSync(out);
    // pilha http prints its TCP layer's counters on a line of their own when it stops.
    const line = /^tcp (\{.*\})$/m.exec(pilha.stdout);
    expect(line, pilha.stdout.slice(-500)).not.toBeNull();
    const tcp = JSON.parse(line![1]!) as TcpCounters;
    return { pcap, tcp };
  }

  it('without SACK, at 2% loss: byte-exact, losses repaired by fast retransmit rather than timeouts', async () => {
    const { pcap, tcp } = await wgetFromPilha('nosack', ['tcp_sack=0'], IMPAIR);
    expect(tsharkCount(pcap, `${SYN_ACK_FROM_PILHA} && tcp.options.sack_perm`)).toBe(0);
    expect(tsharkCount(pcap, 'ip.src==10.77.0.2 && tcp.options.sack_le')).toBe(0);
    expect(tcp.fastRetransmits).toBeGreaterThan(50);
    expect(tcp.fastRetransmits).toBeGreaterThan(4 * tcp.timeouts!);
    expect(tsharkProblems(pcap, AS_DATA)).toEqual({ count: 0, lines: '' });
  });

  it('without SACK, timestamps and window scaling, at 2% loss: none offered back, byte-exact, fast retransmit', async () => {
    const { pcap, tcp } = await wgetFromPilha(
      'plain',
      ['tcp_sack=0', 'tcp_timestamps=0', 'tcp_window_scaling=0'],
      IMPAIR,
    );
    expect(tsharkCount(pcap, SYN_ACK_FROM_PILHA)).toBe(1);
    expect(
      tsharkCount(
        pcap,
        `${SYN_ACK_FROM_PILHA} && (tcp.options.sack_perm || tcp.options.timestamp.tsval || tcp.options.wscale.shift)`,
      ),
    ).toBe(0);
    expect(tsharkCount(pcap, 'ip.src==10.77.0.2 && tcp.options.timestamp.tsval')).toBe(0);
    expect(tcp.fastRetransmits).toBeGreaterThan(50);
    expect(tcp.fastRetransmits).toBeGreaterThan(4 * tcp.timeouts!);
    expect(tsharkProblems(pcap, AS_DATA)).toEqual({ count: 0, lines: '' });
  });

  it('a kernel asking for ECN (tcp_ecn=1) gets a SYN-ACK without ECE or CWR, and neither side marks ECT', async () => {
    const { pcap } = await wgetFromPilha('ecn', ['tcp_ecn=1']);
    // The kernel's SYN asks (ECE and CWR); pilha, not ECN-capable, answers with neither (RFC 3168 §6.1.1).
    expect(
      tsharkCount(pcap, 'ip.src==10.77.0.1 && tcp.flags.syn==1 && tcp.flags.ece==1 && tcp.flags.cwr==1'),
    ).toBe(1);
    expect(tsharkCount(pcap, `${SYN_ACK_FROM_PILHA} && (tcp.flags.ece==1 || tcp.flags.cwr==1)`)).toBe(0);
    expect(tsharkCount(pcap, 'ip.dsfield.ecn != 0')).toBe(0);
    expect(tsharkProblems(pcap, AS_DATA)).toEqual({ count: 0, lines: '' });
  });

  it('pilha get from a kernel without SACK, timestamps and window scaling, at 2% loss: byte-exact, none used', async () => {
    const ns = namespace('getplain');
    for (const setting of ['tcp_sack=0', 'tcp_timestamps=0', 'tcp_window_scaling=0'])
      expect(ns.run('sysctl', ['-qw', `net.ipv4.${setting}`]).status).toBe(0);
    await ns.startPilha(['http', '--transport', 'kernel', '--listen-host', '0.0.0.0', '--port', '8080']);
    const pcap = join(dir, 'getplain.pcap');
    const out = join(dir, 'getplain.bin');
    const length = 4 * 1024 * 1024;
    const r = await ns.runAsync(
      process.execPath,
      [
        PILHA_CLI,
        'get',
        `http://10.77.0.1:8080/bytes/${length}`,
        '-o',
        out,
        '--tun',
        'ks1',
        '--impair',
        IMPAIR,
        '--pcap',
        pcap,
        '--timeout',
        '20',
      ],
      120_000,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(sha256File(out)).toBe(sha256OfServedBytes(length));
    // pilha's SYN offers all three; the kernel's SYN-ACK none, so nothing after it carries them.
    expect(tsharkCount(pcap, 'ip.src==10.77.0.2 && tcp.flags.syn==1 && tcp.options.sack_perm')).toBe(1);
    expect(tsharkCount(pcap, 'ip.src==10.77.0.1 && tcp.flags.syn==1 && tcp.options.sack_perm')).toBe(0);
    expect(
      tsharkCount(
        pcap,
        'ip.src==10.77.0.2 && tcp.flags.syn==0 && (tcp.options.sack_le || tcp.options.timestamp.tsval)',
      ),
    ).toBe(0);
    expect(tsharkProblems(pcap, AS_DATA)).toEqual({ count: 0, lines: '' });
  });
});
