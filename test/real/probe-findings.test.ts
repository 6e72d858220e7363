/**
 * What an outside reviewer's probes found, against real peers in namespaces this file creates and deletes.
 */
import { describe, expect, it } from 'vitest';
import { namespacesPerBlock, PILHA_CLI, realPeerSkipReason } from '../helpers/netns.js';

const skip = realPeerSkipReason(['ip', 'setpriv']);

describe.skipIf(skip !== undefined)('probe findings against real peers', () => {
  const namespace = namespacesPerBlock();

  // The offloaded open failed, was logged as a warning with the error's whole stack, and the plain open then
  // failed the same way: a user mistake printed a JSON stack trace above its one line.
  it('a TUN device another process holds: one line, exit 1, no stack trace', async () => {
    const ns = namespace('probe-busy');
    await ns.startPilha(['up', '--tun', 'pb0']);
    const r = await ns.runAsync(process.execPath, [PILHA_CLI, 'http', '--tun', 'pb0'], 20_000);
    expect(r.stderr).toBe(
      "pilha: cannot create TUN device 'pb0': the device is already in use (another file descriptor is attached to it)\n",
    );
    expect(r.status).toBe(1);
  });

  // It started and said it listened, but the kernel routed 10.77.0.2's traffic to the first device.
  it('a second pilha on the subnet of a running one: one line naming the device, exit 1', async () => {
    const ns = namespace('probe-subnet');
    await ns.startPilha(['up', '--tun', 'pb2']);
    const r = await ns.runAsync(process.execPath, [PILHA_CLI, 'http', '--tun', 'pb3'], 20_000);
    expect(r.stderr).toBe(
      "pilha: cannot use 10.77.0.1/24 on TUN device 'pb3': pb2 already has 10.77.0.1/24, so the kernel would send pilha's traffic there (is another pilha running?): choose another --address and --host-address\n",
    );
    expect(r.status).toBe(1);
    expect(ns.run('ip', ['-o', 'link', 'show']).stdout).not.toContain('pb3');
  });

  // `pilha ping ... | head -1`: node ignores SIGPIPE, the next write failed with EPIPE, and the unhandled
  // 'error' event printed a stack trace (ping(8) just ends, killed by SIGPIPE).
  it('a reader that closes the pipe ends pilha ping quietly, with no stack trace', async () => {
    const ns = namespace('probe-pipe');
    const child = ns.spawn(process.execPath, [
      PILHA_CLI,
      'ping',
      '10.77.0.1',
      '--tun',
      'pb4',
      '--count',
      '50',
      '--interval',
      '0.1',
    ]);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.stdout?.destroy(); // as `head -1` exits
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).not.toBeNull();
  }, 30_000);

  // The replies came back without the option: ping printed no route.
  it('ping -R: the reply carries the Record Route with pilha in it, also at the largest size that fits', async () => {
    const ns = namespace('probe-rr');
    await ns.startPilha(['up', '--tun', 'pb5']);
    const small = ns.run('ping', ['-R', '-c', '1', '-W', '3', '10.77.0.2']);
    expect(small.status, small.stdout).toBe(0);
    expect(small.stdout).toMatch(/RR:\s+10\.77\.0\.1\s+10\.77\.0\.2/);
    const large = ns.run('ping', ['-R', '-c', '1', '-W', '3', '-s', '65467', '10.77.0.2']);
    expect(large.status, large.stdout).toBe(0);
    expect(large.stdout).toMatch(/RR:\s+10\.77\.0\.1\s+10\.77\.0\.2/);
  }, 30_000);

  // The replies came back without the Timestamp option: ping printed no stamp of pilha's.
  it('ping -T: the reply carries the Timestamp option stamped by pilha (timestamps only, with addresses, prespecified)', async () => {
    const ns = namespace('probe-ts');
    await ns.startPilha(['up', '--tun', 'pb6']);
    const only = ns.run('ping', ['-T', 'tsonly', '-c', '1', '-W', '3', '10.77.0.2']);
    expect(only.status, only.stdout).toBe(0);
    // The sender's stamp (absolute), pilha's and the kernel's on receipt (relative to the one before).
    expect(only.stdout).toMatch(/TS:\s+\d+ absolute\n\s+-?\d+\n\s+-?\d+\n/);
    const withAddresses = ns.run('ping', ['-T', 'tsandaddr', '-c', '1', '-W', '3', '10.77.0.2']);
    expect(withAddresses.status, withAddresses.stdout).toBe(0);
    expect(withAddresses.stdout).toMatch(/TS:\s+10\.77\.0\.1\s+\d+ absolute\n\s+10\.77\.0\.2\s+-?\d+\n/);
    const prespecified = ns.run('ping', ['-T', 'tsprespec', '10.77.0.2', '-c', '1', '-W', '3', '10.77.0.2']);
    expect(prespecified.status, prespecified.stdout).toBe(0);
    expect(prespecified.stdout).toMatch(/TS:\s+10\.77\.0\.2\s+\d+ absolute/);
  }, 30_000);

  it('without root: one line, exit 1, no stack trace', async () => {
    const ns = namespace('probe-noroot');
    const r = await ns.runAsync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        PILHA_CLI,
        'http',
        '--tun',
        'pb1',
      ],
      20_000,
    );
    expect(r.stderr).toBe('pilha: cannot open /dev/net/tun: permission denied (run as root)\n');
    expect(r.status).toBe(1);
  });
});
