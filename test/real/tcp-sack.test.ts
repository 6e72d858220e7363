/**
 * pilha as a SACK receiver against the kernel, in a namespace this file creates and deletes: `pilha get`
 * downloads 20 MB from Python's http.server on the kernel side of the TUN device, through `--impair` loss
 * and reordering on pilha's link. The body is byte-exact; in the capture the kernel's SYN-ACK carries
 * SACK-permitted, pilha's ACKs carry SACK blocks (tshark's `tcp.options.sack_le`), and tshark finds nothing
 * malformed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Namespace,
  PILHA_CLI,
  realPeerSkipReason,
  SYSTEM_PYTHON,
  tsharkCount,
  tsharkProblems,
} from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'tshark', SYSTEM_PYTHON]);
const SIZE = 20 * 1024 * 1024;
const PILHA = '10.77.0.2';

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.skipIf(skip !== undefined)('SACK with a kernel peer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pilha-sack-'));
  let ns: Namespace | undefined;
  afterAll(async () => {
    await ns?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pilha get of 20 MB through loss=0.02,reorder=0.02: byte-exact, SACK blocks in its ACKs', async () => {
    ns = Namespace.create('sack');
    const body = randomBytes(SIZE);
    const served = join(dir, 'www');
    rmSync(served, { recursive: true, force: true });
    mkdirSync(served);
    writeFileSync(join(served, 'file.bin'), body);
    const server = ns.spawn(SYSTEM_PYTHON, [
      '-m',
      'http.server',
      '8080',
      '--bind',
      '0.0.0.0',
      '--directory',
      served,
    ]);
    let serverOut = '';
    server.stderr?.on('data', (d: Buffer) => (serverOut += d.toString()));
    server.stdout?.on('data', (d: Buffer) => (serverOut += d.toString()));
    // Wait until it listens.
    for (let i = 0; i < 100 && !ns.run('ss', ['-ltn']).stdout.includes(':8080'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const pcap = join(dir, 'sack.pcap');
    const out = join(dir, 'got.bin');
    const r = await ns.runAsync(
      process.execPath,
      [
        PILHA_CLI,
        'get',
        'http://10.77.0.1:8080/file.bin',
        '--tun',
        'sack0',
        '--impair',
        'loss=0.02,reorder=0.02,seed=7',
        '--pcap',
        pcap,
        '-o',
        out,
        '--timeout',
        '20',
      ],
      120_000,
    );
    expect(r.status, `${r.stderr}\n${serverOut.slice(-2000)}`).toBe(0);
    const got = readFileSync(out);
    expect(got.length).toBe(SIZE);
    expect(sha256(got)).toBe(sha256(body));

    // Negotiated both ways: pilha's SYN and the kernel's SYN-ACK carry SACK-permitted.
    expect(tsharkCount(pcap, `ip.src == ${PILHA} && tcp.flags.syn == 1 && tcp.options.sack_perm`)).toBe(1);
    expect(tsharkCount(pcap, `ip.dst == ${PILHA} && tcp.flags.syn == 1 && tcp.options.sack_perm`)).toBe(1);
    const sackAcks = tsharkCount(pcap, `ip.src == ${PILHA} && tcp.options.sack_le`);
    // D-SACKs need a spurious retransmission by the kernel, which reordering may or may not cause: counted only.
    const dsacks = tsharkCount(pcap, `ip.src == ${PILHA} && tcp.options.sack.dsack`);
    console.log(`pilha's ACKs with SACK blocks: ${sackAcks}, with a D-SACK: ${dsacks}`);
    expect(sackAcks).toBeGreaterThan(10);
    expect(tsharkProblems(pcap, ['tcp.port==8080,http'])).toEqual({ count: 0, lines: '' });
  }, 180_000);
});
