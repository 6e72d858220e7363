/**
 * The real-peer harness: network namespaces that a test creates and always deletes, pilha processes run
 * inside them (from the compiled dist/), and the system's own tools (ping, scapy, tshark) as peers.
 * Hard rule: traffic only inside these namespaces; only processes started here are ever signalled, by PID.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
  async stop(): Promise<number> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
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

/**
 * tshark's verdict on a capture: malformed packets and bad IP/ICMP/TCP checksums, counted. `decodeAs` pins a
 * port's protocol (tshark otherwise guesses from the port number: 7000 is Gryphon, whose dissector then calls
 * an HTTP body malformed).
 */
export function tsharkProblems(
  pcap: string,
  decodeAs: readonly string[] = [],
): { count: number; lines: string } {
  const filter =
    '_ws.malformed || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || tcp.checksum.status == "Bad"';
  const args = ['-n', '-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];
  for (const rule of decodeAs) args.push('-d', rule);
  const r = spawnSync('tshark', [...args, '-Y', filter], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const lines = r.stdout.trim();
  return { count: lines === '' ? 0 : lines.split('\n').length, lines };
}

/** tshark's one-line summaries of the packets of a capture that match a display filter. */
export function tsharkLines(pcap: string, filter = ''): string {
  const r = spawnSync('tshark', ['-n', '-r', pcap, ...(filter ? ['-Y', filter] : [])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Number of packets in a capture that match a display filter. */
export function tsharkCount(pcap: string, filter = ''): number {
  const out = tsharkLines(pcap, filter);
  return out === '' ? 0 : out.split('\n').length;
}
