import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Namespace, PilhaProcess } from './netns.js';
import { sha256OfServedBytes } from './served-bytes.js';
import { tsharkCapturing, tsharkFields } from './tshark.js';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** How the forwarded path differs from a plain one. */
export interface ForwardedPathOptions {
  /** The veth pair's MTU, on both ends (default: the kernel's, 1500): smaller than pilha's TUN, it puts a
   * smaller MTU in the middle of pilha's path. */
  readonly mtu?: number;
  /** The MSS the client's TCP announces to pilha (`advmss` on its route to pilha), whatever its device's MTU:
   * with `mtu`, the client then announces more than the router can forward. */
  readonly advmss?: number;
}

/** The veth pair of makeForwardedPath(…, `tag`): `veth` in the router, `peer` (returned by it) in the client. */
export function forwardedPathDevices(tag: string): { veth: string; peer: string } {
  return { veth: `${tag}r${process.pid % 10000}`, peer: `${tag}c${process.pid % 10000}` };
}

/**
 * A client that reaches pilha's TUN device (10.77.0.0/24, in `router`) only through the kernel's forwarding
 * over a veth with no segmentation or checksum offload: the kernel cuts each super-segment pilha writes and
 * finishes each segment's checksum in software, from the field pilha wrote. `tag` (4 letters) names the veth.
 * Returns the client's end of the veth pair.
 */
export function makeForwardedPath(
  router: Namespace,
  client: Namespace,
  tag: string,
  options: ForwardedPathOptions = {},
): string {
  const { veth, peer } = forwardedPathDevices(tag);
  const sh = (ns: Namespace, cmd: string, args: string[]) => {
    const r = ns.run(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  };
  sh(router, 'ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
  sh(router, 'ip', ['link', 'set', peer, 'netns', client.name]);
  if (options.mtu !== undefined) {
    sh(router, 'ip', ['link', 'set', veth, 'mtu', String(options.mtu)]);
    sh(client, 'ip', ['link', 'set', peer, 'mtu', String(options.mtu)]);
  }
  sh(router, 'ip', ['addr', 'add', '10.88.0.1/24', 'dev', veth]);
  sh(router, 'ip', ['link', 'set', veth, 'up']);
  sh(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  sh(router, 'ethtool', ['-K', veth, 'tso', 'off', 'gso', 'off', 'tx', 'off']);
  sh(client, 'ip', ['addr', 'add', '10.88.0.2/24', 'dev', peer]);
  sh(client, 'ip', ['link', 'set', peer, 'up']);
  const advmss = options.advmss === undefined ? [] : ['advmss', String(options.advmss)];
  sh(client, 'ip', ['route', 'add', '10.77.0.0/24', 'via', '10.88.0.1', ...advmss]);
  return peer;
}

/**
 * curl in `client` downloads `length` bytes from pilha (port 7000 at `pilhaAddress`) while tshark captures on
 * the client's side of the forwarded path; checks the body byte-exact and that pilha exits 0. Returns the
 * capture's path and, for every data segment pilha sent, its frame length and tshark's checksum verdict
 * (tcp.checksum.status: 1 good, 0 bad, 2 unverified).
 */
export async function downloadOverForwardedPath(
  client: Namespace,
  clientDevice: string,
  pilha: PilhaProcess,
  pilhaAddress: string,
  length: number,
  dir: string,
): Promise<{ pcap: string; seen: string[][] }> {
  const pcap = join(dir, 'forwarded.pcap');
  const tshark = client.spawn('tshark', [
    '-i',
    clientDevice,
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
  const out = join(dir, 'forwarded');
  const r = await client.runAsync(
    'curl',
    ['-sS', '--fail', '-o', out, `http://${pilhaAddress}:7000/bytes/${length}`],
    120_000,
  );
  expect(r.status, r.stderr).toBe(0);
  expect(sha256File(out)).toBe(sha256OfServedBytes(length));
  tshark.kill('SIGINT');
  await new Promise((resolve) => tshark.once('close', resolve));
  expect(await pilha.stop()).toBe(0);
  const seen = tsharkFields(pcap, 'tcp.srcport == 7000 && tcp.len > 0', ['frame.len', 'tcp.checksum.status']);
  return { pcap, seen };
}
