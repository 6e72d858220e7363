/**
 * The real-peer harness: network namespaces that a test creates and always deletes, pilha processes run
 * inside them (from the compiled dist/), and the system's own tools (ping, scapy, tshark) as peers.
 * Hard rule: traffic only inside these namespaces; only processes started here are ever signalled, by PID.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { foldSum, sumWords } from '../../src/core/checksum.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PILHA_CLI = `${ROOT}dist/cli/main.js`;
/** Debian's python3, which has python3-scapy (a pyenv python on PATH may not). */
export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function commandExists(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Why real-peer tests cannot run here, or undefined when they can. In CI (CI=true) a missing
 * prerequisite is a failure, not a skip: CI installs everything, so every real-peer test must run there.
 */
export function realPeerSkipReason(tools: readonly string[] = ['ip', 'ping']): string | undefined {
  let reason: string | undefined;
  if (process.platform !== 'linux') reason = 'needs Linux';
  else if (process.getuid?.() !== 0) reason = 'needs root (network namespaces and TUN devices)';
  else if (!existsSync('/dev/net/tun')) reason = '/dev/net/tun is missing';
  else if (!existsSync(PILHA_CLI)) reason = `${PILHA_CLI} is not built (run npm run build)`;
  else {
    const missing = tools.filter((t) => (t === 'scapy' ? !hasScapy() : !commandExists(t)));
    if (missing.length > 0) reason = `missing tools: ${missing.join(', ')}`;
  }
  if (reason !== undefined && process.env.CI === 'true') {
    throw new Error(`real-peer tests cannot run in CI: ${reason}`);
  }
  if (reason !== undefined) console.warn(`SKIP real-peer tests: ${reason}`);
  return reason;
}

function hasScapy(): boolean {
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import scapy.all'], { stdio: 'ignore' }).status === 0;
}

let counter = 0;

/** A network namespace owned by one test file. */
export class Namespace {
  private readonly children = new Set<ChildProcess>();
  private deleted = false;

  private constructor(readonly name: string) {}

  static create(label: string): Namespace {
    const name = `pilha-${label}-${process.pid}-${counter++}`;
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new Namespace(name);
    ns.run('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Runs a command in the namespace to completion. */
  run(
    cmd: string,
    args: readonly string[],
    timeoutMs = 30_000,
  ): { status: number; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Runs a command in the namespace without blocking the event loop. */
  runAsync(
    cmd: string,
    args: readonly string[],
    timeoutMs = 30_000,
  ): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = this.spawn(cmd, args);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ status: code ?? -1, stdout, stderr });
      });
    });
  }

  spawn(cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Starts `pilha <args>` in the namespace and resolves once it prints its ready line. */
  async startPilha(args: readonly string[], ready = /^pilha up|listening/m): Promise<PilhaProcess> {
    const child = this.spawn(process.execPath, [PILHA_CLI, ...args]);
    const proc = new PilhaProcess(child);
    await proc.waitFor(ready, 15_000);
    return proc;
  }

  /** Ends every process started here (by PID) and deletes the namespace. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 50));
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/**
 * For a describe block: makes namespaces on demand (`namespace(label)`) and deletes every one of them after
 * the block's tests (its own afterAll), whatever they did.
 */
export function namespacesPerBlock(): (label: string) => Namespace {
  const namespaces: Namespace[] = [];
  afterAll(async () => {
    for (const ns of namespaces) await ns.destroy();
  });
  return (label) => {
    const ns = Namespace.create(label);
    namespaces.push(ns);
    return ns;
  };
}

/** A pilha CLI process: its output so far, a way to wait for a line, and a clean stop. */
export class PilhaProcess {
  stdout = '';
  stderr = '';
  private exited: Promise<number>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const m = this.stdout.match(pattern);
        if (m !== null) return resolve(m);
        if (this.child.exitCode !== null) {
          return reject(
            new Error(
              `pilha exited (${this.child.exitCode}) before ${pattern}: ${this.stderr}${this.stdout}`,
            ),
          );
        }
        if (Date.now() - started > timeoutMs)
          return reject(new Error(`timed out waiting for ${pattern}: ${this.stderr}`));
        setTimeout(check, 20);
      };
      check();
    });
  }

  /** SIGINT, then waits for exit; returns the exit code. */
  stop(): Promise<number> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exit();
  }

  /** Waits for exit without a signal of its own (SIGKILL after 5 s); returns the exit code (-1: killed). */
  async exit(): Promise<number> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** The counters from the `stats {...}` line pilha prints when it stops. */
  stats(): { link: Record<string, number>; ip: Record<string, number>; icmp: Record<string, number> } {
    const m = this.stdout.match(/^stats (.*)$/m);
    if (m === null) throw new Error(`no stats line in pilha's output: ${this.stdout.slice(-500)}`);
    return JSON.parse(m[1]!);
  }
}

/** What tshark flags on a capture, apart from the TCP checksum (which tsharkProblems checks itself). */
const STRICT_PROBLEMS = '_ws.malformed || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad"';

/**
 * tshark's verdict on a capture: malformed packets and bad IP/ICMP/TCP checksums, counted, with tshark's
 * one-line summaries. `decodeAs` pins a port's protocol (tshark otherwise guesses from the port number: 7000 is
 * Gryphon, whose dissector then calls an HTTP body malformed).
 *
 * One exemption, checked from the captured bytes rather than taken from tshark: a TCP checksum of 0xFFFF where
 * the correct value computes to 0x0000 (isTcpChecksumFfffForZero). Any other bad TCP checksum still counts,
 * as does a frame that tshark flags for anything else too.
 */
export function tsharkProblems(
  pcap: string,
  decodeAs: readonly string[] = [],
  /** A display filter naming the packets to judge (e.g. one sender's); every packet when omitted. */
  scope?: string,
): { count: number; lines: string } {
  // The line-based text dissector gives up on a multi-megabyte text body with a "dissector bug" (more than a
  // million tree items) that marks the frame malformed: it says nothing about the stack, so it is left out.
  // Out-of-order reassembly on: tshark calls a retransmission "out of order" when it follows the newest segment
  // within its threshold (3 ms, or the handshake's RTT, here a fraction of a millisecond), and without this
  // option it feeds such a segment to a body it has already reassembled and calls even byte-identical data a
  // "Reassembly error" (malformed): a CI run failed on one.
  const args = [
    '-n',
    '-r',
    pcap,
    '-o',
    'ip.check_checksum:TRUE',
    '-o',
    'tcp.check_checksum:TRUE',
    '-o',
    'tcp.reassemble_out_of_order:TRUE',
    '--disable-protocol',
    'data-text-lines',
  ];
  for (const rule of decodeAs) args.push('-d', rule);
  const tshark = (more: readonly string[]) => {
    const r = spawnSync('tshark', [...args, ...more], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const within = (filter: string) => (scope === undefined ? filter : `(${scope}) && (${filter})`);
  const flagged = tshark(['-Y', within(`${STRICT_PROBLEMS} || tcp.checksum.status == "Bad"`)]);
  if (flagged === '') return { count: 0, lines: '' };
  // Frames flagged for their TCP checksum alone: exempt those whose bytes show 0xFFFF for a computed 0.
  const tcpOnly = tshark([
    '-Y',
    within(`tcp.checksum.status == "Bad" && !(${STRICT_PROBLEMS})`),
    '-T',
    'fields',
    '-e',
    'frame.number',
  ]);
  const datagrams = tcpOnly === '' ? [] : (readPcapDatagrams(pcap) ?? []);
  const exempt = new Set(
    tcpOnly
      .split('\n')
      .filter((n) => n !== '')
      .map(Number)
      .filter((n) => {
        const d = datagrams[n - 1];
        return d !== undefined && isTcpChecksumFfffForZero(d);
      }),
  );
  const lines = flagged.split('\n').filter((line) => !exempt.has(Number(line.trim().split(/\s+/)[0])));
  return { count: lines.length, lines: lines.join('\n') };
}

/**
 * Whether an IPv4 datagram holds one whole TCP segment whose checksum field is 0xFFFF where the checksum
 * computes to 0x0000. Both are zero in one's complement and RFC 1071 verification accepts either, but Linux
 * writes 0xFFFF for a computed 0 when it completes a checksum in software (skb_checksum_help stores
 * CSUM_MANGLED_0, a rule made for UDP, where 0 means "no checksum"), and tshark calls that bad.
 */
export function isTcpChecksumFfffForZero(datagram: Uint8Array): boolean {
  if (datagram.length < 20 || datagram[0]! >>> 4 !== 4 || datagram[9] !== 6) return false;
  const headerLength = (datagram[0]! & 0x0f) * 4;
  const totalLength = (datagram[2]! << 8) | datagram[3]!;
  const fragmented = (((datagram[6]! << 8) | datagram[7]!) & 0x3fff) !== 0; // MF or an offset
  if (fragmented || headerLength < 20 || totalLength > datagram.length || totalLength < headerLength + 20) {
    return false;
  }
  const tcp = datagram.subarray(headerLength, totalLength);
  if (((tcp[16]! << 8) | tcp[17]!) !== 0xffff) return false;
  // The checksum the segment should carry: pseudo-header (addresses, protocol, length) and the segment with
  // its checksum field taken as zero.
  const pseudo = sumWords(datagram, 12, 20) + 6 + tcp.length;
  const sum = sumWords(tcp, 18, tcp.length, sumWords(tcp, 0, 16, pseudo));
  return (~foldSum(sum) & 0xffff) === 0;
}

/** Link types whose packets are IP datagrams as they are (LINKTYPE_RAW, LINKTYPE_IPV4). */
const RAW_IP_LINK_TYPES = new Set([101, 228]);
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;

/**
 * The IPv4 datagrams of a classic pcap file, one per record in order (an empty array for a record that holds
 * none, so that index + 1 is tshark's frame number); undefined for a file that is not classic pcap or has a
 * link type this does not know. Raw IP, Ethernet and Linux cooked captures are read.
 */
export function readPcapDatagrams(pcap: string): Uint8Array[] | undefined {
  const file = readFileSync(pcap);
  if (file.length < 24) return undefined;
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!little && file.readUInt32BE(0) !== 0xa1b2c3d4 && file.readUInt32BE(0) !== 0xa1b23c4d) return undefined;
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const linkType = u32(20) & 0xffff;
  const out: Uint8Array[] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const length = u32(at + 8);
    const start = at + 16;
    if (start + length > file.length) break;
    const frame = new Uint8Array(file.buffer, file.byteOffset + start, length);
    at = start + length;
    let ipAt: number | undefined;
    if (RAW_IP_LINK_TYPES.has(linkType)) ipAt = 0;
    else if (linkType === LINKTYPE_ETHERNET && length >= 14 && ((frame[12]! << 8) | frame[13]!) === 0x0800)
      ipAt = 14;
    else if (linkType === LINKTYPE_LINUX_SLL && length >= 16 && ((frame[14]! << 8) | frame[15]!) === 0x0800)
      ipAt = 16;
    else if (linkType !== LINKTYPE_ETHERNET && linkType !== LINKTYPE_LINUX_SLL) return undefined;
    out.push(ipAt === undefined ? new Uint8Array(0) : frame.slice(ipAt));
  }
  return out;
}

/** tshark's one-line summaries of the packets of a capture that match a display filter. */
export function tsharkLines(pcap: string, filter = ''): string {
  // A capture of a fast download has tens of thousands of matches: more than spawnSync's default 1 MiB of output.
  const r = spawnSync('tshark', ['-n', '-r', pcap, ...(filter ? ['-Y', filter] : [])], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Number of packets in a capture that match a display filter. */
export function tsharkCount(pcap: string, filter = ''): number {
  const out = tsharkLines(pcap, filter);
  return out === '' ? 0 : out.split('\n').length;
}
