/**
 * TunLink on a real TUN device, inside a network namespace this file creates and deletes. A small script
 * runs in the namespace (`ip netns exec NS node -e ...`), opens a TunLink from the compiled dist/ output
 * (the reader worker only exists there), and reports the first ICMP datagram the kernel routes into the
 * device when `ping` targets an address of the TUN subnet. Needs root and /dev/net/tun; skipped otherwise.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PilhaError } from '../../src/core/errors.js';
import { openTunDevice } from '../../src/layers/link/tun/tun-device.js';
import { realPeerSkipReason } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NS = `pilha-tuntest-${process.pid}`;
const DEVICE = 'ptest0';
const HOST = '10.203.0.1';
const PEER = '10.203.0.2'; // in the TUN subnet: the kernel routes it into the device

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function distModule(rel: string): string {
  for (const base of ['dist', 'dist/src']) {
    const path = `${ROOT}${base}/${rel}`;
    if (existsSync(path)) return pathToFileURL(path).href;
  }
  throw new Error(`${rel} is not built: run 'npm run build' before the real-peer tests`);
}

const reason = realPeerSkipReason(['ip', 'ping']);

describe('openTunDevice (no device needed)', () => {
  it('rejects a bad device name with ETUN', () => {
    expect(() => openTunDevice('no spaces allowed')).toThrowError(PilhaError);
    expect(() => openTunDevice('x'.repeat(16))).toThrowError(/bad TUN device name/);
  });
});

describe.skipIf(reason !== undefined)('TunLink on a TUN device in a namespace', () => {
  let child: ChildProcess | undefined;
  let created = false;

  beforeAll(() => {
    run('ip', ['netns', 'add', NS]);
    created = true;
  });

  afterAll(() => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
    if (created) run('ip', ['netns', 'del', NS]);
  });

  it('delivers the ICMP echo request that the kernel routes into the device', async () => {
    const script = `
      import { existsSync } from 'node:fs';
      const { TunLink } = await import(${JSON.stringify(distModule('layers/link/tun/tun-link.js'))});
      const { parseIpv4 } = await import(${JSON.stringify(distModule('core/ipv4-address.js'))});
      const link = await TunLink.open({
        name: ${JSON.stringify(DEVICE)}, mtu: 1500, hostAddress: parseIpv4(${JSON.stringify(HOST)}), prefixLength: 24,
      });
      const finish = async (report) => {
        clearTimeout(timer);
        await link.close();
        report.stats = link.stats();
        report.deviceGone = !existsSync('/sys/class/net/' + link.name);
        console.log(JSON.stringify(report));
      };
      const timer = setTimeout(() => finish({ timeout: true }), 5000);
      link.onReceive((d) => {
        if (d[0] >> 4 === 4 && d[9] === 1) finish({ datagram: Array.from(d), name: link.name });
      });
      console.log('READY');
    `;
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    let stdout = '';
    let stderr = '';
    proc.stderr?.on('data', (c) => {
      stderr += c;
    });
    const pinged = new Promise<void>((resolve) => {
      proc.stdout?.on('data', (c) => {
        const before = stdout;
        stdout += c;
        if (!before.includes('READY\n') && stdout.includes('READY\n')) {
          // No reply will come (nothing answers in this test): only the request matters.
          const ping = spawn('ip', ['netns', 'exec', NS, 'ping', '-n', '-c', '1', '-W', '1', PEER], {
            stdio: 'ignore',
          });
          ping.on('exit', () => resolve());
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 9000).unref()),
    ]);
    expect(code, `script did not exit by itself after close(); stderr: ${stderr}`).not.toBe('timeout');
    expect(code, `script failed: ${stderr}`).toBe(0);
    await pinged;

    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report.timeout, 'no ICMP datagram arrived within 5 s').toBeUndefined();
    const d = Uint8Array.from(report.datagram as number[]);
    expect(d[0]! >> 4).toBe(4); // version
    expect(d[9]).toBe(1); // protocol: ICMP
    expect(Array.from(d.subarray(12, 16)).join('.')).toBe(HOST);
    expect(Array.from(d.subarray(16, 20)).join('.')).toBe(PEER);
    expect(d[(d[0]! & 0x0f) * 4]).toBe(8); // ICMP echo request
    expect(report.name).toBe(DEVICE);
    expect(report.stats.rxPackets).toBeGreaterThanOrEqual(1);
    expect(report.stats.rxBatches).toBeGreaterThanOrEqual(1);
    // Opened without asking for offload: none (a program that forwards what it reads gets plain datagrams).
    expect(report.stats.offload).toBe(0);
    expect(report.deviceGone).toBe(true);
  });
});
