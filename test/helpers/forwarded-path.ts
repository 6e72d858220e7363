import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Namespace, PILHA_CLI, type PilhaProcess, tsharkCount, tsharkLines } from './netns.js';
import { sha256OfServedBytes } from './served-bytes.js';
import { startDumpcap, stopCapture, tsharkCapturing, tsharkFields } from './tshark.js';

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
  await stopCapture(tshark, pcap);
  expect(await pilha.stop()).toBe(0);
  const seen = tsharkFields(pcap, 'tcp.srcport == 7000 && tcp.len > 0', ['frame.len', 'tcp.checksum.status']);
  return { pcap, seen };
}

/**
 * What a forwarded path must show (downloadOverForwardedPath's `seen` for `length` bytes): every data segment
 * from pilha arrived cut to the MTU (1514-byte frames at most), with a checksum tshark verified good; with
 * `pcap`, tshark's expert finds no checksum complaint either. A loaded machine's capture may miss a few
 * segments: the verdict is on every segment it has.
 */
export function expectForwardedSegmentsVerified(seen: string[][], length: number, pcap?: string): void {
  expect(seen.length).toBeGreaterThan(0.9 * Math.ceil(length / 1448));
  expect(seen.filter(([frameLength]) => Number(frameLength) > 1514)).toEqual([]);
  expect(seen.filter(([, checksum]) => checksum !== '1')).toEqual([]);
  if (pcap === undefined) return;
  const incorrect = tsharkFields(pcap, 'tcp.srcport == 7000 && _ws.expert.message contains "CHECKSUM"', [
    'frame.number',
  ]);
  expect(incorrect).toEqual([]);
}

/** wget, then curl, of `length` bytes at `url` in `ns`, each checked byte-exact against the served bytes. */
export async function expectWgetAndCurlByteExact(
  ns: Namespace,
  url: string,
  length: number,
  dir: string,
): Promise<void> {
  const wgetOut = join(dir, 'wget');
  const w = await ns.runAsync('wget', ['-q', '-O', wgetOut, url], 120_000);
  expect(w.status, w.stderr).toBe(0);
  expect(sha256File(wgetOut)).toBe(sha256OfServedBytes(length));
  rmSync(wgetOut);
  const curlOut = join(dir, 'curl');
  const c = await ns.runAsync('curl', ['-sS', '--fail', '-o', curlOut, url], 120_000);
  expect(c.status, c.stderr).toBe(0);
  expect(sha256File(curlOut)).toBe(sha256OfServedBytes(length));
  rmSync(curlOut);
}

/**
 * The capture's one connection closed as TCP closes: no reset from either end, and the server's FIN (which may
 * come after the last byte, on its own) acknowledged by pilha before it stopped.
 */
function expectClosedWithoutReset(pcap: string, server: string, pilha: string): void {
  // The resets' lines, read once: none (tsharkCount would read the capture again for the same filter).
  expect(tsharkLines(pcap, 'tcp.flags.reset == 1')).toBe('');
  const fins = tsharkFields(pcap, `ip.src == ${server} && tcp.flags.fin == 1`, ['tcp.seq', 'tcp.len']);
  expect(fins.length).toBeGreaterThan(0);
  const [seq, len] = fins[0]!.map(Number) as [number, number];
  expect(
    tsharkCount(pcap, `ip.src == ${pilha} && tcp.ack == ${seq + len + 1}`),
    tsharkLines(pcap, 'tcp.flags.fin == 1'),
  ).toBeGreaterThan(0);
}

/**
 * `pilha get` over `linkArgs` (its link options) of `length` bytes from a kernel HTTP server (`pilha http
 * --transport kernel` on port 8080 of 10.77.0.1, started here in `ns`), after a get of 1 byte: checked
 * byte-exact, closed without a reset (a capture around it), its code cache taken; returns the stats it printed
 * (--stats).
 */
export async function pilhaGetFromKernelServer(
  ns: Namespace,
  linkArgs: readonly string[],
  length: number,
  dir: string,
): Promise<{ link: Record<string, number>; tcp: Record<string, number> }> {
  await ns.startPilha(['http', '--transport', 'kernel', '--listen-host', '0.0.0.0', '--port', '8080']);
  const out = join(dir, 'get');
  // A first get makes the command line's code cache if no run did before (src/cli/runtime/bundle-runner.ts).
  const first = await ns.runAsync(
    process.execPath,
    [PILHA_CLI, 'get', 'http://10.77.0.1:8080/bytes/1', '-o', out, ...linkArgs, '--stats'],
    60_000,
  );
  expect(first.status, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/"codeCache":"(used|absent)"/);
  // Headers only, on every device of the namespace: pilha get makes its own.
  const pcap = join(dir, 'get.pcap');
  const stopGetCapture = await startDumpcap(ns, 'any', 'tcp port 8080', pcap, 128);
  const r = await ns.runAsync(
    process.execPath,
    [PILHA_CLI, 'get', `http://10.77.0.1:8080/bytes/${length}`, '-o', out, ...linkArgs, '--stats'],
    180_000,
  );
  await stopGetCapture();
  expect(r.status, r.stderr).toBe(0);
  expectClosedWithoutReset(pcap, '10.77.0.1', '10.77.0.2');
  rmSync(pcap);
  expect(sha256File(out)).toBe(sha256OfServedBytes(length));
  rmSync(out);
  const line = r.stderr.match(/^stats (.*)$/m);
  expect(line, r.stderr).not.toBeNull();
  const stats = JSON.parse(line![1]!) as {
    link: Record<string, number>;
    tcp: Record<string, number>;
    transfer: { seconds: number; cpuSeconds: number };
    codeCache: string;
  };
  // Taken, not rejected: the flags pilha get changes (TurboFan off) were set back before the cache was made.
  expect(stats.codeCache).toBe('used');
  // The download's own span and CPU: the result line's time (to its 3 decimals), and CPU spent in it.
  const seconds = Number(/ bytes in ([0-9.]+) s /.exec(r.stderr)?.[1]);
  expect(Math.abs(stats.transfer.seconds - seconds), r.stderr).toBeLessThanOrEqual(0.0005);
  expect(stats.transfer.cpuSeconds).toBeGreaterThan(0);
  return stats;
}
